"""Reading untrusted input into text, and splitting text into sentences with exact offsets."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from .errors import Errors, InputFileError, InvalidTextError, TextTooLongError, Warnings

__all__ = ["decode_bytes", "read_text_file", "check_text", "split_sentences", "DEFAULT_MAX_CHARS"]

DEFAULT_MAX_CHARS = 2_000_000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_bytes(data: bytes) -> str:
    """Decode bytes as UTF-8 (BOM stripped) or BOM-marked UTF-16.

    Raises
    ------
    InvalidTextError
        With the byte position when the data is not valid UTF-8.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidTextError(Errors.P004.format(reason=f"bad UTF-16 at byte {exc.start}")) from None
    if b"\x00" in data[:8192]:
        raise InvalidTextError(
            Errors.P004.format(reason="it contains NUL bytes and looks like a binary file")
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidTextError(
            Errors.P004.format(reason=f"invalid UTF-8 byte 0x{data[exc.start]:02x} at position {exc.start}")
        ) from None


def read_text_file(path: str | Path) -> str:
    """Read a text file with no newline translation (offsets match PTC's ``newline=''``)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise InputFileError(Errors.P011.format(path=p, reason="it is a folder")) from None
    except OSError as exc:
        raise InputFileError(Errors.P011.format(path=p, reason=exc.strerror or str(exc))) from None
    try:
        return decode_bytes(data)
    except InvalidTextError as exc:
        raise InputFileError(Errors.P011.format(path=p, reason=str(exc).rstrip("."))) from None


LIMIT_KNOB = "Analyzer(max_chars=...)"


def check_text(text: object, *, max_chars: int = DEFAULT_MAX_CHARS, knob: str = LIMIT_KNOB) -> str:
    """Validate analysable text; return it unchanged.

    ``knob`` names the setting that raises ``max_chars`` where the caller's users meet the limit (a CLI
    option, a server setting); the too-long message [P005] names it.

    Raises
    ------
    InvalidTextError
        When ``text`` is not a str or is empty/whitespace; :class:`TextTooLongError` (a subclass) when it is
        longer than ``max_chars``.
    """
    if isinstance(text, (bytes, bytearray)):
        text = decode_bytes(bytes(text))
    if not isinstance(text, str):
        raise InvalidTextError(Errors.P004.format(reason=f"expected str, got {type(text).__name__}"))
    if not text.strip():
        raise InvalidTextError(Errors.P001)
    if len(text) > max_chars:
        raise TextTooLongError(Errors.P005.format(length=len(text), limit=max_chars, knob=knob))
    sample = text[:20000]
    n_ctrl = len(_CONTROL.findall(sample))
    if n_ctrl > 0.1 * len(sample):
        warnings.warn(Warnings.W001.format(ratio=n_ctrl / len(sample)), stacklevel=3)
    return text


# A sentence ends at . ! ? (plus closing quotes/brackets) followed by whitespace, or at a line break.
_SENT_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s)|\r?\n""")
_NEXT_CHAR = re.compile(r"[ \t]*(\S)")
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Mt|vs|etc|No|U\.S|U\.K|e\.g|i\.e|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Ltd|Co|Corp)|\b[A-Z])\.$"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences; returns (start, end) offsets with surrounding whitespace trimmed.

    Examples
    --------
    >>> t = "Mr. Smith left. He said no!\\nNew line"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['Mr. Smith left.', 'He said no!', 'New line']
    """
    out: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end()
        if m.group().strip():
            if _ABBREV.search(text[max(start, end - 12) : end]):
                continue
            nxt = _NEXT_CHAR.match(text, end)
            if nxt and nxt.group(1).islower():  # '"Stop!" he cried' goes on
                continue
        _append_trimmed(text, start, end, out)
        start = end
    _append_trimmed(text, start, len(text), out)
    return out


def _append_trimmed(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))

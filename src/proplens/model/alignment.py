"""Tokens, windows and the only token <-> character mapping in proplens.

An article is tokenized once (no special tokens, no truncation); token offsets are Python ``str``
indices into the original text. Long articles are cut into overlapping windows of token indices;
every window gets [CLS] ... [SEP] added by :func:`window_ids`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "TokenizedText",
    "Window",
    "load_tokenizer",
    "tokenize",
    "make_windows",
    "line_windows",
    "text_windows",
    "window_ids",
    "char_span_to_tokens",
    "tokens_to_char_span",
    "token_breaks",
    "first_token_from",
    "best_window",
    "snap_to_words",
    "run_to_char_span",
]

WINDOWINGS = ("stride", "lines")
_NEWLINE = re.compile("\n")
_WORD_CHAR = re.compile(r"\w")


def load_tokenizer(path: str | Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    return tok


@dataclass
class TokenizedText:
    """Token ids of a whole text and each token's (start, end) in it."""

    ids: np.ndarray  # int64 [n]
    offsets: np.ndarray  # int64 [n, 2]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Window:
    """Tokens [start_token, end_token) of a text, encoded as one model input."""

    start_token: int
    end_token: int


def tokenize(tokenizer, text: str) -> TokenizedText:
    enc = tokenizer.encode(text, add_special_tokens=False)
    ids = np.asarray(enc.ids, dtype=np.int64)
    offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
    # Drop zero-width tokens (can come from odd normalisation); they carry no characters.
    keep = offsets[:, 1] > offsets[:, 0]
    if not keep.all():
        ids, offsets = ids[keep], offsets[keep]
    return TokenizedText(ids, offsets)


def make_windows(n_tokens: int, *, size: int, stride: int) -> list[Window]:
    """Cover ``n_tokens`` with windows of at most ``size`` tokens, each starting ``stride`` after the last."""
    if n_tokens <= size:
        return [Window(0, n_tokens)]
    out = []
    start = 0
    while True:
        end = min(start + size, n_tokens)
        out.append(Window(start, end))
        if end == n_tokens:
            break
        start += stride
        if start + size > n_tokens:  # last window: align to the end so it is full
            start = n_tokens - size
    return out


def line_windows(tokens: TokenizedText, text: str, *, size: int) -> list[Window]:
    """One window per line of ``text`` (a line longer than ``size`` tokens is cut like a text).

    News articles put one paragraph on a line; a paragraph is the context an annotator read a span in.
    Trained and run this way, the tagger never sees a span cut by an arbitrary window edge, and short
    inputs waste no attention on padding-length context (see docs/design.md, "line windows").
    """
    n = len(tokens)
    if n == 0:
        return []
    newlines = np.array([m.start() for m in _NEWLINE.finditer(text)], dtype=np.int64)
    line = (
        np.searchsorted(newlines, tokens.offsets[:, 0], side="right")
        if len(newlines)
        else np.zeros(n, dtype=np.int64)
    )
    cuts = np.flatnonzero(np.diff(line)) + 1
    out: list[Window] = []
    for a, b in zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [n]]), strict=True):
        a, b = int(a), int(b)
        if b - a <= size:
            out.append(Window(a, b))
        else:
            out.extend(
                Window(a + w.start_token, a + w.end_token)
                for w in make_windows(b - a, size=size, stride=(3 * size) // 4)
            )
    return out


def text_windows(tokens: TokenizedText, text: str, *, windowing: str, size: int, stride: int) -> list[Window]:
    """The windows a model with this ``windowing`` ("stride" or "lines") reads ``text`` in."""
    if windowing == "lines":
        return line_windows(tokens, text, size=size)
    return make_windows(len(tokens), size=size, stride=stride)


def window_ids(tokens: TokenizedText, w: Window, cls_id: int, sep_id: int) -> np.ndarray:
    return np.concatenate([[cls_id], tokens.ids[w.start_token : w.end_token], [sep_id]]).astype(np.int64)


def char_span_to_tokens(offsets: np.ndarray, start: int, end: int) -> tuple[int, int] | None:
    """Token range [a, b) covering characters [start, end) (expand mode); None if no token overlaps."""
    if len(offsets) == 0:
        return None
    a = int(np.searchsorted(offsets[:, 1], start, side="right"))
    b = int(np.searchsorted(offsets[:, 0], end, side="left"))
    if a >= b:
        return None
    return a, b


def tokens_to_char_span(offsets: np.ndarray, a: int, b: int) -> tuple[int, int]:
    """Characters covered by tokens [a, b) (``b > a``)."""
    return int(offsets[a, 0]), int(offsets[b - 1, 1])


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) so that it neither starts nor ends inside a word: a token run can stop at a
    word piece ("persuad" of "persuading"), and a highlight should cover whole words."""
    while start > 0 and _WORD_CHAR.match(text[start - 1]) and _WORD_CHAR.match(text[start]):
        start -= 1
    while end < len(text) and _WORD_CHAR.match(text[end]) and _WORD_CHAR.match(text[end - 1]):
        end += 1
    return start, end


def run_to_char_span(tokens: TokenizedText, text: str, a: int, b: int) -> tuple[int, int]:
    """The characters a decoded token run [a, b) highlights: its tokens' characters widened to whole words."""
    return snap_to_words(text, *tokens_to_char_span(tokens.offsets, a, b))


def first_token_from(offsets: np.ndarray, char: int) -> int:
    """The first token that ends after character ``char`` (where :func:`char_span_to_tokens` starts a span
    that begins at ``char``); ``len(offsets)`` if none does."""
    return int(np.searchsorted(offsets[:, 1], char, side="right"))


def token_breaks(tokens: TokenizedText, text: str) -> np.ndarray:
    """Tokens after which a span may not be joined across: sentence-final punctuation (a one-character
    ``.``, ``!`` or ``?`` token), or a line break between the token and the next one."""
    off = tokens.offsets
    n = len(off)
    br = np.zeros(n, dtype=bool)
    if n:
        one_char = np.flatnonzero(off[:, 1] - off[:, 0] == 1)
        br[one_char] = [text[off[i, 0]] in ".!?" for i in one_char]
        newlines = np.array([m.start() for m in _NEWLINE.finditer(text)], dtype=np.int64)
        if len(newlines) and n > 1:
            # a newline at a position in [end of token i, start of token i+1)
            lo = np.searchsorted(newlines, off[:-1, 1], side="left")
            hi = np.searchsorted(newlines, off[1:, 0], side="left")
            br[:-1] |= hi > lo
    return br


def best_window(
    windows: Sequence[Window],
    a: int,
    b: int,
    *,
    ends: np.ndarray | None = None,
    starts: np.ndarray | None = None,
) -> tuple[int, int, int] | None:
    """Pick the window that holds most of tokens [a, b), preferring the most central one.

    Returns (window index, ra, rb): the span's token range inside that window's model input,
    shifted by one for [CLS] and clipped to the window. Training and inference both use this,
    so a span is always represented the same way.

    ``windows`` are in text order (starts and ends both non-decreasing, as :func:`make_windows` and
    :func:`line_windows` make them); ``ends``/``starts`` (their token arrays, computed once by a caller
    with many spans) limit the search to the windows that can overlap the span.
    """
    lo, hi = 0, len(windows)
    if ends is not None and starts is not None:
        lo = int(np.searchsorted(ends, a, side="right"))
        hi = int(np.searchsorted(starts, b, side="left"))
    best, best_key = None, None
    for i in range(lo, hi):
        w = windows[i]
        inside = min(b, w.end_token) - max(a, w.start_token)
        if inside <= 0:
            continue
        key = (inside, min(a - w.start_token, w.end_token - b))
        if best_key is None or key > best_key:
            best, best_key = i, key
    if best is None:
        return None
    w = windows[best]
    return best, max(a, w.start_token) - w.start_token + 1, min(b, w.end_token) - w.start_token + 1

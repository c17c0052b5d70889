"""Word-level tools with exact offsets: tokens, crude stems, lexical overlap and token diffs.

Every token is a ``(start, end)`` pair into the text it came from, so whatever is built from a diff
(inserted and deleted stretches, substituted terms, inline markup) slices the original text.
"""

from __future__ import annotations

import difflib
import re
from typing import NamedTuple, cast

__all__ = [
    "Token",
    "tokens",
    "stem",
    "content_stems",
    "lexical_overlap",
    "coverage",
    "token_opcodes",
    "STOPWORDS",
    "is_function_word",
]

# words split at hyphens and slashes, so "IS-controlled" and "Daesh-controlled" differ in one token
_TOKEN = re.compile(r"\w+(?:[’'.]\w+)*|[^\w\s]")
_NUMBERISH = re.compile(r"\d")

STOPWORDS = frozenset(
    """a an the and or but nor of in on at to for from by with without about as into onto over under after
    before since until than then that this these those there here it its it's is are was were be been
    being am do does did have has had having will would shall should can could may might must not no so
    such very too also just only he she they we i you him her them us me his hers their theirs our ours
    your yours my mine who whom whose which what when where why how while if because though although
    some any all each every both either neither other another more most much many few less least own
    same s t said says say""".split()
)


class Token(NamedTuple):
    """A word or punctuation mark: its offsets and lowercased form."""

    start: int
    end: int
    lower: str


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` with offsets into ``text``.

    Examples
    --------
    >>> t = "IS-controlled areas, officials said."
    >>> [t[a.start:a.end] for a in tokens(t)]
    ['IS', '-', 'controlled', 'areas', ',', 'officials', 'said', '.']
    """
    end = len(text) if end is None else end
    return [
        Token(m.start() + start, m.end() + start, m.group().lower()) for m in _TOKEN.finditer(text[start:end])
    ]


def stem(word: str) -> str:
    """A crude English stem for overlap counts: "joined", "joining" and "joins" give "join" (cut to 8
    letters).

    Examples
    --------
    >>> [stem(w) for w in ("joined", "joining", "ranks", "established", "militants")]
    ['join', 'join', 'rank', 'establis', 'militant']
    """
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for suf in ("ing", "ed", "es", "s"):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: -len(suf)]
            break
    return w[:8]


def is_function_word(word: str) -> bool:
    """A stopword or a punctuation mark."""
    w = word.lower()
    return w in STOPWORDS or not any(ch.isalnum() for ch in w)


def content_stems(text: str) -> set[str]:
    """Stems of the content words (stopwords and punctuation left out)."""
    return {stem(t.lower) for t in tokens(text) if not is_function_word(t.lower)}


def lexical_overlap(a: set[str], b: set[str]) -> float:
    """Dice coefficient of two stem sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return 2.0 * len(a & b) / (len(a) + len(b))


def coverage(part: set[str], whole: set[str]) -> float:
    """Share of ``part``'s stems found in ``whole`` (1 when ``part`` is empty)."""
    if not part:
        return 1.0
    return len(part & whole) / len(part)


def token_opcodes(a: list[Token], b: list[Token]) -> list[tuple[str, int, int, int, int]]:
    """``difflib`` opcodes (equal/replace/delete/insert, i1, i2, j1, j2) between two token lists,
    compared case-insensitively with unified quotes and dashes."""
    norm = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-"})
    sm = difflib.SequenceMatcher(
        a=[t.lower.translate(norm) for t in a], b=[t.lower.translate(norm) for t in b], autojunk=False
    )
    return cast(list[tuple[str, int, int, int, int]], sm.get_opcodes())


def has_digit(text: str) -> bool:
    return bool(_NUMBERISH.search(text))

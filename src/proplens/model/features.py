"""Text-level facts about a span that the encoder cannot see from one window.

Shared verbatim by training and inference, so a feature means the same thing in both.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["N_SPAN_FEATURES", "span_text_features", "normalize_phrase", "count_phrase"]

_WS = re.compile(r"\W+")
N_SPAN_FEATURES = 8


def normalize_phrase(s: str) -> str:
    return _WS.sub(" ", s.lower()).strip()


def count_phrase(norm_text: str, phrase: str) -> int:
    r"""Non-overlapping whole-word occurrences of ``phrase`` in ``norm_text`` (both normalized by
    :func:`normalize_phrase`).

    The same count as ``re.findall(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", norm_text)``: a normalized
    text holds only word characters and single spaces, so a word boundary is a space or an end. ``str.find``
    scans in C; the regex took 10 s of a 300,000-character article's 26 s (one scan per span).
    """
    n, i, size, end = 0, 0, len(phrase), len(norm_text)
    while True:
        j = norm_text.find(phrase, i)
        if j < 0:
            return n
        if (j == 0 or norm_text[j - 1] == " ") and (j + size == end or norm_text[j + size] == " "):
            n += 1
            i = j + size
        else:
            i = j + 1


def span_text_features(text: str, start: int, end: int, *, norm_text: str | None = None) -> np.ndarray:
    """Features of ``text[start:end]``: length, recurrence in the article, punctuation and case.

    ``norm_text`` (``normalize_phrase(text)``) may be passed in to avoid recomputing it per span.
    """
    span = text[start:end]
    words = span.split()
    nt = norm_text if norm_text is not None else normalize_phrase(text)
    phrase = normalize_phrase(span)
    count = count_phrase(nt, phrase) if phrase else 0
    letters = [c for c in span if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper()) / len(letters) if letters else 0.0
    return np.array(
        [
            np.log1p(len(words)) / 4.0,
            np.log1p(max(count - 1, 0)),
            1.0 if count >= 2 else 0.0,
            1.0 if "?" in span else 0.0,
            1.0 if "!" in span else 0.0,
            1.0 if (start > 0 and text[start - 1] in "\"'“‘") or span[:1] in "\"'“‘" else 0.0,
            upper,
            1.0 if len(words) <= 1 else 0.0,
        ],
        dtype=np.float32,
    )

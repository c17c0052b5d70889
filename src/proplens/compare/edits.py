"""What changed inside aligned sentences: substituted terms, added and dropped content, new wording and
inline insert/delete marks, all from word-level diffs of the aligned rows, with offsets into each version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence, Set
from typing import Any

import numpy as np

from .align import AlignedRow, normalize
from .wording import Token, content_stems, coverage, has_digit, is_function_word, stem, token_opcodes, tokens

__all__ = ["RowDiffs", "substituted_terms", "content_changes", "new_wording", "inline_ops", "score_wording"]

MAX_TERM_WORDS = 4  # a substitution longer than this on either side is a rewrite, not a renaming
MIN_CLAUSE_WORDS = 2  # content words an added or dropped stretch needs to count as content
CLOSE_RATIO = 0.5  # a one-off replacement counts as a renaming only in sentences this close (difflib ratio)
PARAPHRASE_COVERAGE = 0.6  # a stretch whose content words the other side mostly has is reworded, not new
_EDGE_PUNCT = set(",;:.!?—–-")
_LEADING_JOINERS = {"and", "but", "or", "while", "as", "that", "which", "who", "the", "a", "an"}
_TRAILING_JOINERS = {"and", "but", "or", "that", "which", "who", "the", "a", "an", "of", "to"}
_OPENERS = {")": "(", "]": "[", "”": "“", '"': '"', "’": "‘"}


class RowDiffs:
    """Tokens of every version's part of every row, and word diffs between them (computed on demand)."""

    def __init__(self, texts: Sequence[str], sents, rows: Sequence[AlignedRow]):
        self.texts = texts
        self.rows = rows
        self.spans = [
            {v: (sents[v][idx[0]][0], sents[v][idx[-1]][1]) for v, idx in r.units.items()} for r in rows
        ]
        self._tok: dict[tuple[int, int], list[Token]] = {}
        self._ops: dict[tuple[int, int, int], list] = {}

    def toks(self, r: int, v: int) -> list[Token]:
        key = (r, v)
        if key not in self._tok:
            s, e = self.spans[r][v]
            self._tok[key] = tokens(self.texts[v], s, e)
        return self._tok[key]

    def ops(self, r: int, a: int, b: int) -> list[tuple[str, int, int, int, int]]:
        """Opcodes from version ``a``'s tokens to version ``b``'s in row ``r``."""
        key = (r, a, b)
        if key not in self._ops:
            if (r, b, a) in self._ops:
                swap = {"insert": "delete", "delete": "insert"}
                self._ops[key] = [
                    (swap.get(op, op), j1, j2, i1, i2) for op, i1, i2, j1, j2 in self._ops[(r, b, a)]
                ]
            else:
                self._ops[key] = token_opcodes(self.toks(r, a), self.toks(r, b))
        return self._ops[key]

    def unmatched(self, r: int, v: int, others: Sequence[int]) -> list[bool]:
        """Per token of ``v`` in row ``r``: True when no other version present in the row has it there."""
        flags = [True] * len(self.toks(r, v))
        for w in others:
            if w == v or w not in self.spans[r]:
                continue
            for op, _i1, _i2, j1, j2 in self.ops(r, w, v):
                if op == "equal":
                    for j in range(j1, j2):
                        flags[j] = False
        return flags

    def shared_rows(self, v: int) -> list[int]:
        return [r for r, sp in enumerate(self.spans) if v in sp and len(sp) > 1]


def _trim(toks: list[Token], lo: int, hi: int, *, joiners: bool = False) -> tuple[int, int]:
    """Drop edge punctuation (and, with ``joiners``, leading conjunctions and articles) from toks[lo:hi]."""
    while lo < hi and (
        toks[lo].lower in _EDGE_PUNCT
        or (joiners and toks[lo].lower in _LEADING_JOINERS)
        or toks[lo].lower in _OPENERS.values()
        and not _closes(toks, lo, hi)
    ):
        lo += 1
    while hi > lo and (
        toks[hi - 1].lower in _EDGE_PUNCT
        or (joiners and toks[hi - 1].lower in _TRAILING_JOINERS)
        or (
            toks[hi - 1].lower in _OPENERS
            and _OPENERS[toks[hi - 1].lower] not in {t.lower for t in toks[lo : hi - 1]}
        )
    ):
        hi -= 1
    return lo, hi


def _closes(toks, lo, hi) -> bool:
    closer = {v: k for k, v in _OPENERS.items()}.get(toks[lo].lower)
    return closer is not None and any(t.lower == closer for t in toks[lo + 1 : hi])


def _n_content(toks: list[Token]) -> int:
    return sum(1 for t in toks if not is_function_word(t.lower))


_EDGE_WORDS = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "from",
    "with",
    "and",
    "or",
    "but",
    "that",
    "as",
    "also",
    "its",
    "their",
    "his",
    "her",
}


def _trim_function(toks: list[Token], lo: int, hi: int) -> tuple[int, int]:
    """Drop articles, prepositions, conjunctions and punctuation from both ends of toks[lo:hi]."""

    def edge(t):
        return t.lower in _EDGE_WORDS or not any(ch.isalnum() for ch in t.lower)

    while lo < hi and edge(toks[lo]):
        lo += 1
    while (
        hi > lo
        and edge(toks[hi - 1])
        and not (
            toks[hi - 1].lower in _OPENERS
            and _OPENERS[toks[hi - 1].lower] in {t.lower for t in toks[lo : hi - 1]}
        )
    ):
        hi -= 1
    return lo, hi


def _match_ratio(ops) -> float:
    """Share of the two token lists' tokens that the diff matches (difflib's ratio)."""
    matched = sum(i2 - i1 for op, i1, i2, _, _ in ops if op == "equal")
    total = sum(i2 - i1 + j2 - j1 for op, i1, i2, j1, j2 in ops)
    return 2.0 * matched / total if total else 1.0


def _substitution_tokens(diffs: RowDiffs, r: int, v: int, others) -> set[int]:
    """Indices of ``v``'s tokens in row ``r`` that a short replacement (a renaming) covers against any
    other."""
    out: set[int] = set()
    for w in others:
        for op, i1, i2, j1, j2 in diffs.ops(r, w, v):
            if op == "replace" and i2 - i1 <= MAX_TERM_WORDS and j2 - j1 <= MAX_TERM_WORDS:
                out.update(range(j1, j2))
    return out


def substituted_terms(v: int, diffs: RowDiffs, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Words version ``v`` uses where an aligned sentence of another version has other words.

    Replacements of at most ``MAX_TERM_WORDS`` words a side (edge stopwords and punctuation trimmed, numbers
    left to the number comparison) are counted; a longer replacement that splits into a pair seen as a short
    replacement elsewhere plus a remainder is split there. Returns ``{"term", "instead_of", "count",
    "examples", "versions"}`` items, most frequent first; ``examples`` are ``[start, end]`` offsets of the
    term in ``v``'s text, ``versions`` the versions that use ``instead_of`` there.
    """
    raw = []  # (v tokens, w tokens, w)
    for r in diffs.shared_rows(v):
        tv = diffs.toks(r, v)
        for w in diffs.spans[r]:
            if w == v:
                continue
            tw = diffs.toks(r, w)
            ops = diffs.ops(r, w, v)
            close = _match_ratio(ops) >= CLOSE_RATIO
            for op, i1, i2, j1, j2 in ops:
                if op != "replace":
                    continue
                a_lo, a_hi = _trim_function(tw, i1, i2)
                b_lo, b_hi = _trim_function(tv, j1, j2)
                if (
                    a_hi > a_lo
                    and b_hi > b_lo
                    and not any(has_digit(t.lower) for t in tw[a_lo:a_hi] + tv[b_lo:b_hi])
                ):
                    raw.append((tv[b_lo:b_hi], tw[a_lo:a_hi], w, close))

    def key(toks):
        return tuple(t.lower for t in toks)

    seen = Counter((key(b), key(a)) for b, a, _, _ in raw)
    known = {(kb, ka) for kb, ka in seen if len(kb) <= MAX_TERM_WORDS and len(ka) <= MAX_TERM_WORDS}
    pieces = []
    for b, a, w, close in raw:
        # "Valley Front rebels" -> "Vafra militants" splits into "Valley Front" -> "Vafra" (a replacement
        # seen on its own elsewhere) and "rebels" -> "militants"; a long replacement keeps the known part
        split = next(
            (
                (k, m)
                for k in range(1, len(a) + 1)
                for m in range(1, len(b) + 1)
                if (k, m) != (len(a), len(b))
                and ((key(b[:m]), key(a[:k])) in known or (key(b[m:]), key(a[k:])) in known)
            ),
            None,
        )
        if split is not None:
            k, m = split
            for bb, aa in ((b[:m], a[:k]), (b[m:], a[k:])):
                if bb and aa and ((key(bb), key(aa)) in known or close):
                    pieces.append((bb, aa, w))
        elif len(a) <= MAX_TERM_WORDS and len(b) <= MAX_TERM_WORDS and (close or seen[(key(b), key(a))] > 1):
            pieces.append((b, a, w))
    groups: dict[tuple, dict[str, Any]] = {}
    for b, a, w in pieces:
        if len(a) > MAX_TERM_WORDS or len(b) > MAX_TERM_WORDS:
            continue
        if [stem(t.lower) for t in a] == [stem(t.lower) for t in b] or all(
            is_function_word(t.lower) for t in a + b
        ):
            continue
        g = groups.setdefault(
            (key(b), key(a)),
            {
                "term": diffs.texts[v][b[0].start : b[-1].end],
                "instead_of": diffs.texts[w][a[0].start : a[-1].end],
                "examples": [],
                "versions": [],
            },
        )
        if [b[0].start, b[-1].end] not in g["examples"]:
            g["examples"].append([b[0].start, b[-1].end])
        if ids[w] not in g["versions"]:
            g["versions"].append(ids[w])
    out = []
    for g in groups.values():
        g["examples"].sort()
        out.append(
            {
                "term": g["term"],
                "instead_of": g["instead_of"],
                "count": len(g["examples"]),
                "examples": g["examples"],
                "versions": g["versions"],
            }
        )
    out.sort(key=lambda g: (-g["count"], g["examples"][0]))
    return out


def _runs(flags: list[bool], toks: list[Token], *, bridge: int = 2) -> list[tuple[int, int]]:
    """Maximal runs of flagged tokens; up to ``bridge`` unflagged function words between them are bridged."""
    out = []
    k = 0
    n = len(flags)
    while k < n:
        if not flags[k]:
            k += 1
            continue
        lo = hi = k
        while hi < n:
            if flags[hi]:
                hi += 1
                continue
            gap = hi
            while gap < n and not flags[gap] and is_function_word(toks[gap].lower) and gap - hi < bridge:
                gap += 1
            if gap < n and flags[gap] and gap > hi:
                hi = gap
                continue
            break
        out.append((lo, hi))
        k = hi
    return out


def _item(text: str, start: int, end: int, kind: str, version: str | None = None) -> dict[str, Any]:
    d = {"text": text[start:end], "start": start, "end": end, "kind": kind}
    if version is not None:
        d["version"] = version
    return d


def _clauses(diffs: RowDiffs, r: int, v: int, others: Sequence[int]) -> list[tuple[int, int]]:
    """Stretches of ``v``'s sentence in row ``r`` that no other version there has: not a renaming (short
    replacement) and not a rewording of words one of the others has there (content-word coverage)."""
    toks = diffs.toks(r, v)
    subst = _substitution_tokens(diffs, r, v, others)
    theirs = [content_stems(diffs.texts[w][slice(*diffs.spans[r][w])]) for w in others]
    out = []
    for lo, hi in _runs(diffs.unmatched(r, v, others), toks, bridge=0):
        lo, hi = _trim(toks, lo, hi, joiners=True)
        if hi <= lo or _n_content(toks[lo:hi]) < MIN_CLAUSE_WORDS or set(range(lo, hi)) <= subst:
            continue
        mine = content_stems(diffs.texts[v][toks[lo].start : toks[hi - 1].end])
        if any(coverage(mine, t) >= PARAPHRASE_COVERAGE for t in theirs):
            continue
        out.append((toks[lo].start, toks[hi - 1].end))
    return out


def content_changes(
    v: int, diffs: RowDiffs, ids: Sequence[str], *, terms: Set[str] = frozenset()
) -> tuple[list[dict], list[dict]]:
    """``(added_content, dropped_content)`` of version ``v``.

    Added: its sentences no other version has, and stretches of at least ``MIN_CLAUSE_WORDS`` content words
    in its aligned sentences that none of the aligned versions has (offsets into ``v``'s text). Dropped: the
    sentences and stretches other versions have and ``v`` lacks (offsets into that version's text,
    ``version`` says which; each row's sentence is listed once). A stretch whose normalised text is one of
    ``terms`` (the substituted terms) is a renaming, not content.
    """
    added, dropped = [], []
    seen: set[str] = set()
    for r, sp in enumerate(diffs.spans):
        if v in sp:
            if len(sp) == 1:
                added.append(_item(diffs.texts[v], *sp[v], "sentence"))
                continue
            others = [w for w in sp if w != v]
            for s, e in _clauses(diffs, r, v, others):
                if normalize(diffs.texts[v][s:e]) not in terms:
                    added.append(_item(diffs.texts[v], s, e, "clause"))
            for w in others:
                for s, e in _clauses(diffs, r, w, [v]):
                    key = normalize(diffs.texts[w][s:e])
                    if key not in seen and key not in terms:
                        seen.add(key)
                        dropped.append(_item(diffs.texts[w], s, e, "clause", ids[w]))
        else:
            w = min(sp)
            key = normalize(diffs.texts[w][sp[w][0] : sp[w][1]])
            if key not in seen:
                seen.add(key)
                dropped.append(_item(diffs.texts[w], *sp[w], "sentence", ids[w]))
    return added, dropped


def new_wording(v: int, diffs: RowDiffs) -> list[tuple[int, int]]:
    """Phrases only version ``v`` uses: in aligned sentences, the words no aligned version has there; in
    sentences only ``v`` has, the words whose stem occurs in no other version. Offsets into ``v``'s text."""
    n = len(diffs.texts)
    vocab: set[str] = set()
    for w in range(n):
        if w != v:
            vocab.update(stem(t.lower) for t in tokens(diffs.texts[w]))
    out = []
    for r, sp in enumerate(diffs.spans):
        if v not in sp:
            continue
        toks = diffs.toks(r, v)
        if len(sp) == 1:
            flags = [not is_function_word(t.lower) and stem(t.lower) not in vocab for t in toks]
        else:
            flags = diffs.unmatched(r, v, [w for w in sp if w != v])
        for lo, hi in _runs(flags, toks, bridge=2 if len(sp) == 1 else 0):
            lo, hi = _trim(toks, lo, hi, joiners=True)
            lo, hi = _trim_function(toks, lo, hi)
            if (
                hi > lo
                and _n_content(toks[lo:hi]) >= 1
                and not all(has_digit(t.lower) for t in toks[lo:hi] if not is_function_word(t.lower))
            ):
                out.append((toks[lo].start, toks[hi - 1].end))
    return out


def score_wording(
    phrases: list[tuple[int, int]], text: str, pred=None, detector=None
) -> list[dict[str, Any]]:
    """Phrases with the detector's probability that they are inside a propaganda span (the highest
    per-token probability over the phrase) and its most likely technique, highest first.

    Without a prediction the phrases are returned in reading order with ``score`` None.
    """
    out: list[dict[str, Any]] = [
        {"text": text[s:e], "start": s, "end": e, "score": None, "technique": None} for s, e in phrases
    ]
    if pred is None or not out:
        return out
    offs = np.asarray(pred.tokens.offsets).reshape(-1, 2)
    p = np.asarray(pred.p_inside, dtype=np.float64)
    for d in out:
        inside = (offs[:, 0] < d["end"]) & (offs[:, 1] > d["start"]) & (offs[:, 1] > offs[:, 0])
        d["score"] = round(float(p[inside].max()), 4) if inside.any() else 0.0
    if detector is not None:
        try:
            probs = detector.classify(pred, [(d["start"], d["end"]) for d in out])
            techs = detector.techniques
            for d, row in zip(out, probs, strict=True):
                d["technique"] = techs[int(np.argmax(row))]
        except Exception:  # noqa: BLE001 - a detector without span classification still ranks by probability
            pass
    out.sort(key=lambda d: (-d["score"], d["start"]))
    return out


def inline_ops(diffs: RowDiffs, r: int, ref: int, v: int) -> list[list[Any]]:
    """Version ``v``'s text in row ``r`` as pieces in reading order: ``["equal"|"insert", start, end]`` index
    ``v``'s text and together cover its span exactly (whitespace included); ``["delete", start, end, before,
    after]`` index ``ref``'s text, ``before``/``after`` being the space ("" or " ") to show around the deleted
    words so that nothing is glued that was not glued in ``ref`` (and no space lands before punctuation).
    """
    tv = diffs.toks(r, v)
    tr = diffs.toks(r, ref)
    ref_text, text = diffs.texts[ref], diffs.texts[v]
    s, e = diffs.spans[r][v]
    out: list[list[Any]] = []
    pos = s

    def put(op, a, b):
        if b <= a:
            return
        if out and out[-1][0] == op and out[-1][2] == a:
            out[-1][2] = b
        else:
            out.append([op, a, b])

    for op, i1, i2, j1, j2 in diffs.ops(r, ref, v):
        if op in ("delete", "replace") and i2 > i1:
            d_start, d_end = tr[i1].start, tr[i2 - 1].end
            nxt = tv[j1].start if j1 < len(tv) else e
            if d_start > 0 and not ref_text[d_start - 1].isspace():  # glued to the word before, as in ref
                out.append(["delete", d_start, d_end, "", ""])
                put("equal", pos, nxt)
            else:
                put("equal", pos, nxt)
                before = "" if nxt > pos or pos == s else " "
                follows = text[nxt] if nxt < e else ""
                after = (
                    " "
                    if (
                        op == "delete"
                        and d_end < len(ref_text)
                        and ref_text[d_end].isspace()
                        and (follows.isalnum() or follows in "“‘\"'(")
                    )
                    else ""
                )
                out.append(["delete", d_start, d_end, before, after])
            pos = nxt
        if op in ("insert", "replace") and j2 > j1:
            put("equal", pos, tv[j1].start)
            put("insert", tv[j1].start, tv[j2 - 1].end)
            pos = tv[j2 - 1].end
        elif op == "equal":
            put("equal", pos, tv[j2 - 1].end)
            pos = tv[j2 - 1].end
    put("equal", pos, e)
    return out

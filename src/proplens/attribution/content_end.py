"""A learned decoder for where a content clause ends (after the tagger and the decoding rules).

For an attribution whose content follows its cue in the cue's sentence ("X said on Monday that … , adding
…"), every token from the content's first token to the end of the sentence (or to another attribution's
token) is a candidate last token. A logistic classifier over hashed features of each candidate (its tag,
the next tokens, whether it closes the cue's complement or the cue's whole subtree, to which part of the
cue's clause the next token belongs, quotation state, distance) scores the candidates; the content becomes
the tokens from its start to the best one. The classifier is trained on gold contents (their real start,
their real end), so it learns the annotators' convention for the end, not the tagger's.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

import numpy as np

from .features import hash_features

__all__ = ["candidates", "end_features", "refine_content_ends"]

_FUNCTION_POS = {"ADP", "PART", "AUX", "DET", "CCONJ", "SCONJ", "PRON", "PUNCT"}
_DIST = (0, 2, 5, 10, 20)  # distance buckets "0" … "4", "5" beyond
_OPEN_QUOTES = {"“", '"', "«", "„", "``", "''", "‘", "'"}


def _word(tok) -> str:
    return tok.lower_ if tok.pos_ in _FUNCTION_POS or tok.is_punct else "open"


def _cue_head(doc, cue: Sequence[int]):
    toks = [doc[i] for i in cue]
    return min(toks, key=lambda t: (sum(1 for _ in t.ancestors), t.i))


def candidates(doc, cue: Sequence[int], content: Sequence[int], others: Container[int]) -> list[int]:
    """Candidate last tokens of ``content``: from its first token to the end of the cue's sentence, stopping
    before a token of another attribution (``others``); empty when the decoder does not apply (no content,
    content not wholly after the cue and in its sentence, or a quotation)."""
    if not cue or not content:
        return []
    s, c1 = min(content), max(cue)
    sent = doc[c1].sent
    if s <= c1 or max(content) >= sent.end or doc[s].text in _OPEN_QUOTES:
        return []
    out = []
    for j in range(s, sent.end):
        if j in others:
            break
        if not doc[j].is_space:
            out.append(j)
    return out if max(content) in out else []


def end_features(doc, cue: Sequence[int], s: int, cands: Sequence[int]) -> list[list[str]]:
    """Feature strings of each candidate end ``j`` of a content starting at token ``s``."""
    head = _cue_head(doc, cue)
    sent = doc[head.i].sent
    # the child of the cue's head whose subtree holds the content's start (its complement, usually)
    comp = doc[s]
    while comp.head.i != head.i and comp.head.i != comp.i:
        comp = comp.head
    if comp.head.i != head.i:
        comp = None
    comp_lo = comp.left_edge.i if comp is not None else -1
    comp_hi = comp.right_edge.i if comp is not None else -1
    while comp_hi > comp_lo and (doc[comp_hi].is_punct or doc[comp_hi].is_space):
        comp_hi -= 1
    cue_hi = head.right_edge.i
    while cue_hi > head.i and (doc[cue_hi].is_punct or doc[cue_hi].is_space):
        cue_hi -= 1
    last_word = max((t.i for t in sent if not t.is_punct and not t.is_space), default=sent.end - 1)
    comp_dep = comp.dep_ if comp is not None else "none"
    rows = []
    for j in cands:
        w = doc[j]
        nxt = doc[j + 1] if j + 1 < sent.end else None
        while nxt is not None and nxt.is_space and nxt.i + 1 < sent.end:
            nxt = doc[nxt.i + 1]
        n2 = doc[nxt.i + 1] if nxt is not None and nxt.i + 1 < sent.end else None
        ww = _word(w)
        nw = _word(nxt) if nxt is not None else "<end>"
        if nxt is not None:
            top = nxt
            while top.head.i != head.i and top.head.i != top.i:
                top = top.head
            ntop = (
                "comp"
                if comp is not None and top.i == comp.i
                else top.dep_
                if top.head.i == head.i
                else "out"
            )
        else:
            ntop = "<end>"
        d = j - s
        db = next((str(k) for k, top in enumerate(_DIST) if d <= top), str(len(_DIST)))
        re_comp = int(j == comp_hi)
        f = [
            "bias",
            "p=" + w.pos_,
            "d=" + w.dep_,
            "w=" + ww,
            "np=" + (nxt.pos_ if nxt is not None else "<end>"),
            "nd=" + (nxt.dep_ if nxt is not None else "<end>"),
            "nw=" + nw,
            "w_nw=" + ww + "|" + nw,
            "n2w=" + nw + "|" + (_word(n2) if n2 is not None else "<end>"),
            "n2p=" + nw + "|" + (n2.pos_ if n2 is not None else "<end>"),
            f"last={int(j == last_word)}",
            f"re_comp={re_comp}",
            f"re_cue={int(j == cue_hi)}",
            f"in_comp={int(comp_lo <= j <= comp_hi)}",
            "ntop=" + ntop,
            "ntop_nw=" + ntop + "|" + nw,
            "re_comp_nw=" + str(re_comp) + "|" + nw,
            "cdep=" + comp_dep + "|" + str(re_comp),
            "db=" + db,
            "cue=" + head.lemma_.lower() + "|" + str(re_comp),
            "nent=" + (nxt.ent_type_ if nxt is not None else "<end>"),
            "n2ent=" + (n2.ent_type_ if n2 is not None else "<end>") + "|" + nw,
            "ent=" + w.ent_type_ + "|" + (nxt.ent_type_ if nxt is not None else "<end>"),
        ]
        rows.append(f)
    return rows


class _Others:
    """The tokens of attributions other than the ``k``-th (a view of the owner map, not a copy: a long
    article has thousands of attributions)."""

    def __init__(self, owner: dict[int, int], k: int) -> None:
        self.owner, self.k = owner, k

    def __contains__(self, i: object) -> bool:
        return self.owner.get(i, self.k) != self.k  # type: ignore[call-overload]


def refine_content_ends(doc, tagged: list, W: np.ndarray, b: float, margin: float = 0.0) -> None:
    """Move the end of each applicable content (see :func:`candidates`) to its best-scored candidate when
    that scores more than ``margin`` above the current end, in place; ``W`` (N_FEATURES,) and ``b`` are the
    classifier's weights."""
    owner: dict[int, int] = {}
    for k, t in enumerate(tagged):
        for i in t.cue + t.source + t.content:
            owner.setdefault(i, k)
    for k, t in enumerate(tagged):
        cands = candidates(doc, t.cue, t.content, _Others(owner, k))
        if len(cands) < 2:
            continue
        rows = end_features(doc, t.cue, min(t.content), cands)
        scores = [float(W[hash_features(f)].sum()) + b for f in rows]
        k_best = int(np.argmax(scores))
        if scores[k_best] - scores[cands.index(max(t.content))] > margin:
            t.content = [j for j in cands if j <= cands[k_best]]

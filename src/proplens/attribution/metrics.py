"""Attribution scores on PolNeAR-style gold: partial-overlap and exact-match P/R/F1 per role.

Predicted and gold attributions are matched one-to-one, greedily, by how many roles overlap (cue
first, then content, then source; ties by overlapping characters). For a role, a predicted value is a
true positive when its attribution is matched and it overlaps (partial) or equals after trimming
whitespace (exact) the matched gold attribution's value of that role. Precision divides by the
predicted attributions that have the role, recall by the gold attributions that have it.

The whole-attribution score (``"whole"``, partial) counts a matched pair as correct when each role is
absent from both or present in both and overlapping; precision divides by all predicted attributions,
recall by all gold ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

__all__ = ["ROLES", "match_attributions", "score_attributions"]

ROLES = ("source", "cue", "content")

Spans = Sequence[Sequence[int]]


def _overlap(a: Spans, b: Spans) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _norm(text: str, spans: Spans) -> frozenset:
    chars: set[int] = set()
    for s, e in spans:
        chars.update(range(s, e))
    return frozenset(i for i in chars if not text[i].isspace())


def match_attributions(pred: Sequence[Mapping], gold: Sequence[Mapping]) -> list[tuple[int, int]]:
    """One-to-one (pred index, gold index) pairs that share at least one overlapping role."""
    cands = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            ov = [_overlap(p.get(r, ()), g.get(r, ())) for r in ("cue", "content", "source")]
            if any(ov):
                cands.append((sum(1 for x in ov if x) + (1 if ov[0] else 0), sum(ov), i, j))
    cands.sort(reverse=True)
    used_p, used_g, pairs = set(), set(), []
    for _, _, i, j in cands:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def score_attributions(docs: Iterable[tuple[str, Sequence[Mapping], Sequence[Mapping]]]) -> dict:
    """Partial and exact P/R/F1 per role over ``(text, predicted, gold)`` triples.

    Returns
    -------
    dict
        ``{"partial": {role: {"p", "r", "f1", "tp", "pred", "gold"}}, "exact": {...},
        "whole": {"p", "r", "f1", ...}, "attributions": {...}}``
    """
    counts = {m: {r: [0, 0, 0] for r in ROLES} for m in ("partial", "exact")}  # tp, n_pred, n_gold
    n_pred = n_gold = n_matched = n_whole = 0
    for text, pred, gold in docs:
        n_pred += len(pred)
        n_gold += len(gold)
        pairs = match_attributions(pred, gold)
        n_matched += len(pairs)
        for m in counts:
            for r in ROLES:
                counts[m][r][1] += sum(1 for p in pred if p.get(r))
                counts[m][r][2] += sum(1 for g in gold if g.get(r))
        for i, j in pairs:
            p, g = pred[i], gold[j]
            # whole attribution: every role either absent from both or present in both and overlapping
            if all(
                (not p.get(r) and not g.get(r)) or (p.get(r) and g.get(r) and _overlap(p[r], g[r]))
                for r in ROLES
            ):
                n_whole += 1
            for r in ROLES:
                if p.get(r) and g.get(r):
                    if _overlap(p[r], g[r]):
                        counts["partial"][r][0] += 1
                    if _norm(text, p[r]) == _norm(text, g[r]):
                        counts["exact"][r][0] += 1
    out: dict = {}
    for m, per in counts.items():
        out[m] = {}
        for r, (tp, np_, ng) in per.items():
            prec = tp / np_ if np_ else 0.0
            rec = tp / ng if ng else 0.0
            f = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
            out[m][r] = {
                "p": round(prec, 4),
                "r": round(rec, 4),
                "f1": round(f, 4),
                "tp": tp,
                "pred": np_,
                "gold": ng,
            }
    prec = n_whole / n_pred if n_pred else 0.0
    rec = n_whole / n_gold if n_gold else 0.0
    out["whole"] = {
        "p": round(prec, 4),
        "r": round(rec, 4),
        "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0,
        "tp": n_whole,
        "pred": n_pred,
        "gold": n_gold,
    }
    out["attributions"] = {"pred": n_pred, "gold": n_gold, "matched": n_matched}
    return out

"""SemEval-2020 Task 11 metrics.

SI: per article, overlapping spans are merged in gold and in prediction. Over the corpus,
P = sum over (predicted s, gold t) pairs of |s∩t|/|s|, divided by the number of predicted spans;
R = the same sum with |s∩t|/|t|, divided by the number of gold spans; F1 their harmonic mean.
TC: micro-F1 over given gold spans (equal to accuracy when every gold span gets one prediction).
End-to-end: the SI formula where only pairs of the same technique count, overlaps merged per technique.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..techniques import TECHNIQUE_IDS
from .io import TcRow

__all__ = [
    "merge_intervals",
    "si_scores",
    "tc_scores",
    "e2e_scores",
    "evaluate_ptc",
    "paragraph_technique_scores",
]


def merge_intervals(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping (start, end) intervals (touching ones stay apart, as in the task scorer)."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _f1(p: float, r: float) -> float:
    return 0.0 if p <= 0 or r <= 0 else 2 * p * r / (p + r)


def _overlap_sums(pred: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]) -> tuple[float, float]:
    sp = sr = 0.0
    for s0, s1 in pred:
        for t0, t1 in gold:
            inter = min(s1, t1) - max(s0, t0)
            if inter > 0:
                sp += inter / (s1 - s0)
                sr += inter / (t1 - t0)
    return sp, sr


def _group(rows: Iterable[TcRow], by_technique: bool) -> dict:
    g: dict = defaultdict(list)
    for r in rows:
        key = (r.article_id, r.technique) if by_technique else r.article_id
        g[key].append((r.start, r.end))
    return {k: merge_intervals(v) for k, v in g.items()}


def _si_like(pred: Iterable[TcRow], gold: Iterable[TcRow], by_technique: bool) -> dict[str, Any]:
    pg, gg = _group(pred, by_technique), _group(gold, by_technique)
    n_pred = sum(len(v) for v in pg.values())
    n_gold = sum(len(v) for v in gg.values())
    sp = sr = 0.0
    for k, ps in pg.items():
        if k in gg:
            a, b = _overlap_sums(ps, gg[k])
            sp += a
            sr += b
    p = sp / n_pred if n_pred else 0.0
    r = sr / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": _f1(p, r), "n_pred": n_pred, "n_gold": n_gold}


def si_scores(pred: Iterable[TcRow], gold: Iterable[TcRow]) -> dict[str, float]:
    """Span-identification P/R/F1 (techniques ignored)."""
    return _si_like(pred, gold, by_technique=False)


def e2e_scores(pred: Iterable[TcRow], gold: Iterable[TcRow]) -> dict:
    """End-to-end P/R/F1, plus per-technique figures."""
    pred, gold = list(pred), list(gold)
    out = _si_like(pred, gold, by_technique=True)
    per = {}
    for t in TECHNIQUE_IDS:
        per[t] = _si_like([r for r in pred if r.technique == t], [r for r in gold if r.technique == t], True)
    out["per_technique"] = per
    return out


def tc_scores(pred: Iterable[TcRow], gold: Iterable[TcRow]) -> dict:
    """Technique-classification micro P/R/F1 over gold spans, plus per-technique P/R/F1.

    Predictions are matched to gold by (article, start, end); where the same offsets carry several
    gold techniques, the multisets are intersected.
    """
    pred, gold = list(pred), list(gold)
    pk: dict = defaultdict(Counter)
    gk: dict = defaultdict(Counter)
    for r in pred:
        pk[(r.article_id, r.start, r.end)][r.technique] += 1
    for r in gold:
        gk[(r.article_id, r.start, r.end)][r.technique] += 1
    correct: Counter = Counter()
    for k, gc in gk.items():
        inter = gc & pk.get(k, Counter())
        correct.update(inter)
    n_pred = Counter(r.technique for r in pred)
    n_gold = Counter(r.technique for r in gold)
    tot_c = sum(correct.values())
    p = tot_c / len(pred) if pred else 0.0
    rec = tot_c / len(gold) if gold else 0.0
    per = {}
    for t in TECHNIQUE_IDS:
        tp, tr = (
            (correct[t] / n_pred[t] if n_pred[t] else 0.0),
            (correct[t] / n_gold[t] if n_gold[t] else 0.0),
        )
        per[t] = {"precision": tp, "recall": tr, "f1": _f1(tp, tr), "n_pred": n_pred[t], "n_gold": n_gold[t]}
    return {
        "precision": p,
        "recall": rec,
        "f1": _f1(p, rec),
        "n_pred": len(pred),
        "n_gold": len(gold),
        "per_technique": per,
    }


def evaluate_ptc(
    pred_flc: Sequence[TcRow], gold: Sequence[TcRow], pred_tc: Sequence[TcRow] | None = None
) -> dict:
    """All three task figures. ``pred_flc``: predicted technique spans; ``pred_tc``: labels for gold spans."""
    res = {"si": si_scores(pred_flc, gold), "e2e": e2e_scores(pred_flc, gold)}
    if pred_tc is not None:
        res["tc"] = tc_scores(pred_tc, gold)
    return res


def paragraph_technique_scores(
    pred: Iterable[TcRow], gold: Iterable[TcRow], articles: Mapping[str, str]
) -> dict[str, float]:
    """Paragraph-level technique micro-F1: which techniques each paragraph (article line) uses.

    A (article, paragraph, technique) triple is present when a span of that technique overlaps the
    paragraph's characters; precision and recall are over those triples. This is what a reader scanning
    an article by paragraph sees, and it forgives span-boundary disagreements the SI metrics punish.
    """
    bounds: dict[str, list[tuple[int, int]]] = {}
    for a, text in articles.items():
        lines, start = [], 0
        for line in text.split("\n"):
            lines.append((start, start + len(line)))
            start += len(line) + 1
        bounds[a] = lines

    def triples(rows: Iterable[TcRow]) -> set[tuple[str, int, str]]:
        out = set()
        for r in rows:
            for i, (s, e) in enumerate(bounds.get(r.article_id, [])):
                if r.start < e and r.end > s:
                    out.add((r.article_id, i, str(r.technique)))
        return out

    p, g = triples(pred), triples(gold)
    tp = len(p & g)
    prec = tp / len(p) if p else 0.0
    rec = tp / len(g) if g else 0.0
    return {"precision": prec, "recall": rec, "f1": _f1(prec, rec), "n_pred": len(p), "n_gold": len(g)}

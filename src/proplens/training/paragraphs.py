"""Fit and evaluate the paragraph-technique model (:mod:`proplens.model.paragraphs`) on out-of-fold
predictions (needs scikit-learn).

The model is stacked on the detector's outputs, so it must learn from outputs on articles the detector
did not train on: the cross-validation's out-of-fold predictions (``cv/foldK/oof_epochN.pkl``) with that
recipe's decoding. Figures are honest only on articles the logistic model did not see either:
:func:`evaluate` splits the articles in two, fits on one half (threshold chosen by an inner split of
that half) and scores the other, both ways round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..model.detector import Detector, TextPrediction
from ..model.paragraphs import ParagraphModel, paragraph_design, paragraph_evidence
from ..ptc.metrics import TcRow

__all__ = ["article_evidence", "fit_paragraph_model", "evaluate", "labelled_triples"]

THRESHOLDS = tuple(np.round(np.arange(0.1, 0.61, 0.025), 3))


def article_evidence(det: Detector, pred: TextPrediction) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Decode ``pred`` as :meth:`Detector.predict` does (without calibration) and return its paragraph
    evidence."""
    found = det.find_spans(pred, for_labels=True)
    probs = det.classify(pred, [(s, e) for s, e, _ in found])
    pred.spans = det.label_spans(pred, found, probs)  # find_possible reads the confident spans from pred
    possible = det.find_possible(pred)
    return paragraph_evidence(
        pred.text,
        pred.tokens.offsets,
        pred.p_bio,
        pred.p_tech,
        det.techniques,
        pred.spans,
        found,
        probs,
        possible,
    )


def gold_matrix(
    bounds: Sequence[tuple[int, int]], gold: Sequence[TcRow], techniques: Sequence[str]
) -> np.ndarray:
    """``[paragraphs, K]`` booleans: the gold spans' techniques per paragraph."""
    index = {t: k for k, t in enumerate(techniques)}
    y = np.zeros((len(bounds), len(techniques)), dtype=bool)
    for r in gold:
        for i, (s, e) in enumerate(bounds):
            if r.start < e and r.end > s and r.technique in index:
                y[i, index[str(r.technique)]] = True
    return y


def labelled_triples(evidence: np.ndarray) -> np.ndarray:
    """The paragraph techniques read off the labelled spans alone (the baseline)."""
    return evidence[:, :, 0] > 0


def _f1_counts(tp: float, n_pred: float, n_gold: float) -> float:
    p, r = tp / max(n_pred, 1.0), tp / max(n_gold, 1.0)
    return 2 * p * r / (p + r) if p + r else 0.0


def _f1(pred: np.ndarray, gold: np.ndarray) -> float:
    return _f1_counts(float((pred & gold).sum()), float(pred.sum()), float(gold.sum()))


def _fit_logistic(
    evidence: Sequence[np.ndarray], gold: Sequence[np.ndarray], C: float
) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    X = np.vstack([paragraph_design(e) for e in evidence])
    y = np.concatenate([g.reshape(-1) for g in gold])
    clf = LogisticRegression(C=C, max_iter=5000)
    clf.fit(X, y)
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


def fit_paragraph_model(
    evidence: Sequence[np.ndarray], gold: Sequence[np.ndarray], *, C: float = 1.0, seed: int = 0
) -> ParagraphModel:
    """Fit on all given articles; the threshold maximises micro-F1 on held-out halves of them (fit on
    one half, scored on the other, both ways), not on the articles a fit saw."""
    n = len(evidence)
    order = np.random.default_rng(seed).permutation(n)
    halves = (order[: n // 2], order[n // 2 :])
    probs, golds = [], []
    for a, b in (halves, halves[::-1]):
        coef, icpt = _fit_logistic([evidence[i] for i in a], [gold[i] for i in a], C)
        m = ParagraphModel(coef, icpt, 0.5)
        probs += [m.predict_proba(evidence[i]) for i in b]
        golds += [gold[i] for i in b]
    P, G = np.concatenate([p.reshape(-1) for p in probs]), np.concatenate([g.reshape(-1) for g in golds])
    threshold = max(THRESHOLDS, key=lambda t: _f1(P >= t, G))
    coef, icpt = _fit_logistic(evidence, gold, C)
    return ParagraphModel(coef, icpt, float(threshold))


def evaluate(
    evidence: Sequence[np.ndarray],
    gold: Sequence[np.ndarray],
    *,
    C: float = 1.0,
    seed: int = 0,
    n_boot: int = 1000,
) -> dict[str, Any]:
    """Two-fold (by article) estimate of paragraph micro-F1 for the stacked model against the labelled
    spans alone, with 95 % bootstrap intervals over articles and the paired difference."""
    n = len(evidence)
    order = np.random.default_rng(seed + 1).permutation(n)
    halves = (order[: n // 2], order[n // 2 :])
    pred: list[np.ndarray] = [np.zeros(0)] * n
    thresholds = []
    for a, b in (halves, halves[::-1]):
        model = fit_paragraph_model([evidence[i] for i in a], [gold[i] for i in a], C=C, seed=seed)
        thresholds.append(model.threshold)
        for i in b:
            pred[i] = model.predict_proba(evidence[i]) >= model.threshold
    base = [labelled_triples(e) for e in evidence]

    def counts(ps: Sequence[np.ndarray]) -> np.ndarray:
        return np.array(
            [[(p & g).sum(), p.sum(), g.sum()] for p, g in zip(ps, gold, strict=True)], dtype=float
        )

    cs, cb = counts(pred), counts(base)

    def f1c(c: np.ndarray) -> float:
        return _f1_counts(*c.sum(axis=0))

    rng = np.random.default_rng(seed + 2)
    draws = []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        draws.append((f1c(cs[idx]), f1c(cb[idx])))
    d = np.array(draws)
    tp, npred, ngold = cs.sum(axis=0)
    return {
        "n_articles": n,
        "stacked_f1": f1c(cs),
        "stacked_precision": tp / max(npred, 1.0),
        "stacked_recall": tp / max(ngold, 1.0),
        "labelled_spans_f1": f1c(cb),
        "ci95_stacked": [float(x) for x in np.percentile(d[:, 0], [2.5, 97.5])],
        "paired_difference": f1c(cs) - f1c(cb),
        "ci95_paired_difference": [float(x) for x in np.percentile(d[:, 0] - d[:, 1], [2.5, 97.5])],
        "thresholds": thresholds,
        "C": C,
    }


def oof_evidence(
    det: Detector, ids: Sequence[str], preds: Sequence[TextPrediction], gold: Mapping[str, Sequence[TcRow]]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Evidence and gold matrices for out-of-fold predictions (one per article id)."""
    ev, ys = [], []
    for a, p in zip(ids, preds, strict=True):
        bounds, e = article_evidence(det, p)
        ev.append(e)
        ys.append(gold_matrix(bounds, gold.get(a, []), det.techniques))
    return ev, ys


def load_oof(cv_dir: str | Path, epoch: int | str) -> tuple[Detector, list[str], list[TextPrediction]]:
    """A numpy-only detector with the decoding the cross-validation chose for ``epoch``, and the pooled
    out-of-fold predictions."""
    import json

    from ..model.decoding import DecodeConfig
    from .cv import _load_pool

    cv_dir = Path(cv_dir)
    report = json.loads((cv_dir / "cv_report.json").read_text())
    decode = report["epochs"][str(epoch)]["decode"]
    ids, preds = _load_pool(sorted(cv_dir.glob(f"fold*/oof_epoch{epoch}.pkl")))
    det = Detector(backend=None, tokenizer=None, span_weights={}, decode=DecodeConfig(**decode))  # type: ignore[arg-type]
    return det, ids, preds


def apply_paragraph_model(
    cv_dir: str | Path, epoch: int | str, model_dir: str | Path, data_dir: str | Path, *, C: float = 1.0
) -> dict[str, Any]:
    """Fit the paragraph model on the out-of-fold predictions of ``epoch`` in ``cv_dir`` and write it, with
    its two-fold figures, into ``model_dir/config.json`` (key ``"paragraphs"``); returns the figures."""
    import json

    from ..ptc.io import PtcCorpus

    det, ids, preds = load_oof(cv_dir, epoch)
    evidence, gold = oof_evidence(det, ids, preds, PtcCorpus.load(data_dir).spans)
    figures = evaluate(evidence, gold, C=C)
    model = fit_paragraph_model(evidence, gold, C=C)
    path = Path(model_dir) / "config.json"
    cfg = json.loads(path.read_text())
    cfg["paragraphs"] = {
        **model.to_dict(),
        "fitted_on": f"out-of-fold predictions, epoch {epoch}",
        "metrics": figures,
    }
    path.write_text(json.dumps(cfg, indent=1))
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m proplens.training.paragraphs CV_DIR EPOCH MODEL_DIR DATA_DIR``"""
    import argparse
    import json

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("cv_dir")
    ap.add_argument("epoch")
    ap.add_argument("model_dir")
    ap.add_argument("data_dir")
    ap.add_argument("--C", type=float, default=1.0)
    a = ap.parse_args(argv)
    print(json.dumps(apply_paragraph_model(a.cv_dir, a.epoch, a.model_dir, a.data_dir, C=a.C), indent=1))


if __name__ == "__main__":
    main()

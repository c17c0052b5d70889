"""Scores that mean what they say: a monotone map from a span's raw score to the chance that it is right.

A passage counts as right when a gold span of the same technique overlaps it (the partial credit the
end-to-end metric gives). The map is isotonic (pool-adjacent-violators), fitted on out-of-fold
predictions, stored in the model's ``config.json`` as a short piecewise-linear table and applied by
:meth:`proplens.model.detector.Detector.calibrate`. Its expected calibration error (ECE) is measured on
articles it was not fitted on (two halves, each scored with the map fitted on the other).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["span_outcomes", "fit_isotonic", "expected_calibration_error", "calibrate_oof", "reliability_plot"]


def span_outcomes(
    detector, corpus, ids: Sequence[str], preds: Sequence
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(raw scores, 1 if right else 0, article index) of every confident and possible span,
    with ``detector.decode``."""
    scores, right, art = [], [], []
    saved = detector.calibration
    detector.calibration = None  # raw scores
    try:
        for i, (a, p) in enumerate(zip(ids, preds, strict=False)):
            found = detector.find_spans(p, for_labels=True)
            p.spans = detector.label_spans(p, found, detector.classify(p, [(s, e) for s, e, _ in found]))
            cands = list(p.spans) + detector.find_possible(p)
            gold: dict[str, list[tuple[int, int]]] = {}
            for r in corpus.spans[a]:
                gold.setdefault(r.technique, []).append((r.start, r.end))
            for s, e, t, sc in cands:
                scores.append(sc)
                right.append(any(s < ge and e > gs for gs, ge in gold.get(t, [])))
                art.append(i)
    finally:
        detector.calibration = saved
    return np.asarray(scores, float), np.asarray(right, float), np.asarray(art, int)


def fit_isotonic(
    x: np.ndarray, y: np.ndarray, *, points: int = 24, min_bin: int = 20
) -> tuple[list[float], list[float]]:
    """Non-decreasing fit of y on x, returned as at most ``points`` (x, y) knots.

    Scores are first pooled into bins of at least ``min_bin`` spans (sorted by score), then adjacent bins
    that violate monotonicity are merged (pool adjacent violators); each block's rate is Laplace-smoothed, so
    a top block of a few right answers says "likely", not "certain".
    """
    if len(x) == 0:
        return [0.0, 1.0], [0.0, 1.0]
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    size = max(min_bin, len(xs) // (4 * points))
    bx = [float(xs[i : i + size].mean()) for i in range(0, len(xs), size)]
    by = [float(ys[i : i + size].sum()) for i in range(0, len(xs), size)]  # right answers per bin
    bn = [float(len(ys[i : i + size])) for i in range(0, len(xs), size)]
    blocks: list[list[float]] = []  # [right, n, x-weighted sum]
    for xv, r, n in zip(bx, by, bn, strict=False):
        blocks.append([r, n, xv * n])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            r2, n2, xs2 = blocks.pop()
            blocks[-1][0] += r2
            blocks[-1][1] += n2
            blocks[-1][2] += xs2
    kx = [b[2] / b[1] for b in blocks]
    ky = [(b[0] + 1.0) / (b[1] + 2.0) for b in blocks]
    if len(kx) > points:  # thin the knots, keeping both ends
        keep = np.unique(np.linspace(0, len(kx) - 1, points).round().astype(int))
        kx, ky = [kx[i] for i in keep], [ky[i] for i in keep]
    kx = [0.0] + [float(v) for v in kx] + [1.0]
    ky = [float(ky[0])] + [float(v) for v in ky] + [float(ky[-1])]
    return kx, [float(v) for v in np.maximum.accumulate(ky)]


def expected_calibration_error(p: np.ndarray, y: np.ndarray, *, bins: int = 10) -> float:
    """Share-weighted mean |accuracy - confidence| over equal-width score bins."""
    if len(p) == 0:
        return 0.0
    idx = np.minimum((p * bins).astype(int), bins - 1)
    err = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            err += m.mean() * abs(y[m].mean() - p[m].mean())
    return float(err)


def calibrate_oof(detector, corpus, ids: Sequence[str], preds: Sequence, *, seed: int = 0) -> dict:
    """Fit the map on all out-of-fold spans; measure ECE raw and calibrated on held-out article halves."""
    x, y, art = span_outcomes(detector, corpus, ids, preds)
    rng = np.random.default_rng(seed)
    half = rng.permutation(len(ids)) % 2
    held = np.empty(len(x))
    for h in (0, 1):
        fit_m, test_m = half[art] != h, half[art] == h
        kx, ky = fit_isotonic(x[fit_m], y[fit_m])
        held[test_m] = np.interp(x[test_m], kx, ky)
    kx, ky = fit_isotonic(x, y)
    return {
        "x": kx,
        "y": ky,
        "n_spans": int(len(x)),
        "share_right": float(y.mean()) if len(y) else 0.0,
        "ece_raw": expected_calibration_error(x, y),
        "ece_calibrated_heldout": expected_calibration_error(held, y),
        "_raw": x,
        "_held": held,
        "_right": y,
    }


def reliability_plot(result: dict, path: str | Path) -> None:
    """Reliability diagram (raw and held-out calibrated scores) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=100)
    bins = np.linspace(0, 1, 11)
    for key, label in (
        ("_raw", f"raw (ECE {result['ece_raw']:.3f})"),
        ("_held", f"calibrated, held out (ECE {result['ece_calibrated_heldout']:.3f})"),
    ):
        p, y = result[key], result["_right"]
        idx = np.minimum((p * 10).astype(int), 9)
        xs = [p[idx == b].mean() for b in range(10) if (idx == b).sum() >= 5]
        ys = [y[idx == b].mean() for b in range(10) if (idx == b).sum() >= 5]
        ax.plot(xs, ys, marker="o", label=label)
    ax.plot(bins, bins, ls="--", color="grey", lw=1)
    ax.set_xlabel("span score")
    ax.set_ylabel("share right (same-technique gold overlap)")
    ax.set_title(f"Reliability, out-of-fold ({result['n_spans']} spans)")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

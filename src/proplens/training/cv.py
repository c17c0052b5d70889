"""Cross-validation by article: out-of-fold predictions, decoding tuned on all of them, figures with
intervals.

One small validation split overstates a recipe (the 56-article split of model 0.3.0 said SI 0.431; unseen
news said 0.374), so recipes are compared here instead:

1. :func:`fold_ids` splits the articles of a PTC folder into K folds (seeded, by article).
2. For each fold, :func:`proplens.training.train.train` trains on the other folds and saves the fold's
   predictions (``foldK/oof_epochN.pkl``) after each evaluated epoch. Folds already done are skipped,
   so an interrupted run resumes.
3. :func:`evaluate_oof` pools the out-of-fold predictions of every article, tunes the decoding on the
   pool with a coarse grid and reports SI / TC / end-to-end F1 with 95 % bootstrap intervals over
   articles. :func:`paired_difference` tells whether one recipe beats another: only when the interval
   of the paired difference excludes 0.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..ptc.io import PtcCorpus, TcRow
from ..ptc.metrics import e2e_scores, merge_intervals, paragraph_technique_scores, si_scores, tc_scores
from ..ptc.run import assign_techniques

__all__ = ["fold_ids", "cross_validate", "evaluate_oof", "paired_difference", "rows_for_config"]


def fold_ids(data_dir: str | Path, fold: int, folds: int, *, seed: int = 13) -> tuple[list[str], list[str]]:
    """(training ids, held-out ids) of fold ``fold`` of ``folds`` over the articles of ``data_dir``."""
    if not 0 <= fold < folds or folds < 2:
        raise ValueError(f"fold must be in 0..{folds - 1} and folds >= 2")
    ids = sorted(PtcCorpus.load(data_dir).articles)
    order = ids[:]
    random.Random(seed).shuffle(order)
    held = sorted(order[fold::folds])
    held_set = set(held)
    return [a for a in ids if a not in held_set], held


def cross_validate(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    folds: int = 3,
    seed: int = 13,
    epochs: int = 2,
    eval_epochs: Sequence[int] | None = None,
    only_folds: Sequence[int] | None = None,
    log: Callable[[str], None] = print,
    **train_kw,
) -> dict:
    """Train every fold (skipping those whose predictions exist), then :func:`evaluate_oof` each evaluated
    epoch."""
    from .train import train

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    eval_epochs = tuple(eval_epochs or range(1, epochs + 1))
    for k in only_folds if only_folds is not None else range(folds):
        fold_dir = out / f"fold{k}"
        if all((fold_dir / f"oof_epoch{e}.pkl").exists() for e in eval_epochs):
            log(f"fold {k}: predictions already there, skipped")
            continue
        tr, held = fold_ids(data_dir, k, folds, seed=seed)
        log(f"fold {k}/{folds}: training on {len(tr)} articles, predicting {len(held)}")
        train(
            data_dir,
            fold_dir,
            epochs=epochs,
            seed=seed,
            train_ids=tr,
            eval_ids=held,
            eval_epochs=eval_epochs,
            resume=True,
            log=log,
            **train_kw,
        )
    report: dict = {"folds": folds, "seed": seed, "epochs": {}, "paired": {}}
    rows: dict[str, dict] = {}
    for e in eval_epochs:
        files = sorted(out.glob(f"fold*/oof_epoch{e}.pkl"))
        if files:
            report["epochs"][str(e)] = evaluate_oof(
                data_dir, files, log=log, plot=out / f"reliability_epoch{e}.png"
            )
            rows[str(e)] = _rows_of(data_dir, files, report["epochs"][str(e)]["decode"])
    done = [str(e) for e in eval_epochs if str(e) in rows]
    corpus = PtcCorpus.load(data_dir) if len(done) > 1 else None
    # does training longer help? paired over the same resamples
    for prev, last in zip(done, done[1:], strict=False):
        ids = sorted(rows[last])
        if corpus is not None and sorted(rows[prev]) == ids:
            report["paired"][f"epoch {last} - epoch {prev}"] = paired_difference(
                rows[prev], rows[last], corpus, ids, n=500
            )
    (out / "cv_report.json").write_text(json.dumps(report, indent=1))
    return report


def _rows_of(data_dir, files, decode: dict) -> dict:
    from ..model.decoding import DecodeConfig
    from ..model.detector import Detector

    ids, preds = _load_pool(files)
    det = Detector(backend=None, tokenizer=None, span_weights={}, decode=DecodeConfig(**decode))  # type: ignore[arg-type]
    return rows_for_config(det, PtcCorpus.load(data_dir), ids, preds)


def _load_pool(files: Sequence[Path]) -> tuple[list[str], list]:
    from .train import load_predictions

    ids: list[str] = []
    preds: list = []
    for f in files:
        split = json.loads((Path(f).parent / "split.json").read_text())
        fold_preds = load_predictions(Path(f))
        ids.extend(split["evaluation"])
        preds.extend(fold_preds)
    return ids, preds


def rows_for_config(
    detector, corpus: PtcCorpus, ids: Sequence[str], preds: Sequence
) -> dict[str, dict[str, list[TcRow]]]:
    """Per article: predicted SI rows, TC rows (gold spans labelled) and labelled spans, with
    ``detector.decode``."""
    out: dict[str, dict[str, list[TcRow]]] = {}
    for a, p in zip(ids, preds, strict=False):
        si = [TcRow(a, None, s, e) for s, e in merge_intervals((s, e) for s, e, _ in detector.find_spans(p))]
        gold = corpus.spans[a]
        spans = [(r.start, r.end) for r in gold]
        labels = assign_techniques(spans, detector.classify(p, spans)) if spans else []
        tc = [TcRow(a, detector.techniques[k], r.start, r.end) for r, k in zip(gold, labels, strict=False)]
        found = detector.find_spans(p, for_labels=True)
        flc = [
            TcRow(a, t, s, e)
            for s, e, t, _ in detector.label_spans(
                p, found, detector.classify(p, [(s, e) for s, e, _ in found])
            )
        ]
        out[a] = {"si": si, "tc": tc, "flc": flc}
    return out


def _scores(
    rows: dict[str, dict[str, list[TcRow]]], corpus: PtcCorpus, ids: Sequence[str]
) -> dict[str, float]:
    """F1 figures over ``ids``; an article drawn twice (a bootstrap resample) counts twice."""

    def alias(r: TcRow, k: int) -> TcRow:
        return TcRow(f"{r.article_id}#{k}", r.technique, r.start, r.end)

    gold = [alias(r, k) for k, a in enumerate(ids) for r in corpus.spans[a]]
    si = [alias(r, k) for k, a in enumerate(ids) for r in rows[a]["si"]]
    tc = [alias(r, k) for k, a in enumerate(ids) for r in rows[a]["tc"]]
    flc = [alias(r, k) for k, a in enumerate(ids) for r in rows[a]["flc"]]
    out = {
        "si": si_scores(si, gold)["f1"],
        "tc": tc_scores(tc, gold)["f1"],
        "e2e": e2e_scores(flc, gold)["f1"],
    }
    texts = {f"{a}#{k}": corpus.articles[a] for k, a in enumerate(ids)}
    out["paragraph"] = paragraph_technique_scores(flc, gold, texts)["f1"]
    return out


def bootstrap(
    rows, corpus: PtcCorpus, ids: Sequence[str], *, n: int = 200, seed: int = 0
) -> dict[str, list[float]]:
    """95 % intervals of SI/TC/E2E F1 over article resamples."""
    rng = np.random.default_rng(seed)
    ids = list(ids)
    draws: dict[str, list[float]] = {"si": [], "tc": [], "e2e": [], "paragraph": []}
    for _ in range(n):
        sample = [ids[i] for i in rng.integers(0, len(ids), len(ids))]
        for k, v in _scores(rows, corpus, sample).items():
            draws[k].append(v)
    return {k: [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))] for k, v in draws.items()}


def evaluate_oof(
    data_dir: str | Path,
    files: Sequence[Path],
    *,
    n_boot: int = 200,
    log: Callable[[str], None] = print,
    detector=None,
    plot: str | Path | None = None,
) -> dict:
    """Tune decoding (coarse grid) on the pooled out-of-fold predictions; figures with bootstrap intervals."""
    from ..model.detector import Detector
    from .tune import tune_decoding

    corpus = PtcCorpus.load(data_dir)
    ids, preds = _load_pool(files)
    if detector is None:  # heads come from each prediction's fold; the backend is never called
        detector = Detector(backend=None, tokenizer=None, span_weights={})  # type: ignore[arg-type]
    metrics, cfg = tune_decoding(detector, corpus, ids, full=False, preds=preds)
    detector.decode = cfg
    rows = rows_for_config(detector, corpus, ids, preds)
    point = _scores(rows, corpus, ids)
    result = {
        "n_articles": len(ids),
        "f1": point,
        "ci95": bootstrap(rows, corpus, ids, n=n_boot),
        "si": metrics["si"],
        "tc_per_technique": metrics["tc"]["per_technique"],
        "decode": asdict(cfg),
    }
    from .calibration import calibrate_oof, reliability_plot

    cal = calibrate_oof(detector, corpus, ids, preds)
    result["calibration"] = {k: v for k, v in cal.items() if not k.startswith("_")}
    if plot:
        try:
            reliability_plot(cal, plot)
        except ImportError:  # matplotlib comes with the [batch] extra
            pass
    log(f"calibration: ECE {cal['ece_raw']:.3f} raw -> {cal['ece_calibrated_heldout']:.3f} (held-out halves)")
    log(
        f"out-of-fold on {len(ids)} articles: SI {point['si']:.3f}, "
        f"TC {point['tc']:.3f}, E2E {point['e2e']:.3f}, paragraph {point['paragraph']:.3f}"
    )
    return result


def paired_difference(
    rows_a, rows_b, corpus: PtcCorpus, ids: Sequence[str], *, n: int = 1000, seed: int = 0
) -> dict:
    """Mean and 95 % interval of (B - A) over the same article resamples; B beats A when the interval
    excludes 0."""
    rng = np.random.default_rng(seed)
    ids = list(ids)
    diffs: dict[str, list[float]] = {"si": [], "tc": [], "e2e": [], "paragraph": []}
    for _ in range(n):
        sample = [ids[i] for i in rng.integers(0, len(ids), len(ids))]
        sa, sb = _scores(rows_a, corpus, sample), _scores(rows_b, corpus, sample)
        for k in diffs:
            diffs[k].append(sb[k] - sa[k])
    return {
        k: {"mean": float(np.mean(v)), "ci95": [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))]}
        for k, v in diffs.items()
    }


def apply_cv_decoding(model_dir: str | Path, report: dict, *, epoch: str | int) -> dict:
    """Write the decoding tuned on the out-of-fold predictions of ``epoch``, and its figures, into a model
    folder."""
    path = Path(model_dir) / "config.json"
    cfg = json.loads(path.read_text())
    r = report["epochs"][str(epoch)]
    cfg["decode"] = r["decode"]
    if r.get("calibration"):
        cfg["calibration"] = {"x": r["calibration"]["x"], "y": r["calibration"]["y"]}
    cfg.setdefault("metrics", {})["cross_validation"] = {
        "folds": report["folds"],
        "epoch": int(epoch),
        "n_articles": r["n_articles"],
        "si_f1": r["f1"]["si"],
        "tc_f1": r["f1"]["tc"],
        "e2e_f1": r["f1"]["e2e"],
        "paragraph_f1": r["f1"].get("paragraph"),
        "ci95": r["ci95"],
        "calibration_ece": {
            k: r.get("calibration", {}).get(k) for k in ("ece_raw", "ece_calibrated_heldout")
        },
    }
    path.write_text(json.dumps(cfg, indent=1))
    return cfg

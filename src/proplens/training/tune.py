"""Validation and tuning of the decoding thresholds on held-out articles (numpy; any backend)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import asdict, replace

import numpy as np

from ..model.decoding import DecodeConfig
from ..model.detector import Detector
from ..ptc.io import PtcCorpus, TcRow
from ..ptc.metrics import e2e_scores, si_scores, tc_scores
from ..ptc.run import assign_techniques
from ..techniques import TECHNIQUE_IDS

SPAN_THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55)
JOIN_GAPS = (0, 1, 2, 4, 6, 8)
SPAN_PEAKS = (0.0, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
TECH_TOKEN_WEIGHTS = (0.0, 0.2, 0.4)
MULTI_LABEL_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 1.01)
TECH_SPAN_THRESHOLDS = (1.01, 0.3, 0.4, 0.5, 0.6, 0.7)
MIN_SPAN_SCORES = (0.0, 0.1, 0.2, 0.3)


def tune_decoding(
    detector: Detector, corpus: PtcCorpus, ids: list[str], *, full: bool = True, preds: list | None = None
) -> tuple[dict, DecodeConfig]:
    """Encode the articles once (or take their ``preds``, e.g. pooled out-of-fold predictions); choose span
    threshold and gap by SI F1, the token/span technique mix by TC F1, the multi-label threshold by
    end-to-end F1. Returns metrics at the chosen config, and the config."""
    if preds is None:
        preds = detector.encode([corpus.articles[a] for a in ids])
    gold = [r for a in ids for r in corpus.spans[a]]
    base = detector.decode
    try:
        # Each step starts from the config the previous one chose, and tries its settings on the detector.
        si, cfg = _tune_spans(detector, ids, preds, gold, base, full)
        tc, cfg = _tune_technique_mix(detector, corpus, ids, preds, gold, cfg, full)
        cfg = _tune_labelled_spans(detector, ids, preds, gold, cfg, full)
        e2e, cfg = _tune_labels(detector, ids, preds, gold, cfg, full)
    finally:
        detector.decode = base
    metrics = {
        "si": {k: si[k] for k in ("precision", "recall", "f1")},
        "tc": {"f1": tc["f1"], "per_technique": tc["per_technique"]},
        "e2e": {k: e2e[k] for k in ("precision", "recall", "f1")},
        "e2e_per_technique": {
            t: {k: v[k] for k in ("precision", "recall", "f1")} for t, v in e2e["per_technique"].items()
        },
        "decode": asdict(cfg),
        "n_articles": len(ids),
        "n_gold_spans": len(gold),
    }
    return metrics, cfg


def _span_grid(thresholds: tuple[float, ...], full: bool) -> Iterator[tuple[float, int, float]]:
    """(threshold, join gap, peak threshold) settings, without peaks at or below the threshold: the peak
    filter would keep every run there, the same as no peak filter (0)."""
    for thr, gap, peak in itertools.product(thresholds, JOIN_GAPS, SPAN_PEAKS if full else (0.0, 0.55)):
        if not 0 < peak <= thr:
            yield thr, gap, peak


def _tune_spans(
    detector: Detector, ids: list[str], preds: list, gold: list[TcRow], base: DecodeConfig, full: bool
) -> tuple[dict, DecodeConfig]:
    """1. span decoding: threshold, gap joining and peak by SI F1. Returns (SI scores, config)."""
    best = None
    for thr, gap, peak in _span_grid(SPAN_THRESHOLDS, full):
        detector.decode = replace(base, span_threshold=thr, join_gap=gap, span_peak_threshold=peak)
        rows = [
            TcRow(a, None, s, e)
            for a, p in zip(ids, preds, strict=False)
            for s, e, _ in detector.find_spans(p)
        ]
        si = si_scores(rows, gold)
        if best is None or si["f1"] > best[0]["f1"]:
            best = (si, detector.decode)
    assert best is not None  # the grids are never empty
    return best


def _tune_technique_mix(
    detector: Detector,
    corpus: PtcCorpus,
    ids: list[str],
    preds: list,
    gold: list[TcRow],
    cfg: DecodeConfig,
    full: bool,
) -> tuple[dict, DecodeConfig]:
    """2. technique mix (token vs span classifier), on gold spans (the TC setting), by TC F1; the coarse
    grid keeps the mix the detector came with. Returns (TC scores, config)."""
    best_tc = None
    for w in TECH_TOKEN_WEIGHTS if full else (cfg.tech_token_weight,):
        detector.decode = replace(cfg, tech_token_weight=w)
        tc_pred: list[TcRow] = []
        for a, p in zip(ids, preds, strict=False):
            rows = corpus.spans[a]
            spans = [(r.start, r.end) for r in rows]
            labels = assign_techniques(spans, detector.classify(p, spans))
            tc_pred.extend(
                TcRow(a, TECHNIQUE_IDS[k], r.start, r.end) for r, k in zip(rows, labels, strict=False)
            )
        tc = tc_scores(tc_pred, gold)
        if best_tc is None or tc["f1"] > best_tc[0]["f1"]:
            best_tc = (tc, detector.decode)
    assert best_tc is not None
    return best_tc


def _tune_labelled_spans(
    detector: Detector, ids: list[str], preds: list, gold: list[TcRow], cfg: DecodeConfig, full: bool
) -> DecodeConfig:
    """3. labelled spans, tuned for end-to-end F1: their span threshold, gap and peak, with the top label
    only (:func:`_tune_labels` then tunes the rest)."""
    best_lab = None
    cache: dict[str, dict[tuple[int, int], np.ndarray]] = {a: {} for a in ids}

    def classify_cached(a, p, found):
        # Span probabilities depend only on the span: many settings find the same spans.
        known = cache[a]
        todo = [(s, e) for s, e, _ in found if (s, e) not in known]
        if todo:
            for span, pr in zip(todo, detector.classify(p, todo), strict=False):
                known[span] = pr
        return np.array([known[(s, e)] for s, e, _ in found]).reshape(len(found), len(detector.techniques))

    for thr, gap, peak in _span_grid(SPAN_THRESHOLDS + (0.6, 0.65, 0.7), full):
        detector.decode = replace(
            cfg,
            label_span_threshold=thr,
            label_join_gap=gap,
            label_peak_threshold=peak,
            multi_label_threshold=1.01,
        )
        rows: list[TcRow] = []
        for a, p in zip(ids, preds, strict=False):
            found = detector.find_spans(p, for_labels=True)
            probs = classify_cached(a, p, found)
            rows.extend(TcRow(a, t, s, e) for s, e, t, _ in detector.label_spans(p, found, probs))
        e2e = e2e_scores(rows, gold)
        if best_lab is None or e2e["f1"] > best_lab[0]:
            best_lab = (e2e["f1"], detector.decode)
    assert best_lab is not None
    return best_lab[1]


def _tune_labels(
    detector: Detector, ids: list[str], preds: list, gold: list[TcRow], cfg: DecodeConfig, full: bool
) -> tuple[dict, DecodeConfig]:
    """4. the labels of the spans step 3 finds, by end-to-end F1: the multi-label threshold, technique-token
    runs, a minimum score and the repetition rule. The spans and their probabilities do not depend on
    these, so they are found once. Returns (E2E scores, config)."""
    detector.decode = cfg
    found_by = {a: detector.find_spans(p, for_labels=True) for a, p in zip(ids, preds, strict=False)}
    probs = {
        a: detector.classify(p, [(s, e) for s, e, _ in found_by[a]]) for a, p in zip(ids, preds, strict=False)
    }
    best_e2e = None
    grid = itertools.product(
        MULTI_LABEL_THRESHOLDS,
        TECH_SPAN_THRESHOLDS if full else (1.01,),
        MIN_SPAN_SCORES if full else (0.0,),
        (False, True) if full else (False,),
    )
    for mlt, tst, mss, rep in grid:
        detector.decode = replace(
            cfg,
            multi_label_threshold=mlt,
            tech_span_threshold=tst,
            min_span_score=mss,
            repetition_rule=rep,
        )
        rows: list[TcRow] = []
        for a, p in zip(ids, preds, strict=False):
            labelled = detector.label_spans(p, found_by[a], probs[a])
            rows.extend(TcRow(a, t, s, e) for s, e, t, _ in labelled)
        e2e = e2e_scores(rows, gold)
        if best_e2e is None or e2e["f1"] > best_e2e[0]["f1"]:
            best_e2e = (e2e, detector.decode)
    assert best_e2e is not None
    return best_e2e

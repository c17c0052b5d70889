"""Running an analyzer over PTC folders: predicted spans (SI/FLC), labels for given spans (TC), evaluation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..errors import InvalidTextError
from .io import TcRow
from .metrics import e2e_scores, merge_intervals, paragraph_technique_scores, si_scores, tc_scores

Progress = Callable[[int], None]


def predict_articles(
    analyzer, articles: Mapping[str, str], *, progress: Progress | None = None, batch_size: int = 8
) -> list[TcRow]:
    """Technique-labelled spans for every article (empty/whitespace articles give no rows)."""
    return predict_articles_si_flc(analyzer, articles, progress=progress, batch_size=batch_size)[1]


def predict_articles_si_flc(
    analyzer, articles: Mapping[str, str], *, progress: Progress | None = None, batch_size: int = 8
) -> tuple[list[TcRow], list[TcRow]]:
    """(SI rows, FLC rows). SI rows come from the SI-tuned decoding where the detector provides it
    (``si_spans``), else from the merged technique spans."""
    si, flc, _paragraphs = predict_article_rows(analyzer, articles, progress=progress, batch_size=batch_size)
    return si, flc


def predict_article_rows(
    analyzer, articles: Mapping[str, str], *, progress: Progress | None = None, batch_size: int = 8
) -> tuple[list[TcRow], list[TcRow], list[TcRow]]:
    """(SI rows, FLC rows, paragraph rows): as :func:`predict_articles_si_flc`, plus one row per
    (paragraph, technique) of the model's paragraph view (the row spans the paragraph; none without a
    paragraph model)."""
    from ..text import check_text

    ids = [a for a in articles if articles[a].strip()]
    si: list[TcRow] = []
    flc: list[TcRow] = []
    paragraphs: list[TcRow] = []
    det = analyzer.detector
    for b in range(0, len(ids), batch_size):
        chunk = ids[b : b + batch_size]
        preds = det.predict([check_text(articles[a], max_chars=analyzer.max_chars) for a in chunk])
        for a, p in zip(chunk, preds, strict=True):
            flc.extend(TcRow(a, t, s, e) for s, e, t, _ in p.spans)
            regions = getattr(p, "si_spans", None)
            if regions is None or (not regions and p.spans):
                regions = [(s, e, 0.0) for s, e, _, _ in p.spans]
            si.extend(TcRow(a, None, s, e) for s, e in merge_intervals((s, e) for s, e, _ in regions))
            paragraphs.extend(
                TcRow(a, t, s, e) for s, e, techs in getattr(p, "paragraphs", ()) for t, _ in techs
            )
            if progress:
                progress(1)
    if progress:
        progress(len(articles) - len(ids))
    return si, flc, paragraphs


def assign_techniques(spans: Sequence[tuple[int, int]], probs: np.ndarray) -> list[int]:
    """Technique index per span: the most probable one, except that a span listed again (PTC marks a
    stretch carrying two techniques as two rows with the same offsets) gets the next most probable
    technique not yet given to that stretch: two identical gold rows never share a technique."""
    given: dict[tuple[int, int], set[int]] = defaultdict(set)
    out = []
    for (s, e), p in zip(spans, probs, strict=True):
        used = given[(s, e)]
        k = next((int(k) for k in np.argsort(-p, kind="stable") if int(k) not in used), int(np.argmax(p)))
        used.add(k)
        out.append(k)
    return out


def classify_rows(
    analyzer, articles: Mapping[str, str], rows: Sequence[TcRow], *, progress: Progress | None = None
) -> list[TcRow]:
    """The same rows, same order, each with the predicted technique (one encoder pass per article);
    repeated rows of one stretch get distinct techniques (:func:`assign_techniques`)."""
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_article[r.article_id].append(i)
    out: list[TcRow | None] = [None] * len(rows)
    techniques = analyzer.detector.techniques
    for a, idx in by_article.items():
        spans = [(rows[i].start, rows[i].end) for i in idx]
        try:
            labels = [
                techniques[k] for k in assign_techniques(spans, analyzer.classify_proba(articles[a], spans))
            ]
        except InvalidTextError:
            labels = ["Loaded_Language"] * len(idx)  # cannot happen for valid in-range rows; keep order
        for i, tech in zip(idx, labels, strict=True):
            out[i] = TcRow(rows[i].article_id, tech, rows[i].start, rows[i].end)
        if progress:
            progress(1)
    return [r for r in out if r is not None]


def evaluate(
    analyzer, articles: Mapping[str, str], gold: Sequence[TcRow], *, progress: Progress | None = None
) -> dict:
    """SI, TC, end-to-end and paragraph-level figures of ``analyzer`` against gold TC rows.

    ``paragraph``: the model's paragraph view where it has one, else the labelled spans read by paragraph
    (``paragraph_from_spans``, always reported)."""
    si, flc, par = predict_article_rows(analyzer, articles, progress=progress)
    tc = classify_rows(analyzer, articles, gold, progress=progress)
    from_spans = paragraph_technique_scores(flc, gold, articles)
    has_view = getattr(analyzer.detector, "paragraph_model", None) is not None
    return {
        "si": si_scores(si, gold),
        "tc": tc_scores(tc, gold),
        "e2e": e2e_scores(flc, gold),
        "paragraph": paragraph_technique_scores(par, gold, articles) if has_view else from_spans,
        "paragraph_from_spans": from_spans,
        "n_articles": len(articles),
        "n_gold_spans": len(gold),
        "model": {"name": analyzer.model_name, "version": analyzer.model_version},
    }

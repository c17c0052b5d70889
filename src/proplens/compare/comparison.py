"""Compare versions of one story: sentence alignment plus what each version adds, drops and changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import CompareError, Errors
from ..text import check_text, split_sentences
from .align import AlignedRow, align_versions, normalize, word_diff
from .edits import RowDiffs, content_changes, inline_ops, new_wording, score_wording, substituted_terms
from .facts import Mention, find_entities, find_numbers, source_key
from .summary import describe

__all__ = ["CompareInput", "Comparison", "compare"]

MAX_SENTENCES = 6000  # the similarity matrix grows with the square of this
MAX_WORDING = 40  # new-wording phrases listed per version (highest detector probability first)

_PRONOUNS = {
    "he",
    "she",
    "they",
    "i",
    "we",
    "it",
    "you",
    "him",
    "her",
    "them",
    "this",
    "that",
    "who",
    "which",
}


@dataclass(frozen=True)
class CompareInput:
    """One version of a story: an id (shown everywhere), its text, and an optional title."""

    id: str
    text: str
    title: str | None = None


@dataclass
class Comparison:
    """The result of :func:`compare`; :meth:`to_dict` gives the JSON form.

    Attributes
    ----------
    versions : list of dict
        ``{"id", "title", "article_score", "n_sentences", "n_sources", "techniques", "summary"}`` per version.
    alignment : list of dict
        Rows ``{"status", "spans", "similarity"}`` (reworded rows add ``"reference"``, ``"diff"`` and
        ``"inline"``).
    differences : dict
        Per version id, what it renames (``substituted_terms``), adds and drops (``added_content``,
        ``dropped_content``, ``added_wording`` and the older span, source, entity and number lists).
    texts : dict
        Version id -> text (every span indexes it).
    """

    versions: list[dict[str, Any]]
    alignment: list[dict[str, Any]]
    differences: dict[str, dict[str, Any]]
    texts: dict[str, str] = field(repr=False)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self, *, include_texts: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "versions": self.versions,
            "alignment": self.alignment,
            "differences": self.differences,
        }
        if include_texts:
            d["texts"] = self.texts
        if self.warnings:
            d["warnings"] = self.warnings
        return d

    def summary(self) -> dict[str, str]:
        """Version id -> a short plain-English paragraph on what it renames, adds, drops and changes."""
        return {v["id"]: v["summary"] for v in self.versions}


def _unique_ids(inputs: Sequence[CompareInput]) -> list[str]:
    seen: Counter = Counter()
    out = []
    for inp in inputs:
        base = str(inp.id) or "version"
        seen[base] += 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out


def _load_nlp():
    try:
        from ..attribution.pipeline import load_spacy

        return load_spacy()
    except Exception as exc:  # noqa: BLE001  spaCy missing: entities and attributions are skipped, with a warning
        return exc


def compare(
    inputs: Sequence[CompareInput],
    *,
    analyzer=None,
    attributor=None,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> Comparison:
    """Compare two or more versions of a story.

    Parameters
    ----------
    inputs : sequence of CompareInput
        At least two versions. Duplicate ids get ``-2``, ``-3`` suffixes.
    analyzer : proplens.Analyzer, optional
        Finds propaganda spans (and attributions when it has them); without it no spans are compared.
    attributor : callable, optional
        A :class:`proplens.attribution.Attributor`; default: the shared one when spaCy is installed.
    embed : callable, optional
        Sentence encoder ``embed(list_of_str) -> unit vectors``; default :func:`proplens.compare.embed`.

    Returns
    -------
    Comparison

    Raises
    ------
    CompareError
        With fewer than two versions, or more than ``MAX_SENTENCES`` sentences in all.
    InvalidTextError
        When a version's text is empty or not text.
    """
    if len(inputs) < 2:
        raise CompareError(Errors.P025.format(n=len(inputs)))
    ids = _unique_ids(inputs)
    texts = [check_text(inp.text) for inp in inputs]
    sentences = [split_sentences(t) for t in texts]
    total = sum(len(s) for s in sentences)
    if total > MAX_SENTENCES:
        raise CompareError(Errors.P027.format(n=total, limit=MAX_SENTENCES))
    if embed is None:
        from .encoder import embed as default_embed

        embed = default_embed
    notes: list[str] = []
    analyses, preds, nlp, docs = _analyse_and_parse(analyzer, texts, [i.title for i in inputs], notes)
    attributions = _attributions(analyses, docs, nlp, attributor, notes)
    sents, rows = align_versions(texts, embed, sentences=sentences)
    facts = _Facts(
        ids=ids,
        texts=texts,
        sents=sents,
        rows=rows,
        diffs=RowDiffs(texts, sents, rows),
        analyses=analyses,
        preds=preds,
        attributions=attributions,
        numbers=[find_numbers(d if d is not None else t, t) for d, t in zip(docs, texts, strict=True)],
        entities=[find_entities(d) if d is not None else [] for d in docs],
        norm_texts=[normalize(t) for t in texts],
        ranges=_row_ranges(rows, sents, len(texts)),
        detector=analyzer.detector if analyzer is not None else None,
    )
    alignment = [_row_dict(k, r, ids, texts, sents, facts.diffs) for k, r in enumerate(rows)]
    differences = {vid: _differences(v, facts) for v, vid in enumerate(ids)}
    versions = [_version(v, facts, inputs[v].title) for v in range(len(ids))]
    for v, ver in enumerate(versions):
        d = differences[ver["id"]]
        ver["summary"] = describe(ver["id"], ids, d, _attributed_in(attributions[v], d["added_content"]))
    return Comparison(versions, alignment, differences, dict(zip(ids, texts, strict=True)), notes)


def _analyse_and_parse(analyzer, texts: list[str], titles: list[str | None], notes: list[str]):
    """(analyses, predictions, nlp, docs): the propaganda model (onnxruntime, GIL released) runs beside the
    spaCy parse; its per-token probabilities are kept to rank new wording below the highlight threshold.
    Without an analyzer the analyses are None; without spaCy the docs are None (and a note says so)."""
    analyses: list[Any] = [None] * len(texts)
    preds: list[Any] = [None] * len(texts)
    pool = future = None
    if analyzer is not None:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="proplens-compare")
        future = pool.submit(_predict, analyzer, texts, titles)
    try:
        nlp = _load_nlp()
        docs: list[Any] = [None] * len(texts)
        if isinstance(nlp, Exception):
            notes.append(f"named entities and sources were not compared: {nlp}")
        else:
            docs = list(nlp.pipe(texts, batch_size=4, n_process=1))
        if future is not None:
            analyses, preds = future.result()
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return analyses, preds, nlp, docs


def _attributions(analyses, docs, nlp, attributor, notes: list[str]) -> list[list]:
    """Each version's attributions: the analysis's own, else the attributor's over the parsed doc."""
    attributions: list[list] = []
    for k in range(len(docs)):
        a = analyses[k]
        if a is not None and a.attributions:
            attributions.append(list(a.attributions))
        elif docs[k] is not None:
            if attributor is None:
                from ..attribution.pipeline import Attributor

                attributor = Attributor(nlp=nlp)
            try:
                attributions.append(attributor.from_doc(docs[k]))
            except Exception as exc:  # noqa: BLE001  a missing weights file must not stop the comparison
                notes.append(f"sources were not compared: {exc}")
                attributions.append([])
        else:
            attributions.append([])
    return attributions


@dataclass
class _Facts:
    """What :func:`compare` found per version, for the per-version differences."""

    ids: list[str]
    texts: list[str]
    sents: list[list[tuple[int, int]]]
    rows: list[AlignedRow]
    diffs: RowDiffs
    analyses: list[Any]
    preds: list[Any]
    attributions: list[list]
    numbers: list[Any]
    entities: list[Any]
    norm_texts: list[str]
    ranges: Any
    detector: Any


def _differences(v: int, f: _Facts) -> dict[str, Any]:
    """What version ``v`` adds to, drops from and changes in the others."""
    ids, texts, rows = f.ids, f.texts, f.rows
    others = [w for w in range(len(texts)) if w != v]
    d: dict[str, Any] = {
        "added_spans": _added_spans(v, others, f.analyses, f.norm_texts, f.ranges),
        "dropped_spans": _dropped_spans(v, others, f.analyses, f.norm_texts, ids, f.ranges),
        "added_sources": _added_sources(v, others, f.attributions, texts),
        "dropped_sources": [],
        "added_entities": _added_entities(v, others, f.entities, f.norm_texts),
        "dropped_entities": [],
        "changed_numbers": [],
        "added_numbers": [],
        "dropped_numbers": [],
        "added_sentences": 0,
        "dropped_sentences": 0,
    }
    d["dropped_sources"] = _dropped_sources(v, others, f.attributions, texts, ids)
    d["dropped_entities"] = _dropped_entities(v, others, f.entities, f.norm_texts, ids)
    # a name already reported as an added/dropped source is not repeated as an entity
    for key, src_key in (("added_entities", "added_sources"), ("dropped_entities", "dropped_sources")):
        src_keys = [source_key(x["text"]) for x in d[src_key]]
        d[key] = [x for x in d[key] if not any(source_key(x["text"]) <= k for k in src_keys)]
    _number_changes(v, others, rows, f.sents, f.numbers, ids, d)
    terms = substituted_terms(v, f.diffs, ids)
    names = {normalize(t["term"]) for t in terms} | {normalize(t["instead_of"]) for t in terms}
    d["added_content"], d["dropped_content"] = content_changes(v, f.diffs, ids, terms=names)
    wording = score_wording(new_wording(v, f.diffs), texts[v], f.preds[v], f.detector)
    d["added_wording"] = wording[:MAX_WORDING]
    d = {"substituted_terms": terms, **d}
    d["added_sentences"] = sum(1 for r in rows if r.status == "only" and v in r.units)
    # sentences of other versions that v has no counterpart for (counted once per row)
    d["dropped_sentences"] = sum(1 for r in rows if v not in r.units)
    return d


def _version(v: int, f: _Facts, title: str | None) -> dict[str, Any]:
    """Version ``v``'s entry (its summary is written once every version's differences are known)."""
    a = f.analyses[v]
    return {
        "id": f.ids[v],
        "title": title or (a.title if a is not None else None),
        "article_score": a.score if a is not None else None,
        "n_sentences": len(f.sents[v]),
        "n_sources": len({source_key(x.source_text) for x in f.attributions[v] if x.source_text}),
        "techniques": dict(Counter(s.technique for s in a.spans)) if a is not None else {},
        "summary": "",
    }


def _predict(analyzer, texts, titles):
    """Analyses plus the detector's raw predictions (per-token probabilities) for each text."""
    preds = analyzer.detector.predict(texts)
    analyses = [analyzer._build(t, title, None, p) for t, title, p in zip(texts, titles, preds, strict=True)]
    return analyses, preds


def _attributed_in(attrs, added_content) -> list[str]:
    """Sources of the attributions whose cue lies in one of the version's added sentences."""
    out: list[str] = []
    for a in attrs:
        name = a.source_text.strip()
        if not name or name.lower() in _PRONOUNS or not a.cue:
            continue
        cue = a.cue[0][0]
        if any(x["kind"] == "sentence" and x["start"] <= cue < x["end"] for x in added_content):
            short = name.split(",")[0].strip()
            if short not in out:
                out.append(short)
    return out


def _row_dict(k: int, row: AlignedRow, ids, texts, sents, diffs) -> dict[str, Any]:
    spans: dict[str, Any] = {}
    for v, vid in enumerate(ids):
        if v in row.units:
            idx = row.units[v]
            spans[vid] = [sents[v][idx[0]][0], sents[v][idx[-1]][1]]
        else:
            spans[vid] = None
    d: dict[str, Any] = {"status": row.status, "spans": spans, "similarity": row.similarity}
    if row.status == "reworded":
        present = sorted(row.units)
        ref = present[0]
        rs, re_ = spans[ids[ref]]
        d["reference"] = ids[ref]
        d["diff"] = {}
        d["inline"] = {}
        for v in present[1:]:
            s, e = spans[ids[v]]
            if normalize(texts[v][s:e]) != normalize(texts[ref][rs:re_]):
                d["diff"][ids[v]] = word_diff(texts[ref][rs:re_], texts[v][s:e])
                d["inline"][ids[v]] = inline_ops(diffs, k, ref, v)
    return d


def _in_any(key: str, norm_texts, versions) -> bool:
    return any(key in norm_texts[w] for w in versions)


def _row_ranges(rows, sents, n):
    """Per row, per version present, the (start, end) characters it covers."""
    out = []
    for r in rows:
        out.append({v: (sents[v][idx[0]][0], sents[v][idx[-1]][1]) for v, idx in r.units.items()})
    return out


def _has_counterpart(span, v, w, analyses, norm_texts, ranges) -> bool:
    """Whether version ``w`` has this span too: the same words anywhere, or a span of the same
    technique in the sentences aligned with the span's sentences (reworded propaganda)."""
    key = normalize(span.text)
    if key and key in norm_texts[w]:
        return True
    a = analyses[w]
    if a is None:
        return False
    for rr in ranges:
        if v in rr and w in rr and rr[v][0] < span.end and span.start < rr[v][1]:
            ws, we = rr[w]
            if any(o.technique == span.technique and o.start < we and ws < o.end for o in a.spans):
                return True
    return False


def _added_spans(v, others, analyses, norm_texts, ranges):
    a = analyses[v]
    if a is None:
        return []
    return [
        s.to_dict()  # the span record of Analysis.to_dict()
        for s in a.spans
        if not any(_has_counterpart(s, v, w, analyses, norm_texts, ranges) for w in others)
    ]


def _dropped_spans(v, others, analyses, norm_texts, ids, ranges):
    out, seen = [], set()
    for w in others:
        a = analyses[w]
        if a is None:
            continue
        for s in a.spans:
            key = (normalize(s.text), s.technique)
            if key in seen or _has_counterpart(s, w, v, analyses, norm_texts, ranges):
                continue
            seen.add(key)
            out.append({"version": ids[w], **s.to_dict()})
    return out


def _sources(attrs):
    """Distinct named sources of a version: (key, attribution) with pronouns left out."""
    out = []
    seen = set()
    for a in attrs:
        t = a.source_text.strip()
        if not t or t.lower() in _PRONOUNS:
            continue
        key = source_key(t)
        if not key or key in seen:
            continue
        seen.add(key)
        out.append((key, a))
    return out


def _same_source(k1: frozenset, k2: frozenset) -> bool:
    if not k1 or not k2:
        return False
    inter = len(k1 & k2)
    return inter > 0 and (inter / len(k1 | k2) >= 0.34 or k1 <= k2 or k2 <= k1)


def _source_item(a, version=None):
    d = {"text": a.source_text, "type": a.source_type, "span": list(a.source[0]) if a.source else None}
    if a.via:
        d["via"] = list(a.via)
    if version is not None:
        d["version"] = version
    return d


def _added_sources(v, others, attributions, texts):
    theirs = [k for w in others for k, _ in _sources(attributions[w])]
    return [
        _source_item(a) for k, a in _sources(attributions[v]) if not any(_same_source(k, o) for o in theirs)
    ]


def _dropped_sources(v, others, attributions, texts, ids):
    mine = [k for k, _ in _sources(attributions[v])]
    out, seen = [], []
    for w in others:
        for k, a in _sources(attributions[w]):
            if any(_same_source(k, m) for m in mine) or any(_same_source(k, s) for s in seen):
                continue
            seen.append(k)
            out.append(_source_item(a, ids[w]))
    return out


def _added_entities(v, others, entities, norm_texts):
    out, seen = [], set()
    for m in entities[v]:
        if m.key in seen or _in_any(m.key, norm_texts, others):
            continue
        seen.add(m.key)
        out.append({"text": m.text, "label": m.label, "span": [m.start, m.end]})
    return out


def _dropped_entities(v, others, entities, norm_texts, ids):
    out, seen = [], set()
    for w in others:
        for m in entities[w]:
            if m.key in seen or m.key in norm_texts[v]:
                continue
            seen.add(m.key)
            out.append({"text": m.text, "label": m.label, "version": ids[w], "span": [m.start, m.end]})
    return out


def _in_range(mentions: list[Mention], start: int, end: int) -> list[Mention]:
    return [m for m in mentions if start <= m.start and m.end <= end]


def _number_changes(v, others, rows, sents, numbers, ids, d) -> None:
    seen_changes = set()
    for r in rows:
        if v not in r.units:
            continue
        vs, ve = sents[v][r.units[v][0]][0], sents[v][r.units[v][-1]][1]
        mine = _in_range(numbers[v], vs, ve)
        if r.status == "only":
            d["added_numbers"].extend({"text": m.text, "span": [m.start, m.end]} for m in mine)
            continue
        for w in others:
            if w not in r.units:
                continue
            ws, we = sents[w][r.units[w][0]][0], sents[w][r.units[w][-1]][1]
            theirs = _in_range(numbers[w], ws, we)
            my_keys = Counter(m.key for m in mine)
            their_keys = Counter(m.key for m in theirs)
            new = [m for m in mine if (my_keys - their_keys)[m.key] > 0]
            gone = [m for m in theirs if (their_keys - my_keys)[m.key] > 0]
            for a, b in zip(gone, new, strict=False):  # pairs as many as both have
                key = (b.start, a.text)
                if key not in seen_changes:
                    seen_changes.add(key)
                    d["changed_numbers"].append(
                        {
                            "version": ids[w],
                            "from": a.text,
                            "to": b.text,
                            "span": [b.start, b.end],
                            "from_span": [a.start, a.end],
                        }
                    )
            for b in new[len(gone) :]:
                d["added_numbers"].append({"text": b.text, "span": [b.start, b.end]})
            for a in gone[len(new) :]:
                d["dropped_numbers"].append({"text": a.text, "version": ids[w], "span": [a.start, a.end]})
    for w in others:
        for r in rows:
            if r.status == "only" and w in r.units:
                ws, we = sents[w][r.units[w][0]][0], sents[w][r.units[w][-1]][1]
                d["dropped_numbers"].extend(
                    {"text": m.text, "version": ids[w], "span": [m.start, m.end]}
                    for m in _in_range(numbers[w], ws, we)
                )

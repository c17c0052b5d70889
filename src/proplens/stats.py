"""Corpus statistics over many analysed articles: per source and per month.

Pure Python, no heavy imports, so that the batch report and the web app's source pages compute
the same figures from the same function. Input records are the flat rows of :mod:`proplens.records`
(batch output rows, or :func:`~proplens.records.record_from_analysis` of a stored
:class:`~proplens.analysis.Analysis`, re-exported here).

Figures
-------
* share of propaganda sentences: sentences that hold at least one span / all sentences;
* technique rate: spans of a technique per 1,000 sentences, and the share of articles using it;
* article-score distribution: counts in ten 0.1-wide bins, plus mean and quantiles;
* top phrases per technique: span texts, lower-cased with spaces collapsed;
* sources most quoted: attribution sources (when attribution ran).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from itertools import pairwise
from typing import Any

from .records import record_from_analysis
from .techniques import TECHNIQUE_IDS

__all__ = [
    "CorpusStats",
    "StatsBuilder",
    "corpus_stats",
    "record_from_analysis",
    "month_of",
    "SCORE_BINS",
    "ALL",
]

#: The group name that covers every article.
ALL = "(all)"
#: Upper edges of the score histogram bins.
SCORE_BINS = tuple(round(0.1 * i, 1) for i in range(1, 11))
UNKNOWN = "unknown"

_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})")


def month_of(published: Any) -> str:
    """``"YYYY-MM"`` of a publication date (ISO 8601 or RFC 2822), or ``"unknown"``.

    Examples
    --------
    >>> month_of("2024-03-05T10:00:00Z"), month_of("Tue, 05 Mar 2024 10:00:00 GMT"), month_of(None)
    ('2024-03', '2024-03', 'unknown')
    """
    if published is None:
        return UNKNOWN
    if hasattr(published, "year") and hasattr(published, "month"):
        return f"{published.year:04d}-{published.month:02d}"
    s = str(published)
    m = _MONTH.match(s)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{m.group(2)}"
    try:
        d = parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        return UNKNOWN
    return f"{d.year:04d}-{d.month:02d}" if d else UNKNOWN


def _norm_phrase(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


@dataclass
class _Group:
    articles: int = 0
    sentences: int = 0
    propaganda_sentences: int = 0
    spans: Counter = field(default_factory=Counter)
    articles_with: Counter = field(default_factory=Counter)
    scores: list = field(default_factory=list)

    def add(self, r: Mapping[str, Any]) -> None:
        self.articles += 1
        self.sentences += int(r.get("n_sentences") or 0)
        self.propaganda_sentences += int(r.get("n_propaganda_sentences") or 0)
        counts = r.get("technique_counts") or {}
        for t in TECHNIQUE_IDS:
            c = int(counts.get(t) or 0)
            if c:
                self.spans[t] += c
                self.articles_with[t] += 1
        self.scores.append(float(r.get("score") or 0.0))

    def summary(self) -> dict[str, Any]:
        s = sorted(self.scores)
        return {
            "articles": self.articles,
            "sentences": self.sentences,
            "propaganda_sentences": self.propaganda_sentences,
            "propaganda_sentence_share": round(self.propaganda_sentences / self.sentences, 4)
            if self.sentences
            else 0.0,
            "spans": sum(self.spans.values()),
            "spans_per_1k_sentences": round(1000 * sum(self.spans.values()) / self.sentences, 2)
            if self.sentences
            else 0.0,
            "score_mean": round(sum(s) / len(s), 4) if s else 0.0,
            "score_p10": round(_quantile(s, 0.1), 4),
            "score_median": round(_quantile(s, 0.5), 4),
            "score_p90": round(_quantile(s, 0.9), 4),
        }

    def histogram(self) -> list[int]:
        counts = [0] * len(SCORE_BINS)
        for v in self.scores:
            counts[min(int(max(v, 0.0) * 10), 9)] += 1
        return counts


@dataclass
class CorpusStats:
    """Tables of corpus figures, each a list of flat dict rows (ready for CSV, JSON or a template).

    Attributes
    ----------
    by_source, by_month, by_source_month : list of dict
        Articles, sentences, share of propaganda sentences, spans per 1,000 sentences, score mean
        and quantiles per group (``by_source`` starts with the ``"(all)"`` row).
    technique_rates : list of dict
        Per source (and ``"(all)"``) and technique: spans, spans per 1,000 sentences, share of articles.
    technique_rates_by_month : list of dict
        The same per month.
    score_histogram : list of dict
        Per source: article counts in the bins ``[0, 0.1) ... [0.9, 1.0]``.
    top_phrases : list of dict
        Per technique, the most frequent span texts.
    top_quoted : list of dict
        Per source (and ``"(all)"``), the most quoted attribution sources.
    has_attributions : bool
        Whether any record had attributions (otherwise ``top_quoted`` is empty).
    """

    by_source: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    by_source_month: list[dict[str, Any]]
    technique_rates: list[dict[str, Any]]
    technique_rates_by_month: list[dict[str, Any]]
    score_histogram: list[dict[str, Any]]
    top_phrases: list[dict[str, Any]]
    top_quoted: list[dict[str, Any]]
    has_attributions: bool = False

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Every table by name."""
        return {
            "by_source": self.by_source,
            "by_month": self.by_month,
            "by_source_month": self.by_source_month,
            "technique_rates": self.technique_rates,
            "technique_rates_by_month": self.technique_rates_by_month,
            "score_histogram": self.score_histogram,
            "top_phrases": self.top_phrases,
            "top_quoted": self.top_quoted,
        }

    def for_source(self, source: str) -> dict[str, list[dict[str, Any]]]:
        """The rows of every table that concern one source (what a web source page shows)."""
        return {
            "summary": [r for r in self.by_source if r["source"] == source],
            "by_month": [r for r in self.by_source_month if r["source"] == source],
            "technique_rates": [r for r in self.technique_rates if r["source"] == source],
            "score_histogram": [r for r in self.score_histogram if r["source"] == source],
            "top_quoted": [r for r in self.top_quoted if r["source"] == source],
        }


class StatsBuilder:
    """Accumulate records one at a time (constant memory per group), then :meth:`result`.

    Parameters
    ----------
    top : int, default=10
        Phrases per technique and quoted sources per group kept in the tables.
    """

    def __init__(self, *, top: int = 10) -> None:
        self.top = top
        self._source: dict[str, _Group] = defaultdict(_Group)
        self._month: dict[str, _Group] = defaultdict(_Group)
        self._source_month: dict[tuple[str, str], _Group] = defaultdict(_Group)
        self._phrases: dict[str, Counter] = defaultdict(Counter)
        self._quoted: dict[str, Counter] = defaultdict(Counter)
        self._quoted_type: dict[str, Counter] = defaultdict(Counter)
        self._has_attr = False

    def add(self, record: Mapping[str, Any]) -> None:
        """Add one record (a batch output row)."""
        source = record.get("source") or UNKNOWN
        month = month_of(record.get("published"))
        for g in (
            self._source[ALL],
            self._source[source],
            self._month[month],
            self._source_month[(source, month)],
        ):
            g.add(record)
        for sp in record.get("spans") or ():
            self._phrases[sp["technique"]][_norm_phrase(sp.get("text") or "")] += 1
        for at in record.get("attributions") or ():
            name = re.sub(r"\s+", " ", at.get("source_text") or "").strip()
            if not name:
                continue
            self._has_attr = True
            for key in (ALL, source):
                self._quoted[key][name] += 1
            self._quoted_type[name][at.get("source_type") or UNKNOWN] += 1

    def update(self, records: Iterable[Mapping[str, Any]]) -> StatsBuilder:
        for r in records:
            self.add(r)
        return self

    def result(self) -> CorpusStats:
        """The tables, sorted deterministically (sources by article count, months by date)."""
        sources = [ALL] + sorted(
            (s for s in self._source if s != ALL), key=lambda s: (-self._source[s].articles, s)
        )
        months = sorted(self._month, key=lambda m: (m == UNKNOWN, m))
        by_source = [{"source": s, **self._source[s].summary()} for s in sources]
        by_month = [{"month": m, **self._month[m].summary()} for m in months]
        rank = {s: i for i, s in enumerate(sources)}
        by_source_month = [
            {"source": s, "month": m, **g.summary()}
            for (s, m), g in sorted(
                self._source_month.items(), key=lambda kv: (rank[kv[0][0]], kv[0][1] == UNKNOWN, kv[0][1])
            )
        ]

        def rates(key_name: str, key: str, g: _Group) -> list[dict[str, Any]]:
            return [
                {
                    key_name: key,
                    "technique": t,
                    "spans": g.spans[t],
                    "per_1k_sentences": round(1000 * g.spans[t] / g.sentences, 2) if g.sentences else 0.0,
                    "article_share": round(g.articles_with[t] / g.articles, 4) if g.articles else 0.0,
                }
                for t in TECHNIQUE_IDS
            ]

        technique_rates = [row for s in sources for row in rates("source", s, self._source[s])]
        technique_rates_by_month = [row for m in months for row in rates("month", m, self._month[m])]
        score_histogram = []
        for s in sources:
            for (lo, hi), n in zip(pairwise((0.0, *SCORE_BINS)), self._source[s].histogram(), strict=True):
                score_histogram.append({"source": s, "bin_low": lo, "bin_high": hi, "articles": n})
        top_phrases = []
        for t in TECHNIQUE_IDS:
            ranked = sorted(self._phrases[t].items(), key=lambda kv: (-kv[1], kv[0]))[: self.top]
            top_phrases += [
                {"technique": t, "rank": i + 1, "phrase": p, "count": c} for i, (p, c) in enumerate(ranked)
            ]
        top_quoted = []
        for s in sources:
            ranked = sorted(self._quoted[s].items(), key=lambda kv: (-kv[1], kv[0]))[: self.top]
            for i, (name, c) in enumerate(ranked):
                kind = sorted(self._quoted_type[name].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
                top_quoted.append({"source": s, "rank": i + 1, "quoted": name, "type": kind, "count": c})
        return CorpusStats(
            by_source=by_source,
            by_month=by_month,
            by_source_month=by_source_month,
            technique_rates=technique_rates,
            technique_rates_by_month=technique_rates_by_month,
            score_histogram=score_histogram,
            top_phrases=top_phrases,
            top_quoted=top_quoted,
            has_attributions=self._has_attr,
        )


def corpus_stats(records: Iterable[Mapping[str, Any]], *, top: int = 10) -> CorpusStats:
    """Corpus figures of ``records`` (batch output rows, or :func:`record_from_analysis` dicts).

    Examples
    --------
    >>> rec = {"source": "A", "published": "2024-01-02", "n_sentences": 4, "n_propaganda_sentences": 1,
    ...        "score": 0.3, "technique_counts": {"Loaded_Language": 2},
    ...        "spans": [{"technique": "Loaded_Language", "text": "Reckless"}], "attributions": []}
    >>> st = corpus_stats([rec])
    >>> st.by_source[1]["source"], st.by_source[1]["propaganda_sentence_share"], st.top_phrases[0]["phrase"]
    ('A', 0.25, 'reckless')
    """
    return StatsBuilder(top=top).update(records).result()

"""The flat (tabular) record of an analysis: one row per article, built from an
:class:`~proplens.analysis.Analysis`, and its Arrow schema.

The batch output (Parquet, JSON lines), the corpus statistics (:mod:`proplens.stats`) and the store's source
pages use this one shape; the nested JSON form (the versioned analysis record the CLI, the API and the store
share) is :meth:`Analysis.to_dict`. These are the only two shapes of an analysis.

The row has its own version, :data:`ROW_SCHEMA_VERSION`, written into the batch Parquet file's schema
metadata (key ``proplens.row_schema_version``; a file without it is version 1). Columns are added without a
new version; it is raised only when a column changes meaning or goes away.

Rows are plain dicts of plain values so that workers (processes, Ray actors) can return them
cheaply. Floats are rounded to 6 decimals and nothing time-dependent is stored, so the same model
and input give byte-identical output.
"""

from __future__ import annotations

import re
from typing import Any

from .analysis import Analysis
from .techniques import TECHNIQUE_IDS

__all__ = [
    "OUTPUT_COLUMNS",
    "analysis_to_row",
    "record_from_analysis",
    "error_row",
    "output_schema",
    "FLOAT_DIGITS",
    "ROW_SCHEMA_VERSION",
]

FLOAT_DIGITS = 6
#: The version of the flat row (the batch output's columns), kept in the Parquet schema metadata.
ROW_SCHEMA_VERSION = 1
ROW_SCHEMA_METADATA = {b"proplens.row_schema_version": str(ROW_SCHEMA_VERSION).encode()}

OUTPUT_COLUMNS = (
    "id",
    "source",
    "published",
    "title",
    "url",
    "score",
    "n_chars",
    "n_sentences",
    "n_propaganda_sentences",
    "propaganda_sentence_share",
    "n_spans",
    "technique_counts",
    "spans",
    "attributions",
    "model_name",
    "model_version",
)


def _r(x: float) -> float:
    return round(float(x), FLOAT_DIGITS)


def analysis_to_row(analysis: Analysis, *, key: str, index: int, meta: dict[str, Any]) -> dict[str, Any]:
    """The output row of one analysed article (``_index`` is the input position, dropped at assembly)."""
    a = analysis
    n_prop = a.n_propaganda_sentences
    n_sent = len(a.sentences)
    return {
        "_index": index,
        "id": key,
        "source": meta.get("source"),
        "published": meta.get("published"),
        "title": a.title if a.title is not None else meta.get("title"),
        "url": meta.get("url"),
        "score": _r(a.score),
        "n_chars": len(a.text),
        "n_sentences": n_sent,
        "n_propaganda_sentences": n_prop,
        "propaganda_sentence_share": _r(n_prop / n_sent) if n_sent else 0.0,
        "n_spans": len(a.spans),
        "technique_counts": a.technique_counts(),
        "spans": [
            {"start": s.start, "end": s.end, "technique": s.technique, "score": _r(s.score), "text": s.text}
            for s in a.spans
        ],
        "attributions": [
            {
                "source_text": at.source_text,
                "source_type": at.source_type,
                "via": list(at.via),
                "score": _r(at.score),
                "source": [list(map(int, p)) for p in at.source],
                "content": [list(map(int, p)) for p in at.content],
            }
            for at in a.attributions
        ],
        "model_name": a.model_name,
        "model_version": a.model_version,
    }


def record_from_analysis(
    analysis: Analysis, *, id: str | None = None, source: str | None = None, published: str | None = None
) -> dict[str, Any]:
    """The flat row of one analysis without the batch's input position (what :mod:`proplens.stats` reads).

    ``source`` and ``published`` default to ``analysis.meta``.
    """
    meta = dict(analysis.meta or {})
    if source is not None:
        meta["source"] = source
    if published is not None:
        meta["published"] = published
    meta.setdefault("title", analysis.title)
    row = analysis_to_row(analysis, key=id or str(meta.get("id", "")), index=0, meta=meta)
    row.pop("_index", None)
    return row


def error_row(*, key: str, index: int, where: str, reason: str) -> dict[str, Any]:
    """One line of the errors file."""
    codes = re.findall(r"\[(P\d{3})\]", reason)
    code = codes[-1] if codes else None  # the most specific code (P019 wraps the cause's code)
    return {"_index": index, "id": key, "where": where, "code": code, "reason": reason}


def output_schema():
    """The Arrow schema of the batch Parquet output, with :data:`ROW_SCHEMA_VERSION` in its metadata
    (pyarrow is imported here, not at module import)."""
    import pyarrow as pa

    span = pa.struct(
        [
            ("start", pa.int32()),
            ("end", pa.int32()),
            ("technique", pa.string()),
            ("score", pa.float64()),
            ("text", pa.string()),
        ]
    )
    attribution = pa.struct(
        [
            ("source_text", pa.string()),
            ("source_type", pa.string()),
            ("via", pa.list_(pa.string())),
            ("score", pa.float64()),
            ("source", pa.list_(pa.list_(pa.int32()))),
            ("content", pa.list_(pa.list_(pa.int32()))),
        ]
    )
    return pa.schema(
        [
            ("id", pa.string()),
            ("source", pa.string()),
            ("published", pa.string()),
            ("title", pa.string()),
            ("url", pa.string()),
            ("score", pa.float64()),
            ("n_chars", pa.int64()),
            ("n_sentences", pa.int32()),
            ("n_propaganda_sentences", pa.int32()),
            ("propaganda_sentence_share", pa.float64()),
            ("n_spans", pa.int32()),
            ("technique_counts", pa.struct([(t, pa.int32()) for t in TECHNIQUE_IDS])),
            ("spans", pa.list_(span)),
            ("attributions", pa.list_(attribution)),
            ("model_name", pa.string()),
            ("model_version", pa.string()),
        ],
        metadata=ROW_SCHEMA_METADATA,
    )


def part_schema():
    """The schema of a part file: the output schema plus the input position ``_index``."""
    import pyarrow as pa

    return output_schema().insert(0, pa.field("_index", pa.int64()))

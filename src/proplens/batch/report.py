"""``proplens report``: CSV tables and a self-contained HTML report of a batch output.

The figures come from :func:`proplens.stats.corpus_stats`; plots are drawn with matplotlib (Agg)
and embedded as base64 PNG, so the HTML file needs nothing else to open.
"""

from __future__ import annotations

import base64
import csv
import html as htmlmod
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import BatchError, Errors, MissingExtraError
from ..stats import ALL, UNKNOWN, CorpusStats, StatsBuilder
from ..techniques import TECHNIQUE_IDS, get_technique

__all__ = ["read_records", "load_stats", "write_tables", "render_html", "write_report"]

_COLUMNS = [
    "id",
    "source",
    "published",
    "score",
    "n_sentences",
    "n_propaganda_sentences",
    "technique_counts",
    "spans",
    "attributions",
]


def read_records(path: str | os.PathLike, *, batch_size: int = 2048) -> Iterator[dict[str, Any]]:
    """Stream the rows of a batch Parquet output as dicts (only the columns the report needs)."""
    p = Path(path)
    if not p.is_file():
        raise BatchError(Errors.P023.format(path=p, reason="no such file"))
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingExtraError(
            Errors.P022.format(what="Reading batch output", extra="batch", module=exc.name)
        ) from None
    try:
        pf = pq.ParquetFile(p)
        cols = [c for c in _COLUMNS if c in pf.schema_arrow.names]
    except Exception as exc:  # noqa: BLE001  ArrowInvalid and friends
        raise BatchError(Errors.P023.format(path=p, reason=f"not a Parquet file ({exc})")) from None
    if "technique_counts" not in cols:
        raise BatchError(
            Errors.P023.format(
                path=p, reason="it has no technique_counts column, so it is not a batch output"
            )
        )
    for batch in pf.iter_batches(batch_size=batch_size, columns=cols):
        yield from batch.to_pylist()


def load_stats(path: str | os.PathLike, *, top: int = 10) -> CorpusStats:
    """Corpus statistics of a batch Parquet output."""
    return StatsBuilder(top=top).update(read_records(path)).result()


def write_tables(stats: CorpusStats, folder: str | os.PathLike) -> list[Path]:
    """Write every table of ``stats`` as ``<name>.csv`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in stats.tables().items():
        path = folder / f"{name}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            if rows:
                w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
                w.writeheader()
                w.writerows(rows)
        written.append(path)
    return written


# ------------------------------------------------------------------------------ plots
def _plt():
    try:
        import matplotlib
    except ImportError as exc:
        raise MissingExtraError(
            Errors.P022.format(what="The HTML report", extra="batch", module=exc.name)
        ) from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    _plt().close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _short(t: str) -> str:
    return get_technique(t).name


def _plots(stats: CorpusStats, max_sources: int = 12) -> dict[str, str]:
    plt = _plt()
    out: dict[str, str] = {}
    sources = [r for r in stats.by_source if r["source"] != ALL][:max_sources]
    if sources:
        fig, ax = plt.subplots(figsize=(8, 0.4 * len(sources) + 1.2))
        names = [r["source"] for r in sources][::-1]
        ax.barh(names, [r["propaganda_sentence_share"] for r in sources][::-1], color="#c0392b")
        ax.set_xlabel("share of sentences with a propaganda span")
        ax.set_xlim(0, 1)
        ax.set_title("Propaganda sentences per source")
        out["share_by_source"] = _png(fig)

    months = [r["month"] for r in stats.by_month if r["month"] != UNKNOWN]
    if months:
        fig, ax = plt.subplots(figsize=(9, 3.6))
        x = list(range(len(months)))
        for s in [ALL] + [r["source"] for r in sources[:6]]:
            rows = (
                {r["month"]: r for r in stats.by_source_month if r["source"] == s}
                if s != ALL
                else {r["month"]: r for r in stats.by_month}
            )
            y = [rows[m]["propaganda_sentence_share"] if m in rows else float("nan") for m in months]
            ax.plot(x, y, marker="o", lw=2.5 if s == ALL else 1.2, label=s)
        ax.set_xticks(x, months, rotation=45, ha="right")
        ax.set_ylabel("share of propaganda sentences")
        ax.set_title("Propaganda sentences per month")
        ax.legend(fontsize=7, ncol=2)
        out["share_by_month"] = _png(fig)

    groups = [ALL] + [r["source"] for r in sources]
    rate = {(r["source"], r["technique"]): r["per_1k_sentences"] for r in stats.technique_rates}
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(groups) + 2.5))
    data = [[rate.get((g, t), 0.0) for t in TECHNIQUE_IDS] for g in groups]
    im = ax.imshow(data, aspect="auto", cmap="Reds")
    ax.set_xticks(
        range(len(TECHNIQUE_IDS)), [_short(t) for t in TECHNIQUE_IDS], rotation=55, ha="right", fontsize=8
    )
    ax.set_yticks(range(len(groups)), groups, fontsize=8)
    fig.colorbar(im, ax=ax, label="spans per 1,000 sentences")
    ax.set_title("Technique rates per source")
    out["technique_heatmap"] = _png(fig)

    fig, ax = plt.subplots(figsize=(8, 3.6))
    for g in groups[:7]:
        hist = [r for r in stats.score_histogram if r["source"] == g]
        total = sum(r["articles"] for r in hist) or 1
        ax.plot(
            [r["bin_high"] - 0.05 for r in hist],
            [r["articles"] / total for r in hist],
            marker="o",
            lw=2.5 if g == ALL else 1.2,
            label=g,
        )
    ax.set_xlabel("article score")
    ax.set_ylabel("share of articles")
    ax.set_xlim(0, 1)
    ax.set_title("Article-score distribution")
    ax.legend(fontsize=7, ncol=2)
    out["score_distribution"] = _png(fig)
    return out


# ------------------------------------------------------------------------------- HTML
def _table(rows: list[dict[str, Any]], columns: list[str] | None = None, limit: int | None = None) -> str:
    if not rows:
        return "<p class='empty'>No data.</p>"
    columns = columns or list(rows[0].keys())
    head = "".join(f"<th>{htmlmod.escape(c)}</th>" for c in columns)
    body = []
    for r in rows[:limit]:
        cells = []
        for c in columns:
            v = r.get(c)
            if c == "technique" and isinstance(v, str):
                v = _short(v)
            cells.append(f"<td>{htmlmod.escape('' if v is None else str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}th{background:#f4f4f4}
img{max-width:100%}.empty,.note{color:#777}.grid{display:flex;flex-wrap:wrap;gap:1.2rem}.grid>div{flex:1 1 300px}
"""  # noqa: E501  CSS/HTML template, kept verbatim


def render_html(stats: CorpusStats, *, title: str = "proplens corpus report", source_name: str = "") -> str:
    """A self-contained HTML page of ``stats`` (plots embedded, every string escaped)."""
    plots = _plots(stats)
    total = stats.by_source[0] if stats.by_source else {"articles": 0}
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{htmlmod.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{htmlmod.escape(title)}</h1>",
        f"<p class='note'>{htmlmod.escape(source_name)} &mdash; {total.get('articles', 0):,} articles, "
        f"{total.get('sentences', 0):,} sentences. Figures are model output, not ground truth.</p>",
        "<h2>Per source</h2>",
    ]
    if "share_by_source" in plots:
        parts.append(f"<img alt='share by source' src='{plots['share_by_source']}'>")
    parts.append(_table(stats.by_source))
    parts.append("<h2>Per month</h2>")
    if "share_by_month" in plots:
        parts.append(f"<img alt='share by month' src='{plots['share_by_month']}'>")
    parts.append(_table(stats.by_month))
    parts.append("<h2>Technique rates</h2>")
    parts.append(f"<img alt='technique rates' src='{plots['technique_heatmap']}'>")
    parts.append(
        _table(
            [r for r in stats.technique_rates if r["source"] == ALL],
            ["technique", "spans", "per_1k_sentences", "article_share"],
        )
    )
    parts.append("<h2>Article scores</h2>")
    parts.append(f"<img alt='score distribution' src='{plots['score_distribution']}'>")
    parts.append("<h2>Top phrases per technique</h2><div class='grid'>")
    for t in TECHNIQUE_IDS:
        rows = [r for r in stats.top_phrases if r["technique"] == t]
        if rows:
            parts.append(
                f"<div><h3>{htmlmod.escape(_short(t))}</h3>{_table(rows, ['phrase', 'count'])}</div>"
            )
    parts.append("</div>")
    parts.append("<h2>Sources most quoted</h2>")
    if stats.has_attributions:
        parts.append(_table([r for r in stats.top_quoted if r["source"] == ALL], ["quoted", "type", "count"]))
        parts.append("<h3>Per outlet</h3>")
        parts.append(
            _table([r for r in stats.top_quoted if r["source"] != ALL], ["source", "quoted", "type", "count"])
        )
    else:
        parts.append(
            "<p class='empty'>No attributions in this output (the attribution extra was not installed when "
            "it was analysed).</p>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    out: str | os.PathLike,
    *,
    html: str | os.PathLike = "report.html",
    tables_dir: str | os.PathLike | None = None,
    top: int = 10,
) -> dict[str, Any]:
    """Compute the statistics of a batch output, write the CSV tables and the HTML report.

    Parameters
    ----------
    out : str or Path
        A Parquet file written by :func:`proplens.batch.run_batch`.
    html : str or Path
        The report file.
    tables_dir : str or Path, optional
        Folder for the CSV tables (default: ``<report name>_tables`` beside the report).
    top : int
        Phrases per technique and quoted sources listed.

    Returns
    -------
    dict
        ``{"html": path, "tables": [paths], "tables_dir": path, "stats": CorpusStats}``.
    """
    stats = load_stats(out, top=top)
    html = Path(html)
    tables_dir = Path(tables_dir) if tables_dir is not None else html.with_name(html.stem + "_tables")
    tables = write_tables(stats, tables_dir)
    page = render_html(stats, source_name=Path(out).name)
    html.parent.mkdir(parents=True, exist_ok=True)
    tmp = html.with_name(f".{html.name}.tmp-{os.getpid()}")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, html)
    return {"html": html, "tables": tables, "tables_dir": tables_dir, "stats": stats}

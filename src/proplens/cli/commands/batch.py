"""``proplens batch`` and ``proplens report``: thin shells over :mod:`proplens.batch`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ...text import DEFAULT_MAX_CHARS


class _RichProgress:
    """A rich progress bar on stderr with rate and ETA."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._progress: Any = None  # rich.progress.Progress once started (rich loads only then)
        self._task: Any = None

    def start(self, total: int, skipped: int) -> None:
        if not self.enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        class _Rate(TextColumn):
            def render(self, task):  # articles per second over the run so far
                from rich.text import Text

                elapsed = task.finished_time if task.finished else task.elapsed
                speed = task.completed / elapsed if elapsed else 0.0
                return Text(f"{speed:,.1f} art/s" if speed else "- art/s")

        self._progress = Progress(
            TextColumn("[bold]analysing"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            _Rate(""),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._progress.start()
        # rows done by an earlier run count as complete but not in the rate
        self._task = self._progress.add_task("batch", total=max(total, 1), completed=0)
        self._skipped = min(skipped, total)
        if self._skipped:
            self._progress.update(self._task, total=max(total - self._skipped, 1))
            self._progress.console.print(f"resuming: {self._skipped:,} of {total:,} articles already done")

    def advance(self, n: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def batch_command(
    input_path: Path = typer.Argument(
        ..., metavar="INPUT", help="Folder of .txt/.html files, or a .jsonl, .csv or .parquet file."
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Output Parquet file (finished parts are kept in OUT.parts/ for resuming)."
    ),
    jsonl: Path | None = typer.Option(None, "--jsonl", help="Also write the results as JSON lines here."),
    errors: Path | None = typer.Option(
        None, "--errors", help="Errors file (default: OUT with .errors.jsonl)."
    ),
    engine: str = typer.Option("local", "--engine", help="'local' (in-process workers) or 'ray' (Ray Data)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Worker processes or Ray actors."),
    address: str | None = typer.Option(
        None, "--address", help="Ray cluster to join ('auto', 'ray://head:10001'); default: a local cluster."
    ),
    model: str | None = typer.Option(
        None, "--model", help="default (most accurate), fast (MiniLM, for corpus scale) or a model folder."
    ),
    threads: int | None = typer.Option(
        None, "--threads", min=1, help="ONNX Runtime threads per worker (default: 1 with several workers)."
    ),
    onnx_batch: int = typer.Option(
        4,
        "--onnx-batch",
        min=1,
        help="Encoder windows handed to the ONNX threads at a time (memory vs speed; the results do not "
        "depend on it).",
    ),
    chunk_size: int = typer.Option(
        250, "--chunk-size", min=1, help="Articles per part file (the unit of resumption)."
    ),
    attribution: str = typer.Option("auto", "--attribution", help="'auto', 'on' or 'off'."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N input rows."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    max_chars: int = typer.Option(
        DEFAULT_MAX_CHARS,
        "--max-chars",
        min=100,
        help="Longest accepted article, in characters; longer ones become [P005] errors.",
    ),
) -> None:
    """Analyse every article of INPUT into a Parquet file; re-running resumes where it stopped."""
    from ...batch import AnalyzerSpec, run_batch

    if engine not in ("local", "ray"):
        raise typer.BadParameter(f"{engine!r}; use 'local' or 'ray'", param_hint="--engine")
    if attribution not in ("auto", "on", "off"):
        raise typer.BadParameter(f"{attribution!r}; use 'auto', 'on' or 'off'", param_hint="--attribution")
    if threads is None and (workers > 1 or engine == "ray"):
        threads = 1
    spec = AnalyzerSpec(
        model_dir=model,
        threads=threads,
        batch_size=onnx_batch,
        attribution="auto" if attribution == "auto" else attribution == "on",
        max_chars=max_chars,
    )
    summary = run_batch(
        input_path,
        out,
        spec=spec,
        engine=engine,
        workers=workers,
        address=address,
        chunk_size=chunk_size,
        jsonl=jsonl,
        errors_path=errors,
        progress=_RichProgress(enabled=not quiet),
        limit=limit,
    )
    typer.echo(
        f"{summary.rows:,} articles in {summary.out}, {summary.errors:,} errors in {summary.errors_path} "
        f"({summary.analysed:,} analysed, {summary.skipped:,} already done; {summary.rate:,.1f} articles/s)",
        err=True,
    )


def report_command(
    out: Path = typer.Argument(..., metavar="OUT", help="A Parquet file written by `proplens batch`."),
    html: Path = typer.Option(Path("report.html"), "--html", help="The self-contained HTML report."),
    tables: Path | None = typer.Option(
        None, "--tables", help="Folder for the CSV tables (default: beside the report)."
    ),
    top: int = typer.Option(10, "--top", min=1, help="Phrases and sources listed per table."),
) -> None:
    """Corpus report: per source and month, technique rates, scores, top phrases and quoted sources."""
    from ...batch.report import write_report

    written = write_report(out, html=html, tables_dir=tables, top=top)
    typer.echo(
        f"report: {written['html']} (+ {len(written['tables'])} CSV tables in {written['tables_dir']})",
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add the ``batch`` and ``report`` commands."""
    app.command("batch")(batch_command)
    app.command("report")(report_command)

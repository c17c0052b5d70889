"""``proplens analyze FILE|-`` and ``proplens techniques``."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from ...text import DEFAULT_MAX_CHARS
from ..resources import resources


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"
    ptc = "ptc"


def _read_input(source: str, max_chars: int):
    """(article, id) from a file path, or stdin for '-' (HTML is recognised and its article text
    extracted)."""
    from ...inputs import read_article

    knob = "--max-chars"
    if source == "-":
        return read_article(sys.stdin.buffer.read(), name="stdin", max_chars=max_chars, knob=knob), "stdin"
    p = Path(source)
    stem = p.stem
    art_id = stem[len("article") :] if stem.startswith("article") and stem[7:].isdigit() else stem
    return read_article(p, max_chars=max_chars, knob=knob), art_id


PROGRESS_MIN_CHARS = 20_000


def _with_progress_bar(analyzer, text: str, title: str | None):
    """Analyze with a rich progress bar on stderr: encoder windows, then sources and sentence scores."""
    from rich.console import Console

    from ..bars import progress_bar

    console = Console(stderr=True)
    with progress_bar(unit="windows", console=console, transient=console.is_terminal) as bar:
        task = bar.add_task(f"analysing {len(text):,} characters", total=None)

        def update(done: int, total: int) -> None:
            desc = (
                f"analysing {len(text):,} characters"
                if done < total
                else "finding sources, scoring sentences"
            )
            bar.update(task, completed=done, total=total, description=desc)

        return analyzer(text, title, progress=update)


def analyze_command(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="An article file (.txt or .html), or '-' for standard input."),
    format: OutputFormat = typer.Option(
        OutputFormat.text, "--format", "-f", help="text (coloured), json, html or ptc."
    ),
    title: str = typer.Option(None, "--title", help="The article's title."),
    model: str = typer.Option(
        None,
        "--model",
        help="default (the most accurate shipped model), fast (MiniLM, "
        "several times faster), or a model folder.",
    ),
    min_score: float = typer.Option(
        None,
        "--min-score",
        min=0.0,
        max=1.0,
        help="Also show lower-confidence passages "
        "scoring at least this as 'possible' (default: the model's; 1 turns them off).",
    ),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
    attribution: bool = typer.Option(
        True, "--attribution/--no-attribution", help="Also list who claims are attributed to."
    ),
    max_chars: int = typer.Option(
        DEFAULT_MAX_CHARS, "--max-chars", min=100, help="Longest accepted article, in characters."
    ),
    progress: bool = typer.Option(
        None,
        "--progress/--no-progress",
        show_default=False,
        help=f"A progress bar on standard error (default: for texts of {PROGRESS_MIN_CHARS:,} "
        "characters or more, when standard error is a terminal).",
    ),
) -> None:
    """Analyze one article: highlight the passages that use propaganda techniques."""
    article, art_id = _read_input(source, max_chars)  # [P005] names this command's --max-chars
    text, title = article.text, title or article.title
    analyzer = resources(ctx).analyzer(
        model, attribution=attribution, max_chars=max_chars, min_score=min_score
    )
    if progress is None:
        progress = len(text) >= PROGRESS_MIN_CHARS and sys.stderr.isatty()
    analysis = _with_progress_bar(analyzer, text, title) if progress else analyzer(text, title)
    if format is OutputFormat.json:
        payload = json.dumps(analysis.to_dict(), ensure_ascii=False, indent=1)
    elif format is OutputFormat.ptc:
        from ...report import analysis_to_ptc

        payload = analysis_to_ptc(analysis, art_id)
    elif format is OutputFormat.html:
        from ...report import analysis_to_html

        payload = analysis_to_html(analysis)
    else:
        from rich.console import Console

        if out:
            with open(out, "w", encoding="utf-8") as f:
                from ..render import print_analysis

                print_analysis(analysis, Console(file=f, force_terminal=False, width=100))
            return
        from ..render import print_analysis

        print_analysis(analysis, Console())
        return
    if out:
        Path(out).write_text(payload, encoding="utf-8")
    else:
        sys.stdout.write(payload if payload.endswith("\n") or not payload else payload + "\n")


def techniques_command(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the 14 techniques with definitions and examples."""
    from ...techniques import TECHNIQUES

    if as_json:
        print(json.dumps([t.to_dict() for t in TECHNIQUES], indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=True)
    for col in ("id", "name", "definition", "example"):
        table.add_column(col)
    for t in TECHNIQUES:
        table.add_row(t.id, t.name, t.definition, t.example)
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze_command)
    app.command("techniques")(techniques_command)

"""``proplens compare A B [C ...]``: align versions of one story and show what each adds and drops."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from ..resources import resources


class CompareFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def compare_command(
    ctx: typer.Context,
    versions: list[str] = typer.Argument(..., help="Two or more versions: text/HTML files or http(s) URLs."),
    format: CompareFormat = typer.Option(CompareFormat.text, "--format", "-f", help="text, json or html."),
    model: str = typer.Option(
        None, "--model", help="A propaganda model folder (default: the built-in model)."
    ),
    propaganda: bool = typer.Option(
        True, "--propaganda/--no-propaganda", help="Also compare propaganda spans (needs the model)."
    ),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
) -> None:
    """Compare versions of the same story: shared, reworded and one-sided sentences; added and dropped
    propaganda, sources, names and numbers; substituted terms, added and left-out passages, new wording ranked
    by the detector, and a short paragraph per version."""
    from ...compare.comparison import compare
    from ...compare.inputs import load_versions
    from ...compare.render import comparison_to_html, comparison_to_text

    inputs = load_versions(versions)
    res = resources(ctx)
    analyzer = None
    if propaganda:
        from ...errors import ModelLoadError

        analyzer = res.analyzer(model)
        try:
            analyzer.load()  # load now: a missing built-in model should not stop the comparison
        except ModelLoadError as exc:
            if model is not None:
                raise
            typer.echo(f"note: comparing without propaganda spans ({exc})", err=True)
            analyzer = None
    result = compare(inputs, analyzer=analyzer, embed=res.encoder())
    if format is CompareFormat.json:
        payload = json.dumps(result.to_dict(), ensure_ascii=False, indent=1)
    elif format is CompareFormat.html:
        payload = comparison_to_html(result)
    else:
        payload = comparison_to_text(result, color=out is None and sys.stdout.isatty())
    if out:
        Path(out).write_text(payload, encoding="utf-8")
    else:
        sys.stdout.write(payload if payload.endswith("\n") else payload + "\n")


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_command)

"""``proplens attribute PATH... [--format jsonl|json|text]``: who the articles' claims are attributed to."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from ..resources import resources


class AttributeFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"
    text = "text"


def _expand(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(
                    x for x in p.iterdir() if x.suffix.lower() in (".txt", ".html", ".htm") and x.is_file()
                )
            )
        else:
            out.append(p)
    return out


def attribute_command(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(
        ..., help="Article files (.txt; .html is converted) or folders of them."
    ),
    format: AttributeFormat = typer.Option(
        AttributeFormat.text, "--format", "-f", help="jsonl (one line per file), json or text."
    ),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
) -> None:
    """List each article's attributions: source, cue, content, source type and chains ("via").

    Offsets index the file's text read without newline translation.
    """
    from ...errors import Errors, InputFileError, ProplensError
    from ...inputs import read_article

    files = _expand(paths)
    if not files:
        raise InputFileError(Errors.P012.format(path=", ".join(paths)))
    items: list[tuple[str, str]] = []
    errors: list[ProplensError] = []
    for p in files:
        try:
            items.append((p.stem, read_article(p).text))
        except ProplensError as exc:
            if len(files) > 1:
                typer.echo(f"Error: {p}: {exc}", err=True)
            errors.append(exc)
    if errors and not items:
        if len(files) == 1:
            raise errors[0]
        raise InputFileError(Errors.P011.format(path=f"all {len(files)} inputs", reason="none could be read"))
    attributor = resources(ctx).attributor(required=True)
    results = []
    if items:
        for (stem, text), attrs in zip(items, attributor.pipe([t for _, t in items]), strict=True):
            results.append((stem, text, attrs))
    sink = open(out, "w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        if format is AttributeFormat.jsonl:
            for stem, _text, attrs in results:
                sink.write(
                    json.dumps({"id": stem, "attributions": [a.to_dict() for a in attrs]}, ensure_ascii=False)
                    + "\n"
                )
        elif format is AttributeFormat.json:
            payload = [{"id": s, "attributions": [a.to_dict() for a in attrs]} for s, _t, attrs in results]
            sink.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        else:
            from rich.console import Console

            from ...attribution.render import print_attributions

            console = Console(file=sink, force_terminal=False, width=110) if out else Console()
            for stem, text, attrs in results:
                print_attributions(text, attrs, console, title=stem)
    finally:
        if out:
            sink.close()
    if errors:
        raise InputFileError(
            Errors.P011.format(path=f"{len(errors)} of {len(files)} inputs", reason="see the messages above")
        )


def register(app: typer.Typer) -> None:
    app.command("attribute")(attribute_command)

"""``proplens ptc predict|classify|evaluate``: SemEval-2020 Task 11 interop."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import typer

ptc_app = typer.Typer(help="PTC / SemEval-2020 Task 11 label files: predict, classify, evaluate.", no_args_is_help=True)


@contextmanager
def _progress(total: int, label: str):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(), transient=True) as p:
        task = p.add_task(label, total=total)
        yield lambda n=1: p.advance(task, n)


@ptc_app.command("predict")
def predict(
    articles_dir: Path = typer.Argument(..., help="Folder with articleID.txt files."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder for si.labels and flc.labels."),
    model: str = typer.Option(None, "--model", help="Model folder (default: built-in)."),
) -> None:
    """Write OUT/si.labels (ID start end) and OUT/flc.labels (ID technique start end)."""
    from ...analyzer import Analyzer
    from ...ptc.io import read_articles, write_si_labels, write_tc_labels
    from ...ptc.run import predict_articles_si_flc

    articles = read_articles(articles_dir)
    analyzer = Analyzer(model, attribution=False)
    with _progress(len(articles), "predicting") as adv:
        si, rows = predict_articles_si_flc(analyzer, articles, progress=adv)
    out.mkdir(parents=True, exist_ok=True)
    write_tc_labels(out / "flc.labels", rows)
    write_si_labels(out / "si.labels", si)
    typer.echo(f"{len(articles)} articles: {len(rows)} technique spans, {len(si)} merged spans -> {out}/flc.labels, {out}/si.labels", err=True)


@ptc_app.command("classify")
def classify(
    articles_dir: Path = typer.Argument(..., help="Folder with articleID.txt files."),
    spans_file: Path = typer.Argument(..., help="Rows ID<TAB>technique-or-?<TAB>start<TAB>end."),
    out: Path = typer.Option(..., "--out", "-o", help="Output label file (same rows, same order)."),
    model: str = typer.Option(None, "--model", help="Model folder (default: built-in)."),
) -> None:
    """Label given spans (the TC setting)."""
    from ...analyzer import Analyzer
    from ...ptc.io import read_articles, read_tc_labels, write_tc_labels
    from ...ptc.run import classify_rows

    articles = read_articles(articles_dir)
    rows = read_tc_labels(spans_file, allow_unknown=True, articles=articles)
    analyzer = Analyzer(model, attribution=False)
    with _progress(len({r.article_id for r in rows}), "classifying") as adv:
        labelled = classify_rows(analyzer, articles, rows, progress=adv)
    write_tc_labels(out, labelled)
    typer.echo(f"{len(labelled)} spans labelled -> {out}", err=True)


@ptc_app.command("evaluate")
def evaluate(
    articles_dir: Path = typer.Argument(..., help="Folder with articleID.txt files."),
    gold_tc: Path = typer.Option(..., "--gold-tc", help="Gold TC label file (ID technique start end)."),
    model: str = typer.Option(None, "--model", help="Model folder (default: built-in)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Predict on the articles and print SI F1, TC micro-F1, end-to-end F1 and per-technique figures."""
    from ...analyzer import Analyzer
    from ...ptc.io import read_articles, read_tc_labels
    from ...ptc.run import evaluate as run_eval

    articles = read_articles(articles_dir)
    gold = read_tc_labels(gold_tc, articles=articles)
    analyzer = Analyzer(model, attribution=False)
    n_steps = len(articles) + len({r.article_id for r in gold})
    with _progress(n_steps, "evaluating") as adv:
        res = run_eval(analyzer, articles, gold, progress=adv)
    if as_json:
        print(json.dumps(res, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    c = Console()
    c.print(f"[bold]SI F1[/bold] {res['si']['f1']:.4f} (P {res['si']['precision']:.4f}, R {res['si']['recall']:.4f})")
    c.print(f"[bold]TC micro-F1[/bold] {res['tc']['f1']:.4f}")
    c.print(f"[bold]End-to-end F1[/bold] {res['e2e']['f1']:.4f} (P {res['e2e']['precision']:.4f}, R {res['e2e']['recall']:.4f})")
    t = Table(title=f"Per technique ({res['n_articles']} articles, {res['n_gold_spans']} gold spans)")
    for col in ("technique", "gold", "TC P", "TC R", "TC F1", "E2E P", "E2E R", "E2E F1"):
        t.add_column(col, justify="right" if col != "technique" else "left")
    for tid, m in res["tc"]["per_technique"].items():
        e = res["e2e"]["per_technique"][tid]
        t.add_row(tid, str(m["n_gold"]), f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", f"{e['precision']:.3f}", f"{e['recall']:.3f}", f"{e['f1']:.3f}")
    c.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(ptc_app, name="ptc")

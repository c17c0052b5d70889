"""``proplens ptc predict|classify|evaluate``: SemEval-2020 Task 11 interop."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import typer

from ..resources import resources

ptc_app = typer.Typer(
    help="PTC / SemEval-2020 Task 11 label files: predict, classify, evaluate.", no_args_is_help=True
)


@contextmanager
def _progress(total: int, label: str):
    from ..bars import progress_bar

    with progress_bar() as p:
        task = p.add_task(label, total=total)
        yield lambda n=1: p.advance(task, n)


@ptc_app.command("predict")
def predict(
    ctx: typer.Context,
    articles_dir: Path = typer.Argument(..., help="Folder with articleID.txt files."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder for si.labels and flc.labels."),
    model: str = typer.Option(
        None, "--model", help="default, fast or a model folder (default: the built-in default model)."
    ),
) -> None:
    """Write OUT/si.labels (ID start end) and OUT/flc.labels (ID technique start end)."""
    from ...ptc.io import read_articles, write_si_labels, write_tc_labels
    from ...ptc.run import predict_articles_si_flc

    articles = read_articles(articles_dir)
    analyzer = resources(ctx).analyzer(model)
    with _progress(len(articles), "predicting") as adv:
        si, rows = predict_articles_si_flc(analyzer, articles, progress=adv)
    out.mkdir(parents=True, exist_ok=True)
    write_tc_labels(out / "flc.labels", rows)
    write_si_labels(out / "si.labels", si)
    typer.echo(
        f"{len(articles)} articles: {len(rows)} technique spans, {len(si)} merged spans -> "
        f"{out}/flc.labels, {out}/si.labels",
        err=True,
    )


@ptc_app.command("classify")
def classify(
    ctx: typer.Context,
    articles_dir: Path = typer.Argument(..., help="Folder with articleID.txt files."),
    spans_file: Path = typer.Argument(..., help="Rows ID<TAB>technique-or-?<TAB>start<TAB>end."),
    out: Path = typer.Option(..., "--out", "-o", help="Output label file (same rows, same order)."),
    model: str = typer.Option(
        None, "--model", help="default, fast or a model folder (default: the built-in default model)."
    ),
) -> None:
    """Label given spans (the TC setting)."""
    from ...ptc.io import read_articles, read_tc_labels, write_tc_labels
    from ...ptc.run import classify_rows

    articles = read_articles(articles_dir)
    rows = read_tc_labels(spans_file, allow_unknown=True, articles=articles)
    analyzer = resources(ctx).analyzer(model)
    with _progress(len({r.article_id for r in rows}), "classifying") as adv:
        labelled = classify_rows(analyzer, articles, rows, progress=adv)
    write_tc_labels(out, labelled)
    typer.echo(f"{len(labelled)} spans labelled -> {out}", err=True)


@ptc_app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    articles_dir: Path = typer.Argument(..., help="Folder with articleID.txt files."),
    gold_tc: Path = typer.Option(..., "--gold-tc", help="Gold TC label file (ID technique start end)."),
    model: str = typer.Option(
        None, "--model", help="default, fast or a model folder (default: the built-in default model)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Predict on the articles and print SI F1, TC micro-F1, end-to-end F1, paragraph-level technique F1
    and per-technique figures."""
    from ...ptc.io import read_articles, read_tc_labels
    from ...ptc.run import evaluate as run_eval

    articles = read_articles(articles_dir)
    gold = read_tc_labels(gold_tc, articles=articles)
    analyzer = resources(ctx).analyzer(model)
    n_steps = len(articles) + len({r.article_id for r in gold})
    with _progress(n_steps, "evaluating") as adv:
        res = run_eval(analyzer, articles, gold, progress=adv)
    if as_json:
        print(json.dumps(res, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    c = Console()
    c.print(
        f"[bold]SI F1[/bold] {res['si']['f1']:.4f} (P {res['si']['precision']:.4f}, R "
        f"{res['si']['recall']:.4f})"
    )
    c.print(f"[bold]TC micro-F1[/bold] {res['tc']['f1']:.4f}")
    c.print(
        f"[bold]End-to-end F1[/bold] {res['e2e']['f1']:.4f} (P {res['e2e']['precision']:.4f}, R "
        f"{res['e2e']['recall']:.4f})"
    )
    par, par_spans = res["paragraph"], res["paragraph_from_spans"]
    c.print(
        f"[bold]Paragraph-level technique F1[/bold] {par['f1']:.4f} (P {par['precision']:.4f}, R "
        f"{par['recall']:.4f}; from the labelled spans alone {par_spans['f1']:.4f})"
    )
    t = Table(title=f"Per technique ({res['n_articles']} articles, {res['n_gold_spans']} gold spans)")
    for col in ("technique", "gold", "TC P", "TC R", "TC F1", "E2E P", "E2E R", "E2E F1"):
        t.add_column(col, justify="right" if col != "technique" else "left")
    for tid, m in res["tc"]["per_technique"].items():
        e = res["e2e"]["per_technique"][tid]
        t.add_row(
            tid,
            str(m["n_gold"]),
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            f"{m['f1']:.3f}",
            f"{e['precision']:.3f}",
            f"{e['recall']:.3f}",
            f"{e['f1']:.3f}",
        )
    c.print(t)


@ptc_app.command("cv")
def cross_validate(
    data: Path = typer.Argument(..., help="PTC-format training folder: articles/ and labels-tc/."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Folder for the folds' runs, predictions and cv_report.json."
    ),
    folds: int = typer.Option(3, "--folds", "-k", help="Folds (split by article)."),
    epochs: int = typer.Option(2, help="Training epochs per fold."),
    eval_epochs: str = typer.Option(
        None, help="Epochs after which the held-out fold is predicted, e.g. '2,3' (default: all)."
    ),
    only_fold: list[int] = typer.Option(
        None, "--fold", help="Run only these folds (repeatable); the report uses every fold found."
    ),
    base: str = typer.Option("minilm", help="Pretrained encoder: minilm, mpnet or a model folder."),
    windowing: str = typer.Option("lines", help="stride or lines."),
    window_size: int = typer.Option(128, help="Content tokens per window."),
    lr: float = typer.Option(8e-5, help="Encoder learning rate."),
    bio_weights: str = typer.Option("1,1,1", help="Loss weights of the O,B,I token classes."),
    bf16: bool = typer.Option(True, "--bf16/--no-bf16", help="bfloat16 autocast in training."),
    seed: int = typer.Option(13, help="Seed of the folds and the training runs."),
    apply_to: Path = typer.Option(
        None,
        "--apply-to",
        help="Write the decoding chosen on the last evaluated epoch, and the "
        "cross-validated figures, into this exported model folder's config.json.",
    ),
) -> None:
    """Cross-validate a training recipe by article; tune decoding on all out-of-fold predictions; report
    SI / TC / end-to-end F1 with 95 % bootstrap intervals (resumable: finished folds are skipped)."""
    from ...training.cv import cross_validate as run_cv

    epochs_eval = tuple(int(x) for x in eval_epochs.split(",")) if eval_epochs else None
    report = run_cv(
        data,
        out,
        folds=folds,
        seed=seed,
        epochs=epochs,
        eval_epochs=epochs_eval,
        only_folds=only_fold or None,
        base=base,
        windowing=windowing,
        window_size=window_size,
        lr=lr,
        bf16=bf16,
        bio_weights=tuple(float(x) for x in bio_weights.split(",")),
        log=lambda m: typer.echo(m, err=True),
    )
    for e, r in report["epochs"].items():
        ci = r["ci95"]
        typer.echo(
            f"epoch {e} ({r['n_articles']} articles): SI {r['f1']['si']:.3f} [{ci['si'][0]:.3f}, "
            f"{ci['si'][1]:.3f}]  "
            f"TC {r['f1']['tc']:.3f} [{ci['tc'][0]:.3f}, {ci['tc'][1]:.3f}]  "
            f"E2E {r['f1']['e2e']:.3f} [{ci['e2e'][0]:.3f}, {ci['e2e'][1]:.3f}]"
        )
    for name, d in report.get("paired", {}).items():
        typer.echo(
            f"{name}: "
            + ", ".join(
                f"{k} {v['mean']:+.3f} [{v['ci95'][0]:+.3f}, {v['ci95'][1]:+.3f}]" for k, v in d.items()
            )
        )
    if apply_to and report["epochs"]:
        from ...training.cv import apply_cv_decoding

        apply_cv_decoding(apply_to, report, epoch=max(report["epochs"], key=int))
        typer.echo(f"decoding and cross-validated figures written to {apply_to}/config.json", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(ptc_app, name="ptc")

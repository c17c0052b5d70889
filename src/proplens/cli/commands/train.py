"""``proplens train --data DIR --out MODEL_DIR`` (needs the [train] extra)."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def train_command(
    data: Path = typer.Option(..., "--data", help="PTC-format folder: articles/ and labels-tc/ (or one *TC.labels file)."),
    out: Path = typer.Option(..., "--out", help="Folder for the trained model (ONNX export, config, metrics)."),
    epochs: int = typer.Option(3, help="Training epochs."),
    seed: int = typer.Option(13, help="Random seed (also fixes the validation split unless --split-seed is given)."),
    split_seed: int = typer.Option(None, help="Seed of the article-level validation split (default: --seed)."),
    batch_size: int = typer.Option(16, help="Windows per step."),
    lr: float = typer.Option(8e-5, help="Encoder learning rate."),
    val_fraction: float = typer.Option(0.15, help="Share of articles held out for validation."),
    window_stride: int = typer.Option(254, help="Token step between training windows."),
    window_jitter: bool = typer.Option(False, "--window-jitter/--no-window-jitter",
                                       help="Cut training windows at a new random offset every epoch."),
    resume: bool = typer.Option(False, "--resume", help="Continue from OUT/work/checkpoint.pt."),
    export: bool = typer.Option(True, "--export/--no-export", help="Export the best epoch to ONNX (int8) in OUT."),
    threads: int = typer.Option(None, help="Torch threads (default: all cores)."),
    model_name: str = typer.Option("proplens-minilm", help="Name written into the exported model's config.json."),
    model_version: str = typer.Option("0.1.0", help="Version written into the exported model's config.json."),
) -> None:
    """Fine-tune the multi-task MiniLM network on PTC data, validate by article, export to ONNX."""
    try:
        import torch  # noqa: F401  (fail early with the install hint)
        from ...training.train import train
    except ImportError as exc:
        from ...errors import Errors, ModelLoadError

        raise ModelLoadError(Errors.P009.format(path="the training stack", reason=f"{exc}; install it with pip install 'proplens[train]'")) from None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    work = out / "work"
    with Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn()) as p:
        task = p.add_task("training", total=None)

        def progress(msg: str, i: int, n: int) -> None:
            p.update(task, description=msg, completed=i, total=n)

        best = train(data, work, epochs=epochs, seed=seed, batch_size=batch_size, lr=lr, val_fraction=val_fraction,
                     window_stride=window_stride, window_jitter=window_jitter, split_seed=split_seed, resume=resume, threads=threads, progress=progress, log=lambda msg: p.console.print(msg, markup=False, highlight=False))
    m = best["metrics"]
    if export:
        from ...training.finalize import export_and_tune

        m = export_and_tune(work, data, out, name=model_name, version=model_version)
        typer.echo(f"exported the ONNX model to {out}; decoding tuned on the validation split with it", err=True)
    typer.echo(f"best epoch {best['epoch']}: SI F1 {m['si']['f1']:.3f}, TC F1 {m['tc']['f1']:.3f}, E2E F1 {m['e2e']['f1']:.3f}", err=True)


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)

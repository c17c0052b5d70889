"""Export the best checkpoint, then tune decoding on the validation split *with the shipped ONNX model*,
so the thresholds fit exactly what users run (int8 included)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..model.decoding import DecodeConfig
from ..model.runtime import load_detector
from ..ptc.io import PtcCorpus
from .export import export_model


def export_and_tune(
    work_dir: str | Path,
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    name: str = "proplens-minilm",
    version: str = "0.1.0",
    quantize: bool = True,
    checkpoint: str = "best.pt",
) -> dict:
    work, out = Path(work_dir), Path(out_dir)
    split = json.loads((work / "split.json").read_text())
    train_cfg = (
        json.loads((work / "train_config.json").read_text()) if (work / "train_config.json").exists() else {}
    )
    cfg = export_model(
        work / checkpoint,
        out,
        decode=dict(DecodeConfig().__dict__),
        name=name,
        version=version,
        quantize=quantize,
    )
    cfg["trained_on"] = {
        "data": "PTC v2 train split minus validation",
        "n_train_articles": len(split["train"]),
        "n_validation_articles": len(split["validation"]),
        "hyperparameters": train_cfg,
    }
    (out / "config.json").write_text(json.dumps(cfg, indent=1))
    return tune_model_dir(out, data_dir, work / "split.json")


def export_with_decoding(
    work_dir: str | Path,
    out_dir: str | Path,
    *,
    decode: dict | None = None,
    name: str = "proplens-minilm",
    version: str = "0.1.0",
    quantize: bool | str = True,
    checkpoint: str = "best.pt",
    metrics: dict | None = None,
) -> dict:
    """Export a run trained without validation, with given decoding (from cross-validation) or the
    defaults."""
    work, out = Path(work_dir), Path(out_dir)
    train_cfg = json.loads((work / "train_config.json").read_text())
    cfg = export_model(
        work / checkpoint,
        out,
        decode=decode or dict(DecodeConfig().__dict__),
        name=name,
        version=version,
        quantize=quantize,
        base=train_cfg.get("base", "minilm"),
        windowing=train_cfg.get("windowing", "stride"),
        window_size=train_cfg["window_size"],
        window_stride=train_cfg["window_stride"],
    )
    cfg["trained_on"] = {
        "data": "PTC v2 train split, all articles",
        "n_train_articles": train_cfg.get("n_train_articles"),
        "n_validation_articles": 0,
        "hyperparameters": train_cfg,
    }
    if metrics:
        cfg["metrics"] = metrics
    (out / "config.json").write_text(json.dumps(cfg, indent=1))
    return cfg


def tune_model_dir(model_dir: str | Path, data_dir: str | Path, split_file: str | Path) -> dict:
    """(Re)tune the decoding of an exported model folder on the validation split; rewrites config/metrics."""
    out = Path(model_dir)
    split = json.loads(Path(split_file).read_text())
    cfg = json.loads((out / "config.json").read_text())
    det, _ = load_detector(out)
    corpus = PtcCorpus.load(data_dir)
    t0 = time.time()
    metrics, _decode = tune_on(det, corpus, split["validation"])
    cfg["decode"] = metrics["decode"]
    cfg["metrics"] = {
        "validation": {
            "si_f1": metrics["si"]["f1"],
            "tc_f1": metrics["tc"]["f1"],
            "e2e_f1": metrics["e2e"]["f1"],
            "n_articles": metrics["n_articles"],
            "split_seed": split.get("seed"),
        },
    }
    (out / "config.json").write_text(json.dumps(cfg, indent=1))
    (out / "metrics.json").write_text(
        json.dumps(
            {"validation": metrics, "tune_seconds": time.time() - t0, "validation_ids": split["validation"]},
            indent=1,
        )
    )
    return metrics


def tune_on(det, corpus, ids):
    from .tune import tune_decoding

    return tune_decoding(det, corpus, ids, full=True)

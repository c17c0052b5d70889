"""Distillation: a teacher model's token probabilities as soft targets for a smaller student.

The teacher (the accurate MPNet model) reads the PTC training articles and unlabeled news; the student
(MiniLM, the ``fast`` model) is trained on gold labels mixed with those probabilities, and on the
unlabeled texts with the probabilities alone (:func:`proplens.training.train.train` with ``teacher=`` and
``unlabeled=``). For the PTC articles, out-of-fold teacher outputs from cross-validation are preferred:
a teacher's outputs on its own training articles are close to the gold labels and teach little more.
Teacher and student tokenize differently; targets move between them by character offsets
(:func:`proplens.training.data.transfer_token_probs`).
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from .data import TeacherOutput

__all__ = ["teacher_outputs", "oof_teacher_outputs", "read_unlabeled", "save_teacher", "load_teacher"]


def teacher_outputs(
    model_dir: str | Path | None,
    texts: Mapping[str, str],
    *,
    batch: int = 8,
    progress: Callable[[int], None] | None = None,
) -> dict[str, TeacherOutput]:
    """Token offsets and probabilities of an exported model (ONNX) on each text."""
    from ..model.runtime import load_detector

    det, _ = load_detector(model_dir)
    ids = [a for a in texts if texts[a].strip()]
    out: dict[str, TeacherOutput] = {}
    for b in range(0, len(ids), batch):
        chunk = ids[b : b + batch]
        for a, p in zip(chunk, det.encode([texts[a] for a in chunk]), strict=False):
            out[a] = (p.tokens.offsets.copy(), p.p_bio.astype(np.float32), p.p_tech.astype(np.float32))
        if progress:
            progress(len(chunk))
    return out


def oof_teacher_outputs(files: Sequence[Path]) -> dict[str, TeacherOutput]:
    """Teacher outputs from cross-validation's out-of-fold prediction files (``foldK/oof_epochN.pkl``)."""
    from .train import load_predictions

    out: dict[str, TeacherOutput] = {}
    for f in files:
        ids = json.loads((Path(f).parent / "split.json").read_text())["evaluation"]
        for a, p in zip(ids, load_predictions(Path(f)), strict=False):
            out[a] = (p.tokens.offsets.copy(), p.p_bio.astype(np.float32), p.p_tech.astype(np.float32))
    return out


def read_unlabeled(path: str | Path, *, prefix: str = "news") -> dict[str, str]:
    """Unlabeled texts: a folder of ``*.txt`` files, or a JSON-lines file with a ``text`` field per line
    (labels in the file, if any, are ignored)."""
    p = Path(path)
    if p.is_dir():
        return {f"{prefix}:{f.stem}": f.read_text(encoding="utf-8") for f in sorted(p.glob("*.txt"))}
    out = {}
    with open(p, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if line.strip():
                row = json.loads(line)
                out[f"{prefix}:{row.get('id', i)}"] = row["text"]
    return out


def save_teacher(targets: Mapping[str, TeacherOutput], path: str | Path) -> None:
    with open(path, "wb") as f:
        pickle.dump(
            {a: (o, b.astype(np.float16), t.astype(np.float16)) for a, (o, b, t) in targets.items()},
            f,
            protocol=pickle.HIGHEST_PROTOCOL,
        )


def load_teacher(path: str | Path) -> dict[str, TeacherOutput]:
    with open(path, "rb") as f:
        raw = pickle.load(f)  # our own file, written by save_teacher
    return {a: (o, b.astype(np.float32), t.astype(np.float32)) for a, (o, b, t) in raw.items()}

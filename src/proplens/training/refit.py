"""Refit the span classifier on frozen encoder features from the *shipped* ONNX model.

During joint training the span head chases a moving encoder for a few epochs. Once the encoder is
fixed (and quantized), the head can be refit to convergence on exactly the features users will
compute: gold spans of the training articles, class-weighted, early-stopped on validation TC F1.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..model.detector import Detector
from ..ptc.io import PtcCorpus
from ..techniques import TECHNIQUE_IDS

TECH_INDEX = {t: i for i, t in enumerate(TECHNIQUE_IDS)}


def span_dataset(
    det: Detector, corpus: PtcCorpus, ids: list[str], batch: int = 16
) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        preds = det.encode([corpus.articles[a] for a in chunk])
        for a, p in zip(chunk, preds, strict=False):
            rows = corpus.spans[a]
            if not rows:
                continue
            f, ok = det.span_features(p, [(r.start, r.end) for r in rows])
            for r, fr, good in zip(rows, f, ok, strict=False):
                if good:
                    xs.append(fr)
                    ys.append(TECH_INDEX[str(r.technique)])
    return np.stack(xs), np.asarray(ys)


def fit_head(
    xtr,
    ytr,
    xva,
    yva,
    *,
    hidden: int = 256,
    epochs: int = 60,
    lr: float = 1e-3,
    weight_decay: float = 1e-2,
    dropout: float = 0.2,
    class_power: float = 0.5,
    seed: int = 13,
    init: dict | None = None,
) -> tuple[dict, float]:
    """Train Linear-tanh-Linear on features; returns numpy weights of the best epoch and its validation
    accuracy."""
    torch.manual_seed(seed)
    d = xtr.shape[1]
    l1, l2 = nn.Linear(d, hidden), nn.Linear(hidden, len(TECHNIQUE_IDS))
    if init is not None:
        with torch.no_grad():
            l1.weight.copy_(torch.from_numpy(init["w1"]))
            l1.bias.copy_(torch.from_numpy(init["b1"]))
            l2.weight.copy_(torch.from_numpy(init["w2"]))
            l2.bias.copy_(torch.from_numpy(init["b2"]))
    drop = nn.Dropout(dropout)
    params = list(l1.parameters()) + list(l2.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    counts = np.bincount(ytr, minlength=len(TECHNIQUE_IDS)) + 1
    w = (counts.sum() / counts) ** class_power
    loss_fn = nn.CrossEntropyLoss(
        weight=torch.tensor(w / w.mean(), dtype=torch.float32), label_smoothing=0.05
    )
    Xtr, Ytr = torch.from_numpy(xtr), torch.from_numpy(ytr)
    Xva = torch.from_numpy(xva)
    g = torch.Generator().manual_seed(seed)
    best: dict = {}
    best_acc = -1.0
    for _ in range(epochs):
        l1.train()
        drop.train()
        perm = torch.randperm(len(Xtr), generator=g)
        for i in range(0, len(perm), 64):
            idx = perm[i : i + 64]
            logits = l2(drop(torch.tanh(l1(drop(Xtr[idx])))))
            loss = loss_fn(logits, Ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            pred = l2(torch.tanh(l1(Xva))).argmax(1).numpy()
        acc = float((pred == yva).mean())
        if acc > best_acc:
            best_acc = acc
            best = {
                "w1": l1.weight.detach().numpy().copy(),
                "b1": l1.bias.detach().numpy().copy(),
                "w2": l2.weight.detach().numpy().copy(),
                "b2": l2.bias.detach().numpy().copy(),
            }
    return best, best_acc


def refit_span_head(model_dir: str | Path, data_dir: str | Path, split_file: str | Path, **kw) -> dict:
    """Refit ``model_dir/span_head.npz`` if the refit beats the current head on validation TC accuracy."""
    from ..model.runtime import load_detector

    model_dir = Path(model_dir)
    split = json.loads(Path(split_file).read_text())
    det, _ = load_detector(model_dir)
    corpus = PtcCorpus.load(data_dir)
    # Early stopping uses a slice of the *training* articles, so the validation figure stays unbiased.
    from .data import split_by_article

    fit_ids, stop_ids = split_by_article(split["train"], val_fraction=0.1, seed=split.get("seed", 13) + 1)
    xtr, ytr = span_dataset(det, corpus, fit_ids)
    xst, yst = span_dataset(det, corpus, stop_ids)
    xva, yva = span_dataset(det, corpus, split["validation"])
    from ..model.decoding import span_head_forward

    before = float((span_head_forward(det.span_weights, xva).argmax(1) == yva).mean())
    weights, stop_acc = fit_head(xtr, ytr, xst, yst, init=det.span_weights, **kw)
    after = float((span_head_forward(weights, xva).argmax(1) == yva).mean())
    res = {
        "tc_accuracy_before": before,
        "tc_accuracy_after": after,
        "early_stop_accuracy": stop_acc,
        "n_train_spans": int(len(ytr)),
        "n_val_spans": int(len(yva)),
    }
    if after > before:
        np.savez(model_dir / "span_head.npz", **weights)
        res["replaced"] = True
    else:
        res["replaced"] = False
    return res

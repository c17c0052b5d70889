"""``proplens train``: fit the multi-task network on a PTC folder, validate, tune decoding, export.

Fixed seed; article-level validation split (ids written to ``split.json``); a checkpoint after
every epoch (``checkpoint.pt``) from which ``resume=True`` continues; metrics in ``metrics.json``.
"""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..model.alignment import load_tokenizer
from ..model.detector import Detector
from ..ptc.io import PtcCorpus
from ..techniques import TECHNIQUE_IDS
from .data import TrainWindow, corpus_windows, split_by_article
from .tune import tune_decoding
from .net import PropagandaNet, base_encoder_path

Progress = Callable[[str, int, int], None]


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class TorchBackend:
    """Runs the torch network in eval mode as a detector backend."""

    def __init__(self, net: PropagandaNet):
        self.net = net

    def __call__(self, ids: np.ndarray, mask: np.ndarray):
        self.net.eval()
        with torch.inference_mode():
            h, b, t = self.net(torch.from_numpy(ids), torch.from_numpy(mask))
        return h.numpy(), b.numpy(), t.numpy()


def _collate(batch: list[TrainWindow]):
    T = max(len(w.ids) for w in batch)
    B, K = len(batch), len(TECHNIQUE_IDS)
    ids = torch.zeros(B, T, dtype=torch.long)
    mask = torch.zeros(B, T, dtype=torch.long)
    bio = torch.full((B, T), -100, dtype=torch.long)
    tech = torch.zeros(B, T, K)
    tmask = torch.zeros(B, T)
    sp_b, sp_a, sp_e, sp_y, sp_f = [], [], [], [], []
    for i, w in enumerate(batch):
        L = len(w.ids)
        ids[i, :L] = torch.from_numpy(w.ids)
        mask[i, :L] = 1
        bio[i, :L] = torch.from_numpy(w.bio)
        tech[i, :L] = torch.from_numpy(w.tech)
        tmask[i, 1 : L - 1] = 1
        for ra, rb, y, f in w.spans:
            sp_b.append(i)
            sp_a.append(ra)
            sp_e.append(rb)
            sp_y.append(y)
            sp_f.append(f)
    spans = None
    if sp_b:
        spans = (sp_b, sp_a, sp_e, torch.tensor(sp_y), torch.from_numpy(np.stack(sp_f)))
    return ids, mask, bio, tech, tmask, spans


def span_features_torch(hidden: torch.Tensor, spans) -> torch.Tensor:
    bidx, a, e, _, tf = spans
    rows = []
    for i, ra, rb in zip(bidx, a, e):
        h = hidden[i]
        rows.append(torch.cat([h[0], h[ra:rb].mean(0), h[ra], h[rb - 1]]))
    return torch.cat([torch.stack(rows), tf], dim=1)


def _class_weights(windows: list[TrainWindow], power: float = 0.5) -> torch.Tensor:
    counts = np.ones(len(TECHNIQUE_IDS))
    for w in windows:
        for _, _, y, _ in w.spans:
            counts[y] += 1
    wts = (counts.sum() / counts) ** power
    return torch.tensor(wts / wts.mean(), dtype=torch.float32)


def train(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    epochs: int = 3,
    seed: int = 13,
    batch_size: int = 16,
    lr: float = 8e-5,
    head_lr: float = 1e-3,
    window_size: int = 254,
    window_stride: int = 192,
    val_fraction: float = 0.15,
    span_loss_weight: float = 1.0,
    tech_loss_weight: float = 0.5,
    resume: bool = False,
    keep_epoch_weights: bool = False,
    window_jitter: bool = False,
    split_seed: int | None = None,
    threads: int | None = None,
    progress: Progress | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Train, validate each epoch, keep the best epoch by SI F1 + TC F1 + E2E F1, return its metrics.

    ``split_seed`` fixes the validation split (default: ``seed``), so runs with different seeds can share
    one split. ``window_jitter`` cuts the training articles into windows at a new random offset every
    epoch (:func:`~proplens.training.data.jittered_windows`) instead of at fixed multiples of the stride.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if threads:
        torch.set_num_threads(threads)
    set_seed(seed)
    base = base_encoder_path()
    tokenizer = load_tokenizer(base / "tokenizer.json")
    corpus = PtcCorpus.load(data_dir)
    split_seed = seed if split_seed is None else split_seed
    train_ids, val_ids = split_by_article(list(corpus.articles), val_fraction=val_fraction, seed=split_seed)
    (out / "split.json").write_text(json.dumps({"seed": split_seed, "train": train_ids, "validation": val_ids}, indent=1))

    def epoch_windows(epoch: int) -> list[TrainWindow]:
        jitter = seed * 1000 + epoch if window_jitter else None
        return corpus_windows(corpus, train_ids, tokenizer, size=window_size, stride=window_stride, jitter_seed=jitter)

    tr_windows = epoch_windows(0)
    log(f"{len(train_ids)} training articles ({len(tr_windows)} windows), {len(val_ids)} validation articles")

    net = PropagandaNet.from_base(base)
    enc_params = list(net.encoder.parameters())
    head_params = [p for n, p in net.named_parameters() if not n.startswith("encoder.")]
    opt = torch.optim.AdamW([{"params": enc_params, "lr": lr}, {"params": head_params, "lr": head_lr}], weight_decay=0.01)
    steps_per_epoch = math.ceil(len(tr_windows) / batch_size)
    total = steps_per_epoch * epochs
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    bio_loss = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 1.5]), ignore_index=-100)
    span_loss = nn.CrossEntropyLoss(weight=_class_weights(tr_windows), label_smoothing=0.05)
    bce = nn.BCEWithLogitsLoss(reduction="none")

    start_epoch, history, best = 0, [], None
    ckpt = out / "checkpoint.pt"
    if resume and ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        net.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        start_epoch, history, best = state["epoch"], state["history"], state.get("best")
        random.setstate(state["py_rng"])
        np.random.set_state(state["np_rng"])
        torch.set_rng_state(state["torch_rng"])
        log(f"resumed after epoch {start_epoch}")

    for epoch in range(start_epoch, epochs):
        net.train()
        if window_jitter and epoch > 0:
            tr_windows = epoch_windows(epoch)
        # With jitter the window count varies a little by epoch; the schedule keeps the first epoch's length.
        steps_per_epoch = math.ceil(len(tr_windows) / batch_size)
        order = list(range(len(tr_windows)))
        random.Random(seed + epoch).shuffle(order)
        t0, run_loss = time.time(), 0.0
        for step in range(steps_per_epoch):
            batch = [tr_windows[i] for i in order[step * batch_size : (step + 1) * batch_size]]
            ids, mask, bio, tech, tmask, spans = _collate(batch)
            hidden, bio_logits, tech_logits = net(ids, mask)
            loss = bio_loss(bio_logits.reshape(-1, 3), bio.reshape(-1))
            tl = (bce(tech_logits, tech).mean(-1) * tmask).sum() / tmask.sum()
            loss = loss + tech_loss_weight * tl
            if spans is not None:
                logits = net.span_logits(span_features_torch(hidden, spans))
                loss = loss + span_loss_weight * span_loss(logits, spans[3])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            run_loss += loss.item()
            if progress:
                progress(f"epoch {epoch + 1}/{epochs} loss {run_loss / (step + 1):.3f}", step + 1, steps_per_epoch)
        det = Detector(TorchBackend(net), tokenizer, net.span_head_numpy(), window_size=window_size, window_stride=window_stride)
        metrics, cfg = tune_decoding(det, corpus, val_ids, full=False)
        metrics.update(epoch=epoch + 1, train_loss=run_loss / steps_per_epoch, epoch_seconds=time.time() - t0)
        history.append(metrics)
        log(f"epoch {epoch + 1}: loss {metrics['train_loss']:.3f} SI F1 {metrics['si']['f1']:.3f} TC F1 {metrics['tc']['f1']:.3f} E2E F1 {metrics['e2e']['f1']:.3f} ({metrics['epoch_seconds']:.0f}s)")
        key = metrics["si"]["f1"] + metrics["tc"]["f1"] + metrics["e2e"]["f1"]
        if best is None or key > best["key"]:
            best = {"key": key, "epoch": epoch + 1, "metrics": metrics}
            torch.save(net.state_dict(), out / "best.pt")
        if keep_epoch_weights:  # for checkpoint averaging ("model soups") after training
            torch.save(net.state_dict(), out / f"epoch{epoch + 1}.pt")
        torch.save(
            {"model": net.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "epoch": epoch + 1,
             "history": history, "best": best, "py_rng": random.getstate(), "np_rng": np.random.get_state(),
             "torch_rng": torch.get_rng_state()},
            ckpt,
        )
        (out / "metrics.json").write_text(json.dumps({"history": history, "best": best}, indent=1))
    hp = {"epochs": epochs, "seed": seed, "batch_size": batch_size, "lr": lr, "head_lr": head_lr, "window_size": window_size,
          "window_stride": window_stride, "val_fraction": val_fraction, "span_loss_weight": span_loss_weight,
          "tech_loss_weight": tech_loss_weight, "window_jitter": window_jitter, "split_seed": split_seed}
    (out / "train_config.json").write_text(json.dumps(hp, indent=1))
    return best

"""``proplens train``: fit the multi-task network on a PTC folder, validate, tune decoding, export.

Fixed seed; article-level validation split (ids written to ``split.json``); a checkpoint after
every epoch (``checkpoint.pt``) from which ``resume=True`` continues; metrics in ``metrics.json``.
"""

from __future__ import annotations

import json
import math
import pickle
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..model.alignment import WINDOWINGS, load_tokenizer
from ..model.detector import Detector
from ..ptc.io import PtcCorpus
from ..techniques import TECHNIQUE_IDS
from .data import TrainWindow, corpus_windows, length_batches, split_by_article
from .encoders import special_token_ids
from .net import PropagandaNet, base_encoder_path
from .tune import tune_decoding

Progress = Callable[[str, int, int], None]


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class TorchBackend:
    """Runs the torch network in eval mode as a detector backend (fp32: what the exported model computes)."""

    def __init__(self, net: PropagandaNet):
        self.net = net

    def __call__(self, ids: np.ndarray, mask: np.ndarray):
        self.net.eval()
        with torch.inference_mode():
            h, b, t = self.net(torch.from_numpy(ids), torch.from_numpy(mask))
        return h.float().numpy(), b.float().numpy(), t.float().numpy()


def save_predictions(preds, span_weights: dict, path: Path) -> None:
    """Out-of-fold predictions for cross-validation: hidden states as float16 (half the disk), each
    prediction carrying its fold's span classifier."""
    for p in preds:
        p.span_weights = span_weights
        for w in p.windows:
            w.hidden = w.hidden.astype(np.float16)
    with open(path, "wb") as f:
        pickle.dump(preds, f, protocol=pickle.HIGHEST_PROTOCOL)


def load_predictions(path: Path) -> list:
    with open(path, "rb") as f:
        preds = pickle.load(f)  # our own files, written by save_predictions
    for p in preds:
        for w in p.windows:
            w.hidden = w.hidden.astype(np.float32)
    return preds


def _collate(batch: list[TrainWindow]):
    T = max(len(w.ids) for w in batch)
    B, K = len(batch), len(TECHNIQUE_IDS)
    ids = torch.zeros(B, T, dtype=torch.long)
    mask = torch.zeros(B, T, dtype=torch.long)
    bio = torch.full((B, T), -100, dtype=torch.long)
    tech = torch.zeros(B, T, K)
    tmask = torch.zeros(B, T)
    soft = any(w.soft_bio is not None for w in batch)
    s_bio = torch.zeros(B, T, 3)
    s_tech = torch.zeros(B, T, K)
    s_mask = torch.zeros(B, T)
    sp_b, sp_a, sp_e, sp_y, sp_f = [], [], [], [], []
    for i, w in enumerate(batch):
        L = len(w.ids)
        ids[i, :L] = torch.from_numpy(w.ids)
        mask[i, :L] = 1
        bio[i, :L] = torch.from_numpy(w.bio)
        tech[i, :L] = torch.from_numpy(w.tech)
        if w.labelled:
            tmask[i, 1 : L - 1] = 1
        if w.soft_bio is not None and w.soft_tech is not None:
            s_bio[i, :L] = torch.from_numpy(w.soft_bio)
            s_tech[i, :L] = torch.from_numpy(w.soft_tech)
            s_mask[i, 1 : L - 1] = 1
        for ra, rb, y, f in w.spans:
            sp_b.append(i)
            sp_a.append(ra)
            sp_e.append(rb)
            sp_y.append(y)
            sp_f.append(f)
    spans = None
    if sp_b:
        spans = (sp_b, sp_a, sp_e, torch.tensor(sp_y), torch.from_numpy(np.stack(sp_f)))
    return ids, mask, bio, tech, tmask, spans, ((s_bio, s_tech, s_mask) if soft else None)


def _gold_weights(soft, soft_weight: float, batch: int) -> torch.Tensor:
    """Per-window weight of the gold loss: ``1 - soft_weight`` where a window has teacher targets, else 1."""
    if soft is None:
        return torch.ones(batch)
    has_soft = soft[2].sum(1) > 0
    return torch.where(has_soft, torch.tensor(1.0 - soft_weight), torch.tensor(1.0))


def _weighted_bio_loss(
    logits: torch.Tensor, bio: torch.Tensor, window_w: torch.Tensor, class_w: torch.Tensor | None
) -> torch.Tensor:
    """Class-weighted token cross-entropy (the mean of ``nn.CrossEntropyLoss(weight=...)``) with each
    window's tokens scaled by ``window_w``; equal to the plain loss when every weight is 1."""
    valid = bio >= 0
    if not valid.any():
        return logits.sum() * 0
    target = bio.clamp(min=0)
    nll = nn.functional.cross_entropy(logits.reshape(-1, 3), target.reshape(-1), reduction="none").view_as(
        bio
    )
    cw = class_w[target] if class_w is not None else torch.ones_like(nll)
    cw = cw * valid
    return (nll * cw * window_w[:, None]).sum() / cw.sum()


def span_features_torch(hidden: torch.Tensor, spans) -> torch.Tensor:
    bidx, a, e, _, tf = spans
    rows = []
    for i, ra, rb in zip(bidx, a, e, strict=False):
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


@dataclass(frozen=True)
class _Recipe:
    """The settings the steps of a run read: :func:`train`'s arguments of the same names."""

    epochs: int
    seed: int
    batch_size: int
    lr: float
    head_lr: float
    window_size: int
    window_stride: int
    val_fraction: float
    span_loss_weight: float
    tech_loss_weight: float
    window_jitter: bool
    split_seed: int
    base: str
    windowing: str
    bio_weights: tuple[float, float, float]
    bf16: bool
    soft_weight: float
    keep_epoch_weights: bool
    eval_epochs: tuple[int, ...] | None

    def config(self, n_train_articles: int, distilled: bool, n_unlabeled_texts: int) -> dict:
        """What ``train_config.json`` records (:mod:`.finalize` reads the encoder and windowing from it)."""
        return {
            "epochs": self.epochs,
            "seed": self.seed,
            "batch_size": self.batch_size,
            "lr": self.lr,
            "head_lr": self.head_lr,
            "window_size": self.window_size,
            "window_stride": self.window_stride,
            "val_fraction": self.val_fraction,
            "span_loss_weight": self.span_loss_weight,
            "tech_loss_weight": self.tech_loss_weight,
            "window_jitter": self.window_jitter,
            "split_seed": self.split_seed,
            "base": self.base,
            "windowing": self.windowing,
            "bio_weights": list(self.bio_weights),
            "bf16": self.bf16,
            "n_train_articles": n_train_articles,
            "distilled": distilled,
            "soft_weight": self.soft_weight,
            "n_unlabeled_texts": n_unlabeled_texts,
        }


@dataclass(frozen=True)
class _Articles:
    """The articles of a run, split into training, validation and evaluation ids, and the tokenizer that cuts
    them into windows: what both training (``windows``) and validation (``detector``) read."""

    recipe: _Recipe
    corpus: PtcCorpus
    encoder_path: Path
    tokenizer: Any
    cls_id: int
    sep_id: int
    train_ids: list[str]
    val_ids: list[str]
    eval_ids: list[str]
    teacher: dict | None
    unlabeled: dict[str, str] | None

    def summary(self, n_windows: int) -> str:
        r = self.recipe
        return (
            f"{len(self.train_ids)} training articles ({n_windows} windows), "
            f"{len(self.val_ids)} validation articles, "
            f"{len(self.eval_ids)} evaluation articles; encoder {r.base}, {r.windowing} windows"
        )

    def windows(self, epoch: int) -> list[TrainWindow]:
        """The training windows of ``epoch``: the same every epoch unless ``window_jitter`` moves them."""
        r = self.recipe
        jitter = r.seed * 1000 + epoch if r.window_jitter and r.windowing == "stride" else None
        return corpus_windows(
            self.corpus,
            self.train_ids,
            self.tokenizer,
            size=r.window_size,
            stride=r.window_stride,
            jitter_seed=jitter,
            windowing=r.windowing,
            cls_id=self.cls_id,
            sep_id=self.sep_id,
            teacher=self.teacher,
            unlabeled=self.unlabeled,
        )

    def detector(self, net: PropagandaNet) -> Detector:
        """The network as a detector with the run's windowing: validation decodes what inference would."""
        r = self.recipe
        return Detector(
            TorchBackend(net),
            self.tokenizer,
            net.span_head_numpy(),
            window_size=r.window_size,
            window_stride=r.window_stride,
            windowing=r.windowing,
            cls_id=self.cls_id,
            sep_id=self.sep_id,
        )


def _load_articles(
    data_dir: str | Path,
    recipe: _Recipe,
    train_ids: list[str] | None,
    eval_ids: list[str] | None,
    teacher: dict | None,
    unlabeled: dict[str, str] | None,
) -> _Articles:
    """Step 1, data: the base encoder's tokenizer, the corpus and its article split (a cross-validation
    fold's ``train_ids``, else a seeded validation split, else every article)."""
    encoder = base_encoder_path(recipe.base)
    tokenizer = load_tokenizer(encoder / "tokenizer.json")
    cls_id, sep_id = special_token_ids(tokenizer)
    corpus = PtcCorpus.load(data_dir)
    if train_ids is not None:
        train_ids, val_ids = sorted(train_ids), list[str]()
    elif recipe.val_fraction > 0:
        train_ids, val_ids = split_by_article(
            list(corpus.articles), val_fraction=recipe.val_fraction, seed=recipe.split_seed
        )
    else:
        train_ids, val_ids = sorted(corpus.articles), []
    return _Articles(
        recipe=recipe,
        corpus=corpus,
        encoder_path=encoder,
        tokenizer=tokenizer,
        cls_id=cls_id,
        sep_id=sep_id,
        train_ids=train_ids,
        val_ids=val_ids,
        eval_ids=sorted(eval_ids or []),
        teacher=teacher,
        unlabeled=unlabeled,
    )


def _write_split_and_config(out: Path, arts: _Articles) -> None:
    """``split.json`` and ``train_config.json``, before any training."""
    split = {
        "seed": arts.recipe.split_seed,
        "train": arts.train_ids,
        "validation": arts.val_ids,
        "evaluation": arts.eval_ids,
    }
    (out / "split.json").write_text(json.dumps(split, indent=1))
    # written first, so that a checkpoint of an unfinished run can be exported too
    config = arts.recipe.config(len(arts.train_ids), arts.teacher is not None, len(arts.unlabeled or {}))
    (out / "train_config.json").write_text(json.dumps(config, indent=1))


@dataclass(frozen=True)
class _Model:
    """The network with its optimizer and learning-rate schedule: what a checkpoint saves and restores."""

    net: PropagandaNet
    opt: torch.optim.AdamW
    sched: torch.optim.lr_scheduler.LambdaLR

    @classmethod
    def create(cls, arts: _Articles, n_windows: int) -> _Model:
        """Step 2, model and optimizer: the pretrained encoder with new heads (the heads draw their initial
        weights from torch's seeded generator), AdamW with a higher rate for the heads, and linear warmup
        (6% of the steps) then linear decay over ``epochs`` epochs of ``n_windows`` windows."""
        r = arts.recipe
        net = PropagandaNet.from_base(arts.encoder_path)
        enc_params = list(net.encoder.parameters())
        head_params = [p for n, p in net.named_parameters() if not n.startswith("encoder.")]
        opt = torch.optim.AdamW(
            [{"params": enc_params, "lr": r.lr}, {"params": head_params, "lr": r.head_lr}], weight_decay=0.01
        )
        steps_per_epoch = math.ceil(n_windows / r.batch_size)
        total = steps_per_epoch * r.epochs
        warm = max(1, int(0.06 * total))
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
        )
        return cls(net, opt, sched)

    def resume(self, ckpt: Path, log: Callable[[str], None]) -> tuple[int, list, dict | None]:
        """Restores the weights, optimizer, schedule and random generators saved after the last finished
        epoch, so that a resumed run continues as the uninterrupted one would. Returns (epochs done, history,
        best)."""
        state = torch.load(ckpt, weights_only=False)
        self.net.load_state_dict(state["model"])
        self.opt.load_state_dict(state["optimizer"])
        self.sched.load_state_dict(state["scheduler"])
        random.setstate(state["py_rng"])
        np.random.set_state(state["np_rng"])
        torch.set_rng_state(state["torch_rng"])
        log(f"resumed after epoch {state['epoch']}")
        return state["epoch"], state["history"], state.get("best")

    def save_checkpoint(self, ckpt: Path, epoch: int, history: list, best: dict) -> None:
        torch.save(
            {
                "model": self.net.state_dict(),
                "optimizer": self.opt.state_dict(),
                "scheduler": self.sched.state_dict(),
                "epoch": epoch + 1,
                "history": history,
                "best": best,
                "py_rng": random.getstate(),
                "np_rng": np.random.get_state(),
                "torch_rng": torch.get_rng_state(),
            },
            ckpt,
        )


@dataclass(frozen=True)
class _Losses:
    """The loss terms and their weights (:func:`_batch_loss` adds them up)."""

    bio_class_weights: torch.Tensor
    span: nn.CrossEntropyLoss
    bce: nn.BCEWithLogitsLoss
    span_weight: float
    tech_weight: float
    soft_weight: float

    @classmethod
    def create(cls, recipe: _Recipe, windows: list[TrainWindow]) -> _Losses:
        """Span classes weighted by the first epoch's windows (rare techniques count more)."""
        return cls(
            bio_class_weights=torch.tensor(list(recipe.bio_weights), dtype=torch.float32),
            span=nn.CrossEntropyLoss(weight=_class_weights(windows), label_smoothing=0.05),
            bce=nn.BCEWithLogitsLoss(reduction="none"),
            span_weight=recipe.span_loss_weight,
            tech_weight=recipe.tech_loss_weight,
            soft_weight=recipe.soft_weight,
        )


def _batch_loss(net: PropagandaNet, batch: list[TrainWindow], losses: _Losses, bf16: bool) -> torch.Tensor:
    """One batch's loss: gold BIO and technique tokens, the teacher's soft targets where windows have them
    (distillation), and the span classifier on the gold spans."""
    ids, mask, bio, tech, tmask, spans, soft = _collate(batch)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        hidden, bio_logits, tech_logits = net(ids, mask)
        hidden, bio_logits, tech_logits = hidden.float(), bio_logits.float(), tech_logits.float()
        # Gold labels weigh (1 - soft_weight) only in the windows that also have teacher targets:
        # a batch mixing gold-only articles with unlabeled news keeps full gold weight on the former.
        gold_w = _gold_weights(soft, losses.soft_weight, bio.shape[0])
        loss = _weighted_bio_loss(bio_logits, bio, gold_w, losses.bio_class_weights)
        tl = (losses.bce(tech_logits, tech).mean(-1) * tmask * gold_w[:, None]).sum() / tmask.sum().clamp(
            min=1
        )
        loss = loss + losses.tech_weight * tl
        if soft is not None:
            s_bio, s_tech, s_mask = soft
            n_soft = s_mask.sum().clamp(min=1)
            ce = -(s_bio * torch.log_softmax(bio_logits, -1)).sum(-1)
            loss = loss + losses.soft_weight * (ce * s_mask).sum() / n_soft
            loss = (
                loss
                + losses.tech_weight
                * losses.soft_weight
                * (losses.bce(tech_logits, s_tech).mean(-1) * s_mask).sum()
                / n_soft
            )
        if spans is not None:
            logits = net.span_logits(span_features_torch(hidden, spans)).float()
            loss = loss + losses.span_weight * losses.span(logits, spans[3])
    return loss


def _epoch_batches(windows: list[TrainWindow], recipe: _Recipe, epoch: int) -> list[list[int]]:
    """The epoch's batches of window indices: length-bucketed for line windows, else a seeded shuffle."""
    if recipe.windowing == "lines":
        return length_batches(windows, recipe.batch_size, recipe.seed + epoch)
    order = list(range(len(windows)))
    random.Random(recipe.seed + epoch).shuffle(order)
    return [order[b : b + recipe.batch_size] for b in range(0, len(order), recipe.batch_size)]


def _train_epoch(
    model: _Model,
    losses: _Losses,
    windows: list[TrainWindow],
    epoch: int,
    recipe: _Recipe,
    progress: Progress | None,
) -> tuple[float, float]:
    """Step 3, one epoch over ``windows``: returns (mean batch loss, seconds)."""
    model.net.train()
    batches = _epoch_batches(windows, recipe, epoch)
    steps_per_epoch = len(batches)
    t0, run_loss = time.time(), 0.0
    for step, batch_idx in enumerate(batches):
        loss = _batch_loss(model.net, [windows[i] for i in batch_idx], losses, recipe.bf16)
        model.opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.net.parameters(), 1.0)
        model.opt.step()
        model.sched.step()
        run_loss += loss.item()
        if progress:
            progress(
                f"epoch {epoch + 1}/{recipe.epochs} loss {run_loss / (step + 1):.3f}",
                step + 1,
                steps_per_epoch,
            )
    train_seconds = time.time() - t0
    return run_loss / steps_per_epoch, train_seconds


def _evaluate_epoch(net: PropagandaNet, arts: _Articles, epoch: int, out: Path) -> dict:
    """Step 4, evaluation: a fold's out-of-fold predictions (``oof_epochN.pkl``, in the epochs asked for)
    and the metrics of decoding tuned on the validation articles (zeros without validation articles)."""
    eval_epochs = arts.recipe.eval_epochs
    if arts.eval_ids and (eval_epochs is None or epoch + 1 in eval_epochs):
        det = arts.detector(net)
        save_predictions(
            det.encode([arts.corpus.articles[a] for a in arts.eval_ids]),
            det.span_weights,
            out / f"oof_epoch{epoch + 1}.pkl",
        )
    if arts.val_ids:
        metrics, _ = tune_decoding(arts.detector(net), arts.corpus, arts.val_ids, full=False)
        return metrics
    return {"si": {"f1": 0.0}, "tc": {"f1": 0.0}, "e2e": {"f1": 0.0}}


def _epoch_summary(metrics: dict) -> str:
    return (
        f"epoch {metrics['epoch']}: loss {metrics['train_loss']:.3f} SI F1 {metrics['si']['f1']:.3f} "
        f"TC F1 {metrics['tc']['f1']:.3f} E2E F1 {metrics['e2e']['f1']:.3f} "
        f"({metrics['epoch_seconds']:.0f}s)"
    )


def _save_epoch(
    out: Path, model: _Model, arts: _Articles, epoch: int, history: list, best: dict | None
) -> dict:
    """Step 5, checkpointing: ``best.pt`` when the epoch beats the best so far (by SI F1 + TC F1 + E2E F1),
    the epoch's own weights if asked, the checkpoint that ``resume`` continues from, and ``metrics.json``.
    Returns the best epoch so far."""
    metrics = history[-1]
    # without validation articles the last epoch is the one kept
    key = metrics["si"]["f1"] + metrics["tc"]["f1"] + metrics["e2e"]["f1"] if arts.val_ids else float(epoch)
    if best is None or key > best["key"]:
        best = {"key": key, "epoch": epoch + 1, "metrics": metrics}
        torch.save(model.net.state_dict(), out / "best.pt")
    if arts.recipe.keep_epoch_weights:  # for checkpoint averaging ("model soups") after training
        torch.save(model.net.state_dict(), out / f"epoch{epoch + 1}.pt")
    model.save_checkpoint(out / "checkpoint.pt", epoch, history, best)
    (out / "metrics.json").write_text(json.dumps({"history": history, "best": best}, indent=1))
    return best


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
    base: str = "minilm",
    windowing: str = "stride",
    bio_weights: tuple[float, float, float] = (1.0, 2.0, 1.5),
    bf16: bool = False,
    train_ids: list[str] | None = None,
    eval_ids: list[str] | None = None,
    teacher: dict | None = None,
    unlabeled: dict[str, str] | None = None,
    soft_weight: float = 0.5,
    eval_epochs: tuple[int, ...] | None = None,
    threads: int | None = None,
    progress: Progress | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Train, validate each epoch, keep the best epoch by SI F1 + TC F1 + E2E F1, return its metrics.

    ``val_fraction=0`` trains on every article with no validation (what is shipped: the epoch count and
    decoding come from cross-validation); the last epoch is kept. ``train_ids``/``eval_ids`` (a
    cross-validation fold) fix the articles instead: after each epoch in ``eval_epochs`` (default: all)
    the fold's predictions are saved to ``oof_epochN.pkl`` for :mod:`proplens.training.cv`.

    ``base`` is the pretrained encoder (:mod:`proplens.training.encoders`); ``windowing="lines"`` trains on
    one window per article line in length-bucketed batches; ``bf16`` runs forward and backward passes
    under bfloat16 autocast (2.5x faster on CPUs with AVX512-BF16; weights and optimizer stay fp32).

    Distillation: ``teacher`` maps article ids to a teacher model's token probabilities
    (:func:`proplens.training.distill.teacher_outputs`); ``unlabeled`` adds texts without gold labels that
    are learned from those alone. Token losses become ``(1 - soft_weight) * gold + soft_weight * soft``.

    ``split_seed`` fixes the validation split (default: ``seed``), so runs with different seeds can share
    one split. ``window_jitter`` cuts the training articles into windows at a new random offset every
    epoch (:func:`~proplens.training.data.jittered_windows`) instead of at fixed multiples of the stride.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if threads:
        torch.set_num_threads(threads)
    set_seed(seed)
    if windowing not in WINDOWINGS:
        raise ValueError(f"windowing must be one of {WINDOWINGS}, not {windowing!r}")
    recipe = _Recipe(
        epochs=epochs,
        seed=seed,
        batch_size=batch_size,
        lr=lr,
        head_lr=head_lr,
        window_size=window_size,
        window_stride=window_stride,
        val_fraction=val_fraction,
        span_loss_weight=span_loss_weight,
        tech_loss_weight=tech_loss_weight,
        window_jitter=window_jitter,
        split_seed=seed if split_seed is None else split_seed,
        base=base,
        windowing=windowing,
        bio_weights=bio_weights,
        bf16=bf16,
        soft_weight=soft_weight,
        keep_epoch_weights=keep_epoch_weights,
        eval_epochs=eval_epochs,
    )
    arts = _load_articles(data_dir, recipe, train_ids, eval_ids, teacher, unlabeled)
    _write_split_and_config(out, arts)
    tr_windows = arts.windows(0)
    log(arts.summary(len(tr_windows)))
    model = _Model.create(arts, len(tr_windows))
    losses = _Losses.create(recipe, tr_windows)
    resumed = resume and (out / "checkpoint.pt").exists()
    start_epoch, history, best = model.resume(out / "checkpoint.pt", log) if resumed else (0, [], None)
    for epoch in range(start_epoch, epochs):
        if window_jitter and epoch > 0:
            tr_windows = arts.windows(epoch)
        # With jitter the window count varies a little by epoch; the schedule keeps the first epoch's length.
        train_loss, train_seconds = _train_epoch(model, losses, tr_windows, epoch, recipe, progress)
        metrics = _evaluate_epoch(model.net, arts, epoch, out)
        metrics.update(epoch=epoch + 1, train_loss=train_loss, epoch_seconds=train_seconds)
        history.append(metrics)
        log(_epoch_summary(metrics))
        best = _save_epoch(out, model, arts, epoch, history, best)
    assert best is not None  # at least one epoch ran (or was resumed)
    return best

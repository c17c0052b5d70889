"""Train the attribution tagger's transformer head (:mod:`proplens.attribution.neural`) on PolNeAR data.

Usage::

    python -m proplens.training.attribution_head TRAIN.jsonl --out DIR [--first N] [--epochs 3]

Every line of every article is cut into windows by :meth:`TokenHead.windows`, run once through the shipped
int8 sentence encoder up to its third layer (the states the head sees at inference), and labelled per word
piece: cue O/B/I and role O/SOURCE/CONTENT (any attribution's source or content). The head, MiniLM's layers
4-6 plus two linear layers, is fine-tuned on those states (AdamW, lr 8e-5, 3 epochs, batches of 16
windows, bf16 autocast where the CPU has it), exported to ONNX and quantized to 8-bit weights
(``head.onnx``). ``--weights`` adds the product-of-experts weights to ``DIR/attribution.npz`` and sets its
cue threshold to the one chosen with the head.

The recipe, the weights (cue 1.0, role 0.5) and the cue threshold (0.35) were chosen on PolNeAR train: head
and linear tagger trained on the first 690 articles, scored on the last 150 (grid with a two-layer head: cue
weight 0.5 / 1 / 1.5, role weight 0.25 / 0.5 / 1, cue threshold 0.3-0.5; then three layers against two;
docs/attribution.md has the figures).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..attribution.neural import TokenHead
from .encoders import encoder_path

__all__ = ["Window", "label_windows", "AttributionHead", "fit_head", "export_head", "main"]

HEAD_CUE_WEIGHT = 1.0
HEAD_ROLE_WEIGHT = 0.5
# the cue threshold with the head (0.5 without it): a grid 0.3-0.5 on the held-out train articles
HEAD_CUE_THRESHOLD = 0.35

Window = tuple[np.ndarray, np.ndarray, np.ndarray]  # hidden (pieces + 2, 384) fp16, cue labels, role labels


def _char_labels(row: dict) -> tuple[np.ndarray, np.ndarray, set[int]]:
    n = len(row["text"])
    cue = np.zeros(n, dtype=bool)
    role = np.zeros(n, dtype=np.int8)
    cue_starts = set()
    for a in row["attributions"]:
        for s, e in a["source"]:
            role[s:e] = 1
        for s, e in a["content"]:
            role[s:e] = 2
        for s, e in a["cue"]:
            cue[s:e] = True
        if a["cue"]:
            cue_starts.add(min(s for s, _ in a["cue"]))
    return cue, role, cue_starts


def label_windows(rows: list[dict], encoder: TokenHead, *, log_every: int = 100) -> list[Window]:
    """Hidden states and per-piece labels of every window of ``rows`` (PolNeAR-format dicts)."""
    out: list[Window] = []
    t0 = time.perf_counter()
    for k, row in enumerate(rows):
        cue, role, cue_starts = _char_labels(row)
        for ids, offsets in encoder.windows(row["text"]):
            yc = np.zeros(len(offsets), dtype=np.int64)
            yr = np.zeros(len(offsets), dtype=np.int64)
            for j, (s, e) in enumerate(offsets.tolist()):
                if cue[s:e].any():
                    # B where a cue starts (or follows a non-cue character), I inside it
                    yc[j] = 1 if (s in cue_starts or s == 0 or not cue[s - 1]) else 2
                if e > s:
                    yr[j] = int(np.bincount(role[s:e], minlength=3).argmax())
            out.append((encoder.hidden(ids)[0].astype(np.float16), yc, yr))
        if log_every and k % log_every == 0:
            print(f"windows of article {k}/{len(rows)}  {time.perf_counter() - t0:.0f} s", flush=True)
    return out


class AttributionHead(nn.Module):
    """MiniLM's last layers and the cue / role classifiers: ``hidden -> (cue logits, role logits)``."""

    def __init__(self, layers: nn.ModuleList, dim: int = 384):
        super().__init__()
        self.layers = layers
        self.cue = nn.Linear(dim, 3)
        self.role = nn.Linear(dim, 3)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None = None):
        ext = None if mask is None else (1.0 - mask[:, None, None, :].to(hidden.dtype)) * -1e4
        for layer in self.layers:
            out = layer(hidden, attention_mask=ext)
            hidden = out[0] if isinstance(out, tuple) else out
        return self.cue(hidden), self.role(hidden)


# the head's layers: those of all-MiniLM-L6-v2 above neural.HIDDEN_OUTPUT (after layer index 2)
HEAD_LAYERS = (3, 4, 5)


def new_head() -> AttributionHead:
    """A head initialised from all-MiniLM-L6-v2's layers 4-6 (eager attention: exports plainly)."""
    from transformers import BertModel

    base = BertModel.from_pretrained(str(encoder_path("minilm")), attn_implementation="eager")
    return AttributionHead(nn.ModuleList([base.encoder.layer[i] for i in HEAD_LAYERS]))


def _batch(windows: list[Window], idx) -> tuple[torch.Tensor, ...]:
    length = max(len(windows[k][0]) for k in idx)
    h = np.zeros((len(idx), length, windows[idx[0]][0].shape[1]), dtype=np.float32)
    mask = np.zeros((len(idx), length), dtype=np.float32)
    yc = np.full((len(idx), length), -100, dtype=np.int64)
    yr = np.full((len(idx), length), -100, dtype=np.int64)
    for r, k in enumerate(idx):
        hid, c, ro = windows[k]
        n = len(hid)
        h[r, :n], mask[r, :n] = hid, 1
        yc[r, 1 : n - 1], yr[r, 1 : n - 1] = c, ro
    return tuple(torch.from_numpy(x) for x in (h, mask, yc, yr))


def fit_head(
    windows: list[Window],
    *,
    epochs: int = 3,
    lr: float = 8e-5,
    batch_size: int = 16,
    bf16: bool = True,
    seed: int = 0,
) -> AttributionHead:
    """Fine-tune a new head on labelled windows (batches of similar length, linear warm-up and decay)."""
    torch.manual_seed(seed)
    model = new_head()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(windows) / batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, s / (0.06 * steps)) * max(0.0, (steps - s) / steps)
    )
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(windows))
        pools = [
            sorted(order[i : i + 50 * batch_size].tolist(), key=lambda k: len(windows[k][0]))
            for i in range(0, len(order), 50 * batch_size)
        ]
        batches = [p[i : i + batch_size] for p in pools for i in range(0, len(p), batch_size)]
        rng.shuffle(batches)
        total = 0.0
        for b, idx in enumerate(batches):
            h, mask, yc, yr = _batch(windows, idx)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                cue, role = model(h, mask)
            loss = loss_fn(cue.float().reshape(-1, 3), yc.reshape(-1)) + loss_fn(
                role.float().reshape(-1, 3), yr.reshape(-1)
            )
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item()
            if b % 200 == 0:
                print(f"epoch {epoch + 1} batch {b}/{len(batches)} loss {total / (b + 1):.4f} "
                      f"{time.perf_counter() - t0:.0f} s", flush=True)
    return model.eval()


def export_head(model: AttributionHead, path: str | Path, *, quantize: bool = True) -> float:
    """Write ``head.onnx`` (8-bit weights unless ``quantize=False``); returns the max |logit| difference
    between the file and torch on three window lengths."""
    import onnxruntime as ort

    from .export import quantize_int8

    path = Path(path)
    fp32 = path.with_suffix(".fp32.onnx")
    pieces = torch.export.Dim("pieces", min=3, max=512)
    prog = torch.onnx.export(
        model.eval(),
        (torch.randn(1, 40, 384),),
        dynamo=True,
        input_names=["hidden"],
        output_names=["cue", "role"],
        dynamic_shapes={"hidden": {1: pieces}},
        optimize=True,
    )
    if prog is None:
        raise RuntimeError("torch.onnx.export returned no ONNX program")
    prog.save(str(fp32), external_data=False)
    if quantize:
        quantize_int8(fp32, path, mode="int8-weight-only")
        fp32.unlink()
    else:
        fp32.replace(path)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    g = torch.Generator().manual_seed(0)
    for n in (5, 64, 256):
        x = torch.randn(1, n, 384, generator=g)
        with torch.inference_mode():
            ref = [t.numpy() for t in model(x)]
        got = sess.run(["cue", "role"], {"hidden": x.numpy()})
        worst = max(worst, *(float(np.abs(r - o).max()) for r, o in zip(ref, got, strict=True)))
    return worst


def main(argv=None) -> None:
    from ..attribution.training import load_polnear

    parser = argparse.ArgumentParser(description="Train the attribution tagger's transformer head.")
    parser.add_argument("train")
    parser.add_argument("--out", required=True, help="folder for head.onnx (the attribution model folder)")
    parser.add_argument("--first", type=int, help="train on the first N articles only (a held-out rest)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument(
        "--no-bf16", action="store_true", help="fp32 (bf16 is emulated, slow, on AVX2-only CPUs)"
    )
    parser.add_argument(
        "--weights",
        action="store_true",
        help="add the fusion weights and cue threshold to OUT/attribution.npz",
    )
    parser.add_argument("--save-torch", help="also save the torch state dict here")
    args = parser.parse_args(argv)
    rows = load_polnear(args.train)
    if args.first:
        rows = rows[: args.first]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    windows = label_windows(rows, TokenHead(None))  # the encoder only
    print(f"{len(windows):,} windows", flush=True)
    model = fit_head(windows, epochs=args.epochs, lr=args.lr, bf16=not args.no_bf16)
    if args.save_torch:
        torch.save(model.state_dict(), args.save_torch)
    diff = export_head(model, out / "head.onnx")
    print(f"wrote {out / 'head.onnx'} (max |logit| difference to torch {diff:.4f})")
    if args.weights:
        npz = out / "attribution.npz"
        with np.load(npz) as z:
            weights = {k: z[k] for k in z.files}
        weights.update(
            head_cue_weight=np.float32(HEAD_CUE_WEIGHT),
            head_role_weight=np.float32(HEAD_ROLE_WEIGHT),
            cue_threshold=np.float32(HEAD_CUE_THRESHOLD),
        )
        np.savez_compressed(npz, **weights)
        print(f"added head weights to {npz}")


if __name__ == "__main__":
    main()

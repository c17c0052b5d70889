"""Turning PTC articles into training windows with BIO, per-token technique and span targets."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from ..model.alignment import (
    Window,
    best_window,
    char_span_to_tokens,
    line_windows,
    make_windows,
    tokenize,
    window_ids,
)
from ..model.features import normalize_phrase, span_text_features
from ..ptc.io import PtcCorpus, TcRow
from ..ptc.metrics import merge_intervals
from ..techniques import TECHNIQUE_IDS

TECH_INDEX = {t: i for i, t in enumerate(TECHNIQUE_IDS)}


@dataclass
class TrainWindow:
    article_id: str
    ids: np.ndarray  # [L+2] with CLS/SEP
    bio: np.ndarray  # [L+2], -100 at CLS/SEP
    tech: np.ndarray  # [L+2, K]
    spans: list[tuple[int, int, int, np.ndarray]] = field(default_factory=list)  # ra, rb, label, text feats
    labelled: bool = True  # False: unlabeled news, learned from the teacher's soft targets only
    soft_bio: np.ndarray | None = None  # [L+2, 3] teacher probabilities (distillation), zeros at CLS/SEP
    soft_tech: np.ndarray | None = None  # [L+2, K]


# Teacher outputs of one text, on the teacher's own tokens:
# (char offsets [m, 2], P(O,B,I) [m, 3], P(technique) [m, K]).
TeacherOutput = tuple[np.ndarray, np.ndarray, np.ndarray]


def transfer_token_probs(
    src_offsets: np.ndarray, src_probs: np.ndarray, dst_offsets: np.ndarray
) -> np.ndarray:
    """Probabilities on another tokenization of the same text: each destination token takes the mean over
    the source tokens its characters overlap (teacher and student tokenizers differ; characters do not)."""
    out = np.zeros((len(dst_offsets), src_probs.shape[1]), dtype=np.float32)
    if len(src_offsets) == 0:
        return out
    lo = np.searchsorted(src_offsets[:, 1], dst_offsets[:, 0], side="right")
    hi = np.searchsorted(src_offsets[:, 0], dst_offsets[:, 1], side="left")
    for i, (a, b) in enumerate(zip(lo, hi, strict=False)):
        if b > a:
            out[i] = src_probs[a:b].mean(axis=0)
        elif a < len(src_probs):  # no overlap (whitespace-only difference): nearest token to the right
            out[i] = src_probs[min(a, len(src_probs) - 1)]
    return out


def split_by_article(
    ids: list[str], *, val_fraction: float = 0.15, seed: int = 13
) -> tuple[list[str], list[str]]:
    """A fixed, seeded article-level split: (train ids, validation ids), both sorted."""
    ids = sorted(ids)
    rng = random.Random(seed)
    shuffled = ids[:]
    rng.shuffle(shuffled)
    n_val = max(1, round(len(ids) * val_fraction))
    val = sorted(shuffled[:n_val])
    train = sorted(shuffled[n_val:])
    return train, val


def jittered_windows(n_tokens: int, *, size: int, offset: int, min_size: int = 16) -> list[Window]:
    """Windows of ``size`` tokens whose cut points are shifted by ``offset``: the first window is
    ``[0, offset)``, the last is a full one ending at the end (it may overlap its neighbour).
    Drawing a new offset every epoch shows each token with different
    left/right context instead of always at the same window position (a fixed cut leaves the tokens
    near it with one-sided context in every epoch)."""
    if n_tokens <= size or offset < min_size or offset >= size:
        return make_windows(n_tokens, size=size, stride=size)
    out = [Window(0, offset)] + [Window(s, min(s + size, n_tokens)) for s in range(offset, n_tokens, size)]
    if out[-1].end_token - out[-1].start_token < min_size:  # a sliver at the end: a full last window instead
        out[-1] = Window(n_tokens - size, n_tokens)
    return out


def article_windows(
    article_id: str,
    text: str,
    rows: list[TcRow],
    tokenizer,
    *,
    size: int,
    stride: int,
    cls_id: int = 101,
    sep_id: int = 102,
    offset: int = 0,
    windowing: str = "stride",
    teacher: TeacherOutput | None = None,
    labelled: bool = True,
) -> list[TrainWindow]:
    """Training windows of one article (``offset`` > 0: :func:`jittered_windows` instead of a fixed stride;
    ``windowing="lines"``: one window per line, as the detector reads it). ``teacher`` adds soft targets;
    ``labelled=False`` marks an article without gold labels (unlabeled news for distillation)."""
    tk = tokenize(tokenizer, text)
    n = len(tk)
    K = len(TECHNIQUE_IDS)
    bio = np.zeros(n, dtype=np.int64)
    tech = np.zeros((n, K), dtype=np.float32)
    for s, e in merge_intervals((r.start, r.end) for r in rows):
        tr = char_span_to_tokens(tk.offsets, s, e)
        if tr:
            bio[tr[0]] = 1
            bio[tr[0] + 1 : tr[1]] = 2
    for r in rows:
        tr = char_span_to_tokens(tk.offsets, r.start, r.end)
        if tr:
            tech[tr[0] : tr[1], TECH_INDEX[str(r.technique)]] = 1.0
    if windowing == "lines":
        wins = line_windows(tk, text, size=size)
    elif offset:
        wins = jittered_windows(n, size=size, offset=offset)
    else:
        wins = make_windows(n, size=size, stride=stride)
    soft = None
    if teacher is not None:
        soft = (
            transfer_token_probs(teacher[0], teacher[1], tk.offsets),
            transfer_token_probs(teacher[0], teacher[2], tk.offsets),
        )
    out = []
    for w in wins:
        ids = window_ids(tk, w, cls_id, sep_id)
        wb = np.full(len(ids), -100, dtype=np.int64)
        if labelled:
            wb[1:-1] = bio[w.start_token : w.end_token]
        wt = np.zeros((len(ids), K), dtype=np.float32)
        wt[1:-1] = tech[w.start_token : w.end_token]
        tw = TrainWindow(article_id, ids, wb, wt, labelled=labelled)
        if soft is not None:
            tw.soft_bio = np.zeros((len(ids), 3), dtype=np.float32)
            tw.soft_bio[1:-1] = soft[0][w.start_token : w.end_token]
            tw.soft_tech = np.zeros((len(ids), K), dtype=np.float32)
            tw.soft_tech[1:-1] = soft[1][w.start_token : w.end_token]
        out.append(tw)
    norm = normalize_phrase(text)
    for r in rows:
        tr = char_span_to_tokens(tk.offsets, r.start, r.end)
        if not tr:
            continue
        bw = best_window(wins, *tr)
        if bw is None:
            continue
        wi, ra, rb = bw
        out[wi].spans.append(
            (ra, rb, TECH_INDEX[str(r.technique)], span_text_features(text, r.start, r.end, norm_text=norm))
        )
    return out


def corpus_windows(
    corpus: PtcCorpus,
    ids: list[str],
    tokenizer,
    *,
    size: int,
    stride: int,
    jitter_seed: int | None = None,
    windowing: str = "stride",
    cls_id: int = 101,
    sep_id: int = 102,
    teacher: dict[str, TeacherOutput] | None = None,
    unlabeled: dict[str, str] | None = None,
) -> list[TrainWindow]:
    """Windows of every article; with ``jitter_seed``, each article's cut points are shifted by a random
    offset drawn from that seed (one draw per article, reproducible)."""
    rng = random.Random(jitter_seed)
    out: list[TrainWindow] = []
    for a in ids:
        offset = rng.randrange(size) if jitter_seed is not None else 0
        out.extend(
            article_windows(
                a,
                corpus.articles[a],
                corpus.spans[a],
                tokenizer,
                size=size,
                stride=stride,
                offset=offset,
                windowing=windowing,
                cls_id=cls_id,
                sep_id=sep_id,
                teacher=(teacher or {}).get(a),
            )
        )
    for a, text in sorted((unlabeled or {}).items()):
        if teacher is None or a not in teacher:
            continue  # unlabeled text without teacher targets teaches nothing
        out.extend(
            article_windows(
                a,
                text,
                [],
                tokenizer,
                size=size,
                stride=stride,
                windowing=windowing,
                cls_id=cls_id,
                sep_id=sep_id,
                teacher=teacher[a],
                labelled=False,
            )
        )
    return out


def length_batches(windows: list[TrainWindow], batch_size: int, seed: int) -> list[list[int]]:
    """Batches of similar-length windows, in random order: line windows range from 3 to 130 tokens, and
    padding a 10-token line to its batch's longest would waste most of the encoder's work."""
    rng = random.Random(seed)
    order = list(range(len(windows)))
    rng.shuffle(order)
    # Sort within chunks of 50 batches: lengths are close inside a batch, batches still vary per epoch.
    chunk = batch_size * 50
    batches: list[list[int]] = []
    for c in range(0, len(order), chunk):
        part = sorted(order[c : c + chunk], key=lambda i: len(windows[i].ids))
        batches.extend(part[b : b + batch_size] for b in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches

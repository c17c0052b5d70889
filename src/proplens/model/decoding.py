"""From per-token probabilities to character spans and technique labels (numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DecodeConfig",
    "softmax",
    "sigmoid",
    "decode_token_runs",
    "decode_technique_runs",
    "span_head_forward",
]


@dataclass(frozen=True)
class DecodeConfig:
    """Thresholds tuned on the validation split (stored in the model's config.json)."""

    span_threshold: float = 0.5  # P(B)+P(I) a token needs to be inside a span
    join_gap: int = 1  # join two runs separated by at most this many tokens (non-sentence-final)
    multi_label_threshold: float = 0.35  # extra techniques on the same span above this probability
    min_span_score: float = 0.0
    tech_token_weight: float = 0.0  # mix of per-token technique probabilities into the span classifier's
    tech_span_threshold: float = (
        1.01  # > 1: off; else also emit runs of tokens whose technique probability passes it
    )
    # The labelled (technique) spans are decoded with their own span threshold and gap: the best merged
    # spans for span identification (SI) are longer than the best spans to label (end-to-end).
    repetition_rule: bool = (
        False  # a found phrase that recurs in the article marks every occurrence as Repetition
    )
    label_span_threshold: float | None = None  # None: same as span_threshold
    label_join_gap: int | None = None  # None: same as join_gap
    # Hysteresis ("seed and grow"): a run of tokens above span_threshold is kept only if at least one of
    # its tokens reaches this peak probability; 0 keeps every run. A low span threshold then draws the
    # full extent of a confident span while isolated weak runs are dropped (validation SI F1 0.384 ->
    # 0.41 with the 0.1.0 model, the same gain over a wide plateau of settings).
    span_peak_threshold: float = 0.0
    label_peak_threshold: float | None = None  # None: same as span_peak_threshold
    # "Possible" passages: token runs at this lower P(inside) that no confident span touches, labelled
    # like the others. They are shown apart from the confident ones (a fact-checker would rather see a
    # possible "notorious terror group" than nothing) and never enter the PTC label files.
    possible_threshold: float = 0.2

    def for_labels(self) -> DecodeConfig:
        from dataclasses import replace

        return replace(
            self,
            span_threshold=self.span_threshold
            if self.label_span_threshold is None
            else self.label_span_threshold,
            join_gap=self.join_gap if self.label_join_gap is None else self.label_join_gap,
            span_peak_threshold=self.span_peak_threshold
            if self.label_peak_threshold is None
            else self.label_peak_threshold,
        )


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def decode_token_runs(
    p_bio: np.ndarray, cfg: DecodeConfig, *, breaks: np.ndarray | None = None
) -> list[tuple[int, int, float]]:
    """Token runs [a, b) with their mean inside-probability.

    A token is inside when P(B)+P(I) >= threshold; a token whose P(B) beats P(I) starts a new run.
    Runs separated by at most ``join_gap`` outside tokens are joined unless a ``breaks`` token
    (e.g. a sentence end) lies between them. Joined runs whose best token stays below
    ``span_peak_threshold`` are dropped.
    """
    n = len(p_bio)
    if n == 0:
        return []
    p_in = p_bio[:, 1] + p_bio[:, 2]
    inside = p_in >= cfg.span_threshold
    runs: list[list[int]] = []
    for i in range(n):
        if not inside[i]:
            continue
        new = not runs or runs[-1][1] != i or p_bio[i, 1] > p_bio[i, 2] + 0.25
        if new:
            runs.append([i, i + 1])
        else:
            runs[-1][1] = i + 1
    if cfg.join_gap > 0 and len(runs) > 1:
        joined = [runs[0]]
        for a, b in runs[1:]:
            gap = a - joined[-1][1]
            crosses = breaks is not None and bool(breaks[joined[-1][1] - 1 : a].any())
            if gap <= cfg.join_gap and not crosses:
                joined[-1][1] = b
            else:
                joined.append([a, b])
        runs = joined
    if cfg.span_peak_threshold > 0:
        runs = [r for r in runs if p_in[r[0] : r[1]].max() >= cfg.span_peak_threshold]
    return [(a, b, float(p_in[a:b].mean())) for a, b in runs]


def _join(runs: list[list[int]], join_gap: int, breaks: np.ndarray | None) -> list[list[int]]:
    if join_gap <= 0 or len(runs) < 2:
        return runs
    joined = [runs[0]]
    for a, b in runs[1:]:
        gap = a - joined[-1][1]
        crosses = breaks is not None and bool(breaks[joined[-1][1] - 1 : a].any())
        if gap <= join_gap and not crosses:
            joined[-1][1] = b
        else:
            joined.append([a, b])
    return joined


def decode_technique_runs(
    p_tech: np.ndarray, threshold: float, *, join_gap: int = 0, breaks: np.ndarray | None = None
) -> list[tuple[int, int, int, float]]:
    """Per technique k, runs [a, b) of tokens with P(technique k) >= threshold: (a, b, k, mean probability).

    Short spans of one technique nested in a longer span of another (a loaded word inside a doubtful
    sentence) survive here, while the merged span tagger sees only one stretch.
    """
    out: list[tuple[int, int, int, float]] = []
    if threshold > 1 or len(p_tech) == 0:
        return out
    for k in range(p_tech.shape[1]):
        on = np.flatnonzero(p_tech[:, k] >= threshold)
        if len(on) == 0:
            continue
        runs: list[list[int]] = []
        for i in on.tolist():
            if runs and runs[-1][1] == i:
                runs[-1][1] = i + 1
            else:
                runs.append([i, i + 1])
        for a, b in _join(runs, join_gap, breaks):
            out.append((a, b, k, float(p_tech[a:b, k].mean())))
    return out


_blas_controller = None


def single_threaded_blas():
    """A context in which numpy's BLAS runs on the calling thread only.

    The span head's matrices are small (a few dozen spans x 1544 features): OpenBLAS splits them over
    all cores anyway, and its threads then wait for cores that ONNX Runtime, spaCy or another worker
    are using. Measured on 2 cores with the encoder busy: 60 ms per article's span-head call with
    the default BLAS threads, 0.7 ms with one. A context rather than a global setting, so the user's
    own numpy code keeps its threads.
    """
    global _blas_controller
    try:
        if _blas_controller is None:
            from threadpoolctl import ThreadpoolController

            _blas_controller = ThreadpoolController()
        return _blas_controller.limit(limits=1, user_api="blas")
    except ImportError:  # threadpoolctl is a dependency; stay correct (if slower) without it
        import contextlib

        return contextlib.nullcontext()


def span_head_forward(weights: dict[str, np.ndarray], feats: np.ndarray) -> np.ndarray:
    """The span classifier (Linear -> tanh -> Linear) in numpy; returns class probabilities."""
    with single_threaded_blas():
        h = np.tanh(feats @ weights["w1"].T + weights["b1"])
        return softmax(h @ weights["w2"].T + weights["b2"])

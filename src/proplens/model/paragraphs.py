"""Which techniques each paragraph uses: a small classifier stacked on the detector's own outputs.

A reader scanning an article asks "what does this paragraph do?" more often than "where exactly does
this phrase start?". Read off the labelled spans alone, that answer misses every technique whose span
fell just under the span threshold or was labelled with its runner-up technique. This module scores
each (paragraph, technique) pair from evidence the detector already computed — the labelled spans, the
span classifier's full distribution over every found and possible passage, the token-level technique
head, and the neighbouring paragraphs — with one logistic model per model folder (``config.json``,
key ``"paragraphs"``), fitted on the out-of-fold predictions of the model's own training recipe
(:mod:`proplens.training.paragraphs`), so the scores are probabilities on unseen articles.

A paragraph is one line of the article with at least one token (news articles put one paragraph on a
line; the PTC annotators read spans in that context).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["RAW_FEATURES", "ParagraphModel", "paragraph_bounds", "paragraph_design", "paragraph_evidence"]

# Per (paragraph, technique) evidence, in design-matrix order after the technique one-hot.
RAW_FEATURES = (
    "labelled_span_score",  # best labelled span of this technique in the paragraph (0: none)
    "classifier_prob",  # max over found spans in the paragraph of P(inside) * P(technique | span)
    "possible_score",  # best possible (lower-confidence) passage of this technique in the paragraph
    "token_max",  # max over the paragraph's tokens of P(inside) * P(technique) (token head)
    "token_mean",  # mean of the same over the paragraph's tokens
    "labelled_count",  # labelled spans of this technique in the paragraph
    "any_classifier_prob",  # max over techniques of classifier_prob: is anything here at all?
    "inside_max",  # max P(inside) over the paragraph's tokens
    "inside_mean",
    "log_tokens",  # log(1 + tokens in the paragraph)
    "neighbour_classifier_prob",  # classifier_prob of the same technique in the previous/next paragraph
    "article_token_max",  # token_max of the same technique anywhere in the article
)

Labelled = Sequence[tuple[int, int, str, float]]
Found = Sequence[tuple[int, int, float]]


def paragraph_bounds(text: str, token_offsets: np.ndarray) -> list[tuple[int, int, int, int]]:
    """``(start, end, first_token, end_token)`` of every line of ``text`` that holds a token."""
    starts = token_offsets[:, 0] if len(token_offsets) else np.zeros(0, dtype=np.int64)
    out = []
    pos = 0
    for line in text.split("\n"):
        s, e = pos, pos + len(line)
        pos = e + 1
        a, b = int(np.searchsorted(starts, s, "left")), int(np.searchsorted(starts, e, "left"))
        if b > a:
            out.append((s, e, a, b))
    return out


def paragraph_evidence(
    text: str,
    token_offsets: np.ndarray,
    p_bio: np.ndarray,
    p_tech: np.ndarray,
    techniques: Sequence[str],
    labelled: Labelled,
    found: Found,
    found_probs: np.ndarray,
    possible: Labelled,
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Paragraph bounds and the raw evidence array ``[paragraphs, K, len(RAW_FEATURES)]``.

    ``labelled``: the detector's technique-labelled spans (uncalibrated scores); ``found`` with
    ``found_probs``: the spans the labels were read from and the span classifier's distribution for each;
    ``possible``: the lower-confidence passages (uncalibrated).
    """
    K = len(techniques)
    index = {t: k for k, t in enumerate(techniques)}
    bounds = paragraph_bounds(text, token_offsets)
    P = len(bounds)
    ev = np.zeros((P, K, len(RAW_FEATURES)), dtype=np.float64)
    if not P:
        return [], ev
    pin = 1.0 - p_bio[:, 0]
    tok = pin[:, None] * p_tech
    line_starts = np.array([b[0] for b in bounds])

    def lines_of(s: int, e: int) -> range:
        # paragraphs [i, j) whose characters the span [s, e) overlaps
        i = max(int(np.searchsorted(line_starts, s, "right")) - 1, 0)
        j = int(np.searchsorted(line_starts, e, "left"))
        return range(i, max(j, i + 1))

    for s, e, t, q in labelled:
        for i in lines_of(s, e):
            if s < bounds[i][1] and e > bounds[i][0] and t in index:
                ev[i, index[t], 0] = max(ev[i, index[t], 0], q)
                ev[i, index[t], 5] += 1
    for (s, e, q), probs in zip(found, found_probs, strict=True):
        for i in lines_of(s, e):
            if s < bounds[i][1] and e > bounds[i][0]:
                ev[i, :, 1] = np.maximum(ev[i, :, 1], q * probs)
    for s, e, t, q in possible:
        for i in lines_of(s, e):
            if s < bounds[i][1] and e > bounds[i][0] and t in index:
                ev[i, index[t], 2] = max(ev[i, index[t], 2], q)
    for i, (_s, _e, a, b) in enumerate(bounds):
        ev[i, :, 3] = tok[a:b].max(axis=0)
        ev[i, :, 4] = tok[a:b].mean(axis=0)
        ev[i, :, 7] = pin[a:b].max()
        ev[i, :, 8] = pin[a:b].mean()
        ev[i, :, 9] = np.log1p(b - a)
    ev[:, :, 6] = ev[:, :, 1].max(axis=1, keepdims=True)
    cls = ev[:, :, 1]
    neighbour = np.zeros_like(cls)
    neighbour[1:] = cls[:-1]
    neighbour[:-1] = np.maximum(neighbour[:-1], cls[1:])
    ev[:, :, 10] = neighbour
    ev[:, :, 11] = ev[:, :, 3].max(axis=0, keepdims=True)
    return [(s, e) for s, e, _a, _b in bounds], ev


def paragraph_design(evidence: np.ndarray) -> np.ndarray:
    """The logistic model's inputs ``[paragraphs * K, 2K + R]``: technique one-hot (a prior per
    technique), the raw evidence, and the span classifier's probability per technique (its weight
    differs by technique: the classifier is sure of loaded language and unsure of rare techniques)."""
    P, K, R = evidence.shape
    onehot = np.tile(np.eye(K), (P, 1))
    raw = evidence.reshape(P * K, R)
    return np.hstack([onehot, raw, onehot * raw[:, 1:2]])


@dataclass(frozen=True)
class ParagraphModel:
    """Logistic weights over :func:`paragraph_design` and the probability at or above which a
    technique is reported for a paragraph (chosen on held-out articles; see the model card)."""

    coef: np.ndarray
    intercept: float
    threshold: float

    def predict_proba(self, evidence: np.ndarray) -> np.ndarray:
        """``[paragraphs, K]`` probabilities that an annotator marked each technique in each paragraph."""
        P, K, _R = evidence.shape
        if not P:
            return np.zeros((0, K))
        z = paragraph_design(evidence) @ self.coef + self.intercept
        return (1.0 / (1.0 + np.exp(-z))).reshape(P, K)

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": ["technique_prior"] + list(RAW_FEATURES) + ["technique_x_classifier_prob"],
            "coef": [round(float(x), 6) for x in self.coef],
            "intercept": round(float(self.intercept), 6),
            "threshold": float(self.threshold),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ParagraphModel:
        return cls(np.asarray(d["coef"], dtype=np.float64), float(d["intercept"]), float(d["threshold"]))

"""Test helpers: a deterministic lexicon detector that satisfies the detector protocol.

It lets tests (and the other layers) run without a model file. It is *not* a model: it marks
a fixed list of words, so never use it to report quality.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .techniques import TECHNIQUE_IDS

__all__ = ["LexiconDetector", "LEXICON"]

LEXICON = {
    "disgraceful": "Loaded_Language",
    "reckless": "Loaded_Language",
    "disastrous": "Loaded_Language",
    "traitors": "Name_Calling,Labeling",
    "puppet": "Name_Calling,Labeling",
    "thugs": "Name_Calling,Labeling",
    "patriot": "Flag-Waving",
    "everyone knows": "Bandwagon,Reductio_ad_hitlerum",
    "the worst ever": "Exaggeration,Minimisation",
    "destroy": "Appeal_to_fear-prejudice",
}


class _Tokens:
    def __init__(self, offsets: np.ndarray):
        self.offsets = offsets


@dataclass
class _Pred:
    text: str
    tokens: _Tokens
    p_inside: np.ndarray
    spans: list = field(default_factory=list)
    possible_spans: list = field(default_factory=list)


class LexiconDetector:
    """Marks the words of :data:`LEXICON` (case-insensitive, whole words).

    Parameters
    ----------
    possible : dict, optional
        ``{phrase: (technique id, score)}``: phrases reported as lower-confidence "possible" passages
        (``possible_spans``) with that score, where no confident span overlaps them.
    """

    techniques = TECHNIQUE_IDS
    possible: dict = {}

    def __init__(self, possible: dict | None = None) -> None:
        self.possible = dict(possible or {})

    def encode(self, texts: Sequence[str]) -> list[_Pred]:
        out = []
        for t in texts:
            offs = np.array(
                [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", t)], dtype=np.int64
            ).reshape(-1, 2)
            p = np.zeros(len(offs), dtype=np.float32)
            out.append(_Pred(t, _Tokens(offs), p))
        return out

    def predict(self, texts: Sequence[str]) -> list[_Pred]:
        preds = self.encode(texts)
        for pred in preds:
            low = pred.text.lower()
            for phrase, tech in LEXICON.items():
                for m in re.finditer(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", low):
                    pred.spans.append((m.start(), m.end(), tech, 0.9))
                    offs = pred.tokens.offsets
                    inside = (offs[:, 0] >= m.start()) & (offs[:, 1] <= m.end())
                    pred.p_inside[inside] = 0.9
            pred.spans.sort()
            for phrase, (tech, score) in self.possible.items():
                for m in re.finditer(r"(?<!\w)" + re.escape(phrase.lower()) + r"(?!\w)", low):
                    if not any(s < m.end() and m.start() < e for s, e, _t, _p in pred.spans):
                        pred.possible_spans.append((m.start(), m.end(), tech, score))
            pred.possible_spans.sort()
        return preds

    def classify(self, pred: _Pred, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        probs = np.full((len(spans), len(TECHNIQUE_IDS)), 0.01, dtype=np.float32)
        for i, (s, e) in enumerate(spans):
            tech = LEXICON.get(pred.text[s:e].lower().strip(), "Loaded_Language")
            probs[i, TECHNIQUE_IDS.index(tech)] = 0.87
        return probs / probs.sum(axis=1, keepdims=True)

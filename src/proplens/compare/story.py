"""Link analyses that cover the same story: one normalised vector per article, compared by cosine.

The vector is the normalised mean of the article's sentence embeddings (first ``max_sentences``
sentences, where the story's core usually sits). A store can keep it beside each analysis and link
two articles when :func:`same_story_score` passes ``SAME_STORY_THRESHOLD``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..text import split_sentences

__all__ = ["story_embedding", "same_story_score", "find_same_story", "SAME_STORY_THRESHOLD"]

SAME_STORY_THRESHOLD = 0.75


def story_embedding(text: str, *, max_sentences: int = 40, embed: Callable | None = None) -> np.ndarray:
    """A unit vector (384 floats) that represents what an article is about.

    Parameters
    ----------
    text : str
    max_sentences : int, default=40
    embed : callable, optional
        Sentence encoder (default :func:`proplens.compare.embed`).
    """
    if embed is None:
        from .encoder import embed as default_embed

        embed = default_embed
    sents = [text[s:e] for s, e in split_sentences(text)][:max_sentences] or [text[:2000]]
    v = np.asarray(embed(sents), dtype=np.float32).mean(axis=0)
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def same_story_score(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two story embeddings (1.0 = same content)."""
    return float(np.dot(a, b))


def find_same_story(
    vector: np.ndarray,
    candidates: Sequence[tuple[str, np.ndarray]],
    *,
    threshold: float = SAME_STORY_THRESHOLD,
) -> list[tuple[str, float]]:
    """Candidates (id, vector) whose story embedding is at least ``threshold`` similar, best first."""
    scored = [(cid, same_story_score(vector, v)) for cid, v in candidates]
    return sorted([x for x in scored if x[1] >= threshold], key=lambda x: -x[1])

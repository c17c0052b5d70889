"""Same-story comparison across outlets: align versions sentence by sentence and show what each adds,
drops and changes (propaganda spans, sources, named entities, numbers).

Nothing heavy is imported here; onnxruntime and spaCy load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "CompareInput",
    "Comparison",
    "compare",
    "embed",
    "comparison_to_html",
    "comparison_to_text",
    "load_versions",
    "story_embedding",
    "find_same_story",
    "same_story_score",
    "SAME_STORY_THRESHOLD",
]

if TYPE_CHECKING:  # pragma: no cover
    from .comparison import CompareInput, Comparison, compare
    from .encoder import embed
    from .inputs import load_versions
    from .render import comparison_to_html, comparison_to_text
    from .story import SAME_STORY_THRESHOLD, find_same_story, same_story_score, story_embedding

_LAZY = {
    "CompareInput": "comparison",
    "Comparison": "comparison",
    "compare": "comparison",
    "embed": "encoder",
    "comparison_to_html": "render",
    "comparison_to_text": "render",
    "load_versions": "inputs",
    "story_embedding": "story",
    "find_same_story": "story",
    "same_story_score": "story",
    "SAME_STORY_THRESHOLD": "story",
}


def __getattr__(name):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'proplens.compare' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{mod}"), name)

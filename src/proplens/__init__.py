"""proplens: find, label and explain propaganda techniques in news articles.

>>> import proplens
>>> analysis = proplens.analyze("They are traitors who will destroy everything we love.")  # doctest: +SKIP

``import proplens`` is cheap: onnxruntime, tokenizers and friends load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .analysis import Analysis as Analysis
from .analysis import Attribution as Attribution
from .analysis import Paragraph as Paragraph
from .analysis import Sentence as Sentence
from .analysis import Span as Span
from .errors import ProplensError as ProplensError
from .techniques import TECHNIQUES as TECHNIQUES
from .techniques import Technique as Technique
from .techniques import get_technique as get_technique

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .analyzer import Analyzer as Analyzer
    from .analyzer import analyze as analyze
    from .analyzer import load as load
    from .analyzer import use_analyzer as use_analyzer

__all__ = [
    "analyze",
    "load",
    "use_analyzer",
    "Analyzer",
    "Analysis",
    "Span",
    "Sentence",
    "Paragraph",
    "Attribution",
    "Technique",
    "TECHNIQUES",
    "get_technique",
    "ProplensError",
    "__version__",
]


def __getattr__(name: str):
    if name in (
        "analyze",
        "load",
        "Analyzer",
        "use_analyzer",
        "get_default_analyzer",
        "clear_default_analyzer",
    ):
        from . import analyzer

        return getattr(analyzer, name)
    raise AttributeError(f"module 'proplens' has no attribute {name!r}")

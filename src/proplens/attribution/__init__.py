"""Source attribution: who an article's claims are attributed to (source, cue, content, chains).

Heavy dependencies (spaCy, the tagger weights) load on first use, not at import.
"""

from __future__ import annotations

import threading

from .sources import SOURCE_TYPES as SOURCE_TYPES
from .sources import source_type as source_type

__all__ = ["get_default_attributor", "clear_default_attributor", "attribute", "Attributor", "SOURCE_TYPES", "source_type"]

_DEFAULT = None
_LOCK = threading.Lock()


def __getattr__(name):
    if name == "Attributor":
        from .pipeline import Attributor

        return Attributor
    raise AttributeError(name)


def get_default_attributor():
    """The shared :class:`~proplens.attribution.pipeline.Attributor` (spaCy and weights loaded once).

    Raises
    ------
    ImportError
        When spaCy is not installed (the analyzer's ``attribution="auto"`` then skips attribution).
    """
    global _DEFAULT
    if _DEFAULT is None:
        with _LOCK:
            if _DEFAULT is None:
                import spacy  # noqa: F401  (ImportError tells the analyzer the extra is missing)

                from .pipeline import Attributor

                a = Attributor()
                a._ensure()
                _DEFAULT = a
    return _DEFAULT


def clear_default_attributor() -> None:
    """Forget the cached default attributor."""
    global _DEFAULT
    _DEFAULT = None


def attribute(text: str):
    """Attributions of one text with the default attributor.

    Parameters
    ----------
    text : str
        Article text; every span indexes it.

    Returns
    -------
    list of proplens.analysis.Attribution
    """
    from ..text import check_text

    return get_default_attributor()(check_text(text))

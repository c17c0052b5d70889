"""Source attribution: who an article's claims are attributed to (source, cue, content, chains).

Heavy dependencies (spaCy, the tagger weights) load on first use, not at import.
"""

from __future__ import annotations

import threading

from .sources import SOURCE_TYPES as SOURCE_TYPES
from .sources import source_type as source_type

__all__ = [
    "make_attributor",
    "get_default_attributor",
    "clear_default_attributor",
    "attribute",
    "Attributor",
    "SOURCE_TYPES",
    "source_type",
]

_DEFAULT = None
_LOCK = threading.Lock()


def __getattr__(name):
    if name == "Attributor":
        from .pipeline import Attributor

        return Attributor
    raise AttributeError(name)


def make_attributor():
    """A new :class:`~proplens.attribution.pipeline.Attributor` with spaCy and its weights loaded now.

    An application makes one and passes it to every analyzer that should share it
    (``Analyzer(attributor=...)``); an analyzer given none makes its own on first use.

    Raises
    ------
    ImportError
        When spaCy is not installed (the analyzer's ``attribution="auto"`` then skips attribution).
    """
    import spacy  # noqa: F401  (ImportError tells the analyzer the extra is missing)

    from .pipeline import Attributor

    a = Attributor()
    a._ensure()
    return a


def get_default_attributor():
    """The attributor of :func:`attribute` (the convenience function), made on first use.

    Raises
    ------
    ImportError
        When spaCy is not installed.
    """
    global _DEFAULT
    if _DEFAULT is None:
        with _LOCK:
            if _DEFAULT is None:
                _DEFAULT = make_attributor()
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

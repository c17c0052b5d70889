"""HTML to article text for batch input: :func:`proplens.inputs.html_to_text` (kept here for old imports).

trafilatura when installed, else the standard-library extractor with the warning [W003] (see
:mod:`proplens.inputs`).
"""

from __future__ import annotations

from ..inputs import html_to_text, simple_html_to_text

__all__ = ["html_to_text", "simple_html_to_text"]

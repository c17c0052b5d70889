"""HTML to article text for batch input.

Uses :func:`proplens.fetch.html_to_text` (trafilatura) when it is available, and a small stdlib
extractor otherwise (visible text of block elements; scripts, styles and navigation dropped).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "simple_html_to_text"]

_SKIP = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "head"}
_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "article", "section", "tr", "pre"}


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


def simple_html_to_text(html: str) -> tuple[str, str | None]:
    """Visible text and ``<title>`` of an HTML page, with the standard library only.

    Examples
    --------
    >>> simple_html_to_text("<html><title>T</title><body><p>One.</p><script>x</script><p>Two.</p></body></html>")
    ('One.\\n\\nTwo.', 'T')
    """
    p = _Extractor()
    p.feed(html)
    p.close()
    text = "".join(p.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    title = re.sub(r"\s+", " ", "".join(p.title)).strip() or None
    return text, title


def html_to_text(html: str, *, url: str | None = None) -> tuple[str, str | None]:
    """Article text and title of an HTML page (trafilatura via :mod:`proplens.fetch` when installed)."""
    try:
        from ..fetch import html_to_text as _fetch_html_to_text
    except ImportError:
        return simple_html_to_text(html)
    try:
        text, title = _fetch_html_to_text(html, url=url)
    except ImportError:
        return simple_html_to_text(html)
    return text or "", title

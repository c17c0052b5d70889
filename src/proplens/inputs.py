"""One way in for an article: text, bytes, a file or an HTML page become checked text (and a title).

:func:`read_article` is what the CLI, the API's uploads, batch rows and compare inputs call, so that every
surface decodes the same way (UTF-8, BOM-marked UTF-16, NUL bytes refused), recognises HTML the same way, and
raises the same coded errors. Offsets of a later analysis index the returned ``text`` exactly: for a text
input it is the input itself (no newline translation); for HTML it is the extracted article text.

HTML extraction uses trafilatura (the ``server`` extra) when installed. Without it the documented fallback is
:func:`simple_html_to_text` (standard library: visible text of block elements; scripts, styles, navigation,
headers and footers dropped) with the coded warning [W003]; ``extractor="trafilatura"`` refuses the fallback
with :class:`~proplens.errors.MissingExtraError` instead. Raw HTML is never returned as article text.
"""

from __future__ import annotations

import importlib.util
import os
import re
import warnings
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

from .errors import Errors, MissingExtraError, NoArticleTextError, Warnings
from .text import DEFAULT_MAX_CHARS, LIMIT_KNOB, check_text, decode_bytes, read_text_file

__all__ = ["Article", "read_article", "html_to_text", "simple_html_to_text", "looks_like_html"]

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Article:
    """An article read by :func:`read_article`.

    Attributes
    ----------
    text : str
        The article text (offsets index it).
    title : str or None
        The page's title for HTML input.
    is_html : bool
        Whether the input was HTML (``text`` is then the extracted article).
    extractor : str or None
        ``"trafilatura"`` or ``"simple"`` for HTML input.
    """

    text: str
    title: str | None = None
    is_html: bool = False
    extractor: str | None = None


def looks_like_html(text: str) -> bool:
    """Whether ``text`` starts like an HTML document (``<!doctype html`` or ``<html``).

    Examples
    --------
    >>> looks_like_html("  <!DOCTYPE html><html><p>Hi</p></html>"), looks_like_html("x < y and <html> later")
    (True, False)
    """
    return text.lstrip()[:200].lower().startswith(("<!doctype html", "<html"))


def read_article(
    source: str | bytes | bytearray | os.PathLike,
    *,
    kind: Literal["auto", "text", "html"] = "auto",
    name: str | None = None,
    content_type: str | None = None,
    url: str | None = None,
    extractor: Literal["auto", "trafilatura", "simple"] = "auto",
    check: bool = True,
    max_chars: int = DEFAULT_MAX_CHARS,
    knob: str = LIMIT_KNOB,
) -> Article:
    """Read one article from text, bytes, a file path or HTML.

    Parameters
    ----------
    source : str, bytes or path-like
        A ``str`` is the article itself; ``bytes`` are decoded (UTF-8, or UTF-16 with a BOM); a
        :class:`~pathlib.Path` (any ``os.PathLike``) is a file read without newline translation.
    kind : {"auto", "text", "html"}, default="auto"
        "auto": HTML when ``name`` (or the path) ends in .html/.htm/.xhtml, when ``content_type`` is an HTML
        type, or, unless the name ends in .txt, when the text starts like an HTML document.
    name : str, optional
        The file name (uploads); a path's own name is used when not given.
    content_type : str, optional
        The declared media type (uploads).
    url : str, optional
        The page's address, which helps HTML extraction.
    extractor : {"auto", "trafilatura", "simple"}, default="auto"
        "auto": trafilatura when installed, else :func:`simple_html_to_text` with the warning [W003].
    check : bool, default=True
        Validate the text as :func:`~proplens.text.check_text` does (empty [P001], too long [P005]); for HTML,
        no extracted text is [P029]. With False the caller checks.
    max_chars : int
        Longest accepted text when ``check``.
    knob : str
        The setting that raises ``max_chars``, named by the too-long message [P005].

    Returns
    -------
    Article

    Raises
    ------
    InputFileError
        [P011] A path that cannot be read or decoded.
    InvalidTextError
        [P004] Undecodable bytes; with ``check``: [P001] empty, [P005] too long (``TextTooLongError``),
        [P029] HTML without article text (``NoArticleTextError``).
    MissingExtraError
        [P022] ``extractor="trafilatura"`` without trafilatura.

    Examples
    --------
    >>> read_article(b"\\xef\\xbb\\xbfA reckless plan.\\r\\n").text
    'A reckless plan.\\r\\n'
    >>> a = read_article("<html><title>T</title><p>One.</p></html>", extractor="simple")
    >>> a.text, a.title, a.is_html
    ('One.', 'T', True)
    """
    if isinstance(source, os.PathLike):
        path = Path(source)
        raw = read_text_file(path)
        name = name or path.name
        what = str(path)
    elif isinstance(source, (bytes, bytearray)):
        raw = decode_bytes(bytes(source))
        what = name or "the input"
    elif isinstance(source, str):
        raw = source
        what = name or "the input"
    else:
        raise TypeError(f"read_article() takes str, bytes or a path, not {type(source).__name__}")
    if kind == "auto":
        kind = "html" if _is_html(raw, name, content_type) else "text"
    if kind == "text":
        return Article(check_text(raw, max_chars=max_chars, knob=knob) if check else raw)
    if check and not raw.strip():
        check_text(raw)  # [P001]: an empty page is empty input, not a failed extraction
    text, title, used = _extract(raw, url=url, extractor=extractor, what=what)
    if check:
        if not text.strip():
            raise NoArticleTextError(Errors.P029.format(what=what))
        text = check_text(text, max_chars=max_chars, knob=knob)
    return Article(text, title, is_html=True, extractor=used)


def html_to_text(
    html: str, *, url: str | None = None, extractor: Literal["auto", "trafilatura", "simple"] = "auto"
) -> tuple[str, str | None]:
    """Article text and title of an HTML page (see :func:`read_article` for the extractor choice)."""
    text, title, _used = _extract(html, url=url, extractor=extractor, what=url or "the page")
    return text, title


def _is_html(text: str, name: str | None, content_type: str | None) -> bool:
    low = (name or "").lower()
    if low.endswith(HTML_SUFFIXES) or (content_type or "").lower().startswith(HTML_TYPES):
        return True
    return not low.endswith(".txt") and looks_like_html(text)


def has_trafilatura() -> bool:
    return importlib.util.find_spec("trafilatura") is not None


def _extract(html: str, *, url: str | None, extractor: str, what: str) -> tuple[str, str | None, str]:
    if extractor == "simple":
        return (*simple_html_to_text(html), "simple")
    if not has_trafilatura():
        if extractor == "trafilatura":
            raise MissingExtraError(
                Errors.P022.format(
                    what="Extracting article text from HTML", extra="server", module="trafilatura"
                )
            )
        warnings.warn(Warnings.W003.format(what=what), stacklevel=3)
        return (*simple_html_to_text(html), "simple")
    from .fetch import html_to_text as trafilatura_html_to_text

    text, title = trafilatura_html_to_text(html, url=url)
    return text or "", title, "trafilatura"


_SKIP = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "head"}
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "article",
    "section",
    "tr",
    "pre",
}


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
    >>> page = "<html><title>T</title><body><p>One.</p><script>x</script><p>Two.</p></body></html>"
    >>> simple_html_to_text(page)
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

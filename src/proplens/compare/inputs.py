"""Turn command-line arguments (files or URLs) into :class:`CompareInput` versions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..errors import CompareError, Errors
from ..inputs import read_article
from .comparison import CompareInput

__all__ = ["load_versions", "is_url"]

_URL = re.compile(r"^https?://", re.I)


def is_url(arg: str) -> bool:
    """Whether a command-line argument is an http(s) URL."""
    return bool(_URL.match(arg))


def _url_id(url: str) -> str:
    m = re.match(r"^https?://([^/]+)(/[^?#]*)?", url, re.I)
    host = m.group(1) if m else url
    tail = (m.group(2) or "").rstrip("/").rsplit("/", 1)[-1] if m else ""
    return f"{host}/{tail}" if tail else host


def load_versions(args: Sequence[str]) -> list[CompareInput]:
    """Read each argument as a text file (no newline translation) or fetch it when it is a URL.

    Ids are file stems, or host/last-path-part for URLs. ``.html`` files are converted to text.

    Raises
    ------
    CompareError
        When a URL is given but the fetcher is not available.
    InputFileError, FetchError
        When a file cannot be read or a URL cannot be fetched.
    """
    out = []
    for arg in args:
        if is_url(arg):
            try:
                from ..fetch import fetch_article
            except ImportError as exc:
                raise CompareError(
                    Errors.P026.format(
                        what=arg, reason=f"fetching URLs is not available in this build ({exc})"
                    )
                ) from None
            art = fetch_article(arg)
            out.append(CompareInput(_url_id(arg), art.text, getattr(art, "title", None)))
            continue
        p = Path(arg)
        article = read_article(p, check=False)
        text, title = article.text, article.title
        if not text.strip():
            raise CompareError(Errors.P026.format(what=arg, reason="it holds no text"))
        out.append(CompareInput(p.stem, text, title))
    return out

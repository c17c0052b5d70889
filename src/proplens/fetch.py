"""Fetch a news article from a URL, safely, and extract its text.

The guard refuses anything but http(s), and refuses hosts that resolve to loopback, private,
link-local, multicast, reserved or unspecified addresses, on the first request and on every
redirect. The connection goes to the address that was checked (no second DNS lookup that a
rebinding attack could answer differently); TLS still verifies the certificate for the host name.
Size and time are capped. Every refusal raises :class:`~proplens.errors.FetchError` with a
message that says why.

``httpx`` and ``trafilatura`` are imported on first use (install ``proplens[server]``).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .errors import Errors, FetchError, FetchRefusedError
from .text import decode_bytes

__all__ = ["FetchedArticle", "fetch_article", "html_to_text", "check_url", "MAX_REDIRECTS"]

MAX_REDIRECTS = 5
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain",)
_USER_AGENT = "proplens/0.1 (+https://github.com/proplens; article fetcher)"


@dataclass(frozen=True)
class FetchedArticle:
    """An article fetched from the web.

    Parameters
    ----------
    url : str
        The final URL, after redirects.
    text : str
        The extracted article body.
    title, published, site : str or None
        From the page metadata when found (``published`` is an ISO date string).
    """

    url: str
    text: str
    title: str | None = None
    published: str | None = None
    site: str | None = None


def _refuse(url: str, reason: str) -> FetchRefusedError:
    return FetchRefusedError(Errors.P014.format(url=url, reason=reason))


def _blocked_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return _blocked_reason(mapped)
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-public"
    return None


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(
            Errors.P015.format(url=host, reason=f"the host name {host!r} cannot be resolved ({exc})")
        ) from None
    out: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in out:
            out.append(addr)
    return out


def check_url(url: str, *, allow_hosts: Iterable[str] = ()) -> tuple[str, str, int, str]:
    """Check ``url`` against the guard and return (scheme, host, port, address to connect to).

    ``allow_hosts`` is an exact allow-list of ``host:port`` origins that skip the address check.
    It exists for tests against a local server; never pass user input to it.

    Raises
    ------
    FetchError
        When the scheme is not http(s), the URL has no host, or the host resolves to a
        loopback, private, link-local, multicast or reserved address.
    """
    if not isinstance(url, str) or not url.strip():
        raise _refuse(repr(url), "the URL is empty")
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refuse(url, f"it is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        what = f"{scheme}: URLs" if scheme else "a URL without a scheme (add https://)"
        raise _refuse(url, f"only http:// and https:// URLs can be fetched, not {what}")
    host = parts.hostname
    if not host:
        raise _refuse(url, "the URL has no host name")
    if parts.username or parts.password:
        raise _refuse(url, "URLs with a user name or password are not fetched")
    port = port or (443 if scheme == "https" else 80)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addrs = [str(literal)]
    else:
        addrs = _resolve(host, port)
        if not addrs:
            raise FetchError(Errors.P015.format(url=url, reason=f"the host name {host!r} has no address"))
    if f"{host}:{port}" in set(allow_hosts):
        return scheme, host, port, addrs[0]
    for a in addrs:
        ip = ipaddress.ip_address(a.split("%", 1)[0])
        why = _blocked_reason(ip)
        if why is not None:
            where = f"{host!r} is" if literal is not None else f"{host!r} resolves to {a}, which is"
            article = "an" if why[0] in "aeiou" else "a"
            raise _refuse(
                url, f"{where} {article} {why} address; only public internet addresses can be fetched"
            )
    return scheme, host, port, addrs[0]


def _pinned_url(scheme: str, addr: str, port: int, url: str) -> str:
    parts = urlsplit(url)
    host = f"[{addr}]" if ":" in addr else addr
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return f"{scheme}://{host}:{port}{path}"


def html_to_text(html: str, *, url: str | None = None) -> tuple[str, str | None]:
    """Extract the main text and the title of an HTML page (trafilatura, with a plain fallback).

    Returns
    -------
    (text, title)
    """
    text, title, _published, _site = _extract(html, url=url)
    return text, title


def _extract(html: str, *, url: str | None = None) -> tuple[str, str | None, str | None, str | None]:
    import trafilatura

    doc = None
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, favor_recall=True
        )
    except Exception:  # trafilatura raises a variety of parser errors on odd markup  # noqa: BLE001
        doc = None
    text = title = published = site = None
    if doc is not None:
        get = doc.get if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
        text, title, published, site = (
            get("text"),
            get("title"),
            get("date"),
            get("sitename") or get("hostname"),
        )
    if not text:
        text = _fallback_text(html)
    if not title:
        title = _fallback_title(html)
    return (text or "").strip(), title, published, site


def _fallback_text(html: str) -> str:
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001 - empty or unparseable documents
        return ""
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    return "\n".join(line.strip() for line in tree.text_content().splitlines() if line.strip())


def _fallback_title(html: str) -> str | None:
    import lxml.html

    try:
        t = lxml.html.fromstring(html).findtext(".//title")
    except Exception:  # noqa: BLE001
        return None
    return t.strip() if t and t.strip() else None


def fetch_article(
    url: str,
    *,
    max_bytes: int = 5_000_000,
    timeout: float = 10.0,
    allow_hosts: Iterable[str] = (),
) -> FetchedArticle:
    """Fetch ``url`` and extract the article (text, title, date, site).

    Parameters
    ----------
    url : str
        An http:// or https:// URL of a public host.
    max_bytes : int, default=5_000_000
        Largest accepted response body.
    timeout : float, default=10.0
        Total seconds for the whole fetch, redirects included.
    allow_hosts : iterable of str
        Test-only exact ``host:port`` allow-list for a local server (see :func:`check_url`).

    Raises
    ------
    FetchError
        On a refused URL or redirect, a timeout, a body over ``max_bytes``, an HTTP error status,
        a non-text content type, or a page with no extractable text.
    """
    import httpx

    allow = frozenset(allow_hosts)
    deadline = time.monotonic() + timeout
    too_slow = Errors.P015.format(url=url, reason=f"it took longer than {timeout:g} s")
    current = url.strip() if isinstance(url, str) else url
    with httpx.Client(follow_redirects=False, verify=True, trust_env=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            scheme, host, port, addr = check_url(current, allow_hosts=allow)
            left = deadline - time.monotonic()
            if left <= 0:
                raise FetchError(too_slow)
            resp = _send(client, current, scheme, host, port, addr, left, too_slow)
            try:
                if resp.status_code in (301, 302, 303, 307, 308):
                    current = _redirect_target(resp, current)
                    continue
                ctype = _check_response(resp, current, max_bytes)
                raw = _read_body(resp, current, max_bytes, deadline, too_slow)
                charset = resp.charset_encoding
            finally:
                resp.close()
            return _article(_decode(raw, charset), ctype, current)
    raise FetchError(Errors.P015.format(url=url, reason=f"more than {MAX_REDIRECTS} redirects"))


def _send(client, current: str, scheme: str, host: str, port: int, addr: str, left: float, too_slow: str):
    """GET ``current`` from the checked address ``addr`` (Host header and SNI name the host), streamed."""
    import httpx

    default_port = 443 if scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    req = client.build_request(
        "GET",
        _pinned_url(scheme, addr, port, current),
        headers={
            "Host": host_header,
            "User-Agent": _USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8",
        },
        extensions={
            "sni_hostname": host,
            "timeout": {"connect": left, "read": left, "write": left, "pool": left},
        },
    )
    try:
        return client.send(req, stream=True)
    except httpx.TimeoutException:
        raise FetchError(too_slow) from None
    except httpx.HTTPError as exc:
        raise FetchError(
            Errors.P015.format(url=current, reason=f"connection failed ({type(exc).__name__}: {exc})")
        ) from None


def _redirect_target(resp, current: str) -> str:
    loc = resp.headers.get("location")
    if not loc:
        raise FetchError(
            Errors.P015.format(url=current, reason=f"HTTP {resp.status_code} redirect without a Location")
        )
    return urljoin(current, loc)


def _check_response(resp, current: str, max_bytes: int) -> str:
    """The response's content type, after refusing an error status, a non-text type or a declared length
    over ``max_bytes``."""
    if resp.status_code >= 400:
        raise FetchError(
            Errors.P015.format(url=current, reason=f"the server answered HTTP {resp.status_code}")
        )
    ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and ctype not in _HTML_TYPES + _TEXT_TYPES:
        raise _refuse(current, f"it is not a web page or text (content type {ctype!r})")
    clen = resp.headers.get("content-length")
    if clen and clen.isdigit() and int(clen) > max_bytes:
        raise _refuse(current, f"the page is {int(clen):,} bytes, more than the {max_bytes:,}-byte limit")
    return ctype


def _read_body(resp, current: str, max_bytes: int, deadline: float, too_slow: str) -> bytes:
    """The body, stopped at ``max_bytes`` or the deadline."""
    import httpx

    body = bytearray()
    try:
        for chunk in resp.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise _refuse(current, f"the page is larger than the {max_bytes:,}-byte limit")
            if time.monotonic() > deadline:
                raise FetchError(too_slow)
    except httpx.TimeoutException:
        raise FetchError(too_slow) from None
    except httpx.HTTPError as exc:
        raise FetchError(
            Errors.P015.format(url=current, reason=f"the download failed ({type(exc).__name__})")
        ) from None
    return bytes(body)


def _decode(raw: bytes, charset: str | None) -> str:
    """The declared charset, else BOM/UTF-8 detection, else UTF-8 with replacement characters."""
    if charset:
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return decode_bytes(raw)
    except ValueError:
        return raw.decode("utf-8", errors="replace")


def _article(text: str, ctype: str, url: str) -> FetchedArticle:
    site = urlsplit(url).hostname
    if ctype in _TEXT_TYPES:
        body_text, title, published = text.strip(), None, None
    else:
        body_text, title, published, site_name = _extract(text, url=url)
        site = site_name or site
    if not body_text:
        raise FetchError(
            Errors.P015.format(url=url, reason="no article text could be extracted from the page")
        )
    return FetchedArticle(url=url, text=body_text, title=title, published=published, site=site)

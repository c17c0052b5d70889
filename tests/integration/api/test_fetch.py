"""URL fetch and SSRF guard.

No test connects anywhere but 127.0.0.1: private and link-local targets are refused before any
connection, and host names are resolved through a monkeypatched ``socket.getaddrinfo``.
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("httpx")
pytest.importorskip("trafilatura")

from proplens.errors import FetchError
from proplens.fetch import check_url, fetch_article, html_to_text

ARTICLE_HTML = """<!DOCTYPE html><html><head><title>Local &amp; test page</title>
<meta property="og:site_name" content="Test Gazette"><meta name="date" content="2024-02-03">
<script>document.title = "evil"</script></head><body><nav>Home | World | Sport</nav>
<article><h1>Council approves the riverside plan</h1>
<p>The council approved the riverside plan on Tuesday after a long and heated debate that lasted into the night.</p>
<p>Opponents called the plan reckless and said that it would destroy the old market, while supporters said it would bring jobs.</p>
<p>The vote was seven to four, and the first works are expected to begin in the spring of next year.</p>
</article><footer>Copyright Test Gazette</footer></body></html>"""  # noqa: E501  HTML page fixture, kept verbatim


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}
    seen_hosts: list = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self.seen_hosts.append(self.headers.get("Host"))
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        route(self)


def _html(body: str, ctype: str = "text/html; charset=utf-8"):
    def handler(h):
        data = body.encode()
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return handler


def _redirect(location: str, code: int = 302):
    def handler(h):
        h.send_response(code)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return handler


def _big(n: int, with_length: bool):
    def handler(h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        if with_length:
            h.send_header("Content-Length", str(n))
        h.end_headers()
        chunk = b"<p>" + b"x" * 9993 + b"</p>\n"
        sent = 0
        try:
            while sent < n:
                h.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    return handler


def _slow(h):
    time.sleep(3)
    try:
        _html(ARTICLE_HTML)(h)
    except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
        pass


@pytest.fixture
def server():
    _Handler.routes = {}
    _Handler.seen_hosts = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    port = srv.server_address[1]
    yield port, _Handler.routes
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def fake_dns(monkeypatch):
    """Resolve chosen host names to chosen addresses; every other name fails (no real DNS)."""
    table: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            out = []
            for addr in table[host]:
                fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
                sa = (addr, port or 0, 0, 0) if fam == socket.AF_INET6 else (addr, port or 0)
                out.append((fam, socket.SOCK_STREAM, 6, "", sa))
            return out
        if host in ("127.0.0.1", "::1", "localhost"):
            return real(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


SSRF_URLS = [
    ("http://127.0.0.1/", "loopback"),
    ("http://127.0.0.1:8000/admin", "loopback"),
    ("http://10.0.0.1/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://172.16.0.5/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fd00::1]/", "private"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://2130706433/", "loopback"),  # 127.0.0.1 as a decimal integer
    ("http://localhost/", "loopback"),
    ("file:///etc/passwd", "only http:// and https://"),
    ("gopher://127.0.0.1:70/_GET", "only http:// and https://"),
    ("ftp://example.org/file", "only http:// and https://"),
    ("javascript:alert(1)", "only http:// and https://"),
    ("example.org/news", "without a scheme"),
    ("http://user:pw@example.org/", "user name or password"),
    ("http:///nohost", "no host name"),
    ("", "empty"),
]


@pytest.mark.parametrize("url,needle", SSRF_URLS)
def test_check_url_refuses_with_a_clear_message(url, needle):
    with pytest.raises(FetchError) as ei:
        fetch_article(url)
    assert "[P014]" in str(ei.value) and needle in str(ei.value)


def test_hostname_resolving_to_loopback_is_refused(fake_dns):
    fake_dns["news.evil.example"] = ["127.0.0.1"]
    with pytest.raises(
        FetchError, match=r"'news.evil.example' resolves to 127.0.0.1, which is a loopback address"
    ):
        fetch_article("http://news.evil.example/story")


def test_hostname_with_any_private_address_is_refused(fake_dns):
    fake_dns["mixed.example"] = ["93.184.216.34", "10.1.2.3"]
    with pytest.raises(FetchError, match="private address"):
        check_url("https://mixed.example/")


def test_public_hostname_passes_the_guard(fake_dns):
    fake_dns["news.example"] = ["93.184.216.34"]
    assert check_url("https://news.example/a?b=1") == ("https", "news.example", 443, "93.184.216.34")


def test_unresolvable_host_is_a_clear_fetch_error(fake_dns):
    with pytest.raises(FetchError, match=r"\[P015\].*cannot be resolved"):
        fetch_article("http://no-such-host.invalid/")


def test_fetch_extracts_article_title_date_and_site(server):
    port, routes = server
    routes["/story"] = _html(ARTICLE_HTML)
    art = fetch_article(f"http://127.0.0.1:{port}/story", allow_hosts=[f"127.0.0.1:{port}"])
    assert "approved the riverside plan" in art.text and "document.title" not in art.text
    assert "Home | World" not in art.text
    assert (
        art.title == "Council approves the riverside plan"
        and art.published == "2024-02-03"
        and art.site == "Test Gazette"
    )
    assert art.url == f"http://127.0.0.1:{port}/story"


def test_connection_goes_to_the_checked_address_with_the_original_host_header(server, fake_dns):
    port, routes = server
    routes["/story"] = _html(ARTICLE_HTML)
    fake_dns["allowed.test"] = ["127.0.0.1"]
    art = fetch_article(f"http://allowed.test:{port}/story", allow_hosts=[f"allowed.test:{port}"])
    assert "riverside" in art.text
    assert _Handler.seen_hosts == [f"allowed.test:{port}"]


def test_redirect_within_allowed_origin_is_followed(server):
    port, routes = server
    routes["/old"] = _redirect("/story", 301)
    routes["/story"] = _html(ARTICLE_HTML)
    art = fetch_article(f"http://127.0.0.1:{port}/old", allow_hosts=[f"127.0.0.1:{port}"])
    assert art.url.endswith("/story") and "riverside" in art.text


@pytest.mark.parametrize(
    "target,needle",
    [
        ("http://127.0.0.1:{other}/", "loopback"),
        ("http://10.0.0.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]:{other}/", "loopback"),
        ("http://localhost:{other}/", "loopback"),
        ("http://rebind.evil.example/", "loopback"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("gopher://127.0.0.1:70/", "only http:// and https://"),
    ],
)
def test_redirect_to_a_forbidden_target_is_refused(server, fake_dns, target, needle):
    port, routes = server
    fake_dns["rebind.evil.example"] = ["127.0.0.1"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        other = s.getsockname()[1]
    routes["/r"] = _redirect(target.format(other=other))
    with pytest.raises(FetchError) as ei:
        fetch_article(f"http://127.0.0.1:{port}/r", allow_hosts=[f"127.0.0.1:{port}"])
    assert "[P014]" in str(ei.value) and needle in str(ei.value)


def test_redirect_loop_is_cut(server):
    port, routes = server
    routes["/loop"] = _redirect("/loop")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_article(f"http://127.0.0.1:{port}/loop", allow_hosts=[f"127.0.0.1:{port}"])


@pytest.mark.parametrize("with_length", [True, False])
def test_body_over_size_cap_is_refused(server, with_length):
    port, routes = server
    routes["/big"] = _big(300_000, with_length)
    with pytest.raises(FetchError, match="100,000-byte limit"):
        fetch_article(f"http://127.0.0.1:{port}/big", max_bytes=100_000, allow_hosts=[f"127.0.0.1:{port}"])


def test_slow_server_hits_the_time_cap(server):
    port, routes = server
    routes["/slow"] = _slow
    t0 = time.monotonic()
    with pytest.raises(FetchError, match="longer than 1 s"):
        fetch_article(f"http://127.0.0.1:{port}/slow", timeout=1.0, allow_hosts=[f"127.0.0.1:{port}"])
    assert time.monotonic() - t0 < 2.5


def test_non_text_content_type_and_http_errors(server):
    port, routes = server
    routes["/img"] = _html("GIF89a", ctype="image/gif")
    allow = [f"127.0.0.1:{port}"]
    with pytest.raises(FetchError, match="content type 'image/gif'"):
        fetch_article(f"http://127.0.0.1:{port}/img", allow_hosts=allow)
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_article(f"http://127.0.0.1:{port}/missing", allow_hosts=allow)


def test_api_url_input_end_to_end(server, make_client):
    port, routes = server
    routes["/story"] = _html(ARTICLE_HTML)
    client = make_client(fetch_allow_hosts=[f"127.0.0.1:{port}"])
    r = client.post("/api/v1/analyses", json={"url": f"http://127.0.0.1:{port}/story"})
    assert r.status_code == 201, r.text
    a = r.json()
    assert "reckless" in {s["text"] for s in a["spans"]} and a["url"].endswith("/story")
    assert a["source"] == "Test Gazette" and a["published"].startswith("2024-02-03")
    assert a["title"] == "Council approves the riverside plan"
    routes["/r"] = _redirect("http://169.254.169.254/latest/meta-data/")
    r = client.post("/api/v1/analyses", json={"url": f"http://127.0.0.1:{port}/r"})
    assert (
        r.status_code == 422
        and r.json()["error"]["code"] == "url_refused"
        and "link-local" in r.json()["error"]["message"]
    )
    r = client.post("/api/v1/analyses", json={"url": f"http://127.0.0.1:{port}/missing"})
    assert r.status_code == 502 and r.json()["error"]["code"] == "fetch_failed"


def test_html_to_text_drops_scripts_and_keeps_title():
    text, title = html_to_text(ARTICLE_HTML)
    assert "riverside plan" in text and "document.title" not in text and title

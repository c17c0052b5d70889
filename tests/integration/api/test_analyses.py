"""REST API: analyses (create, read, list, delete, export), errors and limits."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from apitest_helpers import SAMPLE, make_analyzer

from proplens.techniques import TECHNIQUE_IDS


def _post(client, **body):
    return client.post("/api/v1/analyses", json=body)


def test_create_analysis_returns_201_with_spans_sentences_and_scores(client):
    r = _post(client, text=SAMPLE, title="A title", source="example.org", published="2024-03-01")
    assert r.status_code == 201, r.text
    a = r.json()
    assert r.headers["location"] == f"/api/v1/analyses/{a['id']}"
    assert a["text"] == SAMPLE and a["title"] == "A title" and a["source"] == "example.org"
    assert a["published"].startswith("2024-03-01") and a["created"].endswith("Z")
    assert a["model"] == {"name": "lexicon-test", "version": "test"} and a["model_version"] == "test"
    assert a["cached"] is False
    found = {s["text"].lower() for s in a["spans"]}
    assert {
        "disgraceful",
        "reckless",
        "the worst ever",
        "puppet",
        "traitors",
        "everyone knows",
        "patriot",
    } <= found
    for s in a["spans"]:
        assert SAMPLE[s["start"] : s["end"]] == s["text"]  # offsets survive the emoji and the CRLF
        assert s["technique"] in TECHNIQUE_IDS and s["technique_name"] and 0 <= s["score"] <= 1
    assert a["sentences"] and all(SAMPLE[s["start"] : s["end"]] == s["text"] for s in a["sentences"])
    assert 0 < a["score"] <= 1
    assert a["technique_counts"]["Loaded_Language"] == 2


def test_get_list_delete_roundtrip(client):
    ids = [
        _post(client, text=f"Article {i}: a reckless plan.", source="a.org" if i % 2 else "b.org").json()[
            "id"
        ]
        for i in range(5)
    ]
    got = client.get(f"/api/v1/analyses/{ids[0]}")
    assert got.status_code == 200 and got.json()["id"] == ids[0]
    page = client.get("/api/v1/analyses", params={"page_size": 2}).json()
    assert page["total"] == 5 and page["pages"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["id"] == ids[-1]  # newest first
    assert client.get("/api/v1/analyses", params={"source": "a.org"}).json()["total"] == 2
    assert client.get("/api/v1/analyses", params={"q": "Article 3"}).json()["items"][0]["id"] == ids[3]
    assert (
        client.get("/api/v1/analyses", params={"q": "100%_"}).json()["total"] == 0
    )  # LIKE wildcards are escaped
    assert client.get("/api/v1/analyses", params={"since": "2999-01-01"}).json()["total"] == 0
    assert client.get("/api/v1/analyses", params={"until": "2999-01-01"}).json()["total"] == 5
    assert client.delete(f"/api/v1/analyses/{ids[0]}").status_code == 204
    r = client.get(f"/api/v1/analyses/{ids[0]}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.delete(f"/api/v1/analyses/{ids[0]}").status_code == 404


def test_result_is_cached_by_text_and_model_version(make_client):
    an = make_analyzer()
    client = make_client(an)
    warmup = an.detector.calls  # the lifespan runs one warm-up analysis
    a = _post(client, text=SAMPLE).json()
    b = _post(client, text=SAMPLE, source="other.org").json()
    assert an.detector.calls == warmup + 1
    assert (
        a["id"] != b["id"] and b["cached"] is True and b["spans"] == a["spans"] and b["source"] == "other.org"
    )
    _post(client, text=SAMPLE + " More.")
    assert an.detector.calls == warmup + 2


def test_cache_is_keyed_by_model_version(tmp_path, make_client):
    an1 = make_analyzer()
    make_client(an1).post("/api/v1/analyses", json={"text": SAMPLE})
    calls = an1.detector.calls
    an2 = __import__("proplens.analyzer", fromlist=["Analyzer"]).Analyzer(
        detector=an1.detector, attribution=False, model_name="lexicon-test", model_version="test-2"
    )
    client2 = make_client(an2)
    calls = an1.detector.calls  # after client2's warm-up
    r = client2.post("/api/v1/analyses", json={"text": SAMPLE}).json()
    assert r["cached"] is False and r["model_version"] == "test-2" and an1.detector.calls == calls + 1


def test_html_input_is_extracted_and_scripts_are_not_text(client):
    html = (
        "<html><head><title>Page title</title><script>var reckless = 1;</script></head><body><article>"
        "<h1>Big news</h1><p>The reckless mayor and his puppet council met on Tuesday to discuss the "
        "budget for next year.</p>"
        "<p>Residents said the meeting was long and that nothing was decided about the new "
        "bridge.</p></article></body></html>"
    )
    r = _post(client, html=html)
    assert r.status_code == 201, r.text
    a = r.json()
    assert "var reckless" not in a["text"] and "reckless mayor" in a["text"]
    assert a["title"] in ("Big news", "Page title")


@pytest.mark.parametrize(
    "kwargs,status,code,needle",
    [
        ({"content": b""}, 422, "invalid_request", "body is empty"),
        (
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            422,
            "invalid_request",
            "not valid JSON",
        ),
        ({"json": [1, 2]}, 422, "invalid_request", "JSON object"),
        ({"json": "text"}, 422, "invalid_request", "JSON object"),
        ({"json": {}}, 422, "invalid_request", "exactly one of"),
        ({"json": {"text": "a", "url": "https://example.org"}}, 422, "invalid_request", "exactly one of"),
        ({"json": {"text": "a", "colour": "red"}}, 422, "invalid_request", "colour"),
        ({"json": {"text": 12}}, 422, "invalid_request", "text"),
        ({"json": {"text": "   \n "}}, 422, "invalid_text", "empty"),
        ({"json": {"text": "ok", "published": "yesterday"}}, 422, "invalid_request", "published"),
        (
            {"content": b'{"text": "a \\ud800 b"}', "headers": {"content-type": "application/json"}},
            422,
            "invalid_text",
            "surrogate",
        ),
        ({"json": {"text": "a\x00b reckless"}}, 422, "invalid_text", "NUL character at position 1"),
        ({"content": b"hello", "headers": {"content-type": "text/plain"}}, 422, "invalid_request", "JSON"),
        (
            {"content": b"\xff\xfe\x00", "headers": {"content-type": "application/json"}},
            422,
            "invalid_request",
            "JSON",
        ),
    ],
)
def test_bad_input_gets_a_clear_error_not_a_traceback(client, kwargs, status, code, needle):
    r = client.post("/api/v1/analyses", **kwargs)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code and needle.lower() in err["message"].lower()
    assert "Traceback" not in r.text


def test_body_over_limit_is_413(make_client):
    client = make_client(max_body_bytes=10_000)
    r = _post(client, text="word " * 5000)
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    assert "10,000-byte limit" in r.json()["error"]["message"]


def test_streamed_body_over_limit_is_413(make_client):
    client = make_client(max_body_bytes=10_000)

    def gen():
        for _ in range(50):
            yield b"x" * 1000

    r = client.post("/api/v1/analyses", content=gen(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"


def test_text_over_limit_is_413(make_client):
    client = make_client(max_text_chars=1_000)
    r = _post(client, text="a reckless word. " * 100)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "text_too_long" and "1,000" in r.json()["error"]["message"]
    # the message names the knob that exists on a server (issue 10), not the library's max_chars
    assert r.json()["error"]["message"].endswith(
        "raise the limit (the server setting PROPLENS_MAX_TEXT_CHARS)."
    )


def test_unexpected_error_is_500_with_request_id_and_no_details(make_client):
    an = make_analyzer()
    client = make_client(an)
    an.detector.fail = True
    r = _post(client, text="A reckless plan.")
    assert r.status_code == 500
    err = r.json()["error"]
    assert err["code"] == "internal_error" and err["request_id"] in err["message"]
    assert "secret" not in r.text and "Traceback" not in r.text


def test_upload_txt_html_and_bad_files(client):
    r = client.post(
        "/api/v1/analyses/upload",
        files={"file": ("a.txt", "A reckless plan 😀 by traitors.".encode(), "text/plain")},
        data={"source": "upload.org"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "upload.org" and {s["text"] for s in r.json()["spans"]} == {
        "reckless",
        "traitors",
    }
    html = (
        b"<html><body><article><p>These thugs wrote a disastrous and long report about the river bridge "
        b"and its costs.</p></article></body></html>"
    )
    r = client.post("/api/v1/analyses/upload", files={"file": ("page.html", html, "text/html")})
    assert r.status_code == 201 and "<p>" not in r.json()["text"]
    r = client.post("/api/v1/analyses/upload", files={"file": ("x.txt", b"abc \xc3\x28 def", "text/plain")})
    assert (
        r.status_code == 422
        and r.json()["error"]["code"] == "invalid_text"
        and "invalid UTF-8 byte 0xc3" in r.json()["error"]["message"]
    )
    r = client.post(
        "/api/v1/analyses/upload",
        files={"file": ("x.bin", bytes(range(256)) * 40, "application/octet-stream")},
    )
    assert r.status_code == 422 and "not valid text" in r.json()["error"]["message"]
    r = client.post("/api/v1/analyses/upload", files={"file": ("empty.txt", b"", "text/plain")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_text"
    r = client.post("/api/v1/analyses/upload", data={"title": "no file"})
    assert r.status_code == 422 and "file" in r.json()["error"]["message"]


def test_exports_json_html_and_ptc(client):
    evil = 'Title "><script>alert(1)</script>'
    a = _post(client, text="<img src=x onerror=alert(1)> a reckless plan by traitors.", title=evil).json()
    base = f"/api/v1/analyses/{a['id']}/export"
    j = client.get(base, params={"format": "json"})
    assert (
        j.status_code == 200
        and json.loads(j.text)["id"] == a["id"]
        and "attachment" in j.headers["content-disposition"]
    )
    h = client.get(base, params={"format": "html"})
    assert h.status_code == 200 and h.headers["content-type"].startswith("text/html")
    assert "<script" not in h.text.lower() and "<img" not in h.text.lower()
    assert "&lt;script&gt;" in h.text and "&lt;img src=x onerror=alert(1)&gt;" in h.text
    assert "default-src 'none'" in h.headers["content-security-policy"]
    p = client.get(base, params={"format": "ptc"})
    rows = [line.split("\t") for line in p.text.splitlines()]
    assert rows and all(r[0] == a["id"] for r in rows)
    assert {(r[1], int(r[2]), int(r[3])) for r in rows} == {
        (s["technique"], s["start"], s["end"]) for s in a["spans"]
    }
    assert client.get(base, params={"format": "pdf"}).status_code == 422


def test_techniques_health_docs_and_web_page(client):
    t = client.get("/api/v1/techniques").json()
    assert [x["id"] for x in t] == list(TECHNIQUE_IDS) and all(x["definition"] and x["color"] for x in t)
    hl = client.get("/api/v1/health").json()
    assert hl["status"] == "ok" and hl["model"]["version"] == "test" and hl["database"] == "sqlite"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text
    try:
        import swagger_ui_bundle  # noqa: F401
    except ImportError:
        pass
    else:  # served locally: the docs work offline
        assert "/docs-static/swagger-ui-bundle.js" in docs.text
        assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/v1/analyses" in spec["paths"] and "/api/v1/analyses/{analysis_id}" in spec["paths"]
    page = client.get("/")
    assert page.status_code == 200 and "app.js" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert (
        client.get("/static/app.js").status_code == 200 and client.get("/static/app.css").status_code == 200
    )
    assert page.headers["x-content-type-options"] == "nosniff"


def test_sources_and_profile(client):
    for i, day in enumerate(["2024-01-01", "2024-01-01", "2024-01-05"]):
        _post(client, text=f"Story {i}: reckless traitors.", source="news.example", published=day)
    _post(client, text="Calm story.", source="calm.example")
    src = client.get("/api/v1/sources").json()
    assert src[0]["source"] == "news.example" and src[0]["count"] == 3
    prof = client.get("/api/v1/sources/profile", params={"source": "news.example"}).json()
    assert prof["count"] == 3 and prof["technique_counts"]["Loaded_Language"] == 3
    assert prof["technique_counts"]["Name_Calling,Labeling"] == 3 and prof["bucket"] == "day"
    assert [p["period"] for p in prof["trend"]] == ["2024-01-01", "2024-01-05"] and prof["trend"][0][
        "count"
    ] == 2
    r = client.get("/api/v1/sources/profile", params={"source": "nobody"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_fetch_disabled_refuses_url_input(make_client):
    client = make_client(fetch_enabled=False)
    r = _post(client, url="https://example.org/news")
    assert r.status_code == 403 and r.json()["error"]["code"] == "fetch_disabled"


@pytest.mark.parametrize(
    "url,needle",
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://10.0.0.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]:8000/", "loopback"),
        ("http://localhost:8000/", "loopback"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("gopher://127.0.0.1:25/", "only http:// and https://"),
    ],
)
def test_url_input_refuses_ssrf_targets(client, url, needle):
    r = _post(client, url=url)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "url_refused" and needle in err["message"]


def test_concurrent_posts_never_lose_a_write(make_client):
    client = make_client(inference_workers=4)
    texts = [f"Report {i}: the reckless council met {i} times." for i in range(24)] * 2

    def post(t):
        return client.post("/api/v1/analyses", json={"text": t, "source": "load.example"})

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(post, texts))
    assert [r.status_code for r in results] == [201] * len(texts)
    ids = {r.json()["id"] for r in results}
    assert len(ids) == len(texts)
    assert client.get("/api/v1/analyses", params={"source": "load.example"}).json()["total"] == len(texts)
    for r in results[:5]:
        assert client.get(f"/api/v1/analyses/{r.json()['id']}").json()["text"] == r.json()["text"]


def test_import_proplens_does_not_import_server_packages():
    code = (
        "import sys, proplens; bad = [m for m in ('fastapi', 'sqlalchemy', 'httpx', 'trafilatura', "
        "'uvicorn') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_source_stats_match_the_batch_report_figures(client):
    for i, day in enumerate(["2024-01-03", "2024-02-10"]):
        _post(
            client,
            text=f"Story {i}: the reckless traitors lied.\nA calm line.",
            source="news.example",
            published=day,
        )
    st = client.get("/api/v1/sources/stats", params={"source": "news.example"}).json()
    assert st["summary"][0]["articles"] == 2
    assert st["summary"][0]["propaganda_sentence_share"] == 0.5
    assert [m["month"] for m in st["by_month"]] == ["2024-01", "2024-02"]
    assert sum(b["articles"] for b in st["score_histogram"]) == 2
    rates = {r["technique"]: r["spans"] for r in st["technique_rates"]}
    assert rates["Loaded_Language"] == 2 and rates["Name_Calling,Labeling"] == 2
    assert {p["phrase"] for p in st["top_phrases"]} >= {"reckless", "traitors"}
    r = client.get("/api/v1/sources/stats", params={"source": "nobody"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"

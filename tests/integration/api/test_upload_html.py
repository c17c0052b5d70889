"""Uploads and the ``html`` input are read by proplens.inputs.read_article (same rules as the CLI and
batch)."""

from __future__ import annotations

import pytest

PAGE = (
    "<!DOCTYPE html><html><head><title>Riverside</title><script>var s = 'reckless';</script></head>"
    "<body><article><p>The traitors left.</p><p>A reckless plan failed.</p></article></body></html>"
)


@pytest.mark.parametrize(
    "name, ctype",
    [
        ("page", "text/html"),
        ("page.xhtml", "application/octet-stream"),
        ("noname", "application/octet-stream"),
    ],
)
def test_html_upload_is_recognised_and_extracted(client, name, ctype):
    r = client.post("/api/v1/analyses/upload", files={"file": (name, PAGE.encode(), ctype)})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["title"] == "Riverside" and "<" not in a["text"] and "var s" not in a["text"]
    assert sorted(s["text"] for s in a["spans"]) == ["reckless", "traitors"]
    for s in a[
        "spans"
    ]:  # offsets index the extracted text the analysis returns (each word occurs once there)
        assert s["start"] == a["text"].index(s["text"]) and s["end"] == s["start"] + len(s["text"])


def test_txt_upload_starting_like_html_stays_text(client):
    r = client.post("/api/v1/analyses/upload", files={"file": ("notes.txt", PAGE.encode(), "text/plain")})
    assert r.status_code == 201 and r.json()["text"] == PAGE


@pytest.mark.parametrize("send", ["upload", "json"])
def test_html_without_article_text_is_422_p029(client, send):
    empty_page = "<html><head><script>x()</script></head><body><nav></nav></body></html>"
    if send == "upload":
        r = client.post(
            "/api/v1/analyses/upload", files={"file": ("p.html", empty_page.encode(), "text/html")}
        )
    else:
        r = client.post("/api/v1/analyses", json={"html": empty_page})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "no_article_text" and err["message"].startswith("[P029]")

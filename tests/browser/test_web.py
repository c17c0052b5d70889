"""End-to-end tests of the web page in Chromium: analyze, highlights, explanations, XSS, history, sources."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

SAMPLE_TITLE = "Council's reckless plan will destroy our town"
SAMPLE = (
    "The disgraceful council has done it again 😀. Their reckless, disastrous budget is the worst ever "
    "passed in this city, "
    "and everyone knows it.\n\n"
    "These puppet politicians answer to developers, not to you. They are traitors to every family that "
    "built this town 🏘️.\n\n"
    "A true patriot would never stand by while thugs in suits sell off our parks. Either we stop them now, "
    "or we lose "
    "everything our grandparents built.\n\n"
    "The mayor claims the plan will modernise the riverside. Ask yourself: who really profits? Not you, "
    "and certainly not "
    "your children.\n\n"
    "Enough is enough. Stand up, show up on Tuesday, and take our town back before these vultures destroy "
    "it for good!"
)

XSS_TITLE = '"><img src=x onerror="window.__xss=\'title\'"><script>window.__xss="title2"</script>\''
XSS_TEXT = (
    "Breaking: <script>window.__xss='script';alert('script')</script> the reckless mayor spoke.\n"
    "<img src=x onerror=\"window.__xss='img';alert('img')\"> These traitors lied 😀.\n"
    "Read <a href=\"javascript:window.__xss='js';alert('js')\">the disgraceful report</a> now.\n"
    "\" onmouseover=\"window.__xss='attr'\" data-x=\" and '><svg onload=alert('svg')> everyone knows it.\n"
    "</textarea><iframe src=\"javascript:alert('iframe')\"></iframe> The worst ever budget."
)
XSS_SOURCE = "\"><svg/onload=alert('source')>"


def _api(page, base, method, path, body=None):
    resp = page.request.fetch(
        base + "/api/v1" + path,
        method=method,
        data=json.dumps(body) if body is not None else None,
        headers={"Content-Type": "application/json"} if body is not None else {},
    )
    return resp.status, (resp.json() if resp.status != 204 else None)


def _analysis_id(page) -> str:
    page.wait_for_url("**/#/a/*", timeout=60_000)
    return page.url.split("#/a/")[1]


def _assert_inert(page):
    assert page.dialogs == [], f"a dialog opened: {page.dialogs}"
    assert page.evaluate("typeof window.__xss") == "undefined"
    bad = page.evaluate("""() => ({
        handlers: document.querySelectorAll('[onerror],[onload],[onmouseover],[onclick]').length,
        jslinks: Array.from(document.querySelectorAll('a[href]')).filter(a => !/^(https?:|#|\\/)/.test(a.getAttribute('href'))).length,
        scripts: Array.from(document.scripts).map(s => s.src).filter(src => !src.endsWith('/static/app.js')).length,
        imgs: document.querySelectorAll('#app img, #app iframe, #app object, #app embed').length,
    })""")  # noqa: E501  JavaScript run in the page
    assert bad == {"handlers": 0, "jslinks": 0, "scripts": 0, "imgs": 0}, bad


def test_paste_article_highlights_and_explains(page, live_server, shot):
    base, _repo = live_server
    page.goto(base + "/")
    shot(page, "01-home", full_page=False)
    page.fill("#text-input", SAMPLE)
    page.fill("#title-input", SAMPLE_TITLE)
    page.fill("#source-input", "gazette.example")
    page.click("#analyze-btn")
    aid = _analysis_id(page)
    page.wait_for_selector("#article .hl", timeout=60_000)
    status, a = _api(page, base, "GET", f"/analyses/{aid}")
    assert status == 200 and a["spans"], "the model found no span in the sample article"

    # the page shows the exact text, and each highlight slices it at the API's code point offsets
    assert page.inner_text("#analysis-title") == SAMPLE_TITLE
    assert page.eval_on_selector("#article", "el => el.textContent") == a["text"] == SAMPLE
    segs = page.eval_on_selector_all(
        "#article .hl",
        "els => els.map(e => [+e.dataset.start, +e.dataset.end, e.textContent, e.dataset.techniques])",
    )
    assert segs
    for start, end, text, techs in segs:
        assert SAMPLE[start:end] == text
        covering = {s["technique"] for s in a["spans"] if s["start"] <= start and s["end"] >= end}
        assert set(techs.split()) == covering

    # legend with counts, sentence heat strip, bar chart, article score
    legend = dict(
        page.eval_on_selector_all(
            "#legend li[data-technique]",
            "els => els.map(e => [e.dataset.technique, +e.querySelector('.n').textContent])",
        )
    )
    assert legend == {k: v for k, v in a["technique_counts"].items() if v}
    assert page.eval_on_selector("#heat-strip", "el => el.children.length") == len(a["sentences"])
    assert page.eval_on_selector_all("#technique-chart svg rect", "els => els.length") == len(legend)
    assert page.inner_text("#article-score").startswith(f"{round(a['score'] * 100)}%")
    shot(page, "02-analysis")

    # click a span: the explanation shows the technique, its definition and the confidence
    techniques = {t["id"]: t for t in _api(page, base, "GET", "/techniques")[1]}
    first = page.locator("#article .hl").first
    start, end = int(first.get_attribute("data-start")), int(first.get_attribute("data-end"))
    first.click()
    covering = sorted(
        (s for s in a["spans"] if s["start"] <= start and s["end"] >= end), key=lambda s: -s["score"]
    )
    items = page.locator("#explain .item")
    assert items.count() == len(covering)
    top = covering[0]
    assert items.first.locator(".tech-name").inner_text() == techniques[top["technique"]]["name"]
    assert items.first.locator(".tech-def").inner_text() == techniques[top["technique"]]["definition"]
    assert items.first.locator(".tech-conf").inner_text() == f"{round(top['score'] * 100)}%"
    assert "sel" in first.get_attribute("class")
    shot(page, "03-analysis-explained", full_page=False)

    # a legend click hides that technique's highlights
    tid = next(iter(legend))
    page.click(f'#legend li[data-technique="{tid}"]')
    shown = page.eval_on_selector_all("#article .hl", "els => els.map(e => e.dataset.techniques)")
    assert all(tid not in t.split() for t in shown)
    assert page.errors == []


def test_overlapping_spans_stay_readable(page, live_server, shot):
    from proplens.analysis import Analysis, Sentence, Span

    base, repo = live_server
    text = "They are 🦊 cowardly traitors and reckless thugs, everyone knows."
    i = text.index("cowardly")
    spans = (
        Span.make(text, i, i + len("cowardly traitors"), "Name_Calling,Labeling", 0.91),
        Span.make(text, i, i + len("cowardly"), "Loaded_Language", 0.62),
        Span.make(
            text, text.index("traitors"), text.index("thugs") + len("thugs"), "Exaggeration,Minimisation", 0.4
        ),
    )
    a = Analysis(
        text=text,
        spans=spans,
        sentences=(Sentence(0, len(text), 0.8, text),),
        score=0.8,
        model_name="hand",
        model_version="hand",
        title="Overlaps",
    )
    rec = repo.add(a, source="overlap.example")
    page.goto(f"{base}/#/a/{rec.id}")
    page.wait_for_selector("#article .hl")
    segs = page.eval_on_selector_all(
        "#article .hl", "els => els.map(e => [e.textContent, e.dataset.techniques.split(' ')])"
    )
    assert segs[0] == ["cowardly", ["Name_Calling,Labeling", "Loaded_Language"]]
    assert ["traitors", ["Name_Calling,Labeling", "Exaggeration,Minimisation"]] in segs
    assert "".join(t for t, _ in segs) == text[i : text.index("thugs") + len("thugs")]
    page.locator("#article .hl").first.click()
    assert page.locator("#explain .item").count() == 2
    assert page.locator("#explain .item .tech-conf").all_inner_texts() == ["91%", "62%"]
    shot(page, "04-overlaps", full_page=False)


def test_xss_payloads_are_inert(page, live_server, shot):
    base, repo = live_server
    # through the page itself: paste the payload as title, text and source
    page.goto(base + "/")
    page.fill("#text-input", XSS_TEXT)
    page.fill("#title-input", XSS_TITLE)
    page.fill("#source-input", XSS_SOURCE)
    page.click("#analyze-btn")
    aid = _analysis_id(page)
    page.wait_for_selector("#article .seg")
    assert page.inner_text("#analysis-title") == XSS_TITLE
    assert page.eval_on_selector("#article", "el => el.textContent") == XSS_TEXT
    for el in page.locator("#article .hl").all():
        el.hover()
        el.click()
    _assert_inert(page)
    shot(page, "05-xss-analysis")

    # a stored record with a javascript: URL and a hostile source
    from proplens.store.repository import Repository  # noqa: F401  (the live server's repository)

    a = repo.get(aid).analysis
    rec = repo.add(a, title=XSS_TITLE, source=XSS_SOURCE, url="javascript:window.__xss='url';alert('url')")
    page.goto(f"{base}/#/a/{rec.id}")
    page.wait_for_selector("#article .seg")
    assert page.locator("a", has_text="javascript:").count() == 0
    assert "javascript:window.__xss='url'" in page.inner_text(".meta")
    page.click("#source-link")
    page.wait_for_selector("#profile-chart svg, .empty")
    assert page.inner_text("#source-title") == XSS_SOURCE
    _assert_inert(page)
    page.goto(f"{base}/#/history?q=script")
    page.wait_for_selector("#history-table")
    _assert_inert(page)
    page.goto(f"{base}/#/sources")
    page.wait_for_selector("#sources-list")
    _assert_inert(page)

    # the self-contained HTML report of the same analysis
    page.goto(f"{base}/api/v1/analyses/{rec.id}/export?format=html&download=false")
    page.wait_for_selector("mark")
    assert page.evaluate("document.scripts.length") == 0
    assert (
        page.evaluate("document.querySelectorAll('img,iframe,[onerror],[onload],[onmouseover]').length") == 0
    )
    assert XSS_TITLE in page.inner_text("h1")
    assert page.dialogs == [] and page.evaluate("typeof window.__xss") == "undefined"
    shot(page, "06-xss-report")


def test_history_search_and_source_page(page, live_server, shot):
    base, _ = live_server
    stories = [
        (
            "2024-03-01",
            "Mayor unveils reckless riverside plan",
            "The reckless plan will destroy the market, critics say.",
        ),
        (
            "2024-03-04",
            "Budget vote delayed",
            "The disastrous budget vote was delayed again; these puppet councillors ran.",
        ),
        (
            "2024-03-09",
            "Parks sold off",
            "Thugs in suits sold the parks, and everyone knows who profits. A patriot would object.",
        ),
        ("2024-03-15", "Market reopens", "The market reopened on Saturday with forty stalls and a new roof."),
    ]
    for day, title, body in stories:
        status, _ = _api(
            page,
            base,
            "POST",
            "/analyses",
            {"text": body, "title": title, "source": "riverside-news.example", "published": day},
        )
        assert status == 201
    page.goto(base + "/#/history")
    page.wait_for_selector("#history-table")
    page.fill("#history-q", "riverside plan")
    page.press("#history-q", "Enter")
    page.wait_for_selector('#history[data-q="riverside plan"] #history-table')
    titles = page.locator("#history-table td a").all_inner_texts()
    assert "Mayor unveils reckless riverside plan" in titles and "Market reopens" not in titles
    page.goto(base + "/#/history")
    page.wait_for_selector("#history-table")
    shot(page, "07-history")
    page.locator("#history-table a", has_text="riverside-news.example").first.click()
    page.wait_for_selector("#trend-chart svg")
    assert page.inner_text("#source-title") == "riverside-news.example"
    assert page.locator("#trend-chart svg circle").count() == 4
    assert page.locator("#profile-chart svg rect").count() >= 1
    page.wait_for_selector("#source-stats #score-histogram svg")
    assert "Sentences with propaganda" in page.inner_text("#source-stats")
    assert page.locator("#source-stats table").count() >= 2
    shot(page, "08-source")
    assert page.errors == []


def test_upload_and_refused_urls_show_clear_errors(page, live_server, shot):
    base, _ = live_server
    page.goto(base + "/")
    page.click('[data-tab="file"]')
    page.set_input_files(
        "#file-input",
        files=[
            {
                "name": "story.txt",
                "mimeType": "text/plain",
                "buffer": "A reckless plan by traitors 😀, everyone knows.".encode(),
            }
        ],
    )
    page.click("#analyze-btn")
    aid = _analysis_id(page)
    page.wait_for_selector("#article .seg")
    assert (
        page.eval_on_selector("#article", "el => el.textContent")
        == "A reckless plan by traitors 😀, everyone knows."
    )
    assert aid
    page.goto(base + "/")
    page.click('[data-tab="file"]')
    page.set_input_files(
        "#file-input",
        files=[{"name": "photo.txt", "mimeType": "text/plain", "buffer": bytes(range(256)) * 20}],
    )
    page.click("#analyze-btn")
    page.wait_for_selector(".error:not([hidden])")
    assert "not valid text" in page.inner_text(".error")
    page.click('[data-tab="url"]')
    for url, needle in [
        ("http://127.0.0.1:8000/admin", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("file:///etc/passwd", "only http:// and https://"),
    ]:
        page.fill("#url-input", url)
        page.click("#analyze-btn")
        # a locator wait: the page's CSP forbids the eval a string predicate needs
        page.locator(".error", has_text=needle).first.wait_for()
    shot(page, "09-url-refused", full_page=False)


def test_export_buttons_download_files(page, live_server):
    base, _ = live_server
    status, a = _api(
        page,
        base,
        "POST",
        "/analyses",
        {"text": "Their reckless plan 😀 is disastrous.", "title": "Export me"},
    )
    assert status == 201
    page.goto(f"{base}/#/a/{a['id']}")
    page.wait_for_selector("#export-html")
    got = {}
    for fmt in ("json", "html", "ptc"):
        with page.expect_download() as dl:
            page.click(f"#export-{fmt}")
        got[fmt] = open(dl.value.path(), encoding="utf-8").read()
    assert json.loads(got["json"])["id"] == a["id"]
    assert "<mark" in got["html"] and "<script" not in got["html"].lower() and "Export me" in got["html"]
    assert {tuple(r.split("\t")[1:]) for r in got["ptc"].splitlines()} == {
        (s["technique"], str(s["start"]), str(s["end"])) for s in a["spans"]
    }


def test_compare_with_other_coverage(page, live_server, shot):
    base, _ = live_server
    v1 = (
        "The city council approved the reckless riverside plan on Tuesday. Mayor Ann Lee said 40 jobs "
        "would be created. "
        "Critics called the plan disastrous for the old market, and these puppet councillors ignored them."
    )
    v2 = (
        "The city council approved the riverside plan on Tuesday after a long debate. Mayor Ann Lee said "
        "45 jobs would be "
        "created. Traders at the old market said they were worried about rents."
    )
    _, a = _api(
        page,
        base,
        "POST",
        "/analyses",
        {"text": v1, "title": "Riverside plan approved", "source": "herald.example"},
    )
    _api(
        page,
        base,
        "POST",
        "/analyses",
        {"text": v2, "title": "Council backs riverside plan", "source": "courier.example"},
    )
    page.goto(f"{base}/#/a/{a['id']}")
    page.click("#compare-link")
    page.wait_for_selector("#related-table")
    row = page.locator("#related-table tr", has_text="courier.example")
    row.locator("input[type=checkbox]").check()
    page.click("#compare-btn")
    page.wait_for_selector("#alignment-table", timeout=60_000)
    headers = page.eval_on_selector_all("#alignment-table th", "els => els.map(e => e.textContent)")
    assert "herald.example" in headers and "courier.example" in headers
    assert (
        page.locator("#alignment-table ins").count() >= 1
        and page.locator("#alignment-table del").count() >= 1
    )
    # issue 11: the paragraph per version, and inline edits on the original text (no space before punctuation)
    assert page.locator("#compare-result p.summary").first.inner_text().startswith("Compared with ")
    cells = page.eval_on_selector_all("#alignment-table td", "els => els.map(e => e.textContent)")
    assert any("45" in c for c in cells) and not any(" ." in c or " ," in c for c in cells)
    assert page.errors == [] and page.dialogs == []
    shot(page, "10-compare")

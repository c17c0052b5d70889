"""A long article on the web page: a progress bar while its job runs, then the result; or a cancelled job
(issue 10).

The server here has a slow detector (each analysis takes a few seconds) and treats texts of 2,000 characters
or more as jobs, so the page must follow a ``202 Accepted`` job instead of waiting on one request.
"""

from __future__ import annotations

import time

import pytest

from proplens.testing import LexiconDetector

pytestmark = pytest.mark.browser

LONG = (
    "The reckless council met again on Monday. Mayor Ann Lee said the disastrous plan would go ahead, "
    "and critics said these puppet councillors had ignored the market traders for years. "
) * 30


class SlowDetector(LexiconDetector):
    delay = 0.0

    def predict(self, texts):
        time.sleep(self.delay)
        return super().predict(texts)


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory, serve_app):
    from proplens.analyzer import Analyzer

    det = SlowDetector()
    analyzer = Analyzer(detector=det, attribution=False, model_name="slow-test", model_version="test")
    settings = {"job_min_chars": 2000, "inference_workers": 1}
    with serve_app(tmp_path_factory.mktemp("slow-db"), settings=settings, analyzer=analyzer) as (base, _repo):
        det.delay = 3.0  # after the lifespan's warm-up analysis
        yield base, det


def test_long_article_shows_progress_then_the_result(page, slow_server, shot):
    base, _ = slow_server
    page.goto(base + "/")
    page.fill("#text-input", LONG)
    page.fill("#title-input", "A long one")
    page.click("#analyze-btn")
    page.wait_for_selector("#job-box:not([hidden]) #job-progress", timeout=10_000)
    status = page.inner_text("#job-status")
    assert "Analyzing a long article" in status or "Waiting" in status, status
    assert "Analyzing" in page.inner_text("#analyze-btn") or "Waiting" in page.inner_text("#analyze-btn")
    shot(page, "11-long-article-progress", full_page=False)
    page.wait_for_url("**/#/a/*", timeout=30_000)
    page.wait_for_selector("#article .hl")
    assert page.eval_on_selector("#article", "el => el.textContent") == LONG
    assert page.inner_text("#analysis-title") == "A long one"
    assert page.errors == []


def test_page_asks_for_a_job_for_20000_characters_or_more(page, slow_server):
    base, _ = slow_server
    page.goto(base + "/")
    seen = []
    page.on(
        "request",
        lambda r: (
            seen.append(r.headers.get("prefer"))
            if r.url.endswith("/api/v1/analyses") and r.method == "POST"
            else None
        ),
    )
    page.fill("#text-input", (LONG + "\n\n") * 9)  # 22,000+ characters
    page.click("#analyze-btn")
    page.wait_for_url("**/#/a/*", timeout=30_000)
    assert seen == ["respond-async"]


def test_long_article_can_be_cancelled(page, slow_server):
    base, _ = slow_server
    page.goto(base + "/")
    page.fill("#text-input", LONG + " Another version.")
    page.click("#analyze-btn")
    page.wait_for_selector("#job-cancel", timeout=10_000)
    page.click("#job-cancel")
    page.wait_for_selector(".error:not([hidden])", timeout=30_000)
    assert "cancelled" in page.inner_text(".error")
    assert "#/a/" not in page.url and page.inner_text("#analyze-btn") == "Analyze"

"""The web page's model choice and "possible passages" control, in Chromium."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# the test lexicon marks "reckless" and "traitors"; these two words are only possible passages
POSSIBLE = {"claims": ("Doubt", 0.45), "certainly": ("Exaggeration,Minimisation", 0.25)}
TEXT = (
    "The mayor claims the reckless plan will modernise the riverside 😀.\n\n"
    "It will certainly cost more than these traitors say."
)


@pytest.fixture(scope="module")
def two_model_server(tmp_path_factory, serve_app):
    from proplens.analyzer import Analyzer
    from proplens.testing import LexiconDetector

    def make(name):
        return Analyzer(
            detector=LexiconDetector(possible=POSSIBLE),
            attribution=False,
            model_name=name,
            model_version="1",
            min_score=0.0,
        )

    with serve_app(
        tmp_path_factory.mktemp("models-db"),
        analyzer=make("lexicon-default"),
        analyzers={"fast": make("lexicon-fast")},
    ) as served:
        yield served


def _analyze(page, base, *, model: str, possible: str) -> dict:
    page.goto(base + "/")
    page.fill("#text-input", TEXT)
    # a locator wait, not wait_for_function: the page's CSP forbids eval, which a string predicate needs
    # whenever it is not already true on the first check
    page.locator("#model-select option[value=fast]", has_text="lexicon-fast").wait_for(state="attached")
    page.select_option("#model-select", model)
    page.select_option("#possible-select", possible)
    page.click("#analyze-btn")
    page.wait_for_url("**/#/a/*", timeout=60_000)
    page.wait_for_selector("#article .seg")
    return {"id": page.url.split("#/a/")[1]}


def _segments(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('#article .seg.hl')).map((el) => ({
        text: el.textContent, possible: el.dataset.possible === '1', fill: getComputedStyle(el).backgroundColor,
        border: getComputedStyle(el).borderBottomStyle, title: el.title }))""")  # noqa: E501  JavaScript run in the page


def test_model_choice_and_possible_passages_are_drawn_apart(page, two_model_server, shot):
    base, repo = two_model_server
    rec = _analyze(page, base, model="fast", possible="0.2")
    assert repo.get(rec["id"]).analysis.model_name == "lexicon-fast"
    assert "lexicon-fast" in page.text_content(".meta")
    segs = {s["text"]: s for s in _segments(page)}
    assert set(segs) == {"claims", "reckless", "certainly", "traitors"}
    for word in ("claims", "certainly"):  # possible: dashed underline, no fill, "possible" in the tooltip
        assert segs[word]["possible"] and segs[word]["border"] == "dashed"
        assert segs[word]["fill"] == "rgba(0, 0, 0, 0)" and "possible" in segs[word]["title"]
    for word in ("reckless", "traitors"):  # confident: filled, solid underline
        assert (
            not segs[word]["possible"]
            and segs[word]["border"] == "solid"
            and segs[word]["fill"] != "rgba(0, 0, 0, 0)"
        )
    # never counted as passages: 2 passages, and the technique legend counts only the confident ones
    assert page.text_content(".scorebox").count("2 passages") == 1
    assert page.text_content("#legend-possible .n") == "2"
    assert page.locator('#legend li[data-technique="Doubt"]').count() == 0
    # the explanation panel labels a possible passage
    page.hover('#article .seg[data-possible="1"] >> text=claims')
    item = page.locator("#explain .item").first
    assert item.get_attribute("data-possible") == "1" and "possible" in item.text_content()
    assert "Doubt" in page.text_content("#explain") or "doubt" in page.text_content("#explain").lower()
    shot(page, "models-possible-passages")
    # the legend entry hides and shows them
    page.click("#legend-possible")
    assert [s["text"] for s in _segments(page)] == ["reckless", "traitors"]
    page.click("#legend-possible")
    assert len(_segments(page)) == 4
    assert page.errors == []


def test_possible_off_and_default_model(page, two_model_server):
    base, repo = two_model_server
    rec = _analyze(page, base, model="default", possible="0.3")
    assert repo.get(rec["id"]).analysis.model_name == "lexicon-default"
    assert [s["text"] for s in _segments(page) if s["possible"]] == ["claims"]  # 0.25 < 0.3
    _analyze(page, base, model="default", possible="1")
    assert [s for s in _segments(page) if s["possible"]] == [] and page.locator(
        "#legend-possible"
    ).count() == 0
    assert page.errors == []

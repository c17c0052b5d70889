"""The web page's paragraph notes (the model's paragraph view, API "paragraphs"), in Chromium.

A note ends each paragraph the paragraph view gives a technique ("¶2 Name calling / labeling 40% · ..."). Its
words are CSS generated content, so #article's text stays exactly the analysed text; a model without a
paragraph view shows no note, no legend entry and no help line.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# written for these tests: a CRLF line, an emoji, blank lines, and a passage that runs over a paragraph end
TEXT = (
    "Harbour plan unveiled 🚢\r\n"
    "\n"
    "The reckless mayor and his cronies will ruin us all.  \n"
    "Officials said the vote is on Tuesday.\n"
    "\n"
    "Who really profits? Ask yourself."
)


class ParagraphLexicon:
    """The test lexicon, plus a paragraph view: each line with a lexicon span gets its techniques at 0.6
    and a question gets Doubt at 0.23 (which no span shows)."""

    def __init__(self):
        from proplens.testing import LexiconDetector

        self.inner = LexiconDetector()
        self.techniques = self.inner.techniques

    def encode(self, texts):
        return self.inner.encode(texts)

    def classify(self, pred, spans):
        return self.inner.classify(pred, spans)

    def predict(self, texts):
        preds = self.inner.predict(texts)
        for pred in preds:
            pred.paragraphs = []
            pos = 0
            for line in pred.text.split("\n"):
                s, e = pos, pos + len(line)
                pos = e + 1
                if not line.strip():
                    continue
                techs = sorted({t for a, b, t, _ in pred.spans if s <= a < e})
                found = [(t, 0.6) for t in techs] + ([("Doubt", 0.23)] if "?" in line else [])
                pred.paragraphs.append((s, e, found))
        return preds


@pytest.fixture(scope="module")
def paragraph_server(tmp_path_factory, serve_app):
    from proplens.analyzer import Analyzer

    analyzer = Analyzer(
        detector=ParagraphLexicon(), attribution=False, model_name="lexicon-paragraphs", model_version="1"
    )
    with serve_app(tmp_path_factory.mktemp("paragraphs-db"), analyzer=analyzer) as served:
        yield served


def _hand_made(paragraphs: bool):
    from proplens.analysis import Analysis, Paragraph, Sentence, Span

    t = TEXT

    def line(first_words):
        s = t.index(first_words)
        e = t.find("\n", s)
        return s, len(t) if e < 0 else e

    r = t.index("reckless")
    spans = (
        Span.make(t, r, r + len("reckless"), "Loaded_Language", 0.81),
        Span.make(t, t.index("ruin us all"), t.index("Officials said") + 9, "Appeal_to_fear-prejudice", 0.55),
    )
    pars = ()
    if paragraphs:
        (a1, b1), (a2, b2), (a4, b4) = line("Harbour"), line("The reckless"), line("Who really")
        pars = (
            Paragraph(a1, b1, (("Loaded_Language", 0.2),), t),
            Paragraph(a2, b2, (("Name_Calling,Labeling", 0.4), ("Loaded_Language", 0.2912)), t),
            Paragraph(a4, b4, (("Doubt", 0.57),), t),
        )
    return Analysis(
        t,
        spans,
        (Sentence(0, len(t), 0.5, t),),
        0.5,
        # another model name for each: the store shares one result per text and model
        "hand-paragraphs" if paragraphs else "hand",
        "1",
        title="Paragraph notes",
        paragraphs=pars,
    )


def _notes(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('#article .pnote')).map((el) => ({
        n: el.dataset.paragraph,
        words: Array.from(el.children).map((c) => getComputedStyle(c, '::before').content.replace(/^"|"$/g, '')),
        colors: Array.from(el.querySelectorAll('.pn-tech')).map((c) => getComputedStyle(c).borderLeftColor),
        before: el.previousElementSibling ? el.previousElementSibling.dataset.end : null,
        text: el.textContent, label: el.getAttribute('aria-label') }))""")  # noqa: E501  JavaScript run in the page


def test_paragraph_notes_follow_each_paragraph_and_leave_the_text_exact(page, paragraph_server, shot):
    base, repo = paragraph_server
    rec = repo.add(_hand_made(paragraphs=True), source="harbour.example")
    page.goto(f"{base}/#/a/{rec.id}")
    page.wait_for_selector("#article .pnote")
    # the article's text is the analysed text, code point for code point (CRLF and emoji included)
    assert page.eval_on_selector("#article", "el => el.textContent") == TEXT
    notes = _notes(page)
    assert [x["n"] for x in notes] == ["1", "2", "4"]
    assert notes[1]["words"] == ["¶2", "Name calling / labeling 40%", "Loaded language 29%"]
    assert notes[0]["words"] == ["¶1", "Loaded language 20%"] and notes[2]["words"] == ["¶4", "Doubt 57%"]
    assert notes[1]["colors"] == ["rgb(245, 130, 49)", "rgb(230, 25, 75)"]  # the techniques' colours
    assert all(x["text"] == "" for x in notes)  # no text node of their own
    assert "Paragraph 2: Name calling / labeling 40%, Loaded language 29%" in notes[1]["label"]
    # each note sits after its paragraph's last character (UTF-16 slicing of the emoji line included):
    # the segment before it ends there, and a passage running over the paragraph end is cut at the note
    cp = [len(ch.encode("utf-16-le")) // 2 for ch in TEXT]
    assert sum(cp) != len(TEXT)  # the emoji is two UTF-16 units
    ends = [TEXT.index("🚢") + 1, TEXT.index("us all.") + len("us all."), len(TEXT)]
    assert [int(x["before"]) for x in notes] == ends
    highlighted = page.eval_on_selector_all(
        '#article .hl[data-techniques="Appeal_to_fear-prejudice"]', "els => els.map((e) => e.textContent)"
    )
    assert highlighted == ["ruin us all.", "  \nOfficials"]
    # help line and legend entry; clicking a note explains it as likelihoods, not a passage
    assert "paragraph view" in page.text_content("#paragraph-view-help")
    assert page.text_content("#legend-paragraphs .n") == "3"
    shot(page, "paragraph-notes")
    page.click('#article .pnote[data-paragraph="2"]')
    explain = page.text_content("#explain")
    assert "Paragraph 2" in explain and "not highlighted passages" in explain
    assert page.eval_on_selector_all(
        "#explain .paragraph-item",
        "els => els.map((e) => [e.dataset.technique, e.querySelector('.tech-conf').textContent])",
    ) == [["Name_Calling,Labeling", "40%"], ["Loaded_Language", "29%"]]
    shot(page, "paragraph-notes-explained", full_page=False)
    # the legend entry hides and shows the notes; the text never changes
    page.click("#legend-paragraphs")
    assert page.locator("#article .pnote").count() == 0
    assert page.eval_on_selector("#article", "el => el.textContent") == TEXT
    page.click("#legend-paragraphs")
    assert page.locator("#article .pnote").count() == 3
    page.keyboard.press("Tab")  # notes are reachable from the keyboard
    page.focus('#article .pnote[data-paragraph="4"]')
    page.keyboard.press("Enter")
    assert "Paragraph 4" in page.text_content("#explain") and "Doubt" in page.text_content("#explain")
    assert page.errors == []


def test_without_a_paragraph_view_nothing_extra_is_shown(page, paragraph_server):
    base, repo = paragraph_server
    rec = repo.add(_hand_made(paragraphs=False))
    page.goto(f"{base}/#/a/{rec.id}")
    page.wait_for_selector("#article .hl")
    assert page.locator(".pnote").count() == 0
    assert (
        page.locator("#legend-paragraphs").count() == 0 and page.locator("#paragraph-view-help").count() == 0
    )
    assert page.eval_on_selector("#article", "el => el.textContent") == TEXT
    assert page.errors == []


def test_pasted_article_gets_the_analyzers_paragraph_view(page, paragraph_server, shot):
    base, _repo = paragraph_server
    page.goto(base + "/")
    page.fill("#text-input", TEXT)
    page.click("#analyze-btn")
    page.wait_for_url("**/#/a/*", timeout=60_000)
    page.wait_for_selector("#article .pnote")
    aid = page.url.split("#/a/")[1]
    api = page.request.get(f"{base}/api/v1/analyses/{aid}").json()
    assert [len(p["techniques"]) for p in api["paragraphs"]] == [1, 1]  # "reckless" line, the question
    notes = _notes(page)
    assert [x["n"] for x in notes] == ["2", "4"]
    assert notes[1]["words"] == ["¶4", "Doubt 23%"]  # a technique no highlighted passage shows
    # (the textarea sends CRLF as LF: the page shows what was analysed)
    assert page.eval_on_selector("#article", "el => el.textContent") == api["text"] == TEXT.replace("\r", "")
    # a phone: the notes wrap, nothing scrolls sideways
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-paragraph-notes")
    assert page.errors == []

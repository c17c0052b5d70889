"""The paragraph view (``Analysis.paragraphs``) in the terminal and the HTML report, on hand-made analyses."""

from __future__ import annotations

import html as htmllib
import re
from io import StringIO

import pytest

from proplens.analysis import Analysis, Paragraph, Sentence, Span
from proplens.report import analysis_to_html, numbered_paragraphs, paragraph_note_offset, paragraph_summary

# blank lines between paragraphs, a CRLF line, an emoji and rich-markup-like text; written for these tests
TEXT = (
    "Harbour plan [bold]unveiled[/bold] 🚢\r\n"
    "\n"
    "The reckless mayor and his cronies will ruin us all.  \n"
    "Officials said the vote is on Tuesday.\n"
    "\n"
    "Who really profits? Ask yourself."
)


def _line(text: str, first_words: str) -> tuple[int, int]:
    start = text.index(first_words)
    end = text.find("\n", start)
    return start, len(text) if end < 0 else end


def _analysis(*, paragraphs: bool = True, spans: bool = True) -> Analysis:
    t = TEXT
    p1, p2, p4 = _line(t, "Harbour"), _line(t, "The reckless"), _line(t, "Who really")
    found = ()
    if spans:
        r = t.index("reckless")
        found = (
            Span.make(t, r, r + len("reckless"), "Loaded_Language", 0.81),
            # a passage that runs over a paragraph's end: its highlight is cut at the note
            Span.make(
                t, t.index("ruin us all"), t.index("Officials said") + 9, "Appeal_to_fear-prejudice", 0.55
            ),
        )
    pars = ()
    if paragraphs:
        pars = (
            Paragraph(p1[0], p1[1], (("Loaded_Language", 0.2),), t),
            Paragraph(p2[0], p2[1], (("Name_Calling,Labeling", 0.4), ("Loaded_Language", 0.2912)), t),
            Paragraph(p4[0], p4[1], (("Doubt", 0.57),), t),  # no span shows Doubt: only the paragraph view
        )
    return Analysis(
        t, found, (Sentence(0, len(t), 0.5, t),), 0.5, "hand", "1", title="A <harbour> plan", paragraphs=pars
    )


# ------------------------------------------------------------------ shared helpers (report.py)
def test_paragraphs_are_numbered_among_non_blank_lines_and_notes_go_after_the_last_character():
    a = _analysis()
    numbered = numbered_paragraphs(a)
    assert [n for n, _ in numbered] == [1, 2, 4]
    first, second, last = (p for _, p in numbered)
    # CRLF: the note goes before "\r" (and the emoji stays whole); trailing spaces stay after the note
    assert TEXT[: paragraph_note_offset(first)].endswith("🚢") and TEXT[paragraph_note_offset(first)] == "\r"
    assert TEXT[: paragraph_note_offset(second)].endswith("ruin us all.")
    assert paragraph_note_offset(last) == len(TEXT)
    assert paragraph_summary(second) == "Name calling / labeling 40% · Loaded language 29%"


def test_numbering_does_not_depend_on_the_order_paragraphs_are_given_in():
    a = _analysis()
    shuffled = Analysis(a.text, a.spans, a.sentences, a.score, "m", "1", paragraphs=a.paragraphs[::-1])
    assert numbered_paragraphs(shuffled) == numbered_paragraphs(a)


# ------------------------------------------------------------------ terminal
def _terminal(a: Analysis, width: int = 140) -> str:
    from rich.console import Console

    from proplens.cli.render import print_analysis

    buf = StringIO()
    print_analysis(a, Console(file=buf, width=width, force_terminal=False))
    return buf.getvalue()


def _rows(out: str) -> dict[str, list[str]]:
    """The "By paragraph" table's rows: "¶n" -> its techniques cells (one technique a line)."""
    rows: dict[str, list[str]] = {}
    current = None
    table = out[out.index("By paragraph") :]
    for line in table.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) != 3:
            if line.startswith("└"):
                break
            continue
        current = cells[0] or current
        if current:
            rows.setdefault(current, []).append(cells[1] + " | " + cells[2])
    return rows


def test_terminal_lists_each_paragraphs_techniques_with_percentages():
    out = _terminal(_analysis())
    assert "By paragraph: the paragraph view" in out
    assert "likelihoods, not highlighted passages" in out
    rows = _rows(out)
    assert list(rows) == ["¶1", "¶2", "¶4"]
    # one technique a line, most likely first, each with its percentage
    assert rows["¶2"] == [
        "“The reckless mayor and his…” | ■ Name calling / labeling 40%",
        " | ■ Loaded language 29%",
    ]
    assert rows["¶4"] == ["“Who really profits? Ask yo…” | ■ Doubt 57%"]
    # user text is never parsed as rich markup: the title line's "[bold]" prints as written
    assert rows["¶1"] == ["“Harbour plan [bold]unveile…” | ■ Loaded language 20%"]
    # the article itself prints as given (CRLF folded), with no paragraph marks added to it
    assert "The reckless mayor and his cronies will ruin us all." in out
    assert out.index("Techniques found") < out.index("By paragraph")


def test_terminal_without_a_paragraph_view_shows_nothing_extra():
    out = _terminal(_analysis(paragraphs=False))
    assert "By paragraph" not in out and "¶" not in out and "paragraph view" not in out
    quiet = _terminal(_analysis(paragraphs=False, spans=False))
    assert "No propaganda techniques found." in quiet and "By paragraph" not in quiet


def test_terminal_paragraph_view_without_confident_passages_says_so():
    out = _terminal(_analysis(spans=False))
    assert "No propaganda techniques found." not in out
    assert "paragraph view below names likely techniques" in out and "Doubt 57%" in out


@pytest.mark.parametrize("width", [60, 100])
def test_terminal_paragraph_table_fits_narrow_consoles(width):
    out = _terminal(_analysis(), width=width)
    assert list(_rows(out)) == ["¶1", "¶2", "¶4"]
    assert max(len(line) for line in out.splitlines()) <= width


# ------------------------------------------------------------------ HTML report
NOTE = re.compile(
    r'<span class="pnote"[^>]*><b>¶\d+</b>'
    r'(?:<span class="pt"[^>]*><span class="dot"[^>]*></span>[^<]*</span>)*</span>'
)


def _article_html(html: str) -> str:
    return html.split('<div class="article">', 1)[1].split("</div></section>", 1)[0]


def test_html_report_has_one_note_per_paragraph_after_its_last_character():
    a = _analysis()
    html = analysis_to_html(a)
    article = _article_html(html)
    notes = re.findall(r'<span class="pnote" role="note" data-paragraph="(\d+)"', article)
    assert notes == ["1", "2", "4"]
    assert (
        "<b>¶2</b>" in article
        and "Name calling / labeling 40%" in article
        and "Loaded language 29%" in article
    )
    assert 'id="paragraph-view-help"' in html and "likelihoods, not highlighted passages" in html
    # where each note sits: the article's text up to it ends with the paragraph's last character
    body = article
    for n, par in numbered_paragraphs(a):
        head = body.split(f'<span class="pnote" role="note" data-paragraph="{n}"', 1)[0]
        plain = htmllib.unescape(re.sub(r"<[^>]+>", "", NOTE.sub("", head)))
        assert plain == a.text[: paragraph_note_offset(par)]
    # with the notes taken out, the article is the analysed text, character for character
    assert htmllib.unescape(re.sub(r"<[^>]+>", "", NOTE.sub("", article))) == a.text


def test_html_report_cuts_a_highlight_that_runs_over_a_paragraph_end_at_the_note():
    article = _article_html(analysis_to_html(_analysis()))
    marks = re.findall(r'data-techniques="Appeal_to_fear-prejudice">(.*?)</mark>', article, re.S)
    assert marks == ["ruin us all.", "  \nOfficials"]
    assert re.search(r'ruin us all\.</mark><span class="pnote" role="note" data-paragraph="2"', article)


def test_html_report_notes_are_escaped_and_scriptless():
    html = analysis_to_html(_analysis())
    assert "<script" not in html.lower() and not re.search(r"<[^>]*\son\w+=", html)
    assert "A &lt;harbour&gt; plan" in html and "[bold]unveiled[/bold]" in html
    tip = re.search(r'data-paragraph="2"[^>]*title="([^"]*)"', html).group(1)
    assert "Paragraph 2: Name calling / labeling 40%; Loaded language 29%." in htmllib.unescape(tip)


def test_html_report_without_a_paragraph_view_shows_nothing_extra():
    html = analysis_to_html(_analysis(paragraphs=False))
    assert "pnote" not in _article_html(html) and 'id="paragraph-view-help"' not in html
    assert htmllib.unescape(re.sub(r"<[^>]+>", "", _article_html(html))) == TEXT

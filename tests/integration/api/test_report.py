"""``proplens.report``: the self-contained HTML report and PTC labels."""

from __future__ import annotations

import re

from proplens.analysis import Analysis, Attribution, Sentence, Span
from proplens.report import analysis_to_html, analysis_to_ptc, segments

TEXT = (
    'Officials said <script>alert(1)</script> "reckless" traitors 😀 ruin it. The mayor said "we will win".'
)


def _analysis() -> Analysis:
    i = TEXT.index("reckless")
    spans = (
        Span.make(TEXT, i - 1, i + len("reckless") + 1, "Loaded_Language", 0.9),
        Span.make(TEXT, i - 1, TEXT.index("traitors") + len("traitors"), "Name_Calling,Labeling", 0.6),
    )
    m = TEXT.index("The mayor")
    att = Attribution(
        source=((m, m + 9),),
        cue=((m + 10, m + 14),),
        content=((m + 15, len(TEXT) - 1),),
        source_type="person",
        source_text="The mayor",
    )
    return Analysis(
        text=TEXT,
        spans=spans,
        sentences=(Sentence(0, m - 1, 0.8, TEXT), Sentence(m, len(TEXT), 0.1, TEXT)),
        score=0.55,
        model_name="m",
        model_version="1",
        title='T "><img src=x onerror=alert(2)>',
        attributions=(att,),
    )


def test_html_report_is_escaped_and_has_no_script():
    html = analysis_to_html(_analysis(), record={"source": "<b>src</b>", "url": "javascript:alert(3)"})
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<b>src" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert 'href="javascript' not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_html_report_highlights_overlaps_legend_scores_and_sources():
    html = analysis_to_html(_analysis())
    marks = re.findall(r'<mark [^>]*data-techniques="([^"]*)"[^>]*>(.*?)</mark>', html)
    assert ("Loaded_Language Name_Calling,Labeling", "&quot;reckless&quot;") in marks
    assert ("Name_Calling,Labeling", " traitors") in marks
    assert "Loaded language" in html and "Name calling / labeling" in html and "55%" in html
    assert "Sources quoted" in html and "The mayor" in html and "person" in html and "we will win" in html
    assert html.count('class="strip"') == 1 and html.count("Sentence score") == 2


def test_segments_cover_the_text_exactly():
    a = _analysis()
    segs = segments(a.text, a.spans)
    assert "".join(a.text[s:e] for s, e, _ in segs) == a.text
    assert all(s < e for s, e, _ in segs)


def test_ptc_labels():
    a = _analysis()
    rows = [r.split("\t") for r in analysis_to_ptc(a, "art\t1").splitlines()]
    assert rows == [["art 1", s.technique, str(s.start), str(s.end)] for s in a.spans]

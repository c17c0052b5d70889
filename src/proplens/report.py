"""Render an :class:`~proplens.analysis.Analysis` as a self-contained HTML report or PTC labels.

The HTML report has inline CSS and no script at all: every piece of article text is escaped, so
a report of a hostile page is inert. Overlapping spans are cut into segments at every span
boundary; a segment is coloured by its most confident technique and underlined once per extra
technique, and its tooltip lists them all. Where the model has a paragraph view
(:attr:`~proplens.analysis.Analysis.paragraphs`), each paragraph ends with a small note ("¶3 Name calling
40% · Loaded language 29%"): likelihoods for the whole paragraph, not highlighted passages.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from itertools import pairwise
from typing import Any

from .analysis import Analysis, Paragraph, Span
from .techniques import TECHNIQUES, get_technique

__all__ = [
    "analysis_to_html",
    "analysis_to_ptc",
    "numbered_paragraphs",
    "paragraph_note_offset",
    "paragraph_summary",
    "segments",
]

#: What a paragraph note means, for tooltips and captions.
PARAGRAPH_VIEW_HELP = (
    "Paragraph view: how likely it is that an annotator marked each technique somewhere in this "
    "paragraph (the model's paragraph view, not highlighted passages)."
)


def numbered_paragraphs(analysis: Analysis) -> list[tuple[int, Paragraph]]:
    """Each of ``analysis.paragraphs`` with its number (1-based) among the article's non-blank lines.

    A paragraph is one line of the article; blank lines are not counted, so "¶3" is the third paragraph a
    reader sees. Paragraphs without a technique are not in ``analysis.paragraphs`` but still count.

    Examples
    --------
    >>> from proplens.analysis import Analysis, Paragraph
    >>> t = "Intro.\\n\\nA reckless plan.\\nThe end."
    >>> i = t.index("A reckless")
    >>> p = Paragraph(i, i + len("A reckless plan."), (("Loaded_Language", 0.4),), t)
    >>> [(n, par.text) for n, par in numbered_paragraphs(Analysis(t, (), (), 0.1, "m", "1", paragraphs=(p,)))]
    [(2, 'A reckless plan.')]
    """
    text = analysis.text
    starts = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            starts.append(pos)
        pos += len(line) + 1
    ordered = sorted(analysis.paragraphs, key=lambda p: p.start)
    return [(max(1, bisect_right(starts, p.start)), p) for p in ordered]


def paragraph_note_offset(paragraph: Paragraph) -> int:
    """Where a paragraph's note goes: right after its last non-space character (a CRLF's ``\\r`` and
    trailing spaces stay after the note)."""
    text, q = paragraph.source_text, paragraph.end
    while q > paragraph.start and text[q - 1].isspace():
        q -= 1
    return q


def paragraph_summary(paragraph: Paragraph, sep: str = " · ") -> str:
    """The paragraph's techniques with percentages, most likely first.

    Examples
    --------
    >>> from proplens.analysis import Paragraph
    >>> t = "You traitors!"
    >>> paragraph_summary(Paragraph(0, len(t), (("Repetition", 0.4), ("Loaded_Language", 0.2912)), t))
    'Repetition 40% · Loaded language 29%'
    """
    return sep.join(f"{get_technique(t).name} {p:.0%}" for t, p in paragraph.techniques)


def segments(text: str, spans: Sequence[Span]) -> list[tuple[int, int, list[Span]]]:
    """Cut ``text`` at every span boundary: (start, end, covering spans sorted by score, best first).

    Examples
    --------
    >>> from proplens.analysis import Span
    >>> t = "a bad evil plan"
    >>> segs = segments(t, [Span.make(t, 2, 10, "Loaded_Language", .9), Span.make(t, 6, 15, "Doubt", .5)])
    >>> [(t[s:e], [x.technique for x in c]) for s, e, c in segs]
    [('a ', []), ('bad ', ['Loaded_Language']), ('evil', ['Loaded_Language', 'Doubt']), (' plan', ['Doubt'])]
    """
    cuts = {0, len(text)}
    for s in spans:
        cuts.add(s.start)
        cuts.add(s.end)
    points = sorted(cuts)
    out = []
    for a, b in pairwise(points):
        if a == b:
            continue
        cover = sorted(
            (s for s in spans if s.start <= a and s.end >= b), key=lambda s: (-s.score, s.technique)
        )
        out.append((a, b, cover))
    return out


def _hex_to_rgba(color: str, alpha: float) -> str:
    c = color.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    try:
        r, g, b = int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    except ValueError:
        return f"rgba(255,200,0,{alpha})"
    return f"rgba({r},{g},{b},{alpha})"


def _heat(score: float) -> str:
    score = min(1.0, max(0.0, score))
    # white -> amber -> red
    r = 255
    g = int(245 - 170 * score)
    b = int(235 - 200 * score)
    return f"rgb({r},{g},{b})"


_CSS = """
*{box-sizing:border-box}body{font:16px/1.6 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330;background:#f5f6f8;margin:0}
main{max-width:1100px;margin:0 auto;padding:24px}
header.top{background:#1d2330;color:#fff;padding:14px 24px}header.top b{letter-spacing:.04em}
h1{font-size:1.6em;line-height:1.25;margin:.2em 0 .3em}h2{font-size:1.1em;margin:1.2em 0 .5em}
.meta{color:#5b6474;font-size:.9em}.grid{display:grid;grid-template-columns:minmax(0,1fr) 300px;gap:24px;align-items:start}
.card{background:#fff;border:1px solid #e1e4ea;border-radius:10px;padding:18px 20px}
.article{white-space:pre-wrap;word-wrap:break-word;font-family:Georgia,serif;font-size:1.05em;line-height:1.75}
mark{color:inherit;border-radius:3px;padding:1px 0;cursor:help}
.legend div{display:flex;align-items:center;gap:8px;margin:4px 0;font-size:.92em}
.sw{display:inline-block;width:14px;height:14px;border-radius:3px;flex:none}
.legend .n{margin-left:auto;font-variant-numeric:tabular-nums;color:#5b6474}
.score{font-size:2.2em;font-weight:700}.strip{display:flex;height:18px;border-radius:4px;overflow:hidden;border:1px solid #e1e4ea}
.strip span{display:block;height:100%;border-right:1px solid #fff}table{border-collapse:collapse;width:100%;font-size:.9em}
td,th{text-align:left;padding:4px 6px;border-bottom:1px solid #eef0f3;vertical-align:top}
.bar{height:10px;border-radius:3px;display:inline-block;vertical-align:middle}
footer{color:#5b6474;font-size:.8em;margin-top:24px}
.pnote{display:inline-block;margin:0 0 0 .5em;padding:0 7px;border:1px solid #d5d9e1;border-radius:10px;background:#f4f5f8;color:#3a4252;font:12.5px/1.6 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;white-space:normal;vertical-align:.1em;user-select:none;cursor:help}
.pnote b{color:#5b6474;margin-right:2px}.pnote .pt+.pt::before{content:" · ";color:#8a93a3}.pnote .dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:3px}
@media (max-width:800px){.grid{grid-template-columns:1fr}}
"""  # noqa: E501  CSS/HTML template, kept verbatim


def analysis_to_html(analysis: Analysis, *, record: Mapping[str, Any] | None = None) -> str:
    """A self-contained HTML report (inline CSS, no scripts; all text escaped).

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    record : mapping, optional
        Extra metadata to show (``source``, ``url``, ``published``, ``created``, ``id``).

    Returns
    -------
    str
        A complete HTML document.
    """
    rec = dict(record or {})
    meta = dict(analysis.meta or {})
    title = analysis.title or rec.get("title") or "Untitled article"
    text = analysis.text
    counts = analysis.technique_counts()
    parts = _marked_article(analysis)
    legend = []
    for t in TECHNIQUES:
        n = counts.get(t.id, 0)
        if not n:
            continue
        legend.append(
            f'<div title="{escape(t.definition, quote=True)}"><span class="sw" '
            f'style="background:{escape(t.color)}"></span>'
            f'<span>{escape(t.name)}</span><span class="n">{n}</span></div>'
        )
    if not legend:
        legend.append('<div class="meta">No propaganda technique was found.</div>')
    total = max(1, len(text))
    strip = "".join(
        f'<span style="width:{100 * max(1, s.end - s.start) / total:.3f}%;background:{_heat(s.score)}" '
        f'title="{escape(f"Sentence score {s.score:.0%}: " + s.text[:120], quote=True)}"></span>'
        for s in analysis.sentences
    )
    maxc = max([v for v in counts.values()] + [1])
    bars = "".join(
        f'<tr><td>{escape(get_technique(k).name)}</td><td style="width:45%"><span class="bar" '
        f'style="width:{100 * v / maxc:.1f}%;background:{escape(get_technique(k).color)}"></span></td>'
        f"<td>{v}</td></tr>"
        for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
        if v
    )
    srcs = _sources_table(analysis)
    info = []
    for key in ("source", "url", "published", "created"):
        val = rec.get(key) or meta.get(key)
        if val:
            info.append(f"{escape(key.capitalize())}: {escape(str(val))}")
    info.append(f"Model: {escape(analysis.model_name)} {escape(analysis.model_version)}")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — proplens report</title><style>{_CSS}</style></head>
<body><header class="top"><b>proplens</b> · propaganda technique report</header><main>
<h1>{escape(title)}</h1><div class="meta">{" · ".join(info)}</div>
<div class="grid" style="margin-top:18px"><section class="card"><div class="article">{"".join(parts)}</div></section>
<aside><section class="card"><div class="meta">Article score</div><div class="score">{analysis.score:.0%}</div>
<div class="meta">{analysis.n_passages} passage{"" if analysis.n_passages == 1 else "s"} in {len(analysis.sentences)} sentences</div>
<h2>Sentence heat</h2><div class="strip">{strip}</div>
<h2>Techniques</h2><div class="legend">{"".join(legend)}</div>{_paragraph_help(analysis)}</section>
<section class="card" style="margin-top:16px"><h2 style="margin-top:0">Counts</h2><table>{bars}</table></section></aside></div>
{srcs}
<footer>Generated by proplens on {generated}. Scores are model confidences, not verdicts: read the passages.</footer>
</main></body></html>
"""  # noqa: E501  CSS/HTML template, kept verbatim


def _paragraph_help(analysis: Analysis) -> str:
    """The legend's line on paragraph notes (empty without a paragraph view)."""
    if not analysis.paragraphs:
        return ""
    return (
        '<p class="meta" id="paragraph-view-help"><b>¶ notes.</b> '
        "A note at the end of a paragraph is the paragraph view: how likely each technique is to be "
        "used somewhere in that paragraph. Its figures are likelihoods, not highlighted passages, and it "
        "can name a technique that no highlighted passage shows.</p>"
    )


def _paragraph_note(number: int, paragraph: Paragraph) -> str:
    """A paragraph's note: "¶3" and its techniques with percentages, each with its colour (all escaped)."""
    items = "".join(
        f'<span class="pt" data-technique="{escape(t, quote=True)}"><span class="dot" '
        f'style="background:{escape(get_technique(t).color, quote=True)}"></span>'
        f"{escape(get_technique(t).name)} {p:.0%}</span>"
        for t, p in paragraph.techniques
    )
    tip = f"Paragraph {number}: {paragraph_summary(paragraph, '; ')}. {PARAGRAPH_VIEW_HELP}"
    return (
        f'<span class="pnote" role="note" data-paragraph="{number}" data-start="{paragraph.start}" '
        f'data-end="{paragraph.end}" title="{escape(tip, quote=True)}"><b>¶{number}</b>{items}</span>'
    )


def _marked_article(analysis: Analysis) -> list[str]:
    """The article text, escaped, with a ``<mark>`` per stretch of spans (possible passages: underlined)
    and each paragraph's note (the paragraph view) after its last character."""
    text = analysis.text
    parts: list[str] = []
    possible = {id(s) for s in analysis.possible_spans}
    notes: dict[int, list[str]] = {}
    for number, par in numbered_paragraphs(analysis):
        notes.setdefault(paragraph_note_offset(par), []).append(_paragraph_note(number, par))
    pieces = []
    for a, b, cover in segments(text, analysis.spans + analysis.possible_spans):
        cuts = [a, *sorted(q for q in notes if a < q < b), b]  # a note never sits inside a piece
        pieces += [(x, y, cover) for x, y in pairwise(cuts)]
    for a, b, cover in pieces:
        parts += notes.pop(a, [])
        chunk = escape(text[a:b], quote=True)
        if not cover:
            parts.append(chunk)
            continue
        sure = [s for s in cover if id(s) not in possible]
        if not sure:  # only possible passages here: a dashed underline, no fill
            t0 = cover[0].technique_info
            tip = "Possible: " + "; ".join(f"{s.technique_info.name} ({s.score:.0%})" for s in cover)
            parts.append(
                f'<mark class="possible" style="background:none;border-bottom:2px dashed {escape(t0.color)}" '
                f'title="{escape(tip, quote=True)}" data-possible="1">{chunk}</mark>'
            )
            continue
        cover = sure
        top = cover[0].technique_info
        shadows = ",".join(
            f"0 {3 * (i + 1)}px 0 {get_technique(s.technique).color}" for i, s in enumerate(cover[1:4])
        )
        style = f"background:{_hex_to_rgba(top.color, 0.28)};border-bottom:3px solid {top.color}"
        if shadows:
            style += f";box-shadow:{shadows}"
        tip = "; ".join(f"{s.technique_info.name} ({s.score:.0%})" for s in cover)
        techs = " ".join(s.technique for s in cover)
        parts.append(
            f'<mark style="{escape(style)}" title="{escape(tip, quote=True)}" '
            f'data-techniques="{escape(techs, quote=True)}">{chunk}</mark>'
        )
    for q in sorted(notes):  # at the end of the text (or of an empty one)
        parts += notes[q]
    return parts


def _sources_table(analysis: Analysis) -> str:
    """The "Sources quoted" card (empty without attributions)."""
    text = analysis.text
    srcs = ""
    if analysis.attributions:
        rows = []
        for at in analysis.attributions:
            cue = " / ".join(text[s:e] for s, e in at.cue if 0 <= s < e <= len(text))
            content = " … ".join(text[s:e] for s, e in at.content if 0 <= s < e <= len(text))
            via = (" via " + ", ".join(at.via)) if at.via else ""
            rows.append(
                f"<tr><td>{escape(at.source_text)}{escape(via)}</td><td>{escape(at.source_type)}</td>"
                f"<td>{escape(cue)}</td><td>{escape(content[:400])}</td></tr>"
            )
        srcs = (
            '<section class="card" style="margin-top:24px"><h2>Sources '
            "quoted</h2><table><tr><th>Source</th><th>Type</th>"
            "<th>Cue</th><th>Content</th></tr>" + "".join(rows) + "</table></section>"
        )
    return srcs


def analysis_to_ptc(analysis: Analysis, article_id: str) -> str:
    """PTC technique-classification labels: ``article_id<TAB>technique<TAB>start<TAB>end`` per span.

    Examples
    --------
    >>> from proplens.analysis import Analysis, Span
    >>> t = "a reckless plan"
    >>> a = Analysis(t, (Span.make(t, 2, 10, "Loaded_Language", .9),), (), .5, "m", "1")
    >>> analysis_to_ptc(a, "111")
    '111\\tLoaded_Language\\t2\\t10\\n'
    """
    aid = str(article_id).replace("\t", " ").replace("\n", " ")
    return "".join(f"{aid}\t{s.technique}\t{s.start}\t{s.end}\n" for s in analysis.spans)

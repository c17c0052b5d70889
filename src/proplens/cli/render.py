"""Rendering analyses for the terminal (rich) and as PTC rows. No propaganda logic lives here.

User text (article, title, spans, sources) is only ever passed to rich inside ``Text`` objects, never as a
markup string: "[/quote]" or "[motor]" in an article must print as written, not be parsed as rich markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..techniques import get_technique

if TYPE_CHECKING:
    from ..analysis import Analysis


def _quote(text: str, limit: int) -> str:
    """A span shown in quotes, verbatim but for line breaks (shown as ⏎) and a cut after ``limit``
    characters."""
    cut = text[:limit].replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎")
    return f"“{cut}{'…' if len(text) > limit else ''}”"


def _print_paragraphs(analysis: Analysis, console) -> None:
    """The "By paragraph" table: each paragraph the model's paragraph view gives a technique, with the
    techniques' likelihoods (nothing for a model without a paragraph view)."""
    from rich.table import Table
    from rich.text import Text

    from ..report import numbered_paragraphs

    if not analysis.paragraphs:
        return
    table = Table(
        title="By paragraph: the paragraph view",
        caption="How likely each technique is to be used somewhere in the paragraph "
        "(likelihoods, not highlighted passages).",
    )
    table.add_column("¶", justify="right")
    table.add_column("paragraph", no_wrap=True, overflow="ellipsis", max_width=32)
    table.add_column("techniques")
    for number, par in numbered_paragraphs(analysis):
        techniques = Text()
        for i, (tid, p) in enumerate(par.techniques):
            t = get_technique(tid)
            if i:
                techniques += Text("\n")
            techniques += Text("■ ", style=t.color) + Text(f"{t.name} {p:.0%}")
        table.add_row(f"¶{number}", Text(_quote(par.text.strip(), 26)), techniques)
    console.print(table)


def print_analysis(analysis: Analysis, console, *, show_text: bool = True) -> None:
    """The article with coloured highlights, then a legend with counts and the scores."""
    from rich.table import Table
    from rich.text import Text

    text = analysis.text
    if show_text:
        body = Text(text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text)
        # Keep offsets valid after CRLF folding: map original offsets to the folded string.
        if "\r" in text:
            shift = [0] * (len(text) + 1)
            removed = 0
            for i, ch in enumerate(text):
                shift[i] = i - removed
                if ch == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
                    removed += 1
            shift[len(text)] = len(text) - removed
            pos = lambda i: shift[i]  # noqa: E731
        else:
            pos = lambda i: i  # noqa: E731
        for s in (
            analysis.possible_spans
        ):  # possible passages: dim, dotted-style underline, under the confident ones
            body.stylize(f"dim underline {get_technique(s.technique).color}", pos(s.start), pos(s.end))
        for s in sorted(analysis.spans, key=lambda s: -(s.end - s.start)):  # long first, short ones on top
            color = get_technique(s.technique).color
            body.stylize(
                f"bold on {color}" if s.score >= 0.5 else f"underline {color}", pos(s.start), pos(s.end)
            )
        if analysis.title:
            console.print(Text(analysis.title, style="bold"))
            console.print()
        console.print(body)
        console.print()
    table = Table(title="Techniques found", show_lines=False)
    table.add_column("technique")
    table.add_column("count", justify="right")
    table.add_column("example")
    counts = analysis.technique_counts()
    for tid, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        if n == 0:
            continue
        t = get_technique(tid)
        first = max(analysis.spans_of(tid), key=lambda s: s.score)
        table.add_row(Text("■ ", style=t.color) + Text(t.name), str(n), Text(_quote(first.text, 60)))
    if analysis.spans:
        console.print(table)
    elif analysis.paragraphs:
        console.print(
            "No passage was found with confidence; the paragraph view below names likely techniques."
        )
    else:
        console.print("No propaganda techniques found.")
    _print_paragraphs(analysis, console)
    if analysis.possible_spans:
        pp = Table(title="Possible passages (lower confidence, underlined dim)")
        pp.add_column("passage")
        pp.add_column("technique")
        pp.add_column("score", justify="right")
        for x in sorted(analysis.possible_spans, key=lambda x: -x.score)[:15]:
            pp.add_row(Text(_quote(x.text, 60)), Text(get_technique(x.technique).name), f"{x.score:.0%}")
        console.print(pp)
    shared = [(s, e, sp) for s, e, sp in analysis.passages() if len(sp) > 1]
    if shared:
        pt = Table(title="Passages with several techniques")
        pt.add_column("passage")
        pt.add_column("techniques")
        for _s, _e, sp in shared:
            names = ", ".join(
                f"{get_technique(x.technique).name} {x.score:.0%}" for x in sorted(sp, key=lambda x: -x.score)
            )
            pt.add_row(Text(_quote(sp[0].text, 60)), Text(names))
        console.print(pt)
    if analysis.attributions:
        at = Table(title="Sources")
        at.add_column("source")
        at.add_column("type")
        at.add_column("cue")
        at.add_column("content")
        for a in analysis.attributions[:40]:
            cue = " ".join(text[s:e] for s, e in a.cue)
            content = " ".join(text[s:e] for s, e in a.content)
            at.add_row(
                Text(a.source_text or "(no source)"),
                Text(a.source_type),
                Text(cue),
                Text((content[:80] + "…") if len(content) > 80 else content),
            )
        console.print(at)
    share = analysis.propaganda_sentence_share
    footer = Text("Article score: ") + Text(f"{analysis.score:.2f}", style="bold")
    footer += Text(
        f"  ·  sentences with propaganda: {share:.0%}  ·  passages: {analysis.n_passages}  ·  "
        f"model: {analysis.model_name} {analysis.model_version}"
    )
    console.print(footer)

"""Show attributions: a rich table for the CLI and an escaped HTML sources panel for reports.

Both group attributions by source, so a reader sees whose voice an article carries.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Sequence

__all__ = ["group_by_source", "print_attributions", "attributions_to_html"]


def _t(text: str, spans) -> str:
    return " … ".join(text[s:e] for s, e in spans)


def group_by_source(text: str, attributions: Sequence) -> OrderedDict[str, list]:
    """Attributions grouped by source text (case-insensitive), in order of first appearance.

    Claims with no source are grouped under the key ``""``.
    """
    groups: OrderedDict[str, list] = OrderedDict()
    for a in attributions:
        key = (a.source_text or "").strip().lower()
        groups.setdefault(key, []).append(a)
    return groups


def print_attributions(text: str, attributions: Sequence, console, *, title: str | None = None) -> None:
    """Print a table: source (type, via), cue, content."""
    from rich.table import Table
    from rich.text import Text

    # Every cell is a Text, never a markup string: user text such as "[/quote]" must print verbatim.
    t = Table(title=Text(f"Sources — {title}" if title else "Sources"), show_lines=True)
    t.add_column("source")
    t.add_column("type")
    t.add_column("cue")
    t.add_column("content", overflow="fold")
    for a in attributions:
        src = a.source_text or "(no source)"
        if a.via:
            src += " via " + ", ".join(a.via)
        t.add_row(Text(src), Text(a.source_type), Text(_t(text, a.cue)), Text(_t(text, a.content)))
    console.print(t)
    if not attributions:
        console.print("No attributions found.")


def attributions_to_html(text: str, attributions: Sequence) -> str:
    """A sources panel (escaped HTML fragment): one entry per source with its claims.

    Each claim carries ``data-start``/``data-end`` of its content so a page script can highlight it.
    """
    e = html.escape
    parts = ['<section class="pl-sources"><h2>Sources</h2>']
    for key, group in group_by_source(text, attributions).items():
        a0 = group[0]
        name = a0.source_text if key else "Unattributed claims"
        via = f" <span class=pl-via>via {e(', '.join(a0.via))}</span>" if a0.via else ""
        parts.append(
            f'<details class="pl-source" data-type="{e(a0.source_type)}"><summary>{e(name)} '
            f"<span class=pl-type>{e(a0.source_type)}</span>{via} ({len(group)})</summary><ul>"
        )
        for a in group:
            s = a.content[0][0] if a.content else (a.cue[0][0] if a.cue else 0)
            end = a.content[-1][1] if a.content else (a.cue[-1][1] if a.cue else 0)
            parts.append(
                f'<li data-start="{s}" data-end="{end}"><b>{e(_t(text, a.cue))}</b>: '
                f"{e(_t(text, a.content))}</li>"
            )
        parts.append("</ul></details>")
    parts.append("</section>")
    return "".join(parts)

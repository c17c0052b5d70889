"""Render a :class:`~proplens.compare.comparison.Comparison` as a self-contained HTML page or as text."""

from __future__ import annotations

import html
from typing import Any

from .comparison import Comparison

__all__ = ["comparison_to_html", "comparison_to_text", "inline_segments"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem;color:#222;line-height:1.45}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.35rem .5rem;vertical-align:top;text-align:left;font-size:.92rem}
th{background:#f4f4f4}
tr.shared td.cell{background:#fafafa;color:#555}
tr.reworded td.cell{background:#fffbe6}
tr.only td.cell.present{background:#e8f4ff}
td.cell.absent{background:#f7f7f7;color:#aaa;text-align:center}
ins{background:#c9f7cf;text-decoration:none}del{background:#ffd3d3}
mark{background:#ffe08a;padding:0 .1em}
.status{font-size:.75rem;text-transform:uppercase;color:#666}
.summary{font-weight:600}
ul{margin:.2rem 0 .6rem 1.2rem;padding:0}
.note{color:#a40}
.meta{color:#666;font-size:.85rem;margin-top:0}
table.terms{width:auto}
"""


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _marked(text: str, start: int, end: int, marks: list[dict]) -> str:
    """Escape ``text[start:end]`` and wrap the added propaganda spans that fall inside it in <mark>."""
    inside = sorted((m for m in marks if start <= m["start"] and m["end"] <= end), key=lambda m: m["start"])
    out, pos = [], start
    for m in inside:
        if m["start"] < pos:
            continue
        out.append(_e(text[pos : m["start"]]))
        out.append(f'<mark title="{_e(m["technique"])}">{_e(text[m["start"] : m["end"]])}</mark>')
        pos = m["end"]
    out.append(_e(text[pos:end]))
    return "".join(out)


def inline_segments(c: Comparison, row: dict, vid: str) -> list[tuple[str, str]]:
    """``(op, text)`` pieces of version ``vid``'s cell in a reworded row: its own text (equal, insert) with
    the reference version's deleted words in place; spaces are only the texts' own ones, plus one beside a
    deleted word where the reference had one."""
    ops = (row.get("inline") or {}).get(vid)
    if ops is None:
        span = row["spans"][vid]
        return [("equal", c.texts[vid][span[0] : span[1]])]
    ref = c.texts[row["reference"]]
    out = []
    for op in ops:
        if op[0] == "delete":
            if op[3]:
                out.append(("equal", op[3]))
            out.append(("delete", ref[op[1] : op[2]]))
            if op[4]:
                out.append(("equal", op[4]))
        else:
            out.append((op[0], c.texts[vid][op[1] : op[2]]))
    return out


def _inline_html(c: Comparison, row: dict, vid: str) -> str:
    tags = {"insert": ("<ins>", "</ins>"), "delete": ("<del>", "</del>")}
    return "".join(
        tags[op][0] + _e(t) + tags[op][1] if op in tags else _e(t) for op, t in inline_segments(c, row, vid)
    )


def _terms_html(terms: list[dict]) -> str:
    if not terms:
        return ""
    h = [
        "<table class=terms><tr><th>Says</th><th>Instead of</th><th>Times</th><th>Where the other wording "
        "is</th></tr>"
    ]
    for t in terms:
        h.append(
            f"<tr><td><ins>{_e(t['term'])}</ins></td><td><del>{_e(t['instead_of'])}</del></td><td>{t['count']}</td>"
            f"<td>{_e(', '.join(t.get('versions', [])))}</td></tr>"
        )
    h.append("</table>")
    return "".join(h)


def comparison_to_html(c: Comparison, *, title: str = "proplens — story comparison") -> str:
    """A self-contained HTML page (inline CSS, no scripts, every text escaped).

    Parameters
    ----------
    c : Comparison
    title : str
        The page title.

    Returns
    -------
    str
    """
    ids = [v["id"] for v in c.versions]
    h = [
        "<!DOCTYPE html><html lang=en><head><meta "
        f"charset=utf-8><title>{_e(title)}</title><style>{_CSS}</style></head><body>"
    ]
    h.append(f"<h1>{_e(title)}</h1>")
    for note in c.warnings:
        h.append(f'<p class="note">{_e(note)}</p>')
    h.append("<h2>What each version changes</h2>")
    for v in c.versions:
        score = "—" if v["article_score"] is None else f"{v['article_score']:.2f}"
        h.append(f"<h3>{_e(v['id'])}" + (f" — {_e(v['title'])}" if v.get("title") else "") + "</h3>")
        h.append(_terms_html(c.differences[v["id"]].get("substituted_terms") or []))
        h.append(f"<p class=summary>{_e(v['summary'])}</p>")
        h.append(f"<p class=meta>Propaganda score {score} · {v['n_sentences']} sentences</p>")
    techs = sorted({t for v in c.versions for t in v["techniques"]})
    if techs:
        h.append(
            "<h2>Technique profile</h2><table><tr><th>Technique</th>"
            + "".join(f"<th>{_e(i)}</th>" for i in ids)
            + "</tr>"
        )
        for t in techs:
            h.append(
                f"<tr><td>{_e(t)}</td>"
                + "".join(f"<td>{v['techniques'].get(t, 0)}</td>" for v in c.versions)
                + "</tr>"
            )
        h.append("</table>")
    h.append(
        "<h2>Sentence alignment</h2><table><tr><th></th>"
        + "".join(f"<th>{_e(i)}</th>" for i in ids)
        + "</tr>"
    )
    for row in c.alignment:
        h.append(
            f'<tr class="{_e(row["status"])}"><td '
            f"class=status>{_e(row['status'])}<br>{row['similarity']:.2f}</td>"
        )
        for vid in ids:
            span = row["spans"].get(vid)
            if span is None:
                h.append('<td class="cell absent">—</td>')
                continue
            if row["status"] == "reworded" and vid in row.get("inline", {}):
                body = _inline_html(c, row, vid)
            else:
                body = _marked(c.texts[vid], span[0], span[1], c.differences[vid]["added_spans"])
            h.append(f'<td class="cell present">{body}</td>')
        h.append("</tr>")
    h.append("</table>")
    h.append("<h2>Differences</h2>")
    for vid in ids:
        d = c.differences[vid]
        h.append(f"<h3>{_e(vid)}</h3><ul>")
        for key, label in (
            ("added_content", "Adds"),
            ("dropped_content", "Leaves out"),
            ("added_wording", "New wording, most likely propaganda first"),
            ("added_spans", "Adds propaganda"),
            ("dropped_spans", "Drops propaganda"),
            ("added_sources", "Adds sources"),
            ("dropped_sources", "Drops sources"),
            ("added_entities", "Adds names"),
            ("dropped_entities", "Drops names"),
            ("changed_numbers", "Changes numbers"),
            ("added_numbers", "Adds numbers"),
            ("dropped_numbers", "Drops numbers"),
        ):
            items = d.get(key) or []
            if not items:
                continue
            h.append(f"<li>{label}: " + "; ".join(_e(_item_text(key, x)) for x in items) + "</li>")
        h.append("</ul>")
    h.append("</body></html>")
    return "".join(h)


def _item_text(key: str, x: dict) -> str:
    if key == "changed_numbers":
        return f"{x['from']} → {x['to']} (vs {x['version']})"
    if key == "added_wording":
        return f"“{x['text']}”" + (f" {x['score']:.2f}" if x.get("score") is not None else "")
    if key in ("added_content", "dropped_content"):
        return f"“{x['text']}” [{x['kind']}]" + (f" (from {x['version']})" if x.get("version") else "")
    t = x.get("text", "")
    extra = x.get("technique") or x.get("type") or x.get("label") or ""
    via = f" via {', '.join(x['via'])}" if x.get("via") else ""
    ver = f" (from {x['version']})" if x.get("version") else ""
    return f"“{t}”" + (f" [{extra}]" if extra else "") + via + ver


def comparison_to_text(c: Comparison, *, width: int = 120, color: bool = False) -> str:
    """A plain-text (optionally ANSI-coloured) report made with rich."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(
        record=True, width=width, force_terminal=color, color_system="standard" if color else None
    )
    ids = [v["id"] for v in c.versions]
    for note in c.warnings:
        console.print(f"note: {note}", markup=False)
    for v in c.versions:
        score = "—" if v["article_score"] is None else f"{v['article_score']:.2f}"
        console.print(
            Text(f"{v['id']}", style="bold")
            + Text(f" (propaganda score {score}, {v['n_sentences']} sentences)")
        )
        for term in c.differences[v["id"]].get("substituted_terms") or []:
            line = Text("  says ")
            line.append("{+" + term["term"] + "+}", style="green")
            line.append(" instead of ")
            line.append("[-" + term["instead_of"] + "-]", style="red")
            line.append(f" ×{term['count']} ({', '.join(term.get('versions', []))})")
            console.print(line)
        console.print(Text("  " + v["summary"]))
        console.print()
    techs = sorted({x for v in c.versions for x in v["techniques"]})
    if techs:
        p = Table(title="Technique profile")
        p.add_column("technique")
        for i in ids:
            p.add_column(i, justify="right")
        for x in techs:
            p.add_row(x, *[str(v["techniques"].get(x, 0)) for v in c.versions])
        console.print(p)
    a = Table(title="Alignment", show_lines=True)
    a.add_column("status")
    for i in ids:
        a.add_column(i, overflow="fold")
    for row in c.alignment:
        cells = []
        for vid in ids:
            span = row["spans"].get(vid)
            if span is None:
                cells.append(Text("—", style="dim"))
            elif row["status"] == "reworded" and vid in row.get("inline", {}):
                txt = Text()
                for op, w in inline_segments(c, row, vid):
                    if op == "insert":
                        txt.append("{+" + w + "+}", style="bold green")
                    elif op == "delete":
                        txt.append("[-" + w + "-]", style="red")
                    else:
                        txt.append(w)
                cells.append(txt)
            else:
                cells.append(Text(c.texts[vid][span[0] : span[1]]))
        a.add_row(f"{row['status']}\n{row['similarity']:.2f}", *cells)
    console.print(a)
    for vid in ids:
        d = c.differences[vid]
        console.print(Text(f"{vid}:", style="bold"))
        for key in (
            "added_content",
            "dropped_content",
            "added_wording",
            "added_spans",
            "dropped_spans",
            "added_sources",
            "dropped_sources",
            "added_entities",
            "dropped_entities",
            "changed_numbers",
            "added_numbers",
            "dropped_numbers",
        ):
            items = d.get(key) or []
            if items:
                console.print(
                    Text(f"  {key.replace('_', ' ')}: " + "; ".join(_item_text(key, x) for x in items))
                )
    return console.export_text(styles=color)

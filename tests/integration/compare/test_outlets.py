"""Three invented outlets' versions of one story with known edits (tests/compare/outlets.py)."""

from __future__ import annotations

import pytest

from proplens.compare import CompareInput, compare
from proplens.compare.align import align_versions

from .outlets import DAILY, STATE, WIRE


@pytest.fixture(scope="module")
def encoder():
    from proplens.compare import embed

    return embed


def _rows(texts, encoder):
    sents, rows = align_versions(texts, encoder)
    out = []
    for r in rows:
        out.append({v: texts[v][sents[v][idx[0]][0] : sents[v][idx[-1]][1]] for v, idx in r.units.items()})
    return out


def _row_with(rows, v, prefix):
    found = [r for r in rows if v in r and r[v].startswith(prefix)]
    assert len(found) == 1, (prefix, rows)
    return found[0]


def test_alignment_paraphrased_lead_and_shortened_sentence(encoder):
    rows = _rows([WIRE, STATE], encoder)
    lead = _row_with(rows, 1, "Nationals of Norland")
    assert lead[0].startswith("Fighters from Norland") and lead[0].endswith("local officials said on Monday.")
    short = _row_with(rows, 1, "Vafra seized")
    assert short[0].startswith("The Valley Front, also known as")


def test_alignment_merged_quote_and_translator_sentence(encoder):
    rows = _rows([WIRE, STATE], encoder)
    merged = _row_with(rows, 1, "\u201cThey take our grain")
    assert merged[0].startswith("\u201cThey take our grain") and merged[0].endswith("Dalen said.")


def test_alignment_dropped_and_added_sentences_are_only(encoder):
    rows = _rows([WIRE, STATE], encoder)
    only_wire = [r[0] for r in rows if list(r) == [0]]
    only_state = [r[1] for r in rows if list(r) == [1]]
    assert [s[:30] for s in only_wire] == ["It is the first recorded prese", "About 200 foreigners live in a"]
    assert [s[:20] for s in only_state] == ["Moravia, which great"]


def test_alignment_three_outlets_split_lead(encoder):
    rows = _rows([WIRE, STATE, DAILY], encoder)
    lead = _row_with(rows, 2, "Fighters from Norland")
    assert set(lead) == {0, 1, 2}
    assert lead[2].endswith("local officials said on Monday.")  # the split lead: both halves
    assert lead[1].startswith("Nationals of Norland")
    used = [(v, s) for r in rows for v, s in r.items()]
    assert len(used) == len(set(used))
    # STATE merged the quote and the translator sentence; the other two keep them apart: one row for both
    merged = _row_with(rows, 1, "\u201cThey take our grain")
    assert merged[0].endswith("Dalen said.") and merged[2].endswith("Dalen said.")


class GradedDetector:
    """The test lexicon detector plus graded per-token probabilities below its 0.9 highlights, so that new
    wording can be ranked (a test double, not a model)."""

    P = {"notorious": 0.35, "terror": 0.3, "misery": 0.25, "plundering": 0.2, "terrorists": 0.45}

    def __init__(self):
        from proplens.testing import LexiconDetector

        self._lex = LexiconDetector()
        self.techniques = self._lex.techniques

    def encode(self, texts):
        return self._lex.encode(texts)

    def classify(self, pred, spans):
        return self._lex.classify(pred, spans)

    def predict(self, texts):
        preds = self._lex.predict(texts)
        for pred in preds:
            for k, (s, e) in enumerate(pred.tokens.offsets):
                pred.p_inside[k] = max(pred.p_inside[k], self.P.get(pred.text[s:e].lower(), 0.02))
        return preds


@pytest.fixture(scope="module")
def analyzer():
    from proplens.analyzer import Analyzer

    return Analyzer(
        detector=GradedDetector(), attribution=False, model_name="graded-test", model_version="test"
    )


@pytest.fixture(scope="module")
def two(analyzer):
    return compare([CompareInput("wire", WIRE), CompareInput("state", STATE)], analyzer=analyzer)


@pytest.fixture(scope="module")
def three(analyzer):
    return compare(
        [CompareInput("wire", WIRE), CompareInput("state", STATE), CompareInput("daily", DAILY)],
        analyzer=analyzer,
    )


def _term(d, term, instead_of):
    found = [t for t in d["substituted_terms"] if t["term"] == term and t["instead_of"] == instead_of]
    assert len(found) == 1, d["substituted_terms"]
    return found[0]


def test_substituted_terms_found_from_aligned_pairs(two, three):
    state = two.differences["state"]
    first = state["substituted_terms"][0]
    assert (first["term"], first["instead_of"], first["count"]) == ("Vafra", "Valley Front", 3)
    assert all(STATE[s:e] == "Vafra" for s, e in first["examples"])
    assert first["versions"] == ["wire"]
    assert (
        _term(state, "militants", "rebels")["count"] == 2
    )  # "Valley Front rebels" -> "Vafra militants" split too
    assert _term(state, "plundering", "mining")["count"] == 1
    assert not any(any(ch.isdigit() for ch in t["term"]) for t in state["substituted_terms"])
    # the mirror image, and a third outlet's own renaming
    assert _term(two.differences["wire"], "Valley Front", "Vafra")["count"] == 3
    daily = _term(three.differences["daily"], "insurgents", "rebels")
    assert daily["count"] == 3 and daily["versions"] == ["wire"]
    assert all(DAILY[s:e] == "insurgents" for s, e in daily["examples"])
    assert _term(three.differences["state"], "Vafra", "Valley Front")["versions"] == ["wire", "daily"]


def _texts(items):
    return [x["text"] for x in items]


def test_dropped_and_added_content_sentences_and_clauses(two, three):
    state = two.differences["state"]
    dropped = state["dropped_content"]
    sentences = [x["text"] for x in dropped if x["kind"] == "sentence"]
    assert any(t.startswith("It is the first recorded presence") for t in sentences)
    assert any(t.startswith("About 200 foreigners live in a camp") for t in sentences)
    clauses = [x["text"] for x in dropped if x["kind"] == "clause"]
    assert any("also known as the Karsa Valley Front (KVF)" in t for t in clauses)
    assert any("leave nothing for the children" == t for t in clauses)
    assert all(x["version"] == "wire" and WIRE[x["start"] : x["end"]] == x["text"] for x in dropped)
    added = state["added_content"]
    assert any(
        x["kind"] == "sentence" and x["text"].startswith("Moravia, which greatly helped") for x in added
    )
    assert any(x["kind"] == "clause" and "notorious terror group" in x["text"] for x in added)
    assert all(STATE[x["start"] : x["end"]] == x["text"] for x in added)
    # renamings are not content: "Vafra" and "Valley Front" are not listed as added or dropped stretches
    assert not {"Vafra", "Valley Front", "Vafra militants"} & set(_texts(added) + _texts(dropped))
    # the wire's view is the mirror image
    assert any(
        x["text"].startswith("It is the first recorded presence")
        for x in two.differences["wire"]["added_content"]
    )
    # with three outlets, DAILY lacks the last sentence (both others have it: listed once) and STATE's
    # additions
    ddrop = three.differences["daily"]["dropped_content"]
    last = [x for x in ddrop if x["text"].startswith("At least one Norland man")]
    assert len(last) == 1 and last[0]["kind"] == "sentence"
    assert any(x["text"].startswith("Moravia") and x["version"] == "state" for x in ddrop)
    # the translator sentence is in STATE's merged sentence, so STATE does not drop it
    assert not [
        x for x in three.differences["state"]["dropped_content"] if x["text"].startswith("A translator")
    ]
    # DAILY's split lead is a rewording of the wire's, not new content
    assert not [x for x in three.differences["daily"]["added_content"] if "coast" in x["text"]]


def test_added_wording_ranked_by_detector_probability(two, analyzer):
    wording = two.differences["state"]["added_wording"]
    scores = [w["score"] for w in wording]
    assert scores == sorted(scores, reverse=True)
    top = [w["text"] for w in wording[:3]]
    assert (
        "terrorists" in top[0]
        and "notorious terror group" in top[1]
        and top[2] == "bring misery to normal people"
    )
    assert wording[1]["score"] == pytest.approx(0.35) and wording[1]["technique"]
    assert all(STATE[w["start"] : w["end"]] == w["text"] for w in wording)
    # all under the highlight threshold: none of them is an added propaganda span
    assert not two.differences["state"]["added_spans"]
    # without a detector the phrases are still listed, unscored, in reading order
    plain = compare([CompareInput("wire", WIRE), CompareInput("state", STATE)]).differences["state"][
        "added_wording"
    ]
    assert plain and all(w["score"] is None for w in plain)
    assert [w["start"] for w in plain] == sorted(w["start"] for w in plain)
    assert "notorious terror group has established a foothold" in _texts(plain)


def _render(c, row, vid):
    from proplens.compare.render import inline_segments

    marks = {"insert": ("{+", "+}"), "delete": ("[-", "-]")}
    return "".join(
        marks[op][0] + t + marks[op][1] if op in marks else t for op, t in inline_segments(c, row, vid)
    )


def test_inline_ops_keep_original_text_and_punctuation(two, three):
    for c in (two, three):
        for row in c.alignment:
            for vid, ops in (row.get("inline") or {}).items():
                s, e = row["spans"][vid]
                text = c.texts[vid]
                assert "".join(text[o[1] : o[2]] for o in ops if o[0] != "delete") == text[s:e]
                rs, re_ = row["spans"][row["reference"]]
                assert all(rs <= o[1] < o[2] <= re_ for o in ops if o[0] == "delete")
    shown = {_render(two, row, "state") for row in two.alignment if "state" in (row.get("inline") or {})}
    assert (
        "[-The Valley Front, also known as the Karsa Valley Front (KVF),-]{+Vafra+} seized three districts "
        "in March." in shown
    )
    assert (
        "At least one Norland man arrested in July said he had wanted to join [-the Valley Front-]{+Vafra+}."
        in shown
    )
    assert any(
        "Omar Dalen, a former village chief in Tarsk[-.-]{+, adding that+} a translator" in t for t in shown
    )
    assert not any(" ." in t or " ," in t for t in shown)


def test_inline_ops_pure_deletions_keep_their_spaces():
    from proplens.compare.align import AlignedRow
    from proplens.compare.comparison import Comparison
    from proplens.compare.edits import RowDiffs, inline_ops

    a = "Crews cleared the old road on Monday, officials said."
    b = "Crews cleared the road, officials said."
    diffs = RowDiffs(
        [a, b], [[(0, len(a))], [(0, len(b))]], [AlignedRow({0: (0,), 1: (0,)}, 0.9, "reworded")]
    )
    row = {
        "spans": {"a": [0, len(a)], "b": [0, len(b)]},
        "reference": "a",
        "inline": {"b": inline_ops(diffs, 0, 0, 1)},
    }
    c = Comparison([], [], {}, {"a": a, "b": b})
    assert _render(c, row, "b") == "Crews cleared the [-old-] road [-on Monday-], officials said."


def test_summary_paragraph_reads_like_a_note(two, three):
    s = two.summary()["state"]
    assert s.startswith("Compared with wire: says “Vafra” instead of “Valley Front” (3 times)")
    assert "“notorious terror group" in s and "(0.35)" in s
    assert "adds a passage attributed to Moravia" in s
    assert "leaves out" in s and "It is the first recorded presence" in s
    assert s.endswith(".") and "\n" not in s
    assert three.summary()["daily"].startswith(
        "Compared with the others (wire, state): says “insurgents” instead of “rebels”"
    )


def test_views_show_substitutions_first(two):
    from proplens.compare import comparison_to_html, comparison_to_text

    page = comparison_to_html(two)
    assert page.index("<ins>Vafra</ins></td><td><del>Valley Front</del>") < page.index("Sentence alignment")
    assert "<del>the Valley Front</del><ins>Vafra</ins>." in page
    text = comparison_to_text(two, width=200)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert lines[0].startswith("wire") and "says {+Vafra+} instead of [-Valley Front-] ×3 (wire)" in text
    assert text.index("says {+Vafra+}") < text.index("Alignment")
    coloured = comparison_to_text(two, width=200, color=True)
    assert "\x1b[" in coloured and "{+Vafra+}" in coloured


def test_every_offset_slices_its_text(three):
    for vid, d in three.differences.items():
        for key in ("added_content", "dropped_content", "added_wording"):
            for x in d[key]:
                assert three.texts[x.get("version", vid)][x["start"] : x["end"]] == x["text"]
        for t in d["substituted_terms"]:
            assert all(three.texts[vid][s:e] == t["term"] for s, e in t["examples"])


def test_summary_does_not_repeat_highlighted_wording():
    from proplens.compare.summary import describe

    d = {
        "substituted_terms": [],
        "added_content": [],
        "dropped_content": [],
        "changed_numbers": [],
        "added_sources": [],
        "dropped_sources": [],
        "added_spans": [
            {
                "start": 10,
                "end": 30,
                "text": "our grain and bring",
                "technique": "Loaded_Language",
                "score": 0.8,
            }
        ],
        "added_wording": [
            {"start": 24, "end": 50, "text": "bring misery to people", "score": 0.7},
            {"start": 60, "end": 69, "text": "notorious", "score": 0.4},
            {"start": 80, "end": 85, "text": "quiet", "score": 0.05},
        ],
    }
    s = describe("b", ["a", "b"], d)
    assert "“our grain and bring”" in s and "“notorious” (0.40)" in s
    assert "bring misery" not in s and "quiet" not in s

"""Sentence alignment with a toy encoder, word diffs and fact extraction (no model files needed)."""

from __future__ import annotations

import re
import zlib

import numpy as np

from proplens.compare.align import align_versions, normalize, word_diff
from proplens.compare.facts import find_numbers, number_value, source_key


def toy_embed(texts):
    """Bag of words hashed into 512 dims, L2-normalised: similar wording -> high cosine."""
    out = np.zeros((len(texts), 512), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in re.findall(r"\w+", t.lower()):
            out[i, zlib.crc32(w.encode()) % 512] += 1.0
    n = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(n, 1e-9)


A = "The dam broke at dawn. Water covered the lower town. Two bridges were closed. The army sent boats."
B = "The army sent boats. The dam broke at dawn. Water covered the lower town. Two bridges were closed."


def _by_status(texts, rows, sents):
    out = []
    for r in rows:
        out.append(
            (r.status, {v: texts[v][sents[v][i[0]][0] : sents[v][i[-1]][1]] for v, i in r.units.items()})
        )
    return out


def test_reordered_sentences_all_shared():
    sents, rows = align_versions([A, B], toy_embed)
    assert [r.status for r in rows] == ["shared"] * 4
    assert all(len(r.units) == 2 for r in rows)


def test_only_rows_for_added_and_dropped_sentences():
    b = "The dam broke at dawn. Officials blamed poor maintenance for years. Two bridges were closed."
    sents, rows = align_versions([A, b], toy_embed)
    st = _by_status([A, b], rows, sents)
    only0 = [u[0] for s, u in st if s == "only" and 0 in u]
    only1 = [u[1] for s, u in st if s == "only" and 1 in u]
    assert only1 == ["Officials blamed poor maintenance for years."]
    assert set(only0) == {"Water covered the lower town.", "The army sent boats."}


def test_merged_sentence_aligns_with_both_parts():
    a = "The storm hit the coast on Monday. It destroyed forty houses. Schools stay closed."
    b = "The storm hit the coast on Monday and destroyed forty houses. Schools stay closed."
    sents, rows = align_versions([a, b], toy_embed)
    st = _by_status([a, b], rows, sents)
    merged = [u for s, u in st if 1 in u and u[1].startswith("The storm")][0]
    assert merged[0] == "The storm hit the coast on Monday. It destroyed forty houses."
    assert not [u for s, u in st if s == "only"]


def test_three_versions_one_row_each():
    c = "Water covered the lower town. The dam broke at dawn."
    sents, rows = align_versions([A, B, c], toy_embed)
    full = [r for r in rows if len(r.units) == 3]
    assert len(full) == 2
    for r in rows:  # no sentence is used twice
        assert len(r.units) == len(set(r.units))
    used = [(v, i) for r in rows for v, idx in r.units.items() for i in idx]
    assert len(used) == len(set(used))


def test_word_diff_and_normalize():
    assert normalize("  “Hello”\n World ") == '"hello" world'
    ops = word_diff("12 fighters were seen", "15 fighters were seen")
    assert ops == [["delete", "12"], ["insert", "15"], ["equal", "fighters were seen"]]


def test_numbers_regex_and_values():
    text = "In 2019, 1,200 families and twelve schools; 3.5 million dollars; prices up 4 percent."
    found = {m.text: m.key for m in find_numbers(text)}
    assert "2019" not in found
    assert found["1,200"] == "1200"
    assert found["twelve"] == "12"
    assert found["3.5 million"] == "3.5e+06"
    assert found["4 percent"] == "4%"
    assert [m.key for m in find_numbers("up 5%. Then 7 % more")] == ["5%", "7%"]
    assert number_value("forty") == 40
    for m in find_numbers(text):
        assert text[m.start : m.end] == m.text


def test_source_key_matches_role_and_name_variants():
    assert source_key("one of the residents") & source_key("residents")
    assert source_key("district governor Ali Khan") & source_key("Khan")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SENTS = [
    "The dam broke.",
    "Water rose fast!",
    "Two bridges closed.",
    "The army sent boats.",
    "Schools shut?",
    "Residents fled north.",
    "Rain will ease.",
]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_SENTS), min_size=1, max_size=6), min_size=2, max_size=4),
    st.sampled_from([" ", "\n", "\r\n", "\n\n"]),
)
def test_alignment_covers_every_sentence_once(versions, sep):
    texts = [sep.join(v) for v in versions]
    sents, rows = align_versions(texts, toy_embed)
    seen = set()
    for r in rows:
        assert r.status in ("shared", "reworded", "only")
        assert (r.status == "only") == (len(r.units) == 1)
        for v, idx in r.units.items():
            assert list(idx) == list(range(idx[0], idx[-1] + 1))
            for i in idx:
                assert (v, i) not in seen
                seen.add((v, i))
    assert seen == {(v, i) for v in range(len(texts)) for i in range(len(sents[v]))}


def test_monotone_matches_prefers_order_and_merges():
    from proplens.compare.gaps import monotone_chain, monotone_matches

    g = np.array([[0.3, -1.0, -1.0], [-1.0, -1.0, 0.4], [-1.0, 0.5, -1.0]])
    # (1, 2) and (2, 1) cross: only one of them can be taken, the larger gain wins
    assert monotone_matches(g) == [((0,), (0,)), ((2,), (1,))]
    g21 = np.full((3, 3), -np.inf)
    g21[1, 2] = 1.0  # sentences 1 and 2 merged into item 2
    assert monotone_matches(g, g21) == [((0,), (0,)), ((1, 2), (2,))]
    g12 = np.full((3, 3), -np.inf)
    g12[0, 0] = 2.0  # sentence 0 split into items 0 and 1
    assert monotone_matches(g, None, g12)[0] == ((0,), (0, 1))
    assert monotone_matches(np.full((2, 2), -1.0)) == []
    assert monotone_chain([(0, 5), (1, 0), (2, 1), (3, 2), (4, 6)]) == [(1, 0), (2, 1), (3, 2), (4, 6)]


def test_gap_pass_aligns_weak_paraphrase_between_anchors():
    # the middle sentences share few words (toy cosine 0.42, under both link thresholds) but sit between two
    # aligned rows and share their content words; the unrelated one stays alone
    a = (
        "The dam broke at dawn. Rescue teams reached nine stranded people in the flooded lower town before "
        "noon. "
        "Two bridges were closed."
    )
    b = (
        "The dam broke at dawn. By noon nine people had been pulled out of the lower town by rescuers. "
        "Two bridges were closed. A choir sang in the evening."
    )
    sents, rows = align_versions([a, b], toy_embed)
    st = _by_status([a, b], rows, sents)
    mid = [u for s, u in st if 0 in u and u[0].startswith("Rescue teams")]
    assert mid and mid[0].get(1, "").startswith("By noon")
    assert [u for s, u in st if s == "only"] == [{1: "A choir sang in the evening."}]


def test_merged_sentence_in_one_of_three_versions_takes_both_rows():
    a = "The storm hit the coast on Monday. It destroyed forty houses near the harbour. Schools stay closed."
    c = "The storm hit the coast on Monday and destroyed forty houses near the harbour. Schools stay closed."
    sents, rows = align_versions([a, a, c], toy_embed)
    st = _by_status([a, a, c], rows, sents)
    merged = [u for s, u in st if u.get(2, "").startswith("The storm")]
    assert len(merged) == 1 and set(merged[0]) == {0, 1, 2}
    assert (
        merged[0][0]
        == merged[0][1]
        == "The storm hit the coast on Monday. It destroyed forty houses near the harbour."
    )
    assert not [u for s, u in st if s == "only" or len(u) < 3]

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

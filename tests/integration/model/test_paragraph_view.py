"""The shipped fast model reports which techniques each paragraph uses, on article lines, with
probabilities at or above its fitted threshold."""

from __future__ import annotations

from pathlib import Path

import pytest

import proplens
from proplens.model.runtime import ModelConfig, resolve_model_dir

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "framing_article.txt"


@pytest.fixture(scope="module")
def fast():
    return proplens.load("fast", attributor=None, attribution=False)


def test_paragraphs_are_lines_with_techniques_above_the_threshold(fast):
    text = EXAMPLE.read_text(encoding="utf-8")
    a = fast(text)
    threshold = ModelConfig.read(resolve_model_dir("fast") / "config.json")["paragraphs"]["threshold"]
    lines = set()
    pos = 0
    for line in text.split("\n"):
        lines.add((pos, pos + len(line)))
        pos += len(line) + 1
    assert a.paragraphs, "the framing example has paragraphs a reader would flag"
    for p in a.paragraphs:
        assert (p.start, p.end) in lines
        scores = [s for _t, s in p.techniques]
        assert scores == sorted(scores, reverse=True)
        assert all(s >= threshold - 1e-4 for s in scores)
    # every paragraph holding a confident span of a technique... is not required to report it, but the
    # paragraph holding "notorious terror group" reports a framing technique
    i = text.index("notorious terror group")
    hit = [p for p in a.paragraphs if p.start <= i < p.end]
    assert hit and {t for t, _s in hit[0].techniques} & {"Name_Calling,Labeling", "Loaded_Language"}


def test_paragraph_view_survives_the_record(fast):
    a = fast("A plain first line.\nThis shameful, disgraceful regime lies and lies and lies.\n")
    back = proplens.Analysis.from_dict(a.to_dict())
    assert back.paragraphs == a.paragraphs

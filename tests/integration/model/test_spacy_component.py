import pytest

spacy = pytest.importorskip("spacy")


def test_add_pipe_fills_doc_spans_and_displacy_renders(sample_text):
    from spacy import displacy

    import proplens.spacy_component  # noqa: F401  (registers the factory; the entry point does it when installed)

    nlp = spacy.blank("en")
    nlp.add_pipe("proplens")
    doc = nlp(sample_text)
    spans = doc.spans["proplens"]
    assert len(spans) > 0
    from proplens.techniques import TECHNIQUE_IDS

    assert all(s.label_ in TECHNIQUE_IDS for s in spans)
    assert all(sample_text[s.start_char : s.end_char] == s.text for s in spans)
    html = displacy.render(doc, style="span", options={"spans_key": "proplens"})
    assert "span" in html and spans[0].label_.split(",")[0] in html
    empty = nlp("   ")
    assert list(empty.spans["proplens"]) == []

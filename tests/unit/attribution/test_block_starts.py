"""Long texts are parsed in blocks cut after a blank line, a line break or a sentence end (issue 10)."""

from __future__ import annotations

from proplens.attribution.pipeline import BLOCK_CHARS, block_starts

PARA = (
    'District governor Ali Khan said on Monday that the bridge would reopen next week. "We are ready," '
    "the mayor told reporters. According to the ministry, traffic fell by a third. Critics warned that "
    "the plan was rushed, and residents said they had not been consulted about the new road."
)


def test_block_starts_cut_after_blank_lines_and_cover_the_text():
    text = (PARA + "\n\n") * 200
    starts = block_starts(text)
    assert starts[0] == 0 and starts == sorted(set(starts)) and len(starts) > 1
    ends = starts[1:] + [len(text)]
    assert all(0 < e - s <= BLOCK_CHARS for s, e in zip(starts, ends, strict=True))
    assert all(text[s - 2 : s] == "\n\n" for s in starts[1:])
    assert block_starts(PARA) == [0] and block_starts("x" * BLOCK_CHARS) == [0]


def test_block_starts_without_line_breaks_cut_at_sentences_or_hard():
    sentences = "The council met. " * 3000
    starts = block_starts(sentences)
    assert all(sentences[s - 2 : s] == ". " for s in starts[1:])
    solid = "x" * (2 * BLOCK_CHARS + 5)
    assert block_starts(solid) == [0, BLOCK_CHARS, 2 * BLOCK_CHARS]

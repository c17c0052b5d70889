"""Resources are passed, not looked up: an analyzer uses the attributor it was given, and analyze() the
analyzer use_analyzer() set (issue 12)."""

from __future__ import annotations

import proplens
from proplens.analysis import Attribution
from proplens.analyzer import Analyzer, use_analyzer
from proplens.testing import LexiconDetector


class _OneAttribution:
    """An attributor that attributes each text's first word to nobody: enough to see it was the one used."""

    def __init__(self) -> None:
        self.calls = 0

    def pipe(self, texts, batch_size=1):
        self.calls += 1
        for t in texts:
            end = t.index(" ")
            yield [Attribution(source=(), cue=(), content=((0, end),), source_type="unknown", source_text="")]


def _analyzer(**kwargs) -> Analyzer:
    return Analyzer(detector=LexiconDetector(), model_name="lexicon-test", model_version="test", **kwargs)


def test_analyzer_uses_the_attributor_it_was_given():
    attributor = _OneAttribution()
    a, b = _analyzer(attributor=attributor), _analyzer(attributor=attributor)
    assert a("They are traitors.").attributions[0].content == ((0, 4),)
    assert b("Cowards run.").attributions[0].content == ((0, 7),)
    assert attributor.calls == 2


def test_analyze_uses_the_analyzer_use_analyzer_set():
    mine = _analyzer(attribution=False)
    with use_analyzer(mine):
        assert proplens.analyze("They are traitors.").model_name == "lexicon-test"
        assert proplens.get_default_analyzer() is mine
    assert proplens.analyzer._current.get() is None

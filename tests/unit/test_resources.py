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


def test_cli_commands_get_their_resources_from_the_context(tmp_path):
    """The root callback hands the invocation's Resources to the commands (ctx.obj); a test passes its own
    factories instead of patching module globals, and the attributor is made once and shared."""
    from typer.testing import CliRunner

    from proplens.cli.app import app
    from proplens.cli.resources import Resources

    attributor, made = _OneAttribution(), []

    def make_analyzer(model, **options):
        made.append((model, options["attribution"], options["attributor"] is attributor))
        return _analyzer(**options)

    res = Resources(make_analyzer=make_analyzer, make_attributor=lambda: attributor)
    f = tmp_path / "a.txt"
    f.write_text("They are traitors.", encoding="utf-8")
    r = CliRunner().invoke(app, ["analyze", str(f), "-f", "json"], obj=res, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert made == [(None, "auto", True)] and attributor.calls == 1
    assert '"schema_version": 1' in r.stdout and '"content": [\n    [\n     0,\n     4' in r.stdout
    assert res.analyzer("m", attribution=True) is res.analyzer("m", attribution=True)  # once per options
    assert res.attributor() is attributor and made[1:] == [("m", "auto", True)]
    r = CliRunner().invoke(
        app, ["analyze", str(f), "-f", "ptc", "--no-attribution"], obj=res, catch_exceptions=False
    )
    assert r.exit_code == 0 and made[-1] == (None, False, False)


def test_cli_resources_without_spacy_skip_attribution_or_name_the_extra():
    import pytest

    from proplens.cli.resources import Resources
    from proplens.errors import MissingExtraError

    def missing():
        raise ImportError("No module named 'spacy'", name="spacy")

    res = Resources(make_analyzer=lambda model, **o: _analyzer(**o), make_attributor=missing)
    assert res.attributor() is None and res.analyzer(attribution=True).attribution is False
    with pytest.raises(MissingExtraError, match=r"\[P022\].*'attribution' extra.*'spacy'"):
        res.attributor(required=True)

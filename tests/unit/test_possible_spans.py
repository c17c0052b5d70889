"""'Possible' passages: lower-confidence spans shown apart from the confident ones."""

import json

from proplens.analysis import Analysis, Span


def _analysis() -> Analysis:
    text = "The notorious terror group moved in. Officials said the road was closed."
    a, b = text.index("notorious terror group"), text.index("road was closed")
    return Analysis(
        text,
        (Span.make(text, a, a + 9, "Loaded_Language", 0.8),),
        (),
        0.4,
        "m",
        "1",
        possible_spans=(Span.make(text, b, b + 15, "Appeal_to_fear-prejudice", 0.31),),
    )


def test_possible_spans_round_trip_and_stay_out_of_counts():
    an = _analysis()
    d = an.to_dict()
    assert [s["text"] for s in d["possible_spans"]] == ["road was closed"]
    back = Analysis.from_dict(json.loads(json.dumps(d)))
    assert back.possible_spans == an.possible_spans and back.spans == an.spans
    assert an.technique_counts()["Appeal_to_fear-prejudice"] == 0 and an.n_passages == 1


def test_html_and_terminal_show_possible_passages_distinctly():
    from io import StringIO

    from rich.console import Console

    from proplens.cli.render import print_analysis
    from proplens.report import analysis_to_html

    html = analysis_to_html(_analysis())
    assert 'data-possible="1"' in html and ">road was closed</mark>" in html
    assert html.count("<mark") == 2
    buf = StringIO()
    print_analysis(_analysis(), Console(file=buf, width=120, force_terminal=False))
    out = buf.getvalue()
    assert "Possible passages" in out and "“road was closed”" in out


def test_analyzer_min_score_filters_possible_passages(lexicon_analyzer):
    """The analyzer keeps a detector's possible spans at or above min_score (1.0 turns them off)."""
    from proplens.analyzer import Analyzer
    from proplens.testing import LexiconDetector

    class WithPossible(LexiconDetector):
        def predict(self, texts):
            preds = super().predict(texts)
            for p in preds:
                p.possible_spans = [(0, 3, "Doubt", 0.2), (4, 8, "Slogans", 0.6)]
            return preds

    text = "Some text here that is calm."
    for min_score, expected in ((0.1, 2), (0.5, 1), (1.0, 0)):
        an = Analyzer(detector=WithPossible(), attribution=False, min_score=min_score)(text)
        assert len(an.possible_spans) == expected
        assert all(s.score >= min_score for s in an.possible_spans)

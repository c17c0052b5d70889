"""Source typing rules and the attribution metric (no spaCy needed)."""

from __future__ import annotations

import pytest

from proplens.attribution.metrics import match_attributions, score_attributions
from proplens.attribution.sources import SOURCE_TYPES, is_news_agency, source_type


@pytest.mark.parametrize(
    "text, ents, expected",
    [
        ("district governor Ali Khan", {"PERSON"}, "person"),
        ("she", set(), "person"),
        ("Reuters", {"ORG"}, "news_agency"),
        ("the state news agency", set(), "news_agency"),
        ("the Interior Ministry", {"ORG"}, "government"),
        ("police", set(), "government"),
        ("residents", set(), "anonymous"),
        ("one of the sources", set(), "anonymous"),
        ("two senior officials", set(), "anonymous"),
        ("Greenpeace", {"ORG"}, "organisation"),
        ("France", {"GPE"}, "government"),
        ("", set(), "unknown"),
    ],
)
def test_source_type_rules(text, ents, expected):
    assert source_type(text, ents) == expected
    assert expected in SOURCE_TYPES


def test_is_news_agency_names_agencies():
    assert is_news_agency("AFP")
    assert is_news_agency("the Daily Herald")
    assert not is_news_agency("the mayor")


def _a(source=(), cue=(), content=()):
    return {
        "source": [list(x) for x in source],
        "cue": [list(x) for x in cue],
        "content": [list(x) for x in content],
    }


def test_match_attributions_is_one_to_one():
    gold = [_a([(0, 5)], [(6, 10)], [(11, 30)]), _a([(40, 45)], [(46, 50)], [(51, 70)])]
    pred = [_a([(40, 45)], [(46, 50)], [(51, 60)]), _a([(0, 3)], [(6, 10)], [])]
    assert sorted(match_attributions(pred, gold)) == [(0, 1), (1, 0)]


def test_score_partial_and_exact():
    text = "x" * 100
    gold = [_a([(0, 5)], [(6, 10)], [(11, 30)])]
    pred = [_a([(0, 5)], [(6, 10)], [(11, 20)]), _a([(80, 85)], [(86, 90)], [])]
    s = score_attributions([(text, pred, gold)])
    assert s["partial"]["content"]["p"] == 1.0 and s["partial"]["content"]["r"] == 1.0
    assert s["exact"]["content"]["f1"] == 0.0
    assert s["partial"]["cue"]["p"] == 0.5 and s["partial"]["cue"]["r"] == 1.0
    assert s["exact"]["source"]["tp"] == 1


def test_score_exact_ignores_edge_whitespace():
    text = "The mayor said so."
    gold = [_a([(0, 9)], [(10, 14)], [(15, 17)])]
    pred = [_a([(0, 10)], [(10, 14)], [(15, 17)])]
    assert score_attributions([(text, pred, gold)])["exact"]["source"]["f1"] == 1.0

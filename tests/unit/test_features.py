"""Span text features: the fast phrase count equals the word-boundary regex it replaced."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from proplens.model.features import count_phrase, normalize_phrase


def _regex_count(nt: str, phrase: str) -> int:
    return len(re.findall(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", nt))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab _.,!é\n", max_size=60), st.text(alphabet="ab é", min_size=1, max_size=6))
def test_count_phrase_matches_the_regex(text, phrase):
    nt, ph = normalize_phrase(text), normalize_phrase(phrase)
    if ph:
        assert count_phrase(nt, ph) == _regex_count(nt, ph)


def test_count_phrase_by_hand():
    nt = normalize_phrase("Vote today, vote today! Voters vote. vote-today")
    assert count_phrase(nt, "vote today") == 3
    assert count_phrase(nt, "vote") == 4 and count_phrase(nt, "voters") == 1 and count_phrase(nt, "ote") == 0
    assert count_phrase("a a a", "a a") == 1

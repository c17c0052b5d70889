"""SemEval-2020 Task 11 metrics on hand-computed cases."""

import pytest

from proplens.ptc.io import TcRow
from proplens.ptc.metrics import e2e_scores, merge_intervals, si_scores, tc_scores


def R(a, s, e, t=None):
    return TcRow(a, t, s, e)


def test_merge_intervals_merges_overlaps_only():
    assert merge_intervals([(5, 10), (0, 3), (8, 12), (12, 14)]) == [(0, 3), (5, 12), (12, 14)]


def test_si_exact_match_is_one():
    g = [R("1", 0, 10), R("1", 20, 30)]
    assert si_scores(g, g)["f1"] == pytest.approx(1.0)


def test_si_partial_overlap_hand_computed():
    # pred [0,10), gold [5,25): |s∩t| = 5; P = 5/10 = 0.5; R = 5/20 = 0.25; F1 = 2*.5*.25/.75 = 1/3
    res = si_scores([R("1", 0, 10)], [R("1", 5, 25)])
    assert res["precision"] == pytest.approx(0.5)
    assert res["recall"] == pytest.approx(0.25)
    assert res["f1"] == pytest.approx(1 / 3)


def test_si_merges_overlapping_predictions_before_scoring():
    # two overlapping predictions merge into [0,10): one predicted span, exact match
    res = si_scores([R("1", 0, 6), R("1", 4, 10)], [R("1", 0, 10)])
    assert res["n_pred"] == 1
    assert res["f1"] == pytest.approx(1.0)


def test_si_spans_in_other_articles_do_not_match():
    res = si_scores([R("2", 0, 10)], [R("1", 0, 10)])
    assert res["f1"] == 0.0


def test_si_one_prediction_two_gold():
    # pred [0,20); gold [0,5) and [10,20): P = (5+10)/20 = 0.75 over 1 pred; R = (1 + 1)/2 = 1
    res = si_scores([R("1", 0, 20)], [R("1", 0, 5), R("1", 10, 20)])
    assert res["precision"] == pytest.approx(0.75)
    assert res["recall"] == pytest.approx(1.0)
    assert res["f1"] == pytest.approx(2 * 0.75 / 1.75)


def test_tc_micro_f1_is_accuracy_over_gold():
    gold = [R("1", 0, 5, "Doubt"), R("1", 6, 9, "Slogans"), R("1", 6, 9, "Repetition"), R("2", 0, 4, "Doubt")]
    pred = [
        R("1", 0, 5, "Doubt"),
        R("1", 6, 9, "Repetition"),
        R("1", 6, 9, "Repetition"),
        R("2", 0, 4, "Slogans"),
    ]
    res = tc_scores(pred, gold)
    assert res["f1"] == pytest.approx(2 / 4)
    assert res["per_technique"]["Doubt"]["recall"] == pytest.approx(0.5)
    assert res["per_technique"]["Repetition"]["precision"] == pytest.approx(0.5)


def test_e2e_counts_only_same_technique_pairs():
    gold = [R("1", 0, 10, "Doubt"), R("1", 20, 30, "Slogans")]
    pred = [R("1", 0, 10, "Doubt"), R("1", 20, 30, "Doubt")]
    # P = (1 + 0) / 2 = 0.5; R = (1 + 0)/2 = 0.5
    res = e2e_scores(pred, gold)
    assert res["precision"] == pytest.approx(0.5)
    assert res["recall"] == pytest.approx(0.5)
    assert res["f1"] == pytest.approx(0.5)
    assert res["per_technique"]["Doubt"]["f1"] == pytest.approx(2 * 0.5 * 1 / 1.5)


def test_empty_predictions_score_zero():
    assert si_scores([], [R("1", 0, 3)])["f1"] == 0.0
    assert tc_scores([], [R("1", 0, 3, "Doubt")])["f1"] == 0.0


def test_repeated_tc_rows_get_distinct_techniques():
    import numpy as np

    from proplens.ptc.run import assign_techniques

    probs = np.array([[0.1, 0.6, 0.3], [0.1, 0.6, 0.3], [0.2, 0.5, 0.3], [0.1, 0.6, 0.3]])
    # rows 0, 1 and 3 are the same stretch: best, second best, third best; row 2 is another stretch
    assert assign_techniques([(0, 5), (0, 5), (7, 9), (0, 5)], probs) == [1, 2, 1, 0]


def test_more_repeats_than_techniques_falls_back_to_the_best():
    import numpy as np

    from proplens.ptc.run import assign_techniques

    probs = np.array([[0.3, 0.7]] * 3)
    assert assign_techniques([(1, 2)] * 3, probs) == [1, 0, 1]


def test_paragraph_technique_micro_f1_by_hand():
    from proplens.ptc.io import TcRow
    from proplens.ptc.metrics import paragraph_technique_scores

    text = "Title line\n\nFirst para has a reckless plan.\nSecond para is calm."
    p1 = text.index("reckless")
    p2 = text.index("calm")
    gold = [TcRow("a", "Loaded_Language", p1, p1 + 8), TcRow("a", "Doubt", p2, p2 + 4)]
    pred = [
        TcRow("a", "Loaded_Language", p1 - 2, p1 + 3),  # overlaps the same paragraph: a hit
        TcRow("a", "Loaded_Language", p1, p1 + 8),  # same triple again: counted once
        TcRow("a", "Slogans", 0, 5),
    ]  # title paragraph: a false positive
    m = paragraph_technique_scores(pred, gold, {"a": text})
    assert (m["n_pred"], m["n_gold"]) == (2, 2)
    assert m["precision"] == 0.5 and m["recall"] == 0.5 and m["f1"] == 0.5

"""``Analyzer(text, progress=...)`` reports encoder windows as they finish, and can be stopped (issue 10)."""

from __future__ import annotations

import pytest

from proplens.progress import count_windows

TEXT = (
    "The reckless council met again on Monday, and the mayor said the disastrous plan would go ahead. "
    "Critics called these puppet councillors traitors; everyone knows who profits. "
) * 180


def test_progress_counts_every_window_and_leaves_the_result_unchanged(real_analyzer):
    calls = []
    a = real_analyzer(TEXT, progress=lambda done, total: calls.append((done, total)))
    total = count_windows(real_analyzer.detector, [TEXT])
    assert total > 3
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert all(t == total for _, t in calls) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(calls) >= 3  # intermediate reports, not only start and end
    b = real_analyzer(TEXT)
    assert a.spans == b.spans and a.sentences == b.sentences
    assert all(TEXT[s.start : s.end] == s.text for s in a.spans)


class Stop(Exception):
    pass


def test_a_progress_callback_can_stop_the_analysis(real_analyzer):
    seen = []

    def stop_after_first_batch(done, total):
        seen.append(done)
        if done > 0:
            raise Stop()

    with pytest.raises(Stop):
        real_analyzer(TEXT, progress=stop_after_first_batch)
    assert seen[0] == 0 and 0 < seen[-1] < count_windows(real_analyzer.detector, [TEXT])
    assert real_analyzer("A reckless plan.").text == "A reckless plan."  # the analyzer still works afterwards


def test_detector_without_windows_reports_start_and_end(lexicon_analyzer):
    calls = []
    lexicon_analyzer("A reckless plan.", progress=lambda d, t: calls.append((d, t)))
    assert calls == [(0, 1), (1, 1)]

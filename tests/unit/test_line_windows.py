"""One model window per article line: what the line-trained models read."""

import numpy as np

from proplens.model.alignment import TokenizedText, line_windows, text_windows


def _words(text: str) -> TokenizedText:
    """Whitespace 'tokens' with their character offsets (stands in for a subword tokenizer)."""
    import re

    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    return TokenizedText(
        np.arange(len(spans), dtype=np.int64), np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    )


def test_one_window_per_nonempty_line():
    text = "Title here\n\nFirst line of body.\nSecond one\n\n\nLast"
    tk = _words(text)
    wins = line_windows(tk, text, size=50)
    got = [
        " ".join(text[tk.offsets[i, 0] : tk.offsets[i, 1]] for i in range(w.start_token, w.end_token))
        for w in wins
    ]
    assert got == ["Title here", "First line of body.", "Second one", "Last"]


def test_long_line_is_cut_into_overlapping_windows_that_cover_it():
    text = "intro\n" + " ".join(f"w{i}" for i in range(40)) + "\nend"
    tk = _words(text)
    wins = line_windows(tk, text, size=16)
    covered = set()
    for w in wins:
        assert w.end_token - w.start_token <= 16
        covered.update(range(w.start_token, w.end_token))
    assert covered == set(range(len(tk)))
    # no window crosses a line break
    line_of = [text.count("\n", 0, int(s)) for s, _ in tk.offsets]
    assert all(len({line_of[i] for i in range(w.start_token, w.end_token)}) == 1 for w in wins)


def test_crlf_and_empty_text():
    text = "a b\r\nc d\r\n"
    tk = _words(text)
    assert [(w.start_token, w.end_token) for w in line_windows(tk, text, size=8)] == [(0, 2), (2, 4)]
    assert line_windows(_words(""), "", size=8) == []


def test_text_windows_dispatches():
    text = "one two\nthree"
    tk = _words(text)
    assert len(text_windows(tk, text, windowing="lines", size=8, stride=8)) == 2
    assert len(text_windows(tk, text, windowing="stride", size=8, stride=8)) == 1


def test_best_window_with_bounds_agrees_with_the_full_search():
    import random

    from proplens.model.alignment import best_window, make_windows

    rng = random.Random(0)
    for windows in (make_windows(1000, size=64, stride=48), line_windows(*_text_and_tokens(), size=6)):
        starts = np.array([w.start_token for w in windows])
        ends = np.array([w.end_token for w in windows])
        n = int(ends.max())
        for _ in range(300):
            a = rng.randrange(n)
            b = rng.randrange(a + 1, min(n, a + 30) + 1)
            assert best_window(windows, a, b) == best_window(windows, a, b, ends=ends, starts=starts)


def _text_and_tokens():
    text = "\n".join(" ".join(f"w{i}" for i in range(k % 9 + 1)) for k in range(60))
    return _words(text), text

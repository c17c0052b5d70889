"""Progress of an analysis: encoder windows finished out of the windows of the text(s).

``Analyzer(...)(text, progress=callback)`` calls ``callback(done, total)`` as windows finish: first ``(0,
total)``, then after every encoder batch, last ``(total, total)`` once the spans are decoded. A callback may
raise to stop the analysis (the API's job cancellation does); the exception leaves ``Analyzer.__call__``
unchanged.

The count comes from a transparent wrapper around the detector's encoder backend, installed on first use. It
reports to a callback held per thread, so analyses running side by side on one shared analyzer (a server) each
see their own windows. A detector without an encoder backend (a test fake) reports ``(0, 1)`` and ``(1, 1)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["ProgressCallback", "reporting", "count_windows"]

ProgressCallback = Callable[[int, int], None]

_current = threading.local()


class _CountingBackend:
    """The detector's backend, unchanged, plus a report of each batch's windows to this thread's callback."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, ids, mask):
        out = self.inner(ids, mask)
        step = getattr(_current, "step", None)
        if step is not None:
            step(int(ids.shape[0]))
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def count_windows(detector: Any, texts: Sequence[str]) -> int | None:
    """How many encoder windows ``detector.predict(texts)`` will run, or None for a detector without
    windows."""
    tokenizer = getattr(detector, "tokenizer", None)
    if tokenizer is None or not hasattr(detector, "backend"):
        return None
    from .model.alignment import text_windows, tokenize

    n = 0
    for text in texts:
        tk = tokenize(tokenizer, text)
        ws = text_windows(
            tk, text, windowing=detector.windowing, size=detector.window_size, stride=detector.window_stride
        )
        n += sum(1 for w in ws if w.end_token > w.start_token)
    return n


@contextmanager
def reporting(detector: Any, texts: Sequence[str], progress: ProgressCallback) -> Iterator[None]:
    """Report ``progress(done, total)`` for the encoder windows that ``detector.predict(texts)`` runs
    inside."""
    total = count_windows(detector, texts)
    if total is None:
        progress(0, 1)
        yield
        progress(1, 1)
        return
    if not isinstance(detector.backend, _CountingBackend):
        detector.backend = _CountingBackend(detector.backend)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(min(done, total), total)

    previous = getattr(_current, "step", None)
    _current.step = step
    try:
        progress(0, total)
        yield
    finally:
        _current.step = previous
    progress(total, total)

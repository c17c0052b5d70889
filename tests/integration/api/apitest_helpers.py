"""Helpers shared by the API tests (kept out of conftest.py so test modules can import them)."""

from __future__ import annotations

import threading

from proplens.analyzer import Analyzer
from proplens.testing import LexiconDetector


class CountingDetector(LexiconDetector):
    """The lexicon detector, counting calls (to check the cache)."""

    def __init__(self, delay: float = 0.0, fail: bool = False, possible: dict | None = None):
        super().__init__(possible=possible)
        self.calls = 0
        self.delay = delay
        self.fail = fail
        self._lock = threading.Lock()

    def predict(self, texts):
        with self._lock:
            self.calls += len(texts)
        if self.fail:
            raise RuntimeError("secret internal detail /srv/model.onnx")
        if self.delay:
            import time

            time.sleep(self.delay)
        return super().predict(texts)


def make_analyzer(
    *, model_name: str = "lexicon-test", model_version: str = "test", min_score: float | None = None, **kw
) -> Analyzer:
    return Analyzer(
        detector=CountingDetector(**kw),
        attribution=False,
        model_name=model_name,
        model_version=model_version,
        min_score=min_score,
    )


SAMPLE = (
    "The disgraceful council has done it again 😀. Their reckless budget is the worst ever.\n"
    "These puppet politicians are traitors, and everyone knows it. A patriot would stop them.\r\n"
    "Experts said the towers would double traffic."
)

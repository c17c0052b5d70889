"""Fixtures for the batch tests: a lexicon analyzer spec and generated corpora (no model file)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from proplens.batch import AnalyzerSpec
from proplens.testing import LexiconDetector

WORDS = "the council said on monday that new plan would change how town pays for roads and schools".split()
LOADED = [
    "reckless",
    "disastrous",
    "traitors",
    "puppet",
    "destroy",
    "everyone knows",
    "the worst ever",
    "patriot",
]


def make_article(rng: random.Random, n_sentences: int = 6) -> str:
    sents = []
    for _ in range(n_sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
        if rng.random() < 0.4:
            words.insert(rng.randint(0, len(words)), rng.choice(LOADED))
        sents.append(" ".join(words).capitalize() + ".")
    return " ".join(sents)


def write_jsonl(path: Path, n: int, seed: int = 0, sources=("Daily A", "Weekly B", "C News")) -> Path:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            row = {
                "id": f"art-{i:05d}",
                "text": make_article(rng, rng.randint(2, 8)),
                "source": sources[i % len(sources)],
                "published": f"2024-{1 + i % 4:02d}-{1 + i % 28:02d}",
                "url": f"https://example.org/{i}",
                "title": f"Title {i}",
            }
            f.write(json.dumps(row) + "\n")
    return path


@pytest.fixture
def spec() -> AnalyzerSpec:
    return AnalyzerSpec(
        detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="test"
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "feed.jsonl", 120)

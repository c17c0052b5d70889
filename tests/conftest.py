"""Shared fixtures. Unit tests use the LexiconDetector (no model file); integration tests use the shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest

from proplens.analyzer import Analyzer
from proplens.testing import LexiconDetector

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample_article.txt"


@pytest.fixture
def lexicon_analyzer() -> Analyzer:
    return Analyzer(detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="test")


@pytest.fixture(scope="session")
def real_analyzer() -> Analyzer:
    from proplens.model.runtime import default_model_dir

    if not (default_model_dir() / "model.onnx").exists():
        pytest.fail("the default model is missing from src/proplens/models/default")
    return Analyzer(attribution=False)


@pytest.fixture
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")

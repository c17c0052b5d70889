"""Shared fixtures. Unit tests use the LexiconDetector (no model file); integration tests use the shipped
model."""

from __future__ import annotations

import os
from pathlib import Path

# The suite runs on the shipped fast model (MiniLM) unless PROPLENS_MODEL says otherwise: the default
# (MPNet-base) is several times slower per article. tests/integration/test_default_model.py loads the
# default model by name and checks that the CLI uses it when PROPLENS_MODEL is not set.
os.environ.setdefault("PROPLENS_MODEL", "fast")

import pytest

from proplens.analyzer import Analyzer
from proplens.testing import LexiconDetector

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample_article.txt"


@pytest.fixture
def lexicon_analyzer() -> Analyzer:
    return Analyzer(
        detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="test"
    )


@pytest.fixture(scope="session")
def real_analyzer() -> Analyzer:
    from proplens.model.runtime import default_model_dir

    if not (default_model_dir() / "model.onnx").exists():
        pytest.fail(f"the shipped model is missing from {default_model_dir()}")
    return Analyzer(attribution=False)


@pytest.fixture
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")

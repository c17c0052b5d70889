"""Shared fixtures and the markers each test folder carries.

Layout: ``unit/`` (no model file, no server, no subprocess: the LexiconDetector stands in for the model),
``integration/<subsystem>/`` (the API through TestClient, the store, batch, compare, the CLI, attribution,
training with torch, and the shipped models), ``browser/`` (Playwright). Markers (registered in
pyproject.toml) let a developer leave out what is slow or needs something installed:
``pytest -m "not slow and not browser and not ray and not postgres"``.
"""

from __future__ import annotations

import os
from pathlib import Path

# The suite runs on the shipped fast model (MiniLM) unless PROPLENS_MODEL says otherwise: the default
# (MPNet-base) is several times slower per article. tests/integration/model/test_default_model.py loads the
# default model by name and checks that the CLI uses it when PROPLENS_MODEL is not set.
os.environ.setdefault("PROPLENS_MODEL", "fast")

import pytest

from proplens.analyzer import Analyzer
from proplens.testing import LexiconDetector

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample_article.txt"
TESTS = Path(__file__).resolve().parent

# Markers by place: a test under one of these paths (relative to tests/) gets these markers. "model": it runs
# a shipped model (the detector, the sentence encoder or spaCy's pipeline); the others say what they need.
MARKS_BY_PATH: dict[str, tuple[str, ...]] = {
    "browser/": ("browser", "model"),
    "integration/attribution/": ("model",),
    "integration/training/": ("model", "slow"),
    "integration/cli/": ("model",),
    "integration/model/": ("model",),
    "integration/compare/": ("model",),
    "integration/api/test_compare.py": ("model",),
    "integration/api/test_serve_cli.py": ("model",),
    "integration/batch/test_ray.py": ("ray",),
    "integration/store/test_api_postgres.py": ("postgres",),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            where = item.path.resolve().relative_to(TESTS).as_posix()
        except ValueError:  # a doctest or a test outside tests/
            continue
        for prefix, names in MARKS_BY_PATH.items():
            if where.startswith(prefix):
                for name in names:
                    item.add_marker(getattr(pytest.mark, name))


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

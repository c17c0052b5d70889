"""The two shipped models by name: 'default' (MPNet-base, line windows) and 'fast' (MiniLM).

The rest of the suite runs on the fast model (tests/conftest.py sets PROPLENS_MODEL=fast) because the default
is several times slower per article; these tests load each model explicitly.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from proplens.analyzer import Analyzer
from proplens.techniques import TECHNIQUE_IDS

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
FRAMING = ("notorious terror group", "Takfiri Daesh outfit", "Terrorists safe haven", "bringing misery")
FRAMING_TECHNIQUES = {"Loaded_Language", "Name_Calling,Labeling", "Appeal_to_fear-prejudice"}


@pytest.fixture(scope="module")
def default_analyzer() -> Analyzer:
    return Analyzer("default", attribution=False)


def test_names_resolve_to_the_shipped_folders():
    from proplens.model.runtime import MODELS_DIR, resolve_model_dir

    assert resolve_model_dir("default") == MODELS_DIR / "default"
    assert resolve_model_dir("fast") == MODELS_DIR / "fast"
    assert Analyzer("fast", attribution=False).model_name == "proplens-minilm"


def test_default_model_is_mpnet_reading_lines(default_analyzer):
    info = default_analyzer.model_info
    assert info["name"] == "proplens-mpnet" and "mpnet" in info["base_encoder"]
    assert default_analyzer.detector.windowing == "lines"


def test_default_model_flags_the_framing_phrases(default_analyzer):
    """Our own article with the four framing phrases of the DEVELOPERS.md example. Model 0.4.0 flags two
    ("notorious" of "notorious terror group", and "bringing misery"); the issue's bar is three. This guards
    against falling below what is shipped; the headline phrases ("Takfiri Daesh outfit", "terrorists safe
    haven") get P(inside) <= 0.15 and are the known gap (see the model card).

    The int8 kernels onnxruntime picks depend on the CPU: on a 2-core AVX2 machine (where the model was
    quantized and measured) "notorious" is flagged, on an AVX-512 VNNI machine (2026-12-02) it is not, so the
    guard asks for one phrase ("bringing misery", flagged on both)."""
    text = (EXAMPLES / "framing_article.txt").read_text(encoding="utf-8")
    a = default_analyzer(text)
    every = a.spans + a.possible_spans
    for s in every:
        assert s.technique in TECHNIQUE_IDS and 0.0 <= s.score <= 1.0
    flagged = []
    for phrase in FRAMING:
        start = text.index(phrase)
        end = start + len(phrase)
        if any(s.start < end and s.end > start and s.technique in FRAMING_TECHNIQUES for s in every):
            flagged.append(phrase)
    assert "bringing misery" in flagged, flagged
    # no possible passage overlaps a confident one
    assert not any(p.start < s.end and p.end > s.start for p in a.possible_spans for s in a.spans)


def test_min_score_one_turns_possible_passages_off():
    text = (EXAMPLES / "framing_article.txt").read_text(encoding="utf-8")
    assert Analyzer("default", attribution=False, min_score=1.0)(text).possible_spans == ()


def test_cli_uses_the_default_model_unless_told(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PROPLENS_MODEL"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "proplens.cli.app",
            "analyze",
            str(EXAMPLES / "framing_article.txt"),
            "-f",
            "json",
            "--no-attribution",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    import json

    assert json.loads(out.stdout)["model"]["name"] == "proplens-mpnet"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "proplens.cli.app",
            "analyze",
            str(EXAMPLES / "framing_article.txt"),
            "-f",
            "json",
            "--no-attribution",
            "--model",
            "fast",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert json.loads(out.stdout)["model"]["name"] == "proplens-minilm"

"""``proplens analyze``: passages counted as distinct ranges, and [P005] naming the CLI's own option (issue
10)."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from proplens.analyzer import Analyzer
from proplens.cli.app import app
from proplens.cli.resources import Resources
from proplens.testing import LexiconDetector

TEXT = "The reckless plan failed. Nobody was surprised.\n"


class _TwoLabels(LexiconDetector):
    """Marks "reckless" twice: Loaded_Language and Exaggeration on the same range."""

    def predict(self, texts):
        preds = super().predict(texts)
        for p in preds:
            i = p.text.index("reckless")
            p.spans.append((i, i + 8, "Exaggeration,Minimisation", 0.7))
            p.spans.sort()
        return preds


class _Fake(Analyzer):
    def __init__(self, model_dir=None, **kw):
        super().__init__(
            detector=_TwoLabels(),
            attribution=False,
            model_name="fake",
            model_version="t",
            max_chars=kw.get("max_chars", 2_000_000),
        )


def test_one_range_with_two_techniques_is_one_passage_showing_both(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    r = CliRunner().invoke(
        app, ["analyze", str(f)], env={"COLUMNS": "200"}, catch_exceptions=False, obj=Resources(_Fake)
    )
    assert r.exit_code == 0, r.output
    assert "passages: 1  ·" in r.stdout and "spans:" not in r.stdout
    row = next(line for line in r.stdout.splitlines() if "“reckless”" in line and "%" in line)
    assert "Loaded language 90%" in row and "Exaggeration / minimisation 70%" in row


def test_too_long_text_names_the_max_chars_option_and_the_option_raises_it(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TEXT * 5, encoding="utf-8")
    cmd = [sys.executable, "-m", "proplens.cli.app", "analyze", str(f), "--no-attribution", "-f", "ptc"]
    r = subprocess.run([*cmd, "--max-chars", "100"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "Error: [P005] The text has 240 characters, more than the limit of 100. "
        "Split it or raise the limit (--max-chars)."
    )
    r = CliRunner().invoke(
        app,
        ["analyze", str(f), "-f", "ptc", "--max-chars", "300"],
        catch_exceptions=False,
        obj=Resources(_Fake),
    )
    assert r.exit_code == 0 and "Loaded_Language" in r.stdout


def test_progress_bar_on_stderr_when_asked(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TEXT * 3, encoding="utf-8")
    seen = []

    class Recording(_Fake):
        def __call__(self, text, title=None, *, meta=None, progress=None):
            seen.append(progress is not None)
            return super().__call__(text, title, meta=meta, progress=progress)

    r = CliRunner().invoke(
        app,
        ["analyze", str(f), "-f", "ptc", "--progress"],
        env={"COLUMNS": "120"},
        catch_exceptions=False,
        obj=Resources(Recording),
    )
    assert r.exit_code == 0 and seen == [True]
    assert "finding sources, scoring sentences" in r.stderr and "1/1 windows" in r.stderr
    assert (
        r.stdout.startswith("a\tExaggeration,Minimisation\t4\t12\n") and "windows" not in r.stdout
    )  # bar on stderr only
    r = CliRunner().invoke(
        app, ["analyze", str(f), "-f", "ptc"], catch_exceptions=False, obj=Resources(Recording)
    )
    assert r.exit_code == 0 and seen == [True, False] and r.stderr == ""  # short text, not a terminal: no bar

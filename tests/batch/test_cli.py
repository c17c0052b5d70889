"""The batch and report commands (thin shells; lexicon detector patched in)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from proplens.cli.app import app
from proplens.testing import LexiconDetector


@pytest.fixture
def lexicon_cli(monkeypatch):
    from proplens.batch import worker

    real = worker.AnalyzerSpec

    def fake(**kw):
        kw.update(detector=LexiconDetector(), model_name="lexicon-test", model_version="test")
        return real(**kw)

    monkeypatch.setattr("proplens.batch.AnalyzerSpec", fake)


def test_cli_batch_then_report(tmp_path, corpus, lexicon_cli):
    r = CliRunner().invoke(app, ["batch", str(corpus), "--out", str(tmp_path / "o.parquet"), "--jsonl", str(tmp_path / "o.jsonl"), "-q", "--attribution", "off"])
    assert r.exit_code == 0, r.output
    assert "120 articles" in r.output
    r = CliRunner().invoke(app, ["batch", str(corpus), "--out", str(tmp_path / "o.parquet"), "-q", "--attribution", "off"])
    assert "120 already done" in r.output
    r = CliRunner().invoke(app, ["report", str(tmp_path / "o.parquet"), "--html", str(tmp_path / "rep.html")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "rep.html").exists() and (tmp_path / "rep_tables" / "by_month.csv").exists()


def test_cli_batch_bad_input_is_one_line(tmp_path):
    import subprocess
    import sys

    (tmp_path / "t.csv").write_text("id,body\n1,x\n")
    p = subprocess.run(
        [sys.executable, "-m", "proplens.cli.app", "batch", str(tmp_path / "t.csv"), "--out", str(tmp_path / "o.parquet")],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 1
    assert p.stderr.strip().startswith("Error: [P018]") and len(p.stderr.strip().splitlines()) == 1

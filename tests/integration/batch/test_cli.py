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
    r = CliRunner().invoke(
        app,
        [
            "batch",
            str(corpus),
            "--out",
            str(tmp_path / "o.parquet"),
            "--jsonl",
            str(tmp_path / "o.jsonl"),
            "-q",
            "--attribution",
            "off",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "120 articles" in r.output
    r = CliRunner().invoke(
        app, ["batch", str(corpus), "--out", str(tmp_path / "o.parquet"), "-q", "--attribution", "off"]
    )
    assert "120 already done" in r.output
    r = CliRunner().invoke(app, ["report", str(tmp_path / "o.parquet"), "--html", str(tmp_path / "rep.html")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "rep.html").exists() and (tmp_path / "rep_tables" / "by_month.csv").exists()


def test_cli_batch_bad_input_is_one_line(tmp_path):
    import subprocess
    import sys

    (tmp_path / "t.csv").write_text("id,body\n1,x\n")
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "proplens.cli.app",
            "batch",
            str(tmp_path / "t.csv"),
            "--out",
            str(tmp_path / "o.parquet"),
        ],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 1
    assert p.stderr.strip().startswith("Error: [P018]") and len(p.stderr.strip().splitlines()) == 1


def test_cli_batch_max_chars_is_the_knob_its_p005_names(tmp_path, lexicon_cli):
    import json

    inp = tmp_path / "in.jsonl"
    rows = [{"id": "short", "text": "A reckless plan."}, {"id": "long", "text": "A reckless plan. " * 20}]
    inp.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    r = CliRunner().invoke(
        app,
        [
            "batch",
            str(inp),
            "--out",
            str(tmp_path / "o.parquet"),
            "-q",
            "--attribution",
            "off",
            "--max-chars",
            "100",
        ],
    )
    assert r.exit_code == 0, r.output
    errs = [json.loads(x) for x in (tmp_path / "o.errors.jsonl").read_text().splitlines()]
    assert [e["code"] for e in errs] == ["P005"]
    assert (
        "limit of 100" in errs[0]["reason"]
        and "raise the limit (proplens batch --max-chars" in errs[0]["reason"]
    )
    r = CliRunner().invoke(
        app,
        [
            "batch",
            str(inp),
            "--out",
            str(tmp_path / "o2.parquet"),
            "-q",
            "--attribution",
            "off",
            "--max-chars",
            "1000",
        ],
    )
    assert (
        r.exit_code == 0
        and "2 articles" in r.output
        and not (tmp_path / "o2.errors.jsonl").read_text().strip()
    )

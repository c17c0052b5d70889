"""``proplens serve`` argument and startup errors: one line on stderr and exit code 1."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("uvicorn")


def _serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "proplens.cli.app", "serve", "--port", "1", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "db,needle",
    [
        ("nonsense", "Could not parse SQLAlchemy URL"),
        ("postgresql://u:secret@127.0.0.1:1/db", "postgresql://u:***@127.0.0.1:1/db"),
    ],
)
def test_serve_bad_db_fails_with_one_line(db, needle):
    r = _serve("--db", db)
    assert r.returncode == 1
    assert "[P028] Cannot open the analysis store" in r.stderr and needle in r.stderr
    assert "Traceback" not in r.stderr and "secret" not in r.stderr


def test_serve_bad_model_fails_with_one_line(tmp_path):
    r = _serve("--db", f"sqlite:///{tmp_path / 's.db'}", "--model", str(tmp_path / "missing"))
    assert r.returncode == 1 and "[P009]" in r.stderr and "Traceback" not in r.stderr


def test_serve_help_lists_the_options():
    r = subprocess.run([sys.executable, "-m", "proplens.cli.app", "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    for opt in ("--host", "--port", "--db", "--no-fetch", "--no-attribution"):
        assert opt in r.stdout

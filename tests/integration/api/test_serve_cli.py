"""``proplens serve`` argument and startup errors: one line on stderr and exit code 1."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("uvicorn")


def _serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "proplens.cli.app", "serve", "--port", "1", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


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
    r = subprocess.run(
        [sys.executable, "-m", "proplens.cli.app", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0
    for opt in ("--host", "--port", "--db", "--no-fetch", "--no-attribution"):
        assert opt in r.stdout


@pytest.mark.slow
def test_serve_with_several_processes_passes_settings_to_each(tmp_path):
    import socket
    import time

    import httpx

    from proplens.model.runtime import default_model_dir

    if not (default_model_dir() / "model.onnx").exists():
        pytest.skip("the shipped model is missing")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "proplens.cli.app",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-fetch",
            "--no-attribution",
            "--db",
            f"sqlite:///{tmp_path / 'w.db'}",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
        for _ in range(6):  # whichever process answers, it has the CLI's settings
            r = httpx.post(
                f"http://127.0.0.1:{port}/api/v1/analyses", json={"url": "https://example.org/"}, timeout=30
            )
            assert r.status_code == 403 and r.json()["error"]["code"] == "fetch_disabled"
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/analyses",
            json={"text": "These reckless traitors lied."},
            timeout=60,
        )
        assert r.status_code == 201 and r.json()["attributions"] == []
    finally:
        proc.terminate()
        proc.wait(30)

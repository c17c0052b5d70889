"""Store fixtures: a SQLite file per test, and a throwaway PostgreSQL server per session.

The PostgreSQL server is started with Debian's ``initdb``/``pg_ctl`` (package ``postgresql``) in a
temporary folder, listening on 127.0.0.1 only, with trust authentication. When run as root it
runs as the ``postgres`` user. Tests marked ``postgres`` are skipped only when initdb is missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest

pytest.importorskip("sqlalchemy", reason="the server extra is not installed (pip install 'proplens[server]')")


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    cands = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return cands[-1] if cands else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_pg_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--"] + cmd


@pytest.fixture(scope="session")
def pg_server():
    """URL of a running throwaway PostgreSQL server (``postgresql://postgres@127.0.0.1:PORT``)."""
    if os.environ.get("PROPLENS_TEST_PG_URL"):
        yield os.environ["PROPLENS_TEST_PG_URL"].rstrip("/")
        return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip(
            "PostgreSQL is not installed (no initdb): apt-get install postgresql, or set PROPLENS_TEST_PG_URL"
        )
    tmp = tempfile.mkdtemp(prefix="proplens-pg-")
    data = os.path.join(tmp, "data")
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
    subprocess.run(
        _as_pg_user([initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"]),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    opts = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
    subprocess.run(
        _as_pg_user(
            [pg_ctl, "-D", data, "-o", opts, "-l", os.path.join(tmp, "log"), "-w", "-t", "60", "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_pg_user([pg_ctl, "-D", data, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database on the session's server."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_server + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{pg_server}/{name}"
    for _ in range(3):
        try:
            with psycopg.connect(pg_server + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            break
        except psycopg.Error:
            time.sleep(0.5)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url):
    from proplens.store import create_store_engine, init_db

    eng = create_store_engine(db_url)
    init_db(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def repo(engine):
    from proplens.store import Repository

    return Repository(engine)

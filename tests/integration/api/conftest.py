"""Fixtures for the API tests: an app over the lexicon test detector and a throwaway SQLite store."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed (pip install 'proplens[server]')")

from apitest_helpers import make_analyzer
from fastapi.testclient import TestClient

from proplens.analyzer import Analyzer
from proplens.api import Settings, create_app


@pytest.fixture
def make_client(tmp_path):
    clients = []

    def _make(analyzer: Analyzer | None = None, analyzers: dict[str, Analyzer] | None = None, **settings):
        settings.setdefault("db_url", f"sqlite:///{tmp_path / 'api.db'}")
        app = create_app(Settings(**settings), analyzer=analyzer or make_analyzer(), analyzers=analyzers)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield _make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()

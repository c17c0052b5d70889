"""The REST API over a real PostgreSQL store: concurrent posts, cache hits, listing and search."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("fastapi")

pytestmark = pytest.mark.postgres


def test_api_on_postgres_concurrent_writes_and_queries(pg_url):
    from fastapi.testclient import TestClient

    from proplens.analyzer import Analyzer
    from proplens.api import Settings, create_app
    from proplens.testing import LexiconDetector

    an = Analyzer(
        detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="test"
    )
    with TestClient(create_app(Settings(db_url=pg_url, inference_workers=4), analyzer=an)) as client:
        assert client.get("/api/v1/health").json()["database"] == "postgresql"
        texts = [f"Dispatch {i % 6}: the reckless council met, 100% sure_thing." for i in range(48)]

        def post(t):
            return client.post(
                "/api/v1/analyses", json={"text": t, "source": "pg.example", "title": "Ti\x00tle"}
            )

        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(post, texts))
        assert [r.status_code for r in results] == [201] * 48
        assert (
            sum(r.json()["cached"] for r in results) >= 48 - 6 - 16
        )  # repeats hit the cache (racing firsts may not)
        assert (
            client.get("/api/v1/analyses", params={"source": "pg.example", "page_size": 100}).json()["total"]
            == 48
        )
        assert client.get("/api/v1/analyses", params={"q": "100%_sure"}).json()["total"] == 0
        assert client.get("/api/v1/analyses", params={"q": "100% sure_thing"}).json()["total"] == 48
        one = results[0].json()
        assert client.get(f"/api/v1/analyses/{one['id']}").json()["title"] == "Title"
        prof = client.get("/api/v1/sources/profile", params={"source": "pg.example"}).json()
        assert prof["count"] == 48 and prof["technique_counts"]["Loaded_Language"] == 48

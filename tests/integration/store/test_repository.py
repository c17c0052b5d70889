"""The analysis store on SQLite and PostgreSQL: round trips, cache, queries, migrations, concurrency."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta

import pytest

from proplens.analysis import Attribution
from proplens.analyzer import Analyzer
from proplens.testing import LexiconDetector

TEXT = "Emoji first 😀🏳️‍🌈 then a reckless plan by traitors.\r\nEveryone knows the worst ever budget."


def _analyzer(version="test"):
    return Analyzer(
        detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version=version
    )


def test_add_and_get_roundtrip_keeps_offsets_and_attributions(repo):
    a = _analyzer()(TEXT, "T")
    a = a.with_attributions(
        [
            Attribution(
                source=((0, 5),),
                cue=((6, 11),),
                content=((12, 20),),
                source_type="person",
                source_text="Emoji",
            )
        ]
    )
    rec = repo.add(a, source="ex.org", url="https://ex.org/a", published=datetime(2024, 5, 1, tzinfo=UTC))
    got = repo.get(rec.id)
    assert got is not None and got.analysis.text == TEXT
    assert [(s.start, s.end, s.technique, s.text) for s in got.analysis.spans] == [
        (s.start, s.end, s.technique, s.text) for s in a.spans
    ]
    assert all(TEXT[s.start : s.end] == s.text for s in got.analysis.spans)
    assert got.analysis.attributions == a.attributions
    assert got.source == "ex.org" and got.url == "https://ex.org/a" and got.published.year == 2024
    assert got.created.tzinfo is not None and got.title == "T"
    d = got.to_dict()
    assert d["id"] == rec.id and d["model_version"] == "test" and d["published"].startswith("2024-05-01")
    assert repo.get("missing") is None


def test_cache_is_keyed_by_text_hash_and_model_version(repo):
    a = _analyzer()(TEXT)
    assert repo.get_cached(text=TEXT, model_version="test") is None
    repo.add(a)
    hit = repo.get_cached(text=TEXT, model_version="test")
    assert hit is not None and hit.spans == a.spans and hit.score == pytest.approx(a.score, abs=1e-4)
    assert repo.get_cached(text=TEXT, model_version="other") is None
    assert repo.get_cached(text=TEXT + " ", model_version="test") is None
    b = _analyzer("v2")(TEXT)
    repo.add(b)
    assert repo.get_cached(text=TEXT, model_version="v2").model_version == "v2"


def test_delete_keeps_the_cached_result(repo):
    rec = repo.add(_analyzer()(TEXT))
    assert repo.delete(rec.id) is True and repo.delete(rec.id) is False
    assert repo.get(rec.id) is None and repo.get_cached(text=TEXT, model_version="test") is not None


def test_list_filters_search_and_pages(repo, engine):
    an = _analyzer()
    recs = [
        repo.add(
            an(f"Story number {i} about a reckless plan."),
            title=f"Title {i}",
            source="a.org" if i < 3 else "b.org",
        )
        for i in range(7)
    ]
    repo.add(an("100% sure_thing"), title="percent")
    page = repo.search(page=1, page_size=3)
    assert page.total == 8 and page.pages == 3 and [r.id for r in page.items][0] != recs[0].id
    assert repo.search(source="a.org").total == 3
    assert repo.search(q="number 4").items[0].title == "Title 4"
    assert repo.search(q="TITLE 5").total == 1  # case-insensitive
    assert (
        repo.search(q="0% s").total == 1 and repo.search(q="%").total == 1 and repo.search(q="_").total == 1
    )
    now = datetime.now(UTC)
    assert repo.search(since=now + timedelta(hours=1)).total == 0
    assert repo.search(until=now + timedelta(hours=1)).total == 8
    assert repo.search(page=99).items == []
    seen = {r.id for p in (1, 2, 3) for r in repo.search(page=p, page_size=3).items}
    assert len(seen) == 8


def test_sources_profile_and_trend(repo):
    an = _analyzer()
    days = [
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, 12, tzinfo=UTC),
        datetime(2024, 1, 3, tzinfo=UTC),
    ]
    for i, d in enumerate(days):
        repo.add(an(f"Item {i}: reckless traitors."), source="x.org", published=d)
    repo.add(an("Calm text."), source="y.org")
    srcs = repo.sources()
    assert [s["source"] for s in srcs] == ["x.org", "y.org"] and srcs[0]["count"] == 3
    prof = repo.source_profile(source="x.org")
    assert prof["count"] == 3 and prof["technique_counts"]["Loaded_Language"] == 3
    assert prof["technique_share"]["Loaded_Language"] == pytest.approx(0.5)
    assert prof["bucket"] == "day" and [t["period"] for t in prof["trend"]] == ["2024-01-01", "2024-01-03"]
    repo.add(an("Old reckless item."), source="x.org", published=datetime(2023, 6, 1, tzinfo=UTC))
    prof = repo.source_profile(source="x.org")
    assert prof["bucket"] == "month" and [t["period"] for t in prof["trend"]] == ["2023-06", "2024-01"]
    assert repo.source_profile(source="nobody") is None


def test_migrations_are_idempotent_reversible_and_match_the_tables(engine):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from proplens.store.engine import alembic_config, init_db
    from proplens.store.tables import Base

    init_db(engine)  # second run: no-op
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is None
    init_db(engine)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0003"


def test_concurrent_threads_never_lose_or_corrupt_a_write(repo):
    an = _analyzer()
    texts = [
        f"Shared text {i % 5}: a reckless plan." for i in range(80)
    ]  # many writers race on the same cache rows
    analyses = [an(t) for t in texts]
    errors, ids = [], []
    lock = threading.Lock()

    def work(chunk):
        for a in chunk:
            try:
                rec = repo.add(a, source="race.org")
                with lock:
                    ids.append(rec.id)
            except Exception as exc:  # noqa: BLE001 - the test reports any failure
                errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(analyses[i::16],)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 80 and repo.search(source="race.org").total == 80
    from sqlalchemy import func, select

    from proplens.store.tables import ResultRow

    with repo.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(ResultRow)) == 5
        )  # one cached result per distinct text
    for rid in ids[:10]:
        rec = repo.get(rid)
        assert all(rec.analysis.text[s.start : s.end] == s.text for s in rec.analysis.spans)


def _proc_writer(url: str, worker: int, n: int, q) -> None:
    from proplens.store import Repository, create_store_engine

    eng = create_store_engine(url)
    repo = Repository(eng)
    an = _analyzer()
    done = 0
    try:
        for i in range(n):
            repo.add(an(f"Process {worker} text {i % 3}: reckless."), source="proc.org")
            done += 1
    except Exception as exc:  # noqa: BLE001
        q.put(("error", repr(exc)))
    q.put(("done", done))
    eng.dispose()


def test_concurrent_processes_never_lose_a_write(repo, db_url):
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    repo.engine.dispose()
    procs = [ctx.Process(target=_proc_writer, args=(db_url, w, 15, q)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    results = [q.get(timeout=5) for _ in range(4)]
    assert all(kind == "done" and n == 15 for kind, n in results), results
    assert repo.search(source="proc.org").total == 60


def test_in_memory_sqlite_is_refused_with_a_clear_message():
    from proplens.store import create_store_engine

    with pytest.raises(ValueError, match="in-memory SQLite store is not supported"):
        create_store_engine("sqlite://")


def test_sqlite_uses_wal(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_postgres_url_is_mapped_to_psycopg3():
    from proplens.store.engine import normalize_db_url

    assert normalize_db_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalize_db_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_db_url("sqlite:///x.db") == "sqlite:///x.db"


def test_default_db_url_is_in_the_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    from proplens.store import default_db_url

    url = default_db_url()
    assert url.startswith("sqlite:///") and url.endswith("proplens.db") and str(tmp_path) in url


def test_metadata_nul_characters_are_dropped(repo):
    rec = repo.add(
        _analyzer()("A reckless plan."), title="Ti\x00tle", source="\x00", url="https://x.example/\x00a"
    )
    got = repo.get(rec.id)
    assert got.title == "Title" and got.source is None and got.url == "https://x.example/a"


def test_cache_is_keyed_by_model_name_too(repo):
    """Two models with the same version string (default and fast) keep separate cached results."""
    a = _analyzer("1")(TEXT)
    b_an = Analyzer(
        detector=LexiconDetector(), attribution=False, model_name="other-model", model_version="1"
    )
    repo.add(a)
    assert repo.get_cached(text=TEXT, model_version="1", model_name="other-model") is None
    rec = repo.add(b_an(TEXT))
    assert rec.analysis.model_name == "other-model"
    assert (
        repo.get_cached(text=TEXT, model_version="1", model_name="lexicon-test").model_name == "lexicon-test"
    )
    assert repo.get_cached(text=TEXT, model_version="1", model_name="other-model").model_name == "other-model"


def test_min_score_of_a_record_filters_its_possible_spans(repo):
    an = Analyzer(
        detector=LexiconDetector(possible={"plan": ("Doubt", 0.35)}),
        attribution=False,
        model_name="lexicon-test",
        model_version="p",
        min_score=0.0,
    )
    analysis = an(TEXT)
    assert [s.text for s in analysis.possible_spans] == ["plan"]
    shown = repo.add(analysis, min_score=0.3, possible_floor=0.0)
    hidden = repo.add(analysis, min_score=0.5, possible_floor=0.0)
    assert [s.text for s in repo.get(shown.id).analysis.possible_spans] == ["plan"]
    assert (
        repo.get(hidden.id).analysis.possible_spans == ()
        and repo.get(hidden.id).to_dict()["min_score"] == 0.5
    )
    assert repo.get_cached(text=TEXT, model_version="p", min_score=0.1) is not None


def test_records_hold_the_stored_json_and_rebuild_the_analysis_only_when_asked(repo, monkeypatch):
    from proplens.analysis import Analysis

    a = _analyzer()(TEXT, "T")
    calls = []
    real = Analysis.from_dict.__func__
    monkeypatch.setattr(Analysis, "from_dict", classmethod(lambda cls, d: calls.append(1) or real(cls, d)))
    rec = repo.add(a, source="ex.org", possible_floor=0.0)
    d, summary = repo.get(rec.id).to_dict(), rec.summary()
    hit = repo.find_cached(text=TEXT, model_version="test")
    again = repo.add(hit, cached=True)
    listed = repo.search(page_size=5).items
    assert calls == []  # add, get, to_dict, summary, the cache hit and listing never rebuild the object
    assert d["schema_version"] == 1 and d["spans"] == a.to_dict()["spans"] and d["title"] == "T"
    assert summary["n_spans"] == len(a.spans) and summary["n_chars"] == len(TEXT)
    assert again.cached and again.to_dict()["spans"] == d["spans"] and len(listed) == 2
    assert hit.model_name == "lexicon-test" and hit.text == TEXT
    assert rec.analysis.spans == a.spans and calls == [1]  # rebuilt on first use, once
    assert rec.analysis is rec.analysis and calls == [1]


def test_stored_payloads_without_schema_version_still_read(repo):
    from sqlalchemy import update

    from proplens.store.tables import ResultRow

    a = _analyzer()(TEXT, "T")
    rec = repo.add(a)
    with repo.session() as s, s.begin():
        old = {k: v for k, v in a.to_dict().items() if k not in ("schema_version", "text", "title", "meta")}
        s.execute(update(ResultRow).values(payload=old))
    got = repo.get(rec.id)
    assert got.to_dict()["schema_version"] == 1 and got.analysis.spans == a.spans
    assert repo.get_cached(text=TEXT, model_version="test").spans == a.spans

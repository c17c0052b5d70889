"""Analyses as jobs (issue 10): 202 + Location, stored results, no work done twice, cancellation,
backpressure."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from apitest_helpers import CountingDetector

from proplens.analyzer import Analyzer


class GatedDetector(CountingDetector):
    """Counts each text it analyses and, while the gate is closed, blocks inside predict (a long analysis)."""

    def __init__(self, delay: float = 0.0):
        super().__init__(delay=delay)
        self.gate = threading.Event()
        self.gate.set()
        self.texts: list[str] = []
        self.entered = threading.Semaphore(0)

    def predict(self, texts):
        with self._lock:
            self.texts.extend(texts)
        self.entered.release()
        self.gate.wait(30)
        return super().predict(texts)


def _analyzer(det) -> Analyzer:
    return Analyzer(detector=det, attribution=False, model_name="lexicon-test", model_version="test")


def _poll(client, location: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(location)
        assert r.status_code == 200, r.text
        job = r.json()
        if job["status"] in ("done", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def _long_text(seed: int, n_chars: int = 190_000) -> str:
    """An article of about n_chars characters, written here (varied sentences, some lexicon words, emoji,
    CRLF)."""
    rng = random.Random(seed)
    subjects = [
        "The council",
        "Mayor Ann Lee",
        "A spokesman for the ministry",
        "Residents of the old quarter",
        "The opposition leader",
        "Local traders",
        "The regional water board",
        "Two engineers",
    ]
    verbs = ["said on Monday that", "warned that", "told reporters that", "argued that", "claimed that"]
    claims = [
        "the reckless plan would destroy the riverside market",
        "the budget was balanced for the first time",
        "these puppet councillors answer to developers",
        "the new bridge would open in spring 😀",
        "everyone knows the tender was rigged",
        "a true patriot would defend the parks",
        "traffic on the ring road had fallen by 12 percent",
        "the disastrous vote must be repeated",
    ]
    parts, size = [f"Article {seed}\r\n\r\n"], 0
    while size < n_chars:
        s = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(claims)}. "
        if rng.random() < 0.08:
            s += "\n\n"
        parts.append(s)
        size += len(s)
    return "".join(parts)


def test_slow_analysis_becomes_a_job_and_its_result_is_stored(make_client):
    det = CountingDetector()
    client = make_client(_analyzer(det), request_timeout=0.3)
    det.delay = 1.2
    warm = det.calls
    r = client.post("/api/v1/analyses", json={"text": "A reckless plan.", "source": "slow.example"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert (
        r.headers["location"] == f"/api/v1/jobs/{job['id']}" == job["location"] and r.headers["retry-after"]
    )
    assert job["status"] in ("queued", "running") and job["analysis_id"] is None
    done = _poll(client, r.headers["location"])
    assert done["status"] == "done" and done["progress"]["fraction"] == 1.0
    a = client.get(done["analysis_url"]).json()
    assert a["text"] == "A reckless plan." and a["source"] == "slow.example" and a["cached"] is False
    assert [s["text"] for s in a["spans"]] == ["reckless"]
    # the work was not wasted: an identical re-submission is served from the store, computed once in all
    det.delay = 0
    again = client.post("/api/v1/analyses", json={"text": "A reckless plan.", "source": "slow.example"})
    assert again.status_code == 201 and again.json()["cached"] is True and again.json()["spans"] == a["spans"]
    assert det.calls == warm + 1


def test_three_long_texts_at_once_end_stored_and_none_is_computed_twice(make_client):
    det = GatedDetector()
    client = make_client(_analyzer(det), inference_workers=2, max_body_bytes=2_000_000)
    det.texts.clear()
    texts = [_long_text(seed) for seed in (1, 2, 3)]
    assert all(185_000 <= len(t) <= 200_000 for t in texts)
    det.gate.clear()  # the analyses now run "long", until the gate opens

    def post(i):
        return client.post(
            "/api/v1/analyses", json={"text": texts[i], "title": f"Long {i}", "source": "long.example"}
        )

    with ThreadPoolExecutor(3) as pool:
        first = list(pool.map(post, range(3)))
    assert [r.status_code for r in first] == [202, 202, 202]  # long texts never hold the request
    # impatient clients re-submit while the jobs run: they join the same jobs, nothing new starts
    with ThreadPoolExecutor(3) as pool:
        second = list(pool.map(post, range(3)))
    assert [r.json()["id"] for r in second] == [r.json()["id"] for r in first]
    det.gate.set()
    jobs = [_poll(client, r.headers["location"]) for r in first]
    assert [j["status"] for j in jobs] == ["done"] * 3
    for i, j in enumerate(jobs):
        a = client.get(j["analysis_url"]).json()
        assert a["text"] == texts[i] and a["title"] == f"Long {i}"
        assert a["spans"] and all(texts[i][s["start"] : s["end"]] == s["text"] for s in a["spans"])
    assert sorted(det.texts) == sorted(texts)  # each text went through the model exactly once
    assert client.get("/api/v1/analyses", params={"source": "long.example"}).json()["total"] == 3
    # and once more, after the fact: served from the store at once (201, cached), still no model call
    again = post(0)
    assert again.status_code == 201 and again.json()["cached"] is True and again.json()["text"] == texts[0]
    assert len(det.texts) == 3


def test_full_queue_is_refused_with_retry_after_before_any_work(make_client):
    det = GatedDetector()
    client = make_client(_analyzer(det), inference_workers=1, queue_size=1)
    det.gate.clear()
    start = len(det.texts)
    hdr = {"Prefer": "respond-async"}
    running = client.post("/api/v1/analyses", json={"text": "First reckless text."}, headers=hdr)
    assert running.status_code == 202
    assert det.entered.acquire(timeout=10)  # the worker is busy with it
    queued = client.post("/api/v1/analyses", json={"text": "Second reckless text."}, headers=hdr)
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    refused = client.post("/api/v1/analyses", json={"text": "Third reckless text."}, headers=hdr)
    assert refused.status_code == 503, refused.text
    assert refused.json()["error"]["code"] == "queue_full" and int(refused.headers["retry-after"]) >= 1
    assert "Nothing was started" in refused.json()["error"]["message"]
    det.gate.set()
    assert [_poll(client, r.headers["location"])["status"] for r in (running, queued)] == ["done", "done"]
    assert det.texts[start:] == ["First reckless text.", "Second reckless text."]  # the refused one never ran


def test_cancel_a_queued_and_a_running_job(make_client):
    det = GatedDetector()
    client = make_client(_analyzer(det), inference_workers=1)
    det.gate.clear()
    total_before = client.get("/api/v1/analyses").json()["total"]
    hdr = {"Prefer": "respond-async"}
    running = client.post("/api/v1/analyses", json={"text": "Running reckless text."}, headers=hdr).json()
    assert det.entered.acquire(timeout=10)
    queued = client.post("/api/v1/analyses", json={"text": "Queued reckless text."}, headers=hdr).json()
    r = client.delete(queued["location"])
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = client.delete(running["location"])
    assert r.status_code == 200 and r.json()["status"] == "cancelling"
    det.gate.set()
    assert _poll(client, running["location"])["status"] == "cancelled"
    assert client.get("/api/v1/analyses").json()["total"] == total_before  # nothing stored for either
    assert "Queued reckless text." not in det.texts
    done = client.post("/api/v1/analyses", json={"text": "Done reckless text."}, headers=hdr).json()
    assert _poll(client, done["location"])["status"] == "done"
    r = client.delete(done["location"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "job_finished"
    assert client.get("/api/v1/jobs/nope").status_code == 404


def test_upload_honours_prefer_respond_async(make_client):
    det = CountingDetector()
    client = make_client(_analyzer(det))
    r = client.post(
        "/api/v1/analyses/upload",
        files={"file": ("a.txt", b"The reckless plan.", "text/plain")},
        headers={"Prefer": "respond-async"},
    )
    assert r.status_code == 202
    job = _poll(client, r.headers["location"])
    assert client.get(job["analysis_url"]).json()["text"] == "The reckless plan."


def test_queue_size_zero_still_runs_on_an_idle_worker_and_refuses_when_busy(make_client):
    det = GatedDetector()
    client = make_client(_analyzer(det), inference_workers=1, queue_size=0)
    det.gate.clear()
    hdr = {"Prefer": "respond-async"}
    first = client.post("/api/v1/analyses", json={"text": "An idle worker takes this."}, headers=hdr)
    assert first.status_code == 202
    assert det.entered.acquire(timeout=10)
    busy = client.post("/api/v1/analyses", json={"text": "No room for this one."}, headers=hdr)
    assert busy.status_code == 503 and busy.json()["error"]["code"] == "queue_full"
    det.gate.set()
    assert _poll(client, first.headers["location"])["status"] == "done"

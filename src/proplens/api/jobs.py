"""Analyses as jobs: a bounded queue, a fixed set of workers, progress, cancellation, stored results.

Every analysis the API computes runs as a :class:`Job`. ``POST /api/v1/analyses`` waits for it up to
``request_timeout`` seconds (long texts and ``Prefer: respond-async`` do not wait) and otherwise answers
``202 Accepted`` with ``Location: /api/v1/jobs/{id}``; the job keeps running, stores its analysis when done,
and the poll (or an identical re-submission, through the store's cache) gets it. Nothing computed is thrown
away because a client stopped waiting.

Backpressure is explicit: at most ``queue_size`` jobs wait for a worker. A submission beyond that is refused
with ``503`` and ``Retry-After`` before any work starts. Identical submissions (same text, title, source, URL,
date) while one is queued or running join that job, and two jobs on the same text and title share one
computation, so no text is analysed twice at once.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import ProplensError
from ..store.repository import AnalysisRecord, text_hash
from .errors import ApiError

__all__ = ["Job", "JobManager", "JobCancelled"]

log = logging.getLogger("proplens.api")

ACTIVE = ("queued", "running")


# After a job on a text this long, free heap pages go back to the OS (glibc keeps them otherwise: a server
# that analysed three 190,000-character texts stayed at 1.5 GB; see bench/api_load.py --mode long).
TRIM_AFTER_CHARS = 20_000


def release_memory() -> bool:
    """Return freed heap memory to the OS (glibc ``malloc_trim``); False where there is no such call."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False


class JobCancelled(Exception):
    """Raised inside a running analysis (from its progress callback) when its job was cancelled."""


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


@dataclass(eq=False)
class Job:
    """One analysis on its way: queued -> running -> done | failed | cancelled."""

    id: str
    key: tuple
    article: Any  # ArticleInput; dropped when the job ends so that the text is not kept twice
    n_chars: int
    status: str = "queued"
    created: datetime = field(default_factory=_now)
    started: datetime | None = None
    finished: datetime | None = None
    done: int = 0
    total: int = 0
    analysis_id: str | None = None
    cached: bool = False
    error: dict[str, str] | None = None
    cancel_requested: bool = False
    ended: threading.Event = field(default_factory=threading.Event)
    compute_key: tuple = ()  # with the text hash and title: which jobs may share one computation
    error_status: int = 500  # the HTTP status of ``error`` (a coded error's own, else 500)

    @property
    def location(self) -> str:
        return f"/api/v1/jobs/{self.id}"

    def to_dict(self) -> dict[str, Any]:
        status = "cancelling" if self.status == "running" and self.cancel_requested else self.status
        return {
            "id": self.id,
            "status": status,
            "created": _iso(self.created),
            "started": _iso(self.started),
            "finished": _iso(self.finished),
            "n_chars": self.n_chars,
            "progress": {
                "done": self.done,
                "total": self.total,
                "fraction": round(self.done / self.total, 4)
                if self.total
                else (1.0 if status == "done" else 0.0),
            },
            "analysis_id": self.analysis_id,
            "analysis_url": f"/api/v1/analyses/{self.analysis_id}" if self.analysis_id else None,
            "error": self.error,
            "location": self.location,
        }


class JobManager:
    """Queue, workers and bookkeeping of analysis jobs (one per server process).

    Parameters
    ----------
    analyze : callable
        ``analyze(article, progress) -> Analysis``: the computation (the analyzer of the article's model).
    store : callable
        ``store(analysis, article, cached) -> AnalysisRecord``: saves a finished analysis (an ``Analysis``, or
        the ``StoredResult`` of a cache hit).
    cached : callable
        ``cached(article) -> StoredResult | None``: a stored result for this text and model, if any.
    workers : int
        Jobs that run at the same time.
    queue_size : int
        Jobs that may wait for a worker; more are refused with 503 + Retry-After.
    keep : int
        Finished jobs remembered for polling (oldest forgotten first; their analyses stay in the store).
    """

    def __init__(
        self,
        *,
        analyze: Callable,
        store: Callable,
        cached: Callable,
        workers: int,
        queue_size: int,
        keep: int = 256,
    ) -> None:
        self._analyze = analyze
        self._store = store
        self._cached = cached
        self.workers = workers
        self.queue_size = queue_size
        self.keep = keep
        self._lock = threading.Condition()
        self._queue: collections.deque[Job] = collections.deque()
        self._jobs: dict[str, Job] = {}
        self._finished: collections.deque[str] = collections.deque()
        self._active_by_key: dict[tuple, Job] = {}
        self._computing: dict[tuple, tuple[threading.Event, list]] = {}
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._seconds_per_char = 5e-5  # running estimate of analysis time per character, for Retry-After
        self.started_computations = 0  # analyses actually computed (not cached, not shared)

    # ------------------------------------------------------------ submit / query
    def submit(
        self, article: Any, *, key_extra: tuple = (), compute_key: tuple = (), join: bool = True
    ) -> Job:
        """Queue an analysis of ``article``; with ``join``, return the identical job already queued or
        running.

        ``key_extra`` adds to what makes two submissions identical (the model, min_score); ``compute_key`` to
        what lets two jobs share one computation (the model). Without ``join`` every submission is its own job
        and stores its own record (the computation is still shared with any job on the same text, title and
        compute key).
        """
        key = (
            text_hash(article.text),
            article.title,
            article.source,
            article.url,
            _iso(article.published),
            *key_extra,
        )
        with self._lock:
            if self._closed:
                raise ApiError(
                    503,
                    "shutting_down",
                    "The server is shutting down. Try again in a moment.",
                    headers={"Retry-After": "10"},
                )
            same = self._active_by_key.get(key)
            if join and same is not None and same.status in ACTIVE and not same.cancel_requested:
                return same
            running = sum(1 for j in self._jobs.values() if j.status == "running")
            if len(self._queue) >= self.queue_size + max(
                0, self.workers - running
            ):  # idle workers take one each
                retry = self._retry_after_locked()
                raise ApiError(
                    503,
                    "queue_full",
                    f"The server is busy: {len(self._queue)} analyses are waiting, the most it queues. "
                    f"Nothing was started; try again in {retry} s.",
                    headers={"Retry-After": str(retry)},
                )
            job = Job(
                id=uuid.uuid4().hex,
                key=key,
                article=article,
                n_chars=len(article.text),
                compute_key=compute_key,
            )
            self._jobs[job.id] = job
            if join or key not in self._active_by_key:
                self._active_by_key[key] = job
            self._queue.append(job)
            self._ensure_workers_locked()
            self._lock.notify()
            return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued job at once, or ask a running one to stop at its next encoder batch."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.status not in ACTIVE:
                return job
            job.cancel_requested = True
            if job.status == "queued":
                try:
                    self._queue.remove(job)
                except ValueError:
                    pass
                self._end_locked(job, "cancelled")
            return job

    def wait(self, job: Job, timeout: float | None) -> bool:
        """True when the job ended within ``timeout`` seconds."""
        return job.ended.wait(timeout) if timeout else job.ended.is_set()

    def stats(self) -> dict[str, int]:
        with self._lock:
            running = sum(1 for j in self._jobs.values() if j.status == "running")
            return {
                "queued": len(self._queue),
                "running": running,
                "queue_size": self.queue_size,
                "workers": self.workers,
                "computations": self.started_computations,
            }

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for job in list(self._queue):
                job.cancel_requested = True
                self._end_locked(job, "cancelled")
            self._queue.clear()
            for job in self._jobs.values():
                if job.status == "running":
                    job.cancel_requested = True
            self._lock.notify_all()

    # ------------------------------------------------------------ internals
    def _retry_after_locked(self) -> int:
        waiting_chars = sum(j.n_chars for j in self._queue) + sum(
            j.n_chars for j in self._jobs.values() if j.status == "running"
        )
        return int(min(300, max(1, math.ceil(waiting_chars * self._seconds_per_char / self.workers))))

    def _ensure_workers_locked(self) -> None:
        self._threads = [t for t in self._threads if t.is_alive()]
        while len(self._threads) < self.workers:
            t = threading.Thread(target=self._work, name=f"proplens-job-{len(self._threads)}", daemon=True)
            t.start()
            self._threads.append(t)

    def _end_locked(self, job: Job, status: str) -> None:
        job.status = status
        job.finished = _now()
        job.article = None
        if self._active_by_key.get(job.key) is job:
            del self._active_by_key[job.key]
        self._finished.append(job.id)
        while len(self._finished) > self.keep:
            self._jobs.pop(self._finished.popleft(), None)
        job.ended.set()

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                job = self._queue.popleft()
                job.status = "running"
                job.started = _now()
            self._run(job)

    def _run(self, job: Job) -> None:
        try:
            self._run_job(job)
        finally:
            if job.n_chars >= TRIM_AFTER_CHARS:
                release_memory()

    def _run_job(self, job: Job) -> None:
        article = job.article
        t0 = time.monotonic()
        try:
            analysis, cached = self._compute(job, article)
            rec: AnalysisRecord = self._store(analysis, article, cached)
        except JobCancelled:
            with self._lock:
                self._end_locked(job, "cancelled")
            return
        except ProplensError as exc:
            if exc.http_status >= 500:
                log.error("Job %s failed: %s", job.id, exc)
            with self._lock:
                job.error = {"code": exc.api_code, "message": str(exc)}
                job.error_status = exc.http_status
                self._end_locked(job, "failed")
            return
        except Exception:
            rid = uuid.uuid4().hex[:12]
            log.exception("Job %s failed (request id %s)", job.id, rid)
            with self._lock:
                job.error = {
                    "code": "internal_error",
                    "request_id": rid,
                    "message": (
                        f"An unexpected error happened on the server. Quote request id {rid} when "
                        "reporting it."
                    ),
                }
                self._end_locked(job, "failed")
            return
        with self._lock:
            if not cached and job.n_chars >= 1000:
                per_char = (time.monotonic() - t0) / job.n_chars
                self._seconds_per_char = 0.7 * self._seconds_per_char + 0.3 * per_char
            job.analysis_id = rec.id
            job.cached = cached
            job.done = job.total = max(job.total, 1)
            self._end_locked(job, "done")

    def _compute(self, job: Job, article: Any):
        """(analysis, cached): the stored result, another job's result on the same text, or a new
        computation."""
        found = self._cached(article)
        if found is not None:
            return found, True
        ckey = (job.key[0], article.title, *job.compute_key)
        with self._lock:
            other = self._computing.get(ckey)
            if other is None:
                event = threading.Event()
                box: list[Any] = []
                self._computing[ckey] = (event, box)
        if other is not None:  # the same text is being analysed by another job: wait for it, do not redo it
            event, box = other
            while not event.wait(0.2):
                if job.cancel_requested:
                    raise JobCancelled()
            if box and not isinstance(box[0], BaseException):
                return box[0], True
            found = self._cached(article)
            if found is not None:
                return found, True
            return self._compute(job, article)

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total
            if job.cancel_requested:
                raise JobCancelled()

        try:
            with self._lock:
                self.started_computations += 1
            analysis = self._analyze(article, progress)
            box.append(analysis)
            return analysis, False
        except BaseException as exc:
            box.append(exc)
            raise
        finally:
            with self._lock:
                self._computing.pop(ckey, None)
            event.set()

"""The work behind ``POST /api/v1/analyses``: input → text → (cached) analysis → stored record.

Analyses run as jobs (:mod:`proplens.api.jobs`): at most ``inference_workers`` at once, at most ``queue_size``
waiting (more are refused with 503 + Retry-After before any work starts). A request waits for its job up to
``request_timeout`` seconds; a longer one, or a text of ``job_min_chars`` or more, gets the job to poll
instead, and the job still stores its analysis. Comparisons and related-story searches run in a separate
bounded pool.

A request picks a model (``default`` or ``fast``, :mod:`proplens.api.analyzers`) and a ``min_score`` for
possible passages. Cache, job and shared-computation keys hold the model's name and version; the cached result
holds every possible passage the model found, and each stored analysis shows those at or above its
``min_score``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..analysis import Analysis
from ..errors import Errors, InvalidTextError
from ..inputs import read_article
from ..store.repository import AnalysisRecord, Repository, StoredResult
from ..text import check_text
from .analyzers import Analyzers
from .errors import ApiError
from .jobs import Job, JobManager
from .settings import Settings

__all__ = ["AnalysisService", "ArticleInput"]


@dataclass
class ArticleInput:
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: datetime | None = None
    model: str = "default"  # the model choice (MODEL_CHOICES)
    min_score: float | None = None  # possible passages shown; None: the model's default


def _parse_date(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class AnalysisService:
    """Turn request input into stored analyses (shared by the JSON and upload endpoints)."""

    def __init__(
        self,
        *,
        analyzers: Analyzers,
        repository: Repository,
        settings: Settings,
        encoder: Callable[[list[str]], Any] | None = None,
    ) -> None:
        self.analyzers = analyzers
        self.encoder = encoder  # sentence encoder for comparisons and related stories (None: the default)
        self.analyzer = analyzers.get("default")
        self.repository = repository
        self.settings = settings
        self._pool = ThreadPoolExecutor(
            max_workers=settings.inference_workers, thread_name_prefix="proplens-infer"
        )
        self.jobs = JobManager(
            analyze=self._compute,
            store=self._store,
            cached=self._cached,
            workers=settings.inference_workers,
            queue_size=settings.queue_size,
            keep=settings.job_keep,
        )

    def close(self) -> None:
        self.jobs.close()
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------ job callbacks
    def _compute(self, article: ArticleInput, progress) -> Analysis:
        return self.analyzers.get(article.model)(article.text, article.title, progress=progress)

    def _cached(self, article: ArticleInput) -> StoredResult | None:
        """The stored result for this text and model, as stored (no object is rebuilt for a cache hit)."""
        if not self.settings.use_cache:
            return None
        analyzer = self.analyzers.get(article.model)
        return self.repository.find_cached(
            text=article.text,
            model_name=analyzer.model_name,
            model_version=analyzer.model_version,
            min_score=article.min_score,
        )

    def _store(
        self, analysis: Analysis | StoredResult, article: ArticleInput, cached: bool
    ) -> AnalysisRecord:
        floor = None if cached else self.analyzers.get(article.model).possible_min_score
        return self.repository.add(
            analysis,
            title=article.title,
            source=article.source,
            url=article.url,
            published=article.published,
            cached=cached,
            min_score=article.min_score,
            possible_floor=floor,
        )

    # ------------------------------------------------------------ inputs
    def from_text(self, text: str, **meta: Any) -> ArticleInput:
        return ArticleInput(text=self._check(text), **meta)

    def from_html(self, html: str, *, title: str | None = None, **meta: Any) -> ArticleInput:
        return self._from_article(
            read_article(html, kind="html", name="the HTML", **self._limits()), title, meta
        )

    def from_url(
        self,
        url: str,
        *,
        title: str | None = None,
        source: str | None = None,
        published: datetime | None = None,
        **choice: Any,
    ) -> ArticleInput:
        if not self.settings.fetch_enabled:
            raise ApiError(
                403,
                "fetch_disabled",
                "This server does not fetch URLs (started with --no-fetch). Paste the article text instead.",
            )
        from ..fetch import fetch_article

        art = fetch_article(
            url,
            max_bytes=self.settings.fetch_max_bytes,
            timeout=self.settings.fetch_timeout,
            allow_hosts=self.settings.fetch_allow_hosts,
        )
        return ArticleInput(
            text=self._check(art.text),
            title=title or art.title,
            source=source or art.site,
            url=art.url,
            published=published or _parse_date(art.published),
            **choice,
        )

    def from_upload(
        self,
        data: bytes,
        *,
        filename: str | None,
        content_type: str | None,
        title: str | None = None,
        **meta: Any,
    ) -> ArticleInput:
        if not data:
            raise InvalidTextError(Errors.P001)
        article = read_article(
            data, name=filename or "the upload", content_type=content_type, **self._limits()
        )
        return self._from_article(article, title, meta)

    def _limits(self) -> dict[str, Any]:
        return {
            "max_chars": self.settings.max_text_chars,
            "knob": "the server setting PROPLENS_MAX_TEXT_CHARS",
        }

    def _from_article(self, article, title: str | None, meta: dict[str, Any]) -> ArticleInput:
        return ArticleInput(text=self._check(article.text), title=title or article.title, **meta)

    def _check(self, text: str) -> str:
        text = check_text(
            text, max_chars=self.settings.max_text_chars, knob="the server setting PROPLENS_MAX_TEXT_CHARS"
        )
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidTextError(
                Errors.P004.format(
                    reason=(
                        f"it contains an unpaired UTF-16 surrogate ({text[exc.start]!r}) at character "
                        f"{exc.start}"
                    )
                )
            ) from None
        nul = text.find("\x00")
        if nul >= 0:
            raise InvalidTextError(
                Errors.P004.format(reason=f"it contains a NUL character at position {nul}")
            ) from None
        return text

    # ------------------------------------------------------------ analysis
    def analyze(self, article: ArticleInput, *, wait: float | None = None) -> AnalysisRecord | Job:
        """Analyze (or reuse the cached result) and store one article.

        Returns the stored record when it is ready within ``wait`` seconds (default ``request_timeout``),
        else the running :class:`~proplens.api.jobs.Job` (the route answers 202 with its Location). With
        ``wait=0`` an identical job already queued or running is joined instead of starting another.
        """
        analyzer = self.analyzers.get(article.model)
        if article.min_score is None:
            article.min_score = analyzer.model_min_score
        cached = self._cached(article)
        if cached is not None:
            return self._store(cached, article, True)
        wait = self.settings.request_timeout if wait is None else wait
        model_key = (analyzer.model_name, analyzer.model_version)
        job = self.jobs.submit(
            article, key_extra=(*model_key, article.min_score), compute_key=model_key, join=wait == 0
        )
        if wait > 0:
            job.ended.wait(wait)
        return self.job_result(job) if job.ended.is_set() else job

    def job_result(self, job: Job) -> AnalysisRecord:
        """The stored record of a finished job (or the job's error as an ApiError)."""
        if job.status == "done" and job.analysis_id is not None:
            rec = self.repository.get(job.analysis_id)
            if rec is None:
                raise ApiError(404, "not_found", f"The analysis {job.analysis_id!r} of this job was deleted.")
            return rec
        if job.status == "cancelled":
            raise ApiError(409, "cancelled", "The analysis was cancelled before it finished.")
        err = job.error or {"code": "internal_error", "message": "The analysis failed."}
        raise ApiError(job.error_status, err["code"], err["message"], request_id=err.get("request_id"))

    # ------------------------------------------------------------ same story
    def related(self, analysis_id: str, *, min_similarity: float, limit: int):
        from ..compare import story_embedding

        vectorize = functools.partial(story_embedding, embed=self.encoder)
        return self._in_pool(
            lambda: self.repository.related(
                analysis_id, vectorize=vectorize, threshold=min_similarity, top=limit
            )
        )

    def compare(self, versions) -> dict[str, Any]:
        """Compare versions (stored analyses, texts or URLs); the comparison JSON plus texts and meta."""
        from ..compare import CompareInput, compare

        inputs, meta = [], []
        for i, v in enumerate(versions):
            label = (v.label or f"v{i + 1}").strip()[:40] or f"v{i + 1}"
            if v.analysis_id is not None:
                rec = self.repository.get(v.analysis_id)
                if rec is None:
                    raise ApiError(404, "not_found", f"There is no analysis with id {v.analysis_id!r}.")
                if not v.label and rec.source:
                    label = rec.source[:40]
                inputs.append(CompareInput(label, rec.text, v.title or rec.title))
                meta.append(
                    {
                        "id": label,
                        "analysis_id": rec.id,
                        "source": rec.source,
                        "url": rec.url,
                        "title": v.title or rec.title,
                    }
                )
            elif v.text is not None:
                art = self.from_text(v.text, title=v.title)
                inputs.append(CompareInput(label, art.text, art.title))
                meta.append(
                    {"id": label, "analysis_id": None, "source": None, "url": None, "title": art.title}
                )
            else:
                art = self.from_url(v.url, title=v.title)
                inputs.append(CompareInput(label, art.text, art.title))
                meta.append(
                    {
                        "id": label,
                        "analysis_id": None,
                        "source": art.source,
                        "url": art.url,
                        "title": art.title,
                    }
                )
        result = self._in_pool(lambda: compare(inputs, analyzer=self.analyzer, embed=self.encoder))
        d = result.to_dict(include_texts=True)
        ids = [v["id"] for v in d["versions"]]
        for m, vid in zip(meta, ids, strict=True):
            m["id"] = vid
        d["meta"] = meta
        return d

    def _in_pool(self, fn):
        fut = self._pool.submit(fn)
        try:
            return fut.result(timeout=self.settings.request_timeout)
        except FutureTimeout:
            raise ApiError(
                503,
                "timeout",
                f"The request took longer than the {self.settings.request_timeout:g} s limit. Try again "
                "with shorter texts.",
                headers={"Retry-After": "5"},
            ) from None

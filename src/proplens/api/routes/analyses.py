"""``/api/v1/analyses``: create, read, list, delete and export analyses."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Header, Query, Response, UploadFile, status
from fastapi.responses import JSONResponse

from ...report import analysis_to_html, analysis_to_ptc
from ..deps import RepositoryDep, ServiceDep, SettingsDep
from ..errors import ApiError
from ..jobs import Job
from ..schemas import (
    MIN_SCORE_HELP,
    AnalysisCreate,
    AnalysisPage,
    AnalysisPublic,
    ErrorResponse,
    JobPublic,
    ModelChoice,
)

router = APIRouter(prefix="/api/v1/analyses", tags=["analyses"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    202: {
        "model": JobPublic,
        "description": "Accepted as a job (long text, Prefer: respond-async, or not done within "
        "request_timeout): poll the Location header, GET /api/v1/jobs/{id}",
    },
    413: {"model": ErrorResponse, "description": "Body or text too long"},
    422: {"model": ErrorResponse, "description": "Invalid input, unknown model, refused URL"},
    502: {"model": ErrorResponse, "description": "The URL could not be fetched"},
    503: {
        "model": ErrorResponse,
        "description": "The queue is full (see Retry-After), or the chosen model cannot "
        "be loaded on this server; nothing was started",
    },
}
PreferHeader = Annotated[str | None, Header(description="'respond-async': answer 202 with a job at once")]


def _wait(service, article, prefer: str | None) -> float | None:
    """0 (answer with a job at once) for long texts and ``Prefer: respond-async``; else the default wait."""
    if prefer and "respond-async" in prefer.lower():
        return 0
    if len(article.text) >= service.settings.job_min_chars:
        return 0
    return None


def _answer(result, response: Response):
    if isinstance(result, Job):
        return JSONResponse(
            result.to_dict(), status_code=202, headers={"Location": result.location, "Retry-After": "2"}
        )
    response.headers["Location"] = f"/api/v1/analyses/{result.id}"
    return result.to_dict()


def _get_or_404(repo, analysis_id: str):
    rec = repo.get(analysis_id)
    if rec is None:
        raise ApiError(404, "not_found", f"There is no analysis with id {analysis_id!r}.")
    return rec


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AnalysisPublic, responses=_ERRORS)
def create_analysis(
    body: AnalysisCreate, service: ServiceDep, response: Response, prefer: PreferHeader = None
):
    """Analyze an article given as ``text``, ``html`` or ``url`` and store the result.

    ``201`` with the analysis when it is ready within ``request_timeout``; otherwise ``202 Accepted`` with a
    job (``Location: /api/v1/jobs/{id}``) that goes on, stores the analysis and can be polled or cancelled.
    """
    meta: dict[str, Any] = {
        "source": body.source,
        "published": body.published,
        "model": body.model or "default",
        "min_score": body.min_score,
    }
    if body.text is not None:
        article = service.from_text(body.text, title=body.title, **meta)
    elif body.html is not None:
        article = service.from_html(body.html, title=body.title, **meta)
    else:
        assert body.url is not None  # the schema requires exactly one of text, html and url
        article = service.from_url(body.url, title=body.title, **meta)
    return _answer(service.analyze(article, wait=_wait(service, article, prefer)), response)


@router.post("/upload", status_code=status.HTTP_201_CREATED, response_model=AnalysisPublic, responses=_ERRORS)
def upload_analysis(
    service: ServiceDep,
    response: Response,
    file: Annotated[UploadFile, File(description="A .txt (UTF-8) or .html file")],
    title: Annotated[str | None, Form(max_length=1000)] = None,
    source: Annotated[str | None, Form(max_length=300)] = None,
    model: Annotated[ModelChoice | None, Form(description="'default' or 'fast'")] = None,
    min_score: Annotated[float | None, Form(ge=0, le=1, description=MIN_SCORE_HELP)] = None,
    prefer: PreferHeader = None,
):
    """Analyze an uploaded .txt or .html file (``201``, or ``202`` with a job as for ``POST /analyses``)."""
    data = file.file.read()
    article = service.from_upload(
        data,
        filename=file.filename,
        content_type=file.content_type,
        title=title or None,
        source=source or None,
        model=model or "default",
        min_score=min_score,
    )
    return _answer(service.analyze(article, wait=_wait(service, article, prefer)), response)


@router.get("", response_model=AnalysisPage)
def list_analyses(
    repo: RepositoryDep,
    settings: SettingsDep,
    source: Annotated[str | None, Query(max_length=300)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Search in titles, sources and texts")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int | None, Query(ge=1, le=100)] = None,
):
    """Stored analyses, newest first."""
    res = repo.search(
        source=source or None,
        since=since,
        until=until,
        q=q or None,
        page=page,
        page_size=page_size or settings.page_size,
    )
    return {
        "items": [r.summary() for r in res.items],
        "total": res.total,
        "page": res.page,
        "page_size": res.page_size,
        "pages": res.pages,
    }


@router.get("/{analysis_id}", response_model=AnalysisPublic, responses={404: {"model": ErrorResponse}})
def get_analysis(analysis_id: str, repo: RepositoryDep):
    """One stored analysis."""
    return _get_or_404(repo, analysis_id).to_dict()


@router.delete(
    "/{analysis_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {"model": ErrorResponse}}
)
def delete_analysis(analysis_id: str, repo: RepositoryDep):
    """Delete one analysis (the cached model result for its text stays)."""
    if not repo.delete(analysis_id):
        raise ApiError(404, "not_found", f"There is no analysis with id {analysis_id!r}.")
    return Response(status_code=204)


def _filename(rec, ext: str) -> str:
    base = re.sub(r"[^A-Za-z0-9]+", "-", (rec.title or "analysis"))[:60].strip("-").lower() or "analysis"
    return f"proplens-{base}-{rec.id[:8]}.{ext}"


@router.get("/{analysis_id}/export", responses={404: {"model": ErrorResponse}})
def export_analysis(
    analysis_id: str,
    repo: RepositoryDep,
    format: Literal["json", "html", "ptc"] = "json",
    download: bool = True,
):
    """Export as JSON, a self-contained HTML report, or PTC technique labels
    (``id<TAB>technique<TAB>start<TAB>end``)."""
    rec = _get_or_404(repo, analysis_id)
    headers = {}
    if format == "json":
        import json

        body, media, ext = json.dumps(rec.to_dict(), ensure_ascii=False, indent=2), "application/json", "json"
    elif format == "html":
        body, media, ext = (
            analysis_to_html(rec.analysis, record=rec.to_dict()),
            "text/html; charset=utf-8",
            "html",
        )
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    else:
        body, media, ext = analysis_to_ptc(rec.analysis, rec.id), "text/plain; charset=utf-8", "txt"
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{_filename(rec, ext)}"'
    return Response(body, media_type=media, headers=headers)

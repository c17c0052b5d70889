"""``/api/v1/analyses``: create, read, list, delete and export analyses."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status

from ...report import analysis_to_html, analysis_to_ptc
from ..deps import RepositoryDep, ServiceDep, SettingsDep
from ..errors import ApiError
from ..schemas import AnalysisCreate, AnalysisPage, AnalysisPublic, ErrorResponse

router = APIRouter(prefix="/api/v1/analyses", tags=["analyses"])

_ERRORS = {
    413: {"model": ErrorResponse, "description": "Body or text too long"},
    422: {"model": ErrorResponse, "description": "Invalid input, refused URL"},
    502: {"model": ErrorResponse, "description": "The URL could not be fetched"},
    503: {"model": ErrorResponse, "description": "The analysis exceeded the time limit"},
}


def _get_or_404(repo, analysis_id: str):
    rec = repo.get(analysis_id)
    if rec is None:
        raise ApiError(404, "not_found", f"There is no analysis with id {analysis_id!r}.")
    return rec


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AnalysisPublic, responses=_ERRORS)
def create_analysis(body: AnalysisCreate, service: ServiceDep, response: Response):
    """Analyze an article given as ``text``, ``html`` or ``url`` and store the result."""
    meta = {"source": body.source, "published": body.published}
    if body.text is not None:
        article = service.from_text(body.text, title=body.title, **meta)
    elif body.html is not None:
        article = service.from_html(body.html, title=body.title, **meta)
    else:
        article = service.from_url(body.url, title=body.title, source=body.source, published=body.published)
    rec = service.analyze(article)
    response.headers["Location"] = f"/api/v1/analyses/{rec.id}"
    return rec.to_dict()


@router.post("/upload", status_code=status.HTTP_201_CREATED, response_model=AnalysisPublic, responses=_ERRORS)
def upload_analysis(
    service: ServiceDep,
    response: Response,
    file: Annotated[UploadFile, File(description="A .txt (UTF-8) or .html file")],
    title: Annotated[str | None, Form(max_length=1000)] = None,
    source: Annotated[str | None, Form(max_length=300)] = None,
):
    """Analyze an uploaded .txt or .html file."""
    data = file.file.read()
    article = service.from_upload(data, filename=file.filename, content_type=file.content_type,
                                  title=title or None, source=source or None)
    rec = service.analyze(article)
    response.headers["Location"] = f"/api/v1/analyses/{rec.id}"
    return rec.to_dict()


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
    res = repo.list(source=source or None, since=since, until=until, q=q or None, page=page,
                    page_size=page_size or settings.page_size)
    return {"items": [r.summary() for r in res.items], "total": res.total, "page": res.page,
            "page_size": res.page_size, "pages": res.pages}


@router.get("/{analysis_id}", response_model=AnalysisPublic, responses={404: {"model": ErrorResponse}})
def get_analysis(analysis_id: str, repo: RepositoryDep):
    """One stored analysis."""
    return _get_or_404(repo, analysis_id).to_dict()


@router.delete("/{analysis_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {"model": ErrorResponse}})
def delete_analysis(analysis_id: str, repo: RepositoryDep):
    """Delete one analysis (the cached model result for its text stays)."""
    if not repo.delete(analysis_id):
        raise ApiError(404, "not_found", f"There is no analysis with id {analysis_id!r}.")
    return Response(status_code=204)


def _filename(rec, ext: str) -> str:
    base = re.sub(r"[^A-Za-z0-9]+", "-", (rec.title or "analysis"))[:60].strip("-").lower() or "analysis"
    return f"proplens-{base}-{rec.id[:8]}.{ext}"


@router.get("/{analysis_id}/export", responses={404: {"model": ErrorResponse}})
def export_analysis(analysis_id: str, repo: RepositoryDep,
                    format: Literal["json", "html", "ptc"] = "json", download: bool = True):
    """Export as JSON, a self-contained HTML report, or PTC technique labels (``id<TAB>technique<TAB>start<TAB>end``)."""
    rec = _get_or_404(repo, analysis_id)
    headers = {}
    if format == "json":
        import json

        body, media, ext = json.dumps(rec.to_dict(), ensure_ascii=False, indent=2), "application/json", "json"
    elif format == "html":
        body, media, ext = analysis_to_html(rec.analysis, record=rec.to_dict()), "text/html; charset=utf-8", "html"
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    else:
        body, media, ext = analysis_to_ptc(rec.analysis, rec.id), "text/plain; charset=utf-8", "txt"
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{_filename(rec, ext)}"'
    return Response(body, media_type=media, headers=headers)

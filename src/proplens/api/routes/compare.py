"""``/api/v1/compare`` and ``/api/v1/analyses/{id}/related``: coverage of the same story across outlets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ..deps import RepositoryDep, ServiceDep
from ..errors import ApiError
from ..schemas import CompareCreate, ErrorResponse, RelatedAnalysis

router = APIRouter(prefix="/api/v1", tags=["compare"])


@router.get(
    "/analyses/{analysis_id}/related",
    response_model=list[RelatedAnalysis],
    responses={404: {"model": ErrorResponse}},
)
def related_analyses(
    analysis_id: str,
    repo: RepositoryDep,
    service: ServiceDep,
    min_similarity: Annotated[float, Query(ge=-1, le=1)] = 0.5,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
):
    """Stored analyses of the same story (story-embedding cosine similarity, best first)."""
    found = service.related(analysis_id, min_similarity=min_similarity, limit=limit)
    if found is None:
        raise ApiError(404, "not_found", f"There is no analysis with id {analysis_id!r}.")
    return [dict(rec.summary(), similarity=round(sim, 4)) for rec, sim in found]


@router.post(
    "/compare",
    responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
)
def compare_versions(body: CompareCreate, service: ServiceDep, repo: RepositoryDep):
    """Compare 2-6 versions of a story: sentence alignment, and what each version adds, drops and changes
    (propaganda spans, sources, entities, numbers). Versions are stored analyses, texts or URLs."""
    return service.compare(body.versions)

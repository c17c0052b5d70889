"""``/api/v1/sources``: outlets, their technique profile and trend over time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ..deps import RepositoryDep
from ..errors import ApiError
from ..schemas import ErrorResponse, SourceProfile, SourceSummary

router = APIRouter(prefix="/api/v1/sources", tags=["sources"])


@router.get("", response_model=list[SourceSummary])
def list_sources(repo: RepositoryDep):
    """Every source with its number of analyses and mean article score."""
    return repo.sources()


@router.get("/profile", response_model=SourceProfile, responses={404: {"model": ErrorResponse}})
def source_profile(repo: RepositoryDep, source: Annotated[str, Query(min_length=1, max_length=300)]):
    """A source's technique profile and its trend (by day, or by month over long ranges)."""
    prof = repo.source_profile(source=source)
    if prof is None:
        raise ApiError(404, "not_found", f"No stored analysis has the source {source!r}.")
    return prof


@router.get("/stats", responses={404: {"model": ErrorResponse}})
def source_stats(repo: RepositoryDep, source: Annotated[str, Query(min_length=1, max_length=300)]):
    """The batch report's figures for one source's stored analyses (``proplens.stats``): share of propaganda
    sentences and scores per month, technique rates, the article-score histogram, top phrases per technique
    and the most quoted sources."""
    from ...stats import corpus_stats

    records = repo.source_records(source=source)
    if not records:
        raise ApiError(404, "not_found", f"No stored analysis has the source {source!r}.")
    stats = corpus_stats(records, top=5)
    out = stats.for_source(source)
    out["top_phrases"] = stats.top_phrases
    return out

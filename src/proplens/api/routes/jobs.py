"""``/api/v1/jobs``: poll and cancel analyses that outlived their request (see :mod:`proplens.api.jobs`)."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import ServiceDep
from ..errors import ApiError
from ..schemas import ErrorResponse, JobPublic

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


def _get_or_404(service, job_id: str):
    job = service.jobs.get(job_id)
    if job is None:
        raise ApiError(
            404,
            "not_found",
            f"There is no job with id {job_id!r} (finished jobs are forgotten after a while; "
            "their analyses stay in the history).",
        )
    return job


@router.get("/{job_id}", response_model=JobPublic, responses={404: {"model": ErrorResponse}})
def get_job(job_id: str, service: ServiceDep):
    """A job's state and progress; once ``done``, ``analysis_url`` is the stored analysis."""
    return _get_or_404(service, job_id).to_dict()


@router.delete(
    "/{job_id}",
    response_model=JobPublic,
    responses={404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}},
)
def cancel_job(job_id: str, service: ServiceDep):
    """Cancel a job: a queued one at once, a running one at its next encoder batch (status ``cancelling``)."""
    job = _get_or_404(service, job_id)
    if job.status in ("done", "failed"):
        raise ApiError(
            409,
            "job_finished",
            f"The job already ended ({job.status}); nothing to cancel. "
            "Delete its analysis with DELETE /api/v1/analyses/{id} instead.",
        )
    return (service.jobs.cancel(job_id) or job).to_dict()

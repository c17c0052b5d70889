"""``/api/v1/techniques``, ``/api/v1/models`` and ``/api/v1/health``."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ... import __version__
from ...techniques import INVENTORY_VERSION, TECHNIQUES
from ..deps import AnalyzerDep, RepositoryDep, ServiceDep, SettingsDep
from ..schemas import Health, ModelPublic, TechniquePublic

router = APIRouter(prefix="/api/v1", tags=["meta"])


@router.get("/techniques", response_model=list[TechniquePublic])
def list_techniques():
    """The 14 PTC techniques with definitions, invented examples and display colours."""
    return [t.to_dict() for t in TECHNIQUES]


@router.get("/models", response_model=list[ModelPublic])
def list_models(service: ServiceDep):
    """The models a request may choose with ``model``: name, version, base encoder and metrics from their
    config (a model loads on its first request, so listing loads nothing)."""
    return service.analyzers.describe()


@router.get("/health", response_model=Health)
def health(analyzer: AnalyzerDep, repo: RepositoryDep, settings: SettingsDep, request: Request):
    """Liveness plus the model version and the store backend."""
    return {
        "status": "ok",
        "model": {
            "name": analyzer.model_name,
            "version": analyzer.model_version,
            "inventory": INVENTORY_VERSION,
        },
        "database": repo.engine.dialect.name,
        "analyses": repo.count(),
        "fetch_enabled": request.app.state.settings.fetch_enabled,
        "version": __version__,
    }

"""``/api/v1/techniques`` and ``/api/v1/health``."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ... import __version__
from ...techniques import INVENTORY_VERSION, TECHNIQUES
from ..deps import AnalyzerDep, RepositoryDep, SettingsDep
from ..schemas import Health, TechniquePublic

router = APIRouter(prefix="/api/v1", tags=["meta"])


@router.get("/techniques", response_model=list[TechniquePublic])
def list_techniques():
    """The 14 PTC techniques with definitions, invented examples and display colours."""
    return [t.to_dict() for t in TECHNIQUES]


@router.get("/health", response_model=Health)
def health(analyzer: AnalyzerDep, repo: RepositoryDep, settings: SettingsDep, request: Request):
    """Liveness plus the model version and the store backend."""
    return {
        "status": "ok",
        "model": {"name": analyzer.model_name, "version": analyzer.model_version, "inventory": INVENTORY_VERSION},
        "database": repo.engine.dialect.name,
        "analyses": repo.count(),
        "fetch_enabled": request.app.state.settings.fetch_enabled,
        "version": __version__,
    }

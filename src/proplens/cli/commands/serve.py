"""``proplens serve``: the REST API and web page (needs ``pip install proplens[server]``)."""

from __future__ import annotations

import json
import os
from typing import Any

import typer

from ..resources import resources


def serve_command(
    ctx: typer.Context,
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Interface to listen on (0.0.0.0 exposes the server)."
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    db: str = typer.Option(
        None,
        "--db",
        help="Store URL: sqlite:///path.db or postgresql://user:pw@host/db "
        "(default: SQLite in the user data directory).",
    ),
    model: str = typer.Option(
        None,
        "--model",
        help="default (most accurate), fast (MiniLM, several times faster) or a model folder.",
    ),
    fetch: bool = typer.Option(
        True, "--fetch/--no-fetch", help="Accept URL input (fetches pages from the internet)."
    ),
    attribution: bool = typer.Option(
        True,
        "--attribution/--no-attribution",
        help="Also find who claims are attributed to (about doubles CPU time per article).",
    ),
    workers: int = typer.Option(
        None, "--inference-workers", min=1, help="Analyses run at the same time (default 2)."
    ),
    threads: int = typer.Option(
        None, "--inference-threads", min=1, help="ONNX threads per analysis (default: cores / workers)."
    ),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
    processes: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="Server processes (each loads the model; more processes let attribution, "
        "which holds the GIL, use more cores).",
    ),
) -> None:
    """Serve the REST API (/api/v1), the web page (/) and the OpenAPI docs (/docs)."""
    try:
        import uvicorn

        from ...api import Settings, create_app
    except ImportError as exc:
        from ...errors import Errors, MissingExtraError

        raise MissingExtraError(
            Errors.P022.format(what="proplens serve", extra="server", module=exc.name)
        ) from None
    overrides: dict[str, Any] = {"fetch_enabled": fetch, "attribution": attribution}
    if db:
        overrides["db_url"] = db
    if model:
        overrides["model_dir"] = model
    if workers:
        overrides["inference_workers"] = workers
    if threads:
        overrides["inference_threads"] = threads
    settings = Settings(**overrides)
    res = resources(ctx)
    engine = res.open_store(settings.db_url)
    from ...api.app import build_analyzer

    # one process: the attribution pipeline is made here and shared by the app's analyzers; with more, each
    # server process makes its own and this one only checks the model
    attributor = res.attributor() if settings.attribution and processes == 1 else None
    analyzer = build_analyzer(settings, attributor=attributor)
    analyzer.load()  # a missing or broken model fails here with a one-line error
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    if processes > 1:
        # each process builds its own app from the environment (PROPLENS_*); the store is already migrated
        engine.dispose()
        for key, value in settings.model_dump(exclude_none=True).items():
            os.environ[f"PROPLENS_{key.upper()}"] = (
                json.dumps(value) if isinstance(value, (list, bool)) else str(value)
            )
        typer.echo(f"proplens: serving on {where} with {processes} processes (API docs at /docs)", err=True)
        uvicorn.run(
            "proplens.api.app:create_app",
            factory=True,
            workers=processes,
            host=host,
            port=port,
            log_level=log_level,
            proxy_headers=False,
            server_header=False,
        )
        return
    app = create_app(settings, analyzer=analyzer, engine=engine, attributor=attributor)
    typer.echo(f"proplens: serving on {where}  (API docs at /docs)", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False, server_header=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)

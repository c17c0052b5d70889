"""``proplens serve``: the REST API and web page (needs ``pip install proplens[server]``)."""

from __future__ import annotations

import typer


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0 exposes the server)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    db: str = typer.Option(None, "--db", help="Store URL: sqlite:///path.db or postgresql://user:pw@host/db "
                           "(default: SQLite in the user data directory)."),
    model: str = typer.Option(None, "--model", help="A model folder (default: the built-in model)."),
    fetch: bool = typer.Option(True, "--fetch/--no-fetch", help="Accept URL input (fetches pages from the internet)."),
    attribution: bool = typer.Option(True, "--attribution/--no-attribution",
                                     help="Also find who claims are attributed to (about doubles CPU time per article)."),
    workers: int = typer.Option(None, "--inference-workers", min=1, help="Analyses run at the same time (default 2)."),
    threads: int = typer.Option(None, "--inference-threads", min=1, help="ONNX threads per analysis (default: cores / workers)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    """Serve the REST API (/api/v1), the web page (/) and the OpenAPI docs (/docs)."""
    try:
        import uvicorn

        from ...api import Settings, create_app
    except ImportError as exc:
        typer.echo(f"Error: the server needs extra packages ({exc.name} is missing). "
                   "Install them with: pip install 'proplens[server]'", err=True)
        raise typer.Exit(code=1) from None
    overrides = {"fetch_enabled": fetch, "attribution": attribution}
    if db:
        overrides["db_url"] = db
    if model:
        overrides["model_dir"] = model
    if workers:
        overrides["inference_workers"] = workers
    if threads:
        overrides["inference_threads"] = threads
    settings = Settings(**overrides)
    from ...api.app import build_analyzer

    analyzer = build_analyzer(settings)
    analyzer.detector  # a missing or broken model fails here with a one-line error
    app = create_app(settings, analyzer=analyzer)
    typer.echo(f"proplens: serving on http://{'[' + host + ']' if ':' in host else host}:{port}/  (API docs at /docs)", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False, server_header=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)

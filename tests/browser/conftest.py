"""Browser fixtures: the app served by uvicorn on 127.0.0.1 and Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium (``apt-get install chromium``,
or set PROPLENS_CHROMIUM). The server uses the shipped model when it exists (PROPLENS_BROWSER_MODEL_DIR
picks another model folder; PROPLENS_BROWSER_DETECTOR=lexicon forces the deterministic test detector).
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PROPLENS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright  # noqa: F401
            import uvicorn  # noqa: F401
        except ImportError as exc:
            reason = f"{exc.name} is not installed (pip install 'proplens[server,browser]')"
    if reason:
        for item in items:
            if Path(str(item.fspath)).resolve().is_relative_to(here):
                item.add_marker(pytest.mark.skip(reason=reason))


def _analyzer():
    from proplens.analyzer import Analyzer
    from proplens.model.runtime import default_model_dir
    from proplens.testing import LexiconDetector

    model_dir = os.environ.get("PROPLENS_BROWSER_MODEL_DIR")  # another trained model folder, e.g. a candidate
    if os.environ.get("PROPLENS_BROWSER_DETECTOR") != "lexicon" and (
        model_dir or (default_model_dir() / "model.onnx").exists()
    ):
        return Analyzer(model_dir)  # the shipped model, with attribution when spaCy is installed
    return Analyzer(
        detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="test"
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """(base URL, repository) of a live server on a free loopback port."""
    with serve(tmp_path_factory.mktemp("browser-db"), analyzer=_analyzer()) as served:
        yield served


@contextlib.contextmanager
def serve(folder: Path, *, settings: dict | None = None, **app_kwargs):
    """(base URL, repository) of the app (``create_app(**app_kwargs)``, ``Settings(**settings)``) served on a
    free loopback port."""
    import uvicorn

    from proplens.api import Settings, create_app
    from proplens.store import Repository, create_store_engine, init_db

    db = folder / "web.db"
    engine = create_store_engine(f"sqlite:///{db}")
    init_db(engine)
    app = create_app(Settings(db_url=f"sqlite:///{db}", **(settings or {})), engine=engine, **app_kwargs)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not t.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", Repository(engine)
    finally:
        server.should_exit = True
        t.join(10)
        engine.dispose()


@pytest.fixture(scope="session")
def serve_app():
    """:func:`serve`, for test modules that need a server of their own (other analyzers)."""
    return serve


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that records dialogs, page errors and console errors."""
    ctx = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.dialogs = []
    pg.errors = []

    def on_dialog(d):
        pg.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    yield pg
    ctx.close()


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str, full_page: bool = True):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return _shot

"""The REST API and web page (install ``proplens[server]``): ``create_app()`` builds the FastAPI app."""

from __future__ import annotations

from .app import create_app as create_app
from .settings import Settings as Settings
from .settings import get_settings as get_settings

__all__ = ["create_app", "Settings", "get_settings"]

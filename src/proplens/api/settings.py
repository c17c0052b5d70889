"""Server settings (environment prefix ``PROPLENS_``); ``get_settings()`` reads them from the environment.

An app keeps the settings it was made with (``create_app(settings)``, ``app.state.settings``); routes get them
from there, so two apps in one process may differ.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Configuration of the REST API and web page.

    Every field can be set from the environment, e.g. ``PROPLENS_DB_URL=postgresql://...``.
    """

    model_config = SettingsConfigDict(env_prefix="PROPLENS_", extra="ignore")

    db_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite file in the user data directory."
    )
    model_dir: str | None = Field(
        None,
        description="Model folder of the 'default' choice; default: the model shipped "
        "with proplens as 'default'.",
    )
    fast_model_dir: str | None = Field(
        None,
        description="Model folder of the 'fast' choice (requests with "
        "model='fast'); default: the model shipped as 'fast'.",
    )
    max_body_bytes: int = Field(2_000_000, ge=1_000, description="Largest accepted request body.")
    max_text_chars: int = Field(200_000, ge=100, description="Longest accepted article text.")
    request_timeout: float = Field(
        30.0,
        gt=0,
        description="Seconds a request waits for its analysis; after that it gets "
        "202 Accepted and a job to poll (the analysis goes on and is stored). Comparisons "
        "that take longer fail with 503.",
    )
    job_min_chars: int = Field(
        50_000,
        ge=0,
        description="Texts at least this long are analysed as jobs at once: 202 "
        "Accepted with Location /api/v1/jobs/{id} (as with the header Prefer: respond-async).",
    )
    queue_size: int = Field(
        32,
        ge=0,
        le=10_000,
        description="Analyses that may wait for a worker; beyond it new ones "
        "are refused with 503 and Retry-After before any work starts.",
    )
    job_keep: int = Field(
        256, ge=1, description="Finished jobs remembered for polling (their analyses stay stored)."
    )
    inference_workers: int = Field(2, ge=1, le=64, description="Analyses that run at the same time.")
    inference_threads: int | None = Field(
        None,
        ge=1,
        le=256,
        description="ONNX Runtime threads per analysis (default: CPU cores / inference_workers).",
    )
    attribution: bool = Field(
        True,
        description=(
            "Also find who claims are attributed to (when spaCy is installed); about doubles CPU time."
        ),
    )
    fetch_enabled: bool = Field(True, description="Accept URL input (off with `proplens serve --no-fetch`).")
    fetch_max_bytes: int = Field(5_000_000, ge=1_000)
    fetch_timeout: float = Field(10.0, gt=0)
    fetch_allow_hosts: list[str] = Field(
        default_factory=list, description="TEST ONLY: host:port origins exempt from the SSRF guard."
    )
    use_cache: bool = Field(True, description="Reuse stored results for the same text and model version.")
    page_size: int = Field(20, ge=1, le=100)


def get_settings() -> Settings:
    """Settings read from the environment now (``create_app()`` without settings calls it once)."""
    return Settings()

"""The analysis store: SQLAlchemy 2 tables, an engine factory and a repository.

SQLite by default (a file in the user's data directory, WAL mode), PostgreSQL with a
``postgresql://`` URL. The schema is created and upgraded by the Alembic migrations shipped
in ``proplens/store/migrations``. Importing :mod:`proplens` never imports this package.
"""

from __future__ import annotations

from .engine import (
    create_store_engine as create_store_engine,
)
from .engine import (
    default_db_url as default_db_url,
)
from .engine import (
    init_db as init_db,
)
from .repository import AnalysisRecord as AnalysisRecord
from .repository import Page as Page
from .repository import Repository as Repository

__all__ = ["create_store_engine", "default_db_url", "init_db", "Repository", "AnalysisRecord", "Page"]

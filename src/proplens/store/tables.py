"""SQLAlchemy tables of the store.

``results`` caches a model's output for one text: it is keyed by (text hash, model name, model version).
``analyses`` holds one row per submission (title, source, url, dates) and points at a result,
so that deleting an analysis keeps the cache and re-submitting a text reuses its result.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["Base", "ResultRow", "AnalysisRow"]


class Base(DeclarativeBase):
    pass


class ResultRow(Base):
    __tablename__ = "results"
    __table_args__ = (
        UniqueConstraint("text_hash", "model_name", "model_version", name="uq_results_hash_name_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    model_name: Mapped[str] = mapped_column(String(200), nullable=False)
    model_version: Mapped[str] = mapped_column(String(200), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    n_spans: Mapped[int] = mapped_column(Integer, nullable=False)
    technique_counts: Mapped[dict] = mapped_column(JSON, nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    story_vector: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)


class AnalysisRow(Base):
    __tablename__ = "analyses"
    __table_args__ = (
        Index("ix_analyses_source_created", "source", "created"),
        Index("ix_analyses_created", "created"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    result_id: Mapped[int] = mapped_column(
        ForeignKey("results.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    title: Mapped[str | None] = mapped_column(String(1000))
    source: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    published: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    cached: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # lowest score of the possible passages this submission shows (None: all the result holds)
    min_score: Mapped[float | None] = mapped_column(Float, nullable=True)

    result: Mapped[ResultRow] = relationship(lazy="joined")

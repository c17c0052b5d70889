"""Request and response schemas of the REST API (one direction per class)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AnalysisCreate",
    "SpanPublic",
    "SentencePublic",
    "ParagraphPublic",
    "AnalysisPublic",
    "AnalysisSummary",
    "AnalysisPage",
    "TechniquePublic",
    "Health",
    "ErrorBody",
    "ErrorResponse",
    "SourceSummary",
    "SourceProfile",
]


ModelChoice = Literal["default", "fast"]
MIN_SCORE_HELP = (
    "Also return lower-confidence passages scoring at least this as 'possible_spans' (0-1; default: "
    "the model's own; 1 turns them off). They never count as passages or in the scores."
)


class AnalysisCreate(BaseModel):
    """Exactly one of ``text``, ``html`` or ``url``; metadata is optional."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "These reckless traitors will destroy everything we love.",
                    "title": "An example",
                    "source": "example.org",
                }
            ]
        },
    )

    text: str | None = Field(None, description="Plain article text; offsets index into it exactly.")
    html: str | None = Field(None, description="An HTML page; the article text is extracted.")
    url: str | None = Field(None, max_length=2000, description="An http(s) URL of a public page to fetch.")
    title: str | None = Field(None, max_length=1000)
    source: str | None = Field(None, max_length=300, description="Outlet or site, e.g. 'example.org'.")
    published: datetime | None = Field(None, description="Publication date (ISO 8601).")
    model: ModelChoice | None = Field(
        None,
        description="Which model analyses the text: 'default' (the most "
        "accurate) or 'fast' (several times faster). See GET /api/v1/models.",
    )
    min_score: float | None = Field(None, ge=0, le=1, description=MIN_SCORE_HELP)

    @model_validator(mode="after")
    def _one_input(self) -> AnalysisCreate:
        given = [k for k in ("text", "html", "url") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'text', 'html' or 'url'"
                + (f" (got {', '.join(given)})" if given else " (got none)")
            )
        return self


class SpanPublic(BaseModel):
    start: int = Field(description="Start offset in Python str characters (code points).")
    end: int
    text: str
    technique: str
    technique_name: str
    score: float


class SentencePublic(BaseModel):
    start: int
    end: int
    text: str
    score: float


class TechniqueScore(BaseModel):
    technique: str
    technique_name: str
    score: float


class ParagraphPublic(BaseModel):
    start: int
    end: int
    techniques: list[TechniqueScore] = Field(description="Techniques the paragraph uses, most likely first.")


class AnalysisPublic(BaseModel):
    """A stored analysis: the analysis record (``Analysis.to_dict()``) plus its submission metadata."""

    schema_version: int = Field(
        1, description="Version of the analysis record's JSON shape (proplens.analysis.SCHEMA_VERSION)."
    )
    id: str
    title: str | None
    source: str | None
    url: str | None
    published: str | None
    created: str
    cached: bool
    text: str
    score: float
    model: dict[str, str]
    model_version: str
    spans: list[SpanPublic]
    possible_spans: list[SpanPublic] = Field(
        [],
        description="Lower-confidence passages (score at least "
        "min_score), outside spans; never counted as passages.",
    )
    min_score: float | None = Field(None, description="The lowest score of the possible_spans shown.")
    sentences: list[SentencePublic]
    paragraphs: list[ParagraphPublic] = Field(
        [], description="Paragraphs the model's paragraph view gives a technique (empty without one)."
    )
    technique_counts: dict[str, int]
    attributions: list[dict[str, Any]] = []


class AnalysisSummary(BaseModel):
    id: str
    title: str | None
    source: str | None
    url: str | None
    published: str | None
    created: str
    score: float
    n_spans: int
    n_chars: int
    technique_counts: dict[str, int]
    model_version: str
    snippet: str


class AnalysisPage(BaseModel):
    items: list[AnalysisSummary]
    total: int
    page: int
    page_size: int
    pages: int


class TechniquePublic(BaseModel):
    id: str
    name: str
    definition: str
    example: str
    color: str


class ModelPublic(BaseModel):
    """A model a request may choose, from its config (listed without loading it)."""

    choice: str = Field(description="What requests pass as 'model'.")
    description: str
    available: bool
    loaded: bool
    name: str | None = None
    version: str | None = None
    base_encoder: str | None = None
    quantization: str | None = None
    possible_min_score: float | None = Field(None, description="The default min_score of possible passages.")
    metrics: dict[str, Any] | None = None
    reason: str | None = Field(None, description="Why the model is not available.")


class Health(BaseModel):
    status: str
    model: dict[str, str]
    database: str
    analyses: int
    fetch_enabled: bool
    version: str


class SourceSummary(BaseModel):
    source: str
    count: int
    mean_score: float
    last: str | None


class SourceProfile(BaseModel):
    source: str
    count: int
    mean_score: float
    technique_counts: dict[str, int]
    technique_share: dict[str, float]
    bucket: str
    trend: list[dict[str, Any]]


class ErrorBody(BaseModel):
    code: str
    message: str
    request_id: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class CompareVersion(BaseModel):
    """One version of a story: a stored analysis, a text, or a URL."""

    model_config = ConfigDict(extra="forbid")

    analysis_id: str | None = Field(None, max_length=64)
    text: str | None = None
    url: str | None = Field(None, max_length=2000)
    title: str | None = Field(None, max_length=1000)
    label: str | None = Field(
        None, max_length=100, description="Short id shown in the comparison (default: v1, v2, ...)."
    )

    @model_validator(mode="after")
    def _one_input(self) -> CompareVersion:
        given = [k for k in ("analysis_id", "text", "url") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("each version needs exactly one of 'analysis_id', 'text' or 'url'")
        return self


class CompareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    versions: list[CompareVersion] = Field(min_length=2, max_length=6)


class RelatedAnalysis(AnalysisSummary):
    similarity: float


class JobProgress(BaseModel):
    done: int = Field(description="Encoder windows finished.")
    total: int = Field(description="Encoder windows of the text (0 until the job starts).")
    fraction: float


class JobPublic(BaseModel):
    """An analysis on its way (``202 Accepted``): poll ``location`` until ``status`` is done, failed or
    cancelled."""

    id: str
    status: str = Field(description="queued, running, cancelling, done, failed or cancelled.")
    created: str
    started: str | None
    finished: str | None
    n_chars: int
    progress: JobProgress
    analysis_id: str | None = Field(description="The stored analysis, once done.")
    analysis_url: str | None
    error: dict[str, str] | None
    location: str

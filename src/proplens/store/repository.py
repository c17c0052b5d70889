"""Keyword-only store operations over a SQLAlchemy engine.

Every write runs in its own short transaction. On SQLite, transactions start with
``BEGIN IMMEDIATE`` (see :mod:`.engine`), so concurrent writers queue; on PostgreSQL the cache
insert uses a savepoint and falls back to the row another request inserted first.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, cast, overload

from sqlalchemy import CursorResult, Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..analysis import Analysis, record_version
from ..techniques import TECHNIQUE_IDS
from .tables import AnalysisRow, ResultRow

__all__ = ["text_hash", "with_min_score", "AnalysisRecord", "StoredResult", "Page", "Repository"]


def text_hash(text: str) -> str:
    """sha256 of the UTF-8 text (the cache key, with the model name and version)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@overload
def _utc(dt: datetime) -> datetime: ...
@overload
def _utc(dt: None) -> None: ...
def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _iso(dt: datetime | None) -> str | None:
    dt = _utc(dt)
    return dt.isoformat().replace("+00:00", "Z") if dt else None


# The lowest possible-passage score a cached result holds is kept in its payload ("possible_floor"). Results
# stored before that key existed were computed with the analyzer's default min_score of the time, 0.3.
LEGACY_POSSIBLE_FLOOR = 0.3


def with_min_score(analysis: Analysis, min_score: float | None) -> Analysis:
    """``analysis`` showing only the possible passages that score at least ``min_score`` (all when None)."""
    if min_score is None or not analysis.possible_spans:
        return analysis
    return replace(analysis, possible_spans=tuple(s for s in analysis.possible_spans if s.score >= min_score))


def _record_data(payload: Mapping[str, Any], text: str, title: str | None, min_score: float | None = None):
    """The analysis record (:meth:`Analysis.to_dict` form) of a stored payload, without rebuilding objects:
    the payload was checked when it was stored. Possible passages below ``min_score`` are left out."""
    d = dict(payload)
    d.pop("possible_floor", None)
    d["schema_version"] = record_version(d)
    d["text"] = text
    d["title"] = title
    if min_score is not None and d.get("possible_spans"):
        d["possible_spans"] = [s for s in d["possible_spans"] if s.get("score", 0.0) >= min_score]
    return d


@dataclass(frozen=True)
class StoredResult:
    """A cached model result as the store holds it: the text and its analysis record.

    ``data`` is the :meth:`Analysis.to_dict` form without text, title and meta (checked when it was stored);
    :attr:`analysis` rebuilds the object on first use only.
    """

    text: str
    data: Mapping[str, Any] = field(repr=False)

    @property
    def model_name(self) -> str:
        return str(self.data.get("model", {}).get("name", "unknown"))

    @property
    def model_version(self) -> str:
        return str(self.data.get("model", {}).get("version", "unknown"))

    @cached_property
    def analysis(self) -> Analysis:
        return Analysis.from_dict(_record_data(self.data, self.text, None))


@dataclass(frozen=True)
class AnalysisRecord:
    """A stored analysis: the model result plus submission metadata.

    ``data`` is the analysis record as stored (the :meth:`Analysis.to_dict` form with its text and title,
    possible passages at or above ``min_score``); :meth:`to_dict` and :meth:`summary` read it directly and
    :attr:`analysis` rebuilds the :class:`~proplens.analysis.Analysis` only when it is asked for.
    """

    id: str
    created: datetime
    data: Mapping[str, Any] = field(repr=False, compare=False)  # a record is its id (hashable, as before)
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: datetime | None = None
    cached: bool = False
    min_score: float | None = None

    @cached_property
    def analysis(self) -> Analysis:
        return Analysis.from_dict(self.data)

    @property
    def text(self) -> str:
        return str(self.data["text"])

    @property
    def model_version(self) -> str:
        return str(self.data.get("model", {}).get("version", "unknown"))

    def to_dict(self) -> dict[str, Any]:
        """The analysis record plus the submission metadata (the API's ``AnalysisPublic``)."""
        d = dict(self.data)
        d.pop("meta", None)
        d.update(
            id=self.id,
            title=self.title,
            source=self.source,
            url=self.url,
            published=_iso(self.published),
            created=_iso(self.created),
            cached=self.cached,
            model_version=self.model_version,
            min_score=self.min_score,
        )
        return d

    def summary(self) -> dict[str, Any]:
        d = self.data
        counts = d.get("technique_counts") or Counter(s["technique"] for s in d.get("spans", []))
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": _iso(self.published),
            "created": _iso(self.created),
            "score": round(float(d.get("score", 0.0)), 4),
            "n_spans": len(d.get("spans", [])),
            "n_chars": len(self.text),
            "technique_counts": {k: v for k, v in counts.items() if v},
            "model_version": self.model_version,
            "snippet": self.text[:200],
        }


@dataclass(frozen=True)
class Page:
    items: list[AnalysisRecord]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _payload(analysis: Analysis | StoredResult, possible_floor: float | None) -> dict[str, Any]:
    """What a result row stores: the analysis record without text, title and meta (kept elsewhere)."""
    if isinstance(analysis, StoredResult):
        d = dict(analysis.data)
    else:
        d = analysis.to_dict()
        for k in ("text", "title", "meta"):
            d.pop(k, None)
    if possible_floor is not None:
        d["possible_floor"] = float(possible_floor)
    return d


def _floor(result: ResultRow) -> float:
    return float(result.payload.get("possible_floor", LEGACY_POSSIBLE_FLOOR))


def _record(row: AnalysisRow) -> AnalysisRecord:
    return AnalysisRecord(
        id=row.id,
        created=_utc(row.created),
        data=_record_data(row.result.payload, row.result.text, row.title, row.min_score),
        title=row.title,
        source=row.source,
        url=row.url,
        published=_utc(row.published),
        cached=bool(row.cached),
        min_score=row.min_score,
    )


def _clean(value: str | None) -> str | None:
    """Metadata without NUL characters (PostgreSQL text cannot hold them); empty becomes None."""
    if value is None:
        return None
    value = value.replace("\x00", "")
    return value or None


def _like_escape(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Repository:
    """Store and query analyses.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        From :func:`proplens.store.create_store_engine`; call :func:`proplens.store.init_db` first.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    # ------------------------------------------------------------- cache
    def find_cached(
        self, *, text: str, model_version: str, model_name: str | None = None, min_score: float | None = None
    ) -> StoredResult | None:
        """The stored result for this exact text and model (version, and name when given), or None.

        With ``min_score``, a result that may lack possible passages scoring ``min_score`` or more (it was
        computed with a higher floor) is not a hit. The result comes as stored (no object is rebuilt);
        pass it to :meth:`add` to store another submission of it.
        """
        h = text_hash(text)
        stmt = select(ResultRow).where(ResultRow.text_hash == h, ResultRow.model_version == model_version)
        if model_name is not None:
            stmt = stmt.where(ResultRow.model_name == model_name)
        with self.session() as s:
            row = s.scalars(stmt).first()
            if row is None or row.text != text:
                return None
            if min_score is not None and _floor(row) > min_score:
                return None
            payload = dict(row.payload)
            payload.pop("possible_floor", None)
            return StoredResult(row.text, payload)

    def get_cached(
        self, *, text: str, model_version: str, model_name: str | None = None, min_score: float | None = None
    ) -> Analysis | None:
        """:meth:`find_cached` as an :class:`~proplens.analysis.Analysis` (None when there is none)."""
        found = self.find_cached(
            text=text, model_version=model_version, model_name=model_name, min_score=min_score
        )
        return None if found is None else found.analysis

    # ------------------------------------------------------------- writes
    def add(
        self,
        analysis: Analysis | StoredResult,
        *,
        title: str | None = None,
        source: str | None = None,
        url: str | None = None,
        published: datetime | None = None,
        cached: bool = False,
        min_score: float | None = None,
        possible_floor: float | None = None,
    ) -> AnalysisRecord:
        """Store one analysis (reusing the cached result row for the same text and model name and version).

        ``analysis`` is a new :class:`~proplens.analysis.Analysis` or a :class:`StoredResult` from
        :meth:`find_cached`; either way the returned record holds the stored JSON, not a rebuilt object.

        ``min_score``: the lowest score of the possible passages this analysis shows (None: all).
        ``possible_floor``: the lowest possible-passage score ``analysis`` was computed with; a cached row
        with a higher floor is replaced by this result, so that later lookups with a low ``min_score`` hit it.
        """
        text = analysis.text
        payload = _payload(analysis, possible_floor)
        model_name, model_version = payload["model"]["name"], payload["model"]["version"]
        h = text_hash(text)
        now = datetime.now(UTC)
        same = (
            ResultRow.text_hash == h,
            ResultRow.model_name == model_name,
            ResultRow.model_version == model_version,
        )
        with self.session() as s, s.begin():
            result = s.scalars(select(ResultRow).where(*same)).first()
            if result is not None and possible_floor is not None and _floor(result) > possible_floor:
                result.payload = payload
            if result is None:
                counts = payload.get("technique_counts") or {}
                result = ResultRow(
                    text_hash=h,
                    model_name=model_name,
                    model_version=model_version,
                    text=text,
                    score=float(payload["score"]),
                    n_spans=len(payload["spans"]),
                    technique_counts={k: v for k, v in counts.items() if v},
                    payload=payload,
                    created=now,
                )
                try:
                    with s.begin_nested():
                        s.add(result)
                except IntegrityError:  # another request stored the same result first
                    result = s.scalars(select(ResultRow).where(*same)).one()
            row = AnalysisRow(
                id=uuid.uuid4().hex,
                result_id=result.id,
                title=_clean(title or (analysis.title if isinstance(analysis, Analysis) else None)),
                source=_clean(source),
                url=_clean(url),
                published=_utc(published),
                created=now,
                cached=int(bool(cached)),
                min_score=None if min_score is None else float(min_score),
            )
            s.add(row)
            s.flush()
            row.result = result
            return _record(row)

    def delete(self, analysis_id: str) -> bool:
        """Delete one analysis (its cached result stays). Returns False when there was none."""
        with self.session() as s, s.begin():
            result = s.execute(delete(AnalysisRow).where(AnalysisRow.id == analysis_id))
        return bool(cast(CursorResult[Any], result).rowcount)

    # ------------------------------------------------------------- reads
    def get(self, analysis_id: str) -> AnalysisRecord | None:
        with self.session() as s:
            row = s.get(AnalysisRow, analysis_id)
            return _record(row) if row is not None else None

    def _filtered(self, stmt, *, source, since, until, q):
        if source is not None:
            stmt = stmt.where(AnalysisRow.source == source)
        if since is not None:
            stmt = stmt.where(AnalysisRow.created >= _utc(since))
        if until is not None:
            stmt = stmt.where(AnalysisRow.created < _utc(until))
        if q:
            pat = _like_escape(q)
            stmt = stmt.where(
                or_(
                    AnalysisRow.title.ilike(pat, escape="\\"),
                    ResultRow.text.ilike(pat, escape="\\"),
                    AnalysisRow.source.ilike(pat, escape="\\"),
                )
            )
        return stmt

    def search(
        self,
        *,
        source: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        q: str | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> Page:
        """Analyses, newest first, filtered by source, creation time window and a search string."""
        page = max(1, int(page))
        with self.session() as s:
            base = select(AnalysisRow).join(ResultRow, AnalysisRow.result_id == ResultRow.id)
            base = self._filtered(base, source=source, since=since, until=until, q=q)
            total = s.scalar(select(func.count()).select_from(base.order_by(None).subquery()))
            rows = (
                s.scalars(
                    base.order_by(AnalysisRow.created.desc(), AnalysisRow.id)
                    .offset((page - 1) * page_size)
                    .limit(page_size)
                )
                .unique()
                .all()
            )
            return Page([_record(r) for r in rows], int(total or 0), page, page_size)

    # ------------------------------------------------------------- same story
    def related(
        self,
        analysis_id: str,
        *,
        vectorize: Callable[[str], Any],
        limit: int = 200,
        threshold: float = 0.0,
        top: int = 10,
    ) -> list[tuple[AnalysisRecord, float]] | None:
        """Stored analyses that cover the same story as ``analysis_id``, most similar first.

        ``vectorize(text)`` returns a unit story vector (e.g. :func:`proplens.compare.story_embedding`);
        vectors are computed once per cached result and kept in the store. The ``limit`` most recent
        analyses with another text are candidates; the best ``top`` at or above ``threshold`` are returned.
        Returns None when ``analysis_id`` does not exist.
        """
        import numpy as np

        with self.session() as s:
            target = s.get(AnalysisRow, analysis_id)
            if target is None:
                return None
            rows = (
                s.scalars(
                    select(AnalysisRow)
                    .where(AnalysisRow.result_id != target.result_id)
                    .order_by(AnalysisRow.created.desc())
                    .limit(limit)
                )
                .unique()
                .all()
            )
            best: dict[int, AnalysisRow] = {}
            for r in rows:  # one candidate per distinct text (the most recent analysis of it)
                best.setdefault(r.result_id, r)
            ids = [target.result_id] + list(best)
            vecs = dict(
                s.execute(select(ResultRow.id, ResultRow.story_vector).where(ResultRow.id.in_(ids))).all()
            )
            texts = {}
            missing = [i for i in ids if not vecs.get(i)]
            if missing:
                texts = dict(
                    s.execute(select(ResultRow.id, ResultRow.text).where(ResultRow.id.in_(missing))).all()
                )
        computed = {i: np.asarray(vectorize(texts[i]), dtype=np.float32) for i in missing}
        if computed:
            with self.session() as s, s.begin():
                for i, v in computed.items():
                    s.execute(update(ResultRow).where(ResultRow.id == i).values(story_vector=v.tobytes()))
        vec = {
            i: (computed[i] if i in computed else np.frombuffer(cast(bytes, vecs[i]), dtype=np.float32))
            for i in ids
        }
        t = vec[target.result_id]
        scored = sorted(((row, float(np.dot(t, vec[rid]))) for rid, row in best.items()), key=lambda x: -x[1])
        return [(_record(row), sim) for row, sim in scored if sim >= threshold][:top]

    def count(self) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(AnalysisRow)) or 0)

    def sources(self) -> list[dict[str, Any]]:
        """Every source with its number of analyses, mean score and last analysis time."""
        with self.session() as s:
            rows = s.execute(
                select(
                    AnalysisRow.source, func.count(), func.avg(ResultRow.score), func.max(AnalysisRow.created)
                )
                .join(ResultRow, AnalysisRow.result_id == ResultRow.id)
                .where(AnalysisRow.source.is_not(None))
                .group_by(AnalysisRow.source)
                .order_by(func.count().desc(), AnalysisRow.source)
            ).all()
        return [
            {"source": r[0], "count": int(r[1]), "mean_score": round(float(r[2] or 0), 4), "last": _iso(r[3])}
            for r in rows
        ]

    def source_records(self, *, source: str, limit: int = 5000) -> list[dict[str, Any]]:
        """Stored analyses of one source as :mod:`proplens.stats` records (the batch report's figures)."""
        from ..records import record_from_analysis

        with self.session() as s:
            rows = (
                s.execute(
                    select(AnalysisRow)
                    .join(ResultRow, AnalysisRow.result_id == ResultRow.id)
                    .where(AnalysisRow.source == source)
                    .order_by(AnalysisRow.created)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            out = []
            for row in rows:
                rec = _record(row)
                when = rec.published or rec.created
                out.append(record_from_analysis(rec.analysis, id=rec.id, source=source, published=_iso(when)))
        return out

    def source_profile(self, *, source: str, limit: int = 20000) -> dict[str, Any] | None:
        """A source's technique profile (span counts and share) and its trend over time.

        The trend uses the publication date when known, else the analysis date; buckets are days
        when the range is at most 62 days, else months.
        """
        with self.session() as s:
            rows = s.execute(
                select(
                    AnalysisRow.published,
                    AnalysisRow.created,
                    ResultRow.score,
                    ResultRow.n_spans,
                    ResultRow.technique_counts,
                    func.length(ResultRow.text),
                )
                .join(ResultRow, AnalysisRow.result_id == ResultRow.id)
                .where(AnalysisRow.source == source)
                .order_by(AnalysisRow.created)
                .limit(limit)
            ).all()
        if not rows:
            return None
        counts: Counter[str] = Counter()
        dated = []
        for published, created, score, n_spans, tc, n_chars in rows:
            counts.update({k: int(v) for k, v in (tc or {}).items()})
            when = _utc(published or created)
            assert when is not None  # created is NOT NULL
            dated.append((when, float(score), int(n_spans), int(n_chars or 0)))
        lo = min(d for d, *_ in dated)
        hi = max(d for d, *_ in dated)
        by_day = (hi - lo) <= timedelta(days=62)
        buckets: dict[str, list] = defaultdict(list)
        for d, score, n_spans, n_chars in dated:
            key = d.strftime("%Y-%m-%d") if by_day else d.strftime("%Y-%m")
            buckets[key].append((score, n_spans, n_chars))
        trend = [
            {
                "period": k,
                "count": len(v),
                "mean_score": round(sum(x[0] for x in v) / len(v), 4),
                "spans_per_1000_chars": round(1000 * sum(x[1] for x in v) / max(1, sum(x[2] for x in v)), 3),
            }
            for k, v in sorted(buckets.items())
        ]
        total = sum(counts.values())
        return {
            "source": source,
            "count": len(rows),
            "mean_score": round(sum(x[1] for x in dated) / len(dated), 4),
            "technique_counts": {t: counts.get(t, 0) for t in TECHNIQUE_IDS},
            "technique_share": {
                t: round(counts.get(t, 0) / total, 4) if total else 0.0 for t in TECHNIQUE_IDS
            },
            "bucket": "day" if by_day else "month",
            "trend": trend,
        }

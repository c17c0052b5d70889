"""``run_batch``: stream an input through an engine into crash-safe parts, then assemble ``OUT``."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..errors import Errors, MissingExtraError
from .engines import Engine, make_engine
from .inputs import InputRecord, open_input, row_error
from .store import PartStore
from .worker import AnalyzerSpec

__all__ = ["run_batch", "BatchSummary", "Progress", "default_errors_path"]


class Progress(Protocol):
    """Progress reporting hooks (the CLI draws a bar; the library never prints)."""

    def start(self, total: int, skipped: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def close(self) -> None: ...


@dataclass
class BatchSummary:
    """What a batch run did.

    Attributes
    ----------
    total : int
        Input rows seen.
    skipped : int
        Rows already done by an earlier run (not analysed again).
    analysed : int
        Rows analysed by this run (errors included).
    rows, errors : int
        Rows in the assembled output and in the errors file.
    seconds : float
        Wall time of the whole run; ``process_seconds`` excludes scanning and assembling.
    extra : dict
        ``worker_peak_rss_kb``: peak resident memory of each worker process (by pid);
        ``steady_articles_per_s``: the rate after the first finished chunk (start-up excluded);
        ``worker_cpu_seconds``: CPU time the workers spent analysing (all threads).
    """

    out: str
    errors_path: str
    jsonl: str | None
    total: int = 0
    skipped: int = 0
    analysed: int = 0
    rows: int = 0
    errors: int = 0
    seconds: float = 0.0
    scan_seconds: float = 0.0
    process_seconds: float = 0.0
    assemble_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Articles analysed per second of processing."""
        return self.analysed / self.process_seconds if self.process_seconds > 0 else 0.0


def default_errors_path(out: str | os.PathLike) -> Path:
    """``results.parquet`` -> ``results.errors.jsonl``."""
    p = Path(out)
    stem = p.name[: -len(p.suffix)] if p.suffix else p.name
    return p.with_name(stem + ".errors.jsonl")


def _model_identity(spec: AnalyzerSpec) -> dict[str, str]:
    if spec.detector is not None:
        return {"model_name": spec.model_name or "custom", "model_version": spec.model_version or "0"}
    try:
        from ..model.runtime import ModelConfig, resolve_model_dir

        cfg = ModelConfig.read(resolve_model_dir(spec.model_dir) / "config.json")
        return {
            "model_name": str(cfg.get("name", "unknown")),
            "model_version": str(cfg.get("version", "unknown")),
        }
    except Exception:  # noqa: BLE001  the analyzer reports it below
        a = spec.build()  # raises the analyzer's own ModelLoadError with the reason
        return {"model_name": a.model_name, "model_version": a.model_version}


def _duplicate(rec: InputRecord, first_where: str) -> InputRecord:
    reason = Errors.P020.format(id=rec.key, first=first_where)
    return InputRecord(
        index=rec.index, key=f"{rec.key}@{rec.where}", where=rec.where, error=row_error(rec.where, reason)
    )


def run_batch(
    input_path: str | os.PathLike,
    out: str | os.PathLike,
    *,
    spec: AnalyzerSpec | None = None,
    engine: str = "local",
    workers: int = 1,
    address: str | None = None,
    chunk_size: int = 250,
    pipe_batch_size: int = 8,
    jsonl: str | os.PathLike | None = None,
    errors_path: str | os.PathLike | None = None,
    progress: Progress | None = None,
    limit: int | None = None,
) -> BatchSummary:
    """Analyse every article of ``input_path`` into ``out`` (Parquet), resumably.

    Parameters
    ----------
    input_path : str or Path
        A folder of ``.txt``/``.html`` files, or a ``.jsonl``, ``.csv`` or ``.parquet`` file with
        columns ``id, text | html, title, source, url, published``.
    out : str or Path
        The Parquet output; finished chunks are kept in ``OUT.parts/`` so that a re-run (or a run
        after a crash or ``kill -9``) skips them.
    spec : AnalyzerSpec, optional
        The analyzer each worker builds (default: the built-in model).
    engine : {"local", "ray"}
        In-process (``workers`` processes) or Ray Data.
    workers : int, default=1
        Worker processes or Ray actors.
    address : str, optional
        Ray cluster address (``engine="ray"`` only).
    chunk_size : int, default=250
        Articles per part file (the unit of work and of resumption).
    jsonl : str or Path, optional
        Also write the rows as JSON lines.
    errors_path : str or Path, optional
        Where bad rows go (default: ``OUT`` with ``.errors.jsonl``).
    progress : Progress, optional
        Progress hooks.
    limit : int, optional
        Stop reading the input after this many rows (testing, sampling).

    Returns
    -------
    BatchSummary

    Raises
    ------
    InputFileError
        When the input cannot be read at all (bad format, no text column).
    BatchError
        When ``OUT`` holds parts of another model, or Ray cannot start.
    """
    t0 = time.perf_counter()
    _require_pyarrow()
    spec = spec or AnalyzerSpec()
    out = Path(out)
    errors_path = Path(errors_path) if errors_path is not None else default_errors_path(out)
    inp = open_input(input_path, max_chars=spec.max_chars)
    store = PartStore(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # the model changes the numbers; the ONNX batch size does not (each window runs alone), so a run may
    # resume with another --onnx-batch
    store.open(_model_identity(spec))
    done = store.done_keys()
    total = inp.count()
    if limit is not None:
        total = min(total, limit)
    summary = BatchSummary(
        out=str(out), errors_path=str(errors_path), jsonl=str(jsonl) if jsonl else None, total=total
    )
    order: dict[str, int] = {}
    # how many rows are already done is known only while streaming; report them as skipped up front
    if progress is not None:
        progress.start(total, min(len(done), total))
    eng = make_engine(
        engine, spec, workers=workers, address=address, pipe_batch_size=pipe_batch_size, chunk_size=chunk_size
    )
    t1 = time.perf_counter()
    summary.scan_seconds = t1 - t0
    chunks = _pending_chunks(inp, done, summary, order, chunk_size=chunk_size, limit=limit)
    first_done = _process(eng, chunks, store, summary, progress)
    t2 = time.perf_counter()
    summary.process_seconds = t2 - t1
    if first_done is not None and t2 > first_done[0] and summary.analysed > first_done[1]:
        # rate after the first finished chunk: leaves out worker start-up and model loading
        summary.extra["steady_articles_per_s"] = (summary.analysed - first_done[1]) / (t2 - first_done[0])
    counts = store.assemble(order=order, jsonl=jsonl, errors_path=errors_path)
    summary.rows, summary.errors = counts["rows"], counts["errors"]
    summary.assemble_seconds = time.perf_counter() - t2
    summary.seconds = time.perf_counter() - t0
    return summary


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError(
            Errors.P022.format(what="Batch analysis", extra="batch", module=exc.name or "pyarrow")
        ) from None


def _pending_chunks(
    inp: Iterable[InputRecord],
    done: set[str],
    summary: BatchSummary,
    order: dict[str, int],
    *,
    chunk_size: int,
    limit: int | None,
) -> Iterator[list[InputRecord]]:
    """Chunks of the input rows not done yet; a repeated id becomes an error row; ``order`` records
    every row's input position (for the assembled output) and ``summary.skipped`` the rows done before."""
    where_of: dict[str, str] = {}
    chunk: list[InputRecord] = []
    for n, rec in enumerate(inp):
        if limit is not None and n >= limit:
            break
        if rec.key in where_of:
            rec = _duplicate(rec, where_of[rec.key])
        order[rec.key] = rec.index
        where_of[rec.key] = rec.where
        if rec.key in done:
            summary.skipped += 1
            continue
        chunk.append(rec)
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _process(
    eng: Engine,
    chunks: Iterator[list[InputRecord]],
    store: PartStore,
    summary: BatchSummary,
    progress: Progress | None,
) -> tuple[float, int] | None:
    """Run the chunks through the engine, writing each finished part; returns (time, size) of the first."""
    first_done: tuple[float, int] | None = None
    try:
        for chunk, result in eng.map_chunks(chunks):
            store.write_part(chunk[0].index, result.rows, result.errors)
            if first_done is None:
                first_done = (time.perf_counter(), len(chunk))
            summary.extra["worker_cpu_seconds"] = (
                summary.extra.get("worker_cpu_seconds", 0.0) + result.cpu_seconds
            )
            if result.worker_pid:
                peaks = summary.extra.setdefault("worker_peak_rss_kb", {})
                peaks[result.worker_pid] = max(peaks.get(result.worker_pid, 0), result.worker_peak_rss_kb)
            summary.analysed += len(chunk)
            if progress is not None:
                progress.advance(len(chunk))
    finally:
        eng.close()
        if progress is not None:
            progress.close()
    return first_done

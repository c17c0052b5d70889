"""The work one worker does on a chunk of input records: HTML to text, validation, analysis, rows.

The same function runs in the coordinator (one worker), in worker processes and in Ray actors,
so every engine gives the same rows.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidTextError, ModelLoadError
from ..records import analysis_to_row, error_row
from ..text import DEFAULT_MAX_CHARS, check_text
from .inputs import InputRecord, row_error

__all__ = ["AnalyzerSpec", "process_records", "ChunkResult"]

# Failures of the setup, not of one article: they stop the batch (nothing is marked done).
_FATAL = (ModelLoadError, ImportError, MemoryError)


@dataclass(frozen=True)
class AnalyzerSpec:
    """How to build the :class:`~proplens.analyzer.Analyzer` in a worker (picklable).

    Parameters
    ----------
    model_dir : str, optional
        Model folder (default: the built-in model).
    threads : int, optional
        ONNX Runtime intra-op threads per worker.
    batch_size : int, default=4
        Encoder windows per ONNX call (with the padded-batch backend, 4 instead of 16 cut a
        worker's peak memory from ~850 MB to ~350 MB; see docs/batch.md).
    attribution : bool or "auto"
        Run attribution when available.
    max_chars : int
        Longest accepted text.
    detector : object, optional
        A detector instance to use instead of a model (tests: :class:`proplens.testing.LexiconDetector`).
    model_name, model_version : str, optional
        Names reported with a custom ``detector``.
    """

    model_dir: str | None = None
    threads: int | None = None
    batch_size: int = 4
    attribution: bool | str = "auto"
    max_chars: int = DEFAULT_MAX_CHARS
    detector: Any = field(default=None, compare=False)
    model_name: str | None = None
    model_version: str | None = None

    def build(self):
        from ..analyzer import Analyzer

        return Analyzer(
            self.model_dir,
            attribution=self.attribution,
            max_chars=self.max_chars,
            threads=self.threads,
            batch_size=self.batch_size,
            detector=self.detector,
            model_name=self.model_name,
            model_version=self.model_version,
        )


@dataclass
class ChunkResult:
    """Rows and error rows for one chunk of records, and the worker that made them.

    ``worker_pid`` and ``worker_peak_rss_kb`` (the worker process's peak resident memory so far)
    let the runner report memory per worker for every engine; ``cpu_seconds`` is the CPU time
    (all threads) the worker spent on the chunk.
    """

    rows: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    worker_pid: int = 0
    worker_peak_rss_kb: int = 0
    cpu_seconds: float = 0.0


def _peak_rss_kb() -> int:
    try:
        import resource
    except ImportError:  # Windows
        return 0
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _prepare(rec: InputRecord, max_chars: int) -> tuple[str, str | None] | str:
    """(text, title) ready for analysis, or the reason the record cannot be analysed."""
    if rec.error is not None:
        return rec.error
    title = rec.title
    text = rec.text
    if text is None:
        from ..inputs import read_article

        try:
            article = read_article(rec.html or "", kind="html", name=rec.where, url=rec.url, check=False)
        except Exception as exc:  # noqa: BLE001  a broken page must not stop the batch
            return row_error(rec.where, f"cannot extract text from the HTML ({type(exc).__name__}: {exc})")
        text, title = article.text, title or article.title
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = check_text(
                text, max_chars=max_chars, knob="proplens batch --max-chars, or AnalyzerSpec(max_chars=...)"
            )
    except InvalidTextError as exc:
        return row_error(rec.where, str(exc))
    return text, title


def process_records(analyzer, records: Sequence[InputRecord], *, batch_size: int = 8) -> ChunkResult:
    """Analyse ``records`` with ``analyzer``; rows that fail become error rows.

    Parameters
    ----------
    analyzer : Analyzer
        A built analyzer.
    records : sequence of InputRecord
        The chunk, in input order.
    batch_size : int, default=8
        Articles per :meth:`Analyzer.pipe` batch.

    Returns
    -------
    ChunkResult
        One row per analysed article and one error row per failed one, both in input order.
    """
    with _single_threaded_blas():
        return _process_records(analyzer, records, batch_size=batch_size)


def _single_threaded_blas():
    """numpy's BLAS on one thread while analysing, the same in every engine and worker count.

    A BLAS sum splits differently over 1 or N threads, and the last float bit can change a rounded
    span score; pinning it keeps batch output byte-identical across engines (and avoids
    oversubscribing cores with several workers). Needs ``threadpoolctl`` (in the batch extra).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _process_records(analyzer, records: Sequence[InputRecord], *, batch_size: int) -> ChunkResult:
    cpu0 = time.process_time()
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    good: list[tuple[InputRecord, str, str | None]] = []
    for rec in records:
        prepared = _prepare(rec, analyzer.max_chars)
        if isinstance(prepared, str):
            errors.append(error_row(key=rec.key, index=rec.index, where=rec.where, reason=prepared))
        else:
            good.append((rec, prepared[0], prepared[1]))
    if good:
        try:
            analyses = list(
                analyzer.pipe([g[1] for g in good], titles=[g[2] for g in good], batch_size=batch_size)
            )
        except _FATAL:
            raise  # a missing model or extra fails every row: stop the batch instead of marking rows done
        except Exception:  # noqa: BLE001  retried one by one below
            analyses = None  # find the article that fails, one by one
        failures: list[BaseException] = []
        for j, (rec, text, title) in enumerate(good):
            if analyses is not None:
                a = analyses[j]
            else:
                try:
                    a = analyzer(text, title)
                except _FATAL:
                    raise
                except Exception as exc:  # noqa: BLE001  one failing article is a row error
                    failures.append(exc)
                    reason = row_error(rec.where, f"the analysis failed ({type(exc).__name__}: {exc})")
                    errors.append(error_row(key=rec.key, index=rec.index, where=rec.where, reason=reason))
                    continue
            rows.append(analysis_to_row(a, key=rec.key, index=rec.index, meta=rec.meta()))
        if len(good) > 1 and len(failures) == len(good):
            raise failures[0]  # every article failed: a broken setup, not bad rows
    errors.sort(key=lambda r: r["_index"])
    return ChunkResult(rows, errors, os.getpid(), _peak_rss_kb(), time.process_time() - cpu0)

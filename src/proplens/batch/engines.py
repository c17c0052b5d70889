"""Engines map chunks of input records to :class:`~proplens.batch.worker.ChunkResult` objects.

* :class:`LocalEngine` runs in this process (one worker) or in a pool of worker processes, each
  loading the model once.
* :class:`~proplens.batch.ray.RayEngine` runs the same work on Ray Data.

Results may come back in any order; only the coordinator writes files.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Protocol

from .inputs import InputRecord
from .worker import AnalyzerSpec, ChunkResult, process_records

__all__ = ["Engine", "LocalEngine", "make_engine"]

Chunk = Sequence[InputRecord]


class Engine(Protocol):
    """What the batch runner needs from an engine."""

    def map_chunks(self, chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, ChunkResult]]: ...

    def close(self) -> None: ...


# The analyzer of one worker *process* of the pool: made by the pool's initializer from the spec it is passed
# (processes cannot share one), then used for every chunk that process runs. Not a process-wide default: the
# runner's own process never reads these.
_worker_analyzer = None
_worker_batch = 8


def _init_worker(spec: AnalyzerSpec, pipe_batch_size: int) -> None:
    global _worker_analyzer, _worker_batch
    _worker_analyzer = spec.build()
    _worker_analyzer.load()  # load the model once, at worker start
    _worker_batch = pipe_batch_size


def _run_chunk(chunk: Chunk) -> ChunkResult:
    return process_records(_worker_analyzer, chunk, batch_size=_worker_batch)


class LocalEngine:
    """Analyse chunks on this machine.

    Parameters
    ----------
    spec : AnalyzerSpec
        How each worker builds its analyzer.
    workers : int, default=1
        1 runs in this process; more starts that many worker processes (``spawn``).
    pipe_batch_size : int, default=8
        Articles per :meth:`Analyzer.pipe` batch.
    """

    def __init__(self, spec: AnalyzerSpec, *, workers: int = 1, pipe_batch_size: int = 8) -> None:
        self.spec = spec
        self.workers = max(1, int(workers))
        self.pipe_batch_size = pipe_batch_size
        self._analyzer = None
        self._pool: ProcessPoolExecutor | None = None

    def map_chunks(self, chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, ChunkResult]]:
        if self.workers == 1:
            if self._analyzer is None:
                self._analyzer = self.spec.build()
            for chunk in chunks:
                yield chunk, process_records(self._analyzer, chunk, batch_size=self.pipe_batch_size)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=mp.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.spec, self.pipe_batch_size),
            )
        pending: dict[Future[ChunkResult], Chunk] = {}
        it = iter(chunks)
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * self.workers:  # bounded read-ahead
                todo: Chunk | None = next(it, None)
                if todo is None:
                    exhausted = True
                    break
                pending[self._pool.submit(_run_chunk, todo)] = todo
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(finished, key=lambda f: pending[f][0].index):
                chunk = pending.pop(fut)
                yield chunk, fut.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def make_engine(
    name: str,
    spec: AnalyzerSpec,
    *,
    workers: int = 1,
    address: str | None = None,
    pipe_batch_size: int = 8,
    chunk_size: int = 250,
) -> Engine:
    """Build the engine called ``name`` ("local" or "ray")."""
    if name == "ray":
        from .ray import RayEngine

        return RayEngine(
            spec, workers=workers, address=address, pipe_batch_size=pipe_batch_size, chunk_size=chunk_size
        )
    if name in ("local", "inprocess", "in-process"):
        return LocalEngine(spec, workers=workers, pipe_batch_size=pipe_batch_size)
    raise ValueError(f"Unknown engine {name!r}; use 'local' or 'ray'.")

"""The Ray engine: the batch pipeline on Ray Data.

Chunks of input records go through ``Dataset.map_batches`` with a callable class on a fixed-size
actor pool: each actor loads the model once in ``__init__`` and analyses whole chunks (batched
inference through :meth:`Analyzer.pipe`). The driver feeds chunks in windows (so it never holds
the whole input), collects the results as they stream back and writes the parts itself, so the
exactly-once guarantees of :mod:`proplens.batch.store` hold unchanged.

``ray`` is imported only when this engine is built.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import BatchError, Errors, MissingExtraError
from .engines import Chunk
from .worker import AnalyzerSpec, ChunkResult, process_records

__all__ = ["RayEngine", "AnalyzerActor"]


class AnalyzerActor:
    """Ray Data callable class: one analyzer per actor, loaded once.

    Parameters
    ----------
    spec : AnalyzerSpec
        How to build the analyzer.
    pipe_batch_size : int
        Articles per :meth:`Analyzer.pipe` batch.
    """

    def __init__(self, spec: AnalyzerSpec, pipe_batch_size: int = 8) -> None:
        self.analyzer = spec.build()
        self.analyzer.load()  # load the model now, once per actor
        self.pipe_batch_size = pipe_batch_size

    def __call__(self, batch):
        out = []
        for blob in batch["chunk"]:
            chunk = pickle.loads(blob)
            result = process_records(self.analyzer, chunk, batch_size=self.pipe_batch_size)
            out.append(pickle.dumps((chunk[0].index, result), protocol=pickle.HIGHEST_PROTOCOL))
        return {"result": out}


def _proplens_cause(exc: BaseException | None):
    from ..errors import ProplensError

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ProplensError):
            return exc
        exc = getattr(exc, "cause", None) or exc.__cause__
        seen += 1
    return None


def _import_ray():
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise MissingExtraError(
            Errors.P022.format(what="The Ray engine", extra="ray", module=exc.name or "ray")
        ) from None
    return ray


class RayEngine:
    """Run chunks on Ray Data.

    Parameters
    ----------
    spec : AnalyzerSpec
        How each actor builds its analyzer.
    workers : int, default=2
        Actors in the pool (each takes ``num_cpus=1``).
    address : str, optional
        A running cluster to join (``"auto"`` or ``"ray://head:10001"``); otherwise a local
        cluster with ``workers`` CPUs is started and stopped by this engine.
    window_chunks : int, default=200
        Chunks handed to Ray Data per dataset (bounds the driver's memory).
    """

    def __init__(
        self,
        spec: AnalyzerSpec,
        *,
        workers: int = 2,
        address: str | None = None,
        pipe_batch_size: int = 8,
        chunk_size: int = 250,
        window_chunks: int = 200,
    ) -> None:
        self.spec = spec
        self.workers = max(1, int(workers))
        self.address = address
        self.pipe_batch_size = pipe_batch_size
        self.window_chunks = window_chunks
        self._started = False
        self._ray: Any = None  # the ray module, imported on first use

    def _ensure_ray(self):
        if self._ray is not None:
            return self._ray
        ray = _import_ray()
        if not ray.is_initialized():
            kwargs = dict(include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
            try:
                if self.address:
                    ray.init(address=self.address, **kwargs)
                else:
                    ray.init(num_cpus=self.workers, **kwargs)
            except Exception as exc:  # noqa: BLE001  ConnectionError, RuntimeError, ...: one clear message
                raise BatchError(
                    Errors.P024.format(address=self.address or "local", reason=f"{type(exc).__name__}: {exc}")
                ) from None
            self._started = True
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        for attr in ("print_on_execution_start", "enable_auto_log_stats"):
            if hasattr(ctx, attr):
                setattr(ctx, attr, False)
        self._ray = ray
        return ray

    def _run_window(self, window: list) -> Iterator[tuple[list, ChunkResult]]:
        ray = self._ray
        by_first = {chunk[0].index: chunk for chunk in window}
        items = [{"chunk": pickle.dumps(list(chunk), protocol=pickle.HIGHEST_PROTOCOL)} for chunk in window]
        ds = ray.data.from_items(items, override_num_blocks=len(items))
        ds = ds.map_batches(
            AnalyzerActor,
            fn_constructor_kwargs={"spec": self.spec, "pipe_batch_size": self.pipe_batch_size},
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=self.workers),
            num_cpus=1,
        )
        rows = iter(ds.iter_rows())
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a RayTaskError wraps the worker's own exception: surface that one
                cause = _proplens_cause(exc)
                if cause is not None:
                    raise cause from None
                raise
            first, result = pickle.loads(row["result"])
            yield by_first.pop(first), result

    def map_chunks(self, chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, ChunkResult]]:
        window: list = []
        for chunk in chunks:
            window.append(chunk)
            if len(window) >= self.window_chunks:
                self._ensure_ray()
                yield from self._run_window(window)
                window = []
        if window:
            self._ensure_ray()
            yield from self._run_window(window)

    def close(self) -> None:
        if self._started and self._ray is not None:
            self._ray.shutdown()
        self._started = False
        self._ray = None

"""Resumable batch analysis of many articles (in-process or on Ray), and corpus reports.

Nothing heavy is imported here: pyarrow, pandas, matplotlib and ray load when used.

Examples
--------
>>> from proplens.batch import run_batch, AnalyzerSpec          # doctest: +SKIP
>>> summary = run_batch("feed.jsonl", "feed.parquet", workers=2)  # doctest: +SKIP
"""

from __future__ import annotations

from .inputs import BatchInput, InputRecord, open_input
from .runner import BatchSummary, Progress, default_errors_path, run_batch
from .worker import AnalyzerSpec, process_records

__all__ = [
    "run_batch",
    "BatchSummary",
    "Progress",
    "AnalyzerSpec",
    "BatchInput",
    "InputRecord",
    "open_input",
    "process_records",
    "default_errors_path",
]

"""The CLI's one progress-bar layout (rich): what is done, the bar, done/total, elapsed and remaining."""

from __future__ import annotations

from typing import Any


def progress_bar(*, unit: str | None = None, transient: bool = True, console: Any = None):
    """A ``rich.progress.Progress`` whose description is shown verbatim (never parsed as markup);
    ``unit`` names what is counted ("windows"). Imported lazily: rich costs import time."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = [TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn()]
    if unit:
        columns.append(TextColumn(unit, markup=False))
    columns += [TimeElapsedColumn(), TimeRemainingColumn()]
    return Progress(*columns, console=console, transient=transient)

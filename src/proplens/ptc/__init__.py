"""PTC (SemEval-2020 Task 11) interop: reading and writing label files, and the task's metrics."""

from .io import (
    PtcCorpus,
    TcRow,
    read_articles,
    read_si_labels,
    read_tc_labels,
    write_si_labels,
    write_tc_labels,
)
from .metrics import e2e_scores, evaluate_ptc, si_scores, tc_scores

__all__ = [
    "PtcCorpus",
    "TcRow",
    "read_articles",
    "read_tc_labels",
    "read_si_labels",
    "write_tc_labels",
    "write_si_labels",
    "si_scores",
    "tc_scores",
    "e2e_scores",
    "evaluate_ptc",
]

"""PTC (SemEval-2020 Task 11) interop: reading and writing label files, and the task's metrics."""

from .io import PtcCorpus, TcRow, read_articles, read_tc_labels, read_si_labels, write_tc_labels, write_si_labels
from .metrics import si_scores, tc_scores, e2e_scores, evaluate_ptc

__all__ = [
    "PtcCorpus", "TcRow", "read_articles", "read_tc_labels", "read_si_labels",
    "write_tc_labels", "write_si_labels", "si_scores", "tc_scores", "e2e_scores", "evaluate_ptc",
]

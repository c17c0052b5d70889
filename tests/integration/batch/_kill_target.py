"""Run a lexicon batch (the target the kill -9 test shoots at): python _kill_target.py INPUT OUT CHUNK."""

import sys

from proplens.batch import AnalyzerSpec, run_batch
from proplens.testing import LexiconDetector

if __name__ == "__main__":
    spec = AnalyzerSpec(
        detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="test"
    )
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    run_batch(
        sys.argv[1],
        sys.argv[2],
        spec=spec,
        chunk_size=int(sys.argv[3]),
        workers=workers,
        jsonl=sys.argv[2] + ".jsonl",
    )

"""Score proplens attribution on a PolNeAR-format JSONL file (partial-overlap and exact P/R/F1).

Usage::

    python bench/attribution_eval.py /work/shared/data/polnear/dev.jsonl [--docs dev.spacy] [--model DIR]

``--docs`` reuses a spaCy DocBin of the same texts (parsed by the same pipeline) to save time. ``--last N``
scores only the file's last N articles: the held-out part of train used to choose hyper-parameters, e.g.
a model trained with ``python -m proplens.attribution.training train.jsonl --first 690 --out DIR`` scored
with ``--last 84 --model DIR``. ``--no-end`` leaves the content-end decoder out (the rules' ends);
``--no-head`` the transformer head (:mod:`proplens.attribution.neural`; then give the thresholds it was
chosen without, 0.5 and 0.5).
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    from proplens.attribution.metrics import ROLES, score_attributions
    from proplens.attribution.model import DEFAULT_MODEL_DIR
    from proplens.attribution.pipeline import Attributor
    from proplens.attribution.training import load_polnear, parse_docs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--docs", help="DocBin cache of the parsed texts")
    ap.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    ap.add_argument("--cue-threshold", type=float, help="override the model's cue threshold")
    ap.add_argument("--role-threshold", type=float, help="override the model's role threshold")
    ap.add_argument("--last", type=int, help="score only the last N articles")
    ap.add_argument("--no-end", action="store_true", help="without the content-end decoder")
    ap.add_argument(
        "--no-head", action="store_true", help="without the transformer head (the linear tagger alone)"
    )
    args = ap.parse_args()

    rows = load_polnear(args.data)
    t0 = time.perf_counter()
    docs = parse_docs([r["text"] for r in rows], cache=args.docs)
    if args.last:
        rows, docs = rows[-args.last :], docs[-args.last :]
    att = Attributor(args.model)
    att._ensure()
    if args.cue_threshold is not None:
        att._tagger.cue_threshold = args.cue_threshold
    if args.role_threshold is not None:
        att._tagger.role_threshold = args.role_threshold
    if args.no_end:
        att._tagger.end_W = None
    if args.no_head:
        att._tagger.head = None
    triples = []
    for row, doc in zip(rows, docs, strict=True):
        pred = [a.to_dict() for a in att.from_doc(doc)]
        triples.append((row["text"], pred, row["attributions"]))
    scores = score_attributions(triples)
    scores["seconds"] = round(time.perf_counter() - t0, 1)
    scores["articles"] = len(rows)
    if args.json:
        print(json.dumps(scores, indent=2))
        return
    print(f"{len(rows)} articles; attributions: {scores['attributions']}; {scores['seconds']} s")
    print(f"{'':8}{'role':9}{'P':>7}{'R':>7}{'F1':>7}")
    for m in ("partial", "exact"):
        for r in ROLES:
            s = scores[m][r]
            print(f"{m:8}{r:9}{s['p']:7.3f}{s['r']:7.3f}{s['f1']:7.3f}")
    w = scores["whole"]
    print(f"{'partial':8}{'whole':9}{w['p']:7.3f}{w['r']:7.3f}{w['f1']:7.3f}")


if __name__ == "__main__":
    main()

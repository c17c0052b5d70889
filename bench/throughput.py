"""Throughput and peak memory: the default ONNX pipeline vs the same pipeline on a RoBERTa-large-shaped encoder.

    python bench/throughput.py [--model default|fast|DIR] [--articles 50] [--words 600] [--large-articles 10]

Each pipeline runs in its own subprocess so that peak RSS is measured separately. The large encoder
has random weights built from RoBERTa-large's shape (24 layers, 1024 hidden, 16 heads, 4096 FFN,
50k vocabulary: the size the SemEval-2020 winners used) and runs in torch fp32 (needs the [train]
extra); tokenization, windows, decoding and span heads are shared. Prints both rates and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_articles  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_default(n: int, words: int, attribution: bool = False, model: str | None = None) -> dict:
    from proplens.analyzer import Analyzer

    texts = make_articles(n, n_words=words, seed=1)
    an = Analyzer(model, attribution=attribution)
    an(texts[0])  # load + warm up
    t0 = time.perf_counter()
    n_spans = sum(len(a.spans) for a in an.pipe(texts))
    dt = time.perf_counter() - t0
    info = an.model_info
    name = (f"{model or 'default'} ({info.get('name')} {info.get('version')}, ONNX {info.get('quantization')})"
            + (" + attribution (spaCy)" if attribution else ""))
    return {"pipeline": name, "articles": n, "seconds": dt, "articles_per_s": n / dt,
            "peak_rss_mb": _peak_mb(), "spans": n_spans}


def run_large(n: int, words: int, model: str | None = None) -> dict:
    import numpy as np
    import torch
    from transformers import RobertaConfig, RobertaModel

    from proplens.model.runtime import load_detector

    torch.manual_seed(0)
    cfg = RobertaConfig(vocab_size=50265, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                        intermediate_size=4096, max_position_embeddings=514, type_vocab_size=1)
    enc = RobertaModel(cfg).eval()
    bio = torch.nn.Linear(1024, 3)
    tech = torch.nn.Linear(1024, 14)
    det, _ = load_detector(model)  # same tokenizer, windows and decoding as the model it is compared with
    H = 1024

    def backend(ids, mask):
        with torch.inference_mode():
            ids_t = torch.from_numpy(ids % 50000 + 3)  # same token counts, ids moved into RoBERTa's range
            h = enc(input_ids=ids_t, attention_mask=torch.from_numpy(mask)).last_hidden_state
            return h.numpy(), bio(h).numpy(), tech(h).numpy()

    rng = np.random.default_rng(0)
    det.backend = backend
    det.span_weights = {"w1": rng.normal(0, 0.02, (256, 4 * H + 8)).astype(np.float32), "b1": np.zeros(256, np.float32),
                        "w2": rng.normal(0, 0.02, (14, 256)).astype(np.float32), "b2": np.zeros(14, np.float32)}
    texts = make_articles(n, n_words=words, seed=1)
    det.predict(texts[:1])
    t0 = time.perf_counter()
    preds = det.predict(texts)
    dt = time.perf_counter() - t0
    return {"pipeline": "RoBERTa-large-shaped (torch fp32, random weights)", "articles": n, "seconds": dt,
            "articles_per_s": n / dt, "peak_rss_mb": _peak_mb(), "spans": sum(len(p.spans) for p in preds)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=50)
    ap.add_argument("--large-articles", type=int, default=10, help="fewer articles for the slow encoder")
    ap.add_argument("--words", type=int, default=600)
    ap.add_argument("--only", choices=["default", "default+attribution", "large"])
    ap.add_argument("--model", default=None, help="shipped model name (default, fast) or model folder")
    ap.add_argument("--with-attribution", action="store_true", help="also time the default pipeline with attribution")
    args = ap.parse_args()
    if args.only:
        if args.only == "large":
            res = run_large(args.large_articles, args.words, model=args.model)
        else:
            res = run_default(args.articles, args.words, attribution=args.only == "default+attribution", model=args.model)
        print(json.dumps(res))
        return
    results = []
    for which in ("default", "large") + (("default+attribution",) if args.with_attribution else ()):
        cmd = [sys.executable, __file__, "--only", which, "--articles", str(args.articles),
               "--large-articles", str(args.large_articles), "--words", str(args.words)]
        if args.model:
            cmd += ["--model", args.model]
        out = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
        if out.returncode != 0:
            print(out.stderr[-2000:], file=sys.stderr)
            sys.exit(f"{which} pipeline failed")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    cores = os.cpu_count()
    for r in results:
        print(f"{r['pipeline']}: {r['articles_per_s']:.2f} articles/s ({r['articles']} articles of ~{args.words} words, "
              f"{r['seconds']:.1f} s), peak RSS {r['peak_rss_mb']:.0f} MB")
    ratio = results[0]["articles_per_s"] / results[1]["articles_per_s"]
    print(f"speed ratio default / large: {ratio:.1f}x on {cores} cores")
    print(json.dumps({"results": results, "ratio": ratio, "cores": cores}))


if __name__ == "__main__":
    main()

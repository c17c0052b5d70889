"""Batch benchmark: throughput (1 and 2 workers, in-process and Ray), peak memory per worker,
time to skip finished work on a resumed run, and a kill -9 exactly-once check.

Articles are generated here (seeded templates and invented words), never copied from a corpus.

Usage::

    python bench/batch.py throughput --articles 10000 [--model DIR | --lexicon] [--configs local:1:1,local:1:2,local:2:1,ray:1:1,ray:2:1]
    python bench/batch.py kill --articles 2000 --kills 5 [--workers 2] [--lexicon]

Each configuration runs in a fresh Python process (``_one``) so that model loads and memory
figures do not leak between them. Results are printed as a table and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()

# ----------------------------------------------------------------------------- generator
_SUBJECTS = [
    "the council", "the ministry", "the governor", "opposition leaders", "the central bank", "local farmers",
    "the union", "a spokesperson", "analysts", "the regional court", "residents", "the mayor's office",
    "the election board", "hospital staff", "the transport authority", "investors", "teachers", "the army",
]
_VERBS = [
    "announced", "rejected", "approved", "questioned", "delayed", "defended", "criticised", "proposed",
    "welcomed", "postponed", "reviewed", "promised", "denied", "confirmed", "challenged", "funded",
]
_OBJECTS = [
    "a new budget", "the water project", "plans for a bridge", "the tax reform", "a trade agreement",
    "the school merger", "emergency measures", "the pension changes", "a housing programme", "the ceasefire",
    "fuel subsidies", "the border policy", "a power plant", "the wage deal", "new rail lines",
]
_TAILS = [
    "on Monday", "after weeks of talks", "in a statement", "despite protests", "for the second time this year",
    "at a press conference", "late on Friday", "in a narrow vote", "without giving details", "amid rising costs",
]
_PROPAGANDA = [
    "This reckless and disastrous decision will destroy everything we have built.",
    "Everyone knows these traitors answer to foreign masters.",
    "It is the worst ever betrayal of ordinary working families.",
    "Only a true patriot would stand up to this puppet government.",
    "Either we act now or our country is finished.",
    "They want you to believe it is about safety, but the real goal is control.",
    "Do we really trust people who have lied to us again and again?",
    "Make our towns safe again.",
    "What about the billions they wasted last year?",
    "As every expert agrees, there is simply no alternative.",
]
_QUOTES = ['"We will not accept this," said {who}.', '{who} told reporters the plan was "a step in the right direction."',
           'According to {who}, talks will resume next week.']
_WHO = ["Anna Berg", "the finance minister", "a union official", "Dr. Omar Haddad", "a senior diplomat", "Maria Costa"]
SOURCES = ["Daily Ledger", "Morning Courier", "The Beacon", "Northern Post", "Civic Review", "Harbour Times",
           "Free Voice", "Evening Standardbearer", "Metro Wire", "Patriot Herald", "The Observer Line", "Valley News"]


def make_article(rng: random.Random, *, min_words: int = 300, max_words: int = 900, heat: float = 0.12) -> str:
    """One invented news article of about ``min_words``-``max_words`` words, in paragraphs."""
    target = rng.randint(min_words, max_words)
    paras, words = [], 0
    while words < target:
        sents = []
        for _ in range(rng.randint(2, 5)):
            r = rng.random()
            if r < heat:
                s = rng.choice(_PROPAGANDA)
            elif r < heat + 0.12:
                s = rng.choice(_QUOTES).format(who=rng.choice(_WHO))
            else:
                s = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."
                s = s[0].upper() + s[1:]
            sents.append(s)
            words += s.count(" ") + 1
        paras.append(" ".join(sents))
    return "\n\n".join(paras)


def write_corpus(path: Path, n: int, *, seed: int = 0, min_words: int = 300, max_words: int = 900) -> Path:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            src = SOURCES[rng.randrange(len(SOURCES))]
            heat = 0.04 + 0.3 * (SOURCES.index(src) % 4) / 3  # outlets differ
            row = {
                "id": f"bench-{i:07d}",
                "title": f"Report {i}",
                "text": make_article(rng, min_words=min_words, max_words=max_words, heat=heat),
                "source": src,
                "published": f"2024-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}",
                "url": f"https://news.invalid/{i}",
            }
            f.write(json.dumps(row) + "\n")
    return path


# ----------------------------------------------------------------------------- one run
def _spec(args):
    from proplens.batch import AnalyzerSpec

    if args.lexicon:
        from proplens.testing import LexiconDetector

        return AnalyzerSpec(detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="test")
    return AnalyzerSpec(model_dir=args.model, threads=args.threads, attribution=bool(args.attribution), batch_size=args.onnx_batch)


def cmd_one(args) -> None:
    """Run one configuration (in this fresh process) and print its figures as JSON."""
    from proplens.batch import run_batch

    s = run_batch(
        args.input, args.out, spec=_spec(args), engine=args.engine, workers=args.workers,
        chunk_size=args.chunk_size, pipe_batch_size=args.pipe_batch,
    )
    peaks = s.extra.get("worker_peak_rss_kb", {})
    print(json.dumps({
        "engine": args.engine, "workers": args.workers, "threads": args.threads,
        "analysed": s.analysed, "skipped": s.skipped, "rows": s.rows, "errors": s.errors,
        "seconds": round(s.seconds, 2), "scan_seconds": round(s.scan_seconds, 2),
        "process_seconds": round(s.process_seconds, 2), "assemble_seconds": round(s.assemble_seconds, 2),
        "articles_per_s": round(s.rate, 2),
        "steady_articles_per_s": round(s.extra.get("steady_articles_per_s", 0.0), 2),
        "worker_cpu_seconds": round(s.extra.get("worker_cpu_seconds", 0.0), 1),
        "articles_per_cpu_s": round(s.analysed / s.extra["worker_cpu_seconds"], 3) if s.extra.get("worker_cpu_seconds") else 0.0,
        "load_avg_end": os.getloadavg()[0],
        "worker_peak_rss_mb": sorted(round(v / 1024, 1) for v in peaks.values()),
        "driver_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


def _one_cmd(args, engine, workers, threads, inp, out) -> list[str]:
    """The command line of one benchmark run in a child process (``_one``)."""
    cmd = [sys.executable, str(HERE), "_one", "--input", str(inp), "--out", str(out), "--engine", engine,
           "--workers", str(workers), "--threads", str(threads), "--chunk-size", str(args.chunk_size),
           "--pipe-batch", str(args.pipe_batch), "--onnx-batch", str(args.onnx_batch)]
    if args.lexicon:
        cmd.append("--lexicon")
    if args.attribution:
        cmd.append("--attribution")
    if args.model:
        cmd += ["--model", args.model]
    return cmd


def _run_one(args, engine, workers, threads, inp, out) -> dict:
    p = subprocess.run(_one_cmd(args, engine, workers, threads, inp, out), capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{engine}:{workers}:{threads} failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def cmd_throughput(args) -> None:
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    inp = work / f"corpus-{args.articles}.jsonl"
    if not inp.exists():
        write_corpus(inp, args.articles, seed=args.seed)
    sizes = [len(json.loads(x)["text"]) for x in open(inp, encoding="utf-8")]
    print(f"corpus: {len(sizes)} articles, mean {sum(sizes) / len(sizes):,.0f} chars, {os.cpu_count()} CPUs", flush=True)
    results = []
    for conf in args.configs.split(","):
        engine, workers, threads = conf.split(":")
        out = work / f"out-{engine}-{workers}w-{threads}t.parquet"
        for p in (out, out.with_name(out.name + ".parts")):
            if p.is_dir():
                import shutil

                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
        r = _run_one(args, engine, int(workers), int(threads), inp, out)
        results.append(r)
        print(json.dumps(r), flush=True)
        if args.resume and conf == args.configs.split(",")[0]:
            rr = _run_one(args, engine, int(workers), int(threads), inp, out)
            rr["resume_of"] = conf
            results.append(rr)
            print("resume:", json.dumps(rr), flush=True)
    runs = [r for r in results if "resume_of" not in r]
    base = {r["engine"]: r for r in runs if r["workers"] == 1 and r["threads"] == 1}
    print("\nengine  workers threads  art/s(all)  art/s(steady)  speed-up(all/steady)  worker peak MB")
    for r in runs:
        b = base.get(r["engine"]) or base.get("local")
        sp = r["articles_per_s"] / b["articles_per_s"] if b and b["articles_per_s"] else float("nan")
        sp2 = r["steady_articles_per_s"] / b["steady_articles_per_s"] if b and b["steady_articles_per_s"] else float("nan")
        print(f"{r['engine']:7s} {r['workers']:7d} {r['threads']:7d} {r['articles_per_s']:11.2f} {r['steady_articles_per_s']:14.2f}"
              f"   {sp:6.2f}x / {sp2:5.2f}x      {r['worker_peak_rss_mb']}")
    with open(work / "results.json", "w") as f:
        json.dump({"articles": args.articles, "mean_chars": sum(sizes) / len(sizes), "results": results}, f, indent=1)


# ----------------------------------------------------------------------------- kill -9
def cmd_kill(args) -> None:
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    inp = work / f"kill-corpus-{args.articles}.jsonl"
    if not inp.exists():
        write_corpus(inp, args.articles, seed=args.seed + 1, min_words=args.min_words, max_words=args.max_words)
        with open(inp, "a", encoding="utf-8") as f:  # a few bad rows too
            f.write("{not json\n" + json.dumps({"id": "empty", "text": "  "}) + "\n")
    ref, out = work / "kill-ref.parquet", work / "kill-out.parquet"
    import shutil

    for p in (ref, out):
        shutil.rmtree(p.with_name(p.name + ".parts"), ignore_errors=True)
        p.unlink(missing_ok=True)

    def start(o: Path) -> subprocess.Popen:
        cmd = _one_cmd(args, "local", args.workers, args.threads, inp, o)
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

    t = time.perf_counter()
    p = start(ref)
    ref_parts = ref.with_name(ref.name + ".parts")
    first_part_s = None
    while p.poll() is None:  # when does the first part appear? (start-up: imports, model load)
        if first_part_s is None and any(ref_parts.glob("part-*.parquet")):
            first_part_s = time.perf_counter() - t
        time.sleep(0.02)
    assert p.returncode == 0, p.stderr.read().decode()[-2000:]
    ref_s = time.perf_counter() - t
    startup = first_part_s or 0.0
    print(f"reference run: {ref_s:.1f}s (first part after {startup:.1f}s)", flush=True)
    rng = random.Random(args.seed)
    parts_dir = out.with_name(out.name + ".parts")
    log = []
    for k in range(args.kills):
        p = start(out)
        # kill at a random moment between start-up and a quarter of the work: during reads, analysis or writes
        delay = rng.uniform(0.8, 1.0) * startup + rng.uniform(0.0, 0.3) * (ref_s - startup)
        time.sleep(delay)
        killed = p.poll() is None
        if killed:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        n_parts = len(list(parts_dir.glob("part-*.parquet")))
        log.append({"kill": k + 1, "after_s": round(delay, 2), "killed": killed, "parts_done": n_parts})
        print(log[-1], flush=True)
    p = start(out)
    assert p.wait() == 0, p.stderr.read().decode()[-2000:]
    final = json.loads(p.stdout.read().decode().strip().splitlines()[-1])
    import pyarrow.parquet as pq

    ids = pq.read_table(out, columns=["id"]).column("id").to_pylist()
    ok_once = len(ids) == len(set(ids)) == args.articles
    same = out.read_bytes() == ref.read_bytes()
    same_err = out.with_name("kill-out.errors.jsonl").read_bytes() == ref.with_name("kill-ref.errors.jsonl").read_bytes()
    res = {"articles": args.articles, "kills": log, "resume": final, "every_id_once": ok_once,
           "parquet_byte_identical": same, "errors_byte_identical": same_err}
    print(json.dumps(res))
    with open(work / "kill-results.json", "w") as f:
        json.dump(res, f, indent=1)
    if not (ok_once and same and same_err):
        raise SystemExit("kill -9 check FAILED")
    print("kill -9 check passed")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("--model", default=None, help="model folder (default: the built-in model)")
        p.add_argument("--lexicon", action="store_true", help="use the lexicon test detector instead of a model")
        p.add_argument("--chunk-size", type=int, default=50)
        p.add_argument("--pipe-batch", type=int, default=8)
        p.add_argument("--onnx-batch", type=int, default=4, help="windows per ONNX call (the measurements in docs/batch.md used 16)")
        p.add_argument("--work-dir", default="/tmp/proplens-bench")
        p.add_argument("--seed", type=int, default=7)
        p.add_argument("--attribution", action="store_true", help="also run attribution (default: the ONNX pipeline only)")

    t = sub.add_parser("throughput")
    common(t)
    t.add_argument("--articles", type=int, default=10_000)
    t.add_argument("--configs", default="local:1:1,local:1:2,local:2:1,ray:1:1,ray:2:1", help="engine:workers:threads,...")
    t.add_argument("--no-resume", dest="resume", action="store_false", help="skip the resumed-run timing")
    k = sub.add_parser("kill")
    common(k)
    k.add_argument("--articles", type=int, default=2000)
    k.add_argument("--kills", type=int, default=5)
    k.add_argument("--workers", type=int, default=2)
    k.add_argument("--threads", type=int, default=1)
    k.add_argument("--min-words", type=int, default=300)
    k.add_argument("--max-words", type=int, default=900)
    o = sub.add_parser("_one")
    common(o)
    o.add_argument("--input", required=True)
    o.add_argument("--out", required=True)
    o.add_argument("--engine", default="local")
    o.add_argument("--workers", type=int, default=1)
    o.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    {"throughput": cmd_throughput, "kill": cmd_kill, "_one": cmd_one}[args.cmd](args)


if __name__ == "__main__":
    main()

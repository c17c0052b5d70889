"""Load benchmark of the REST API: N concurrent clients POST ~600-word articles for T seconds.

Loopback only and bounded in time. By default it starts its own server (``proplens serve`` on a
free 127.0.0.1 port with a fresh SQLite store) and stops it afterwards; ``--url`` targets a
running server instead (it must be a loopback address).

Modes:
  uncached  every request is a new article, so every request runs the model (the default);
  cached    a small pool of articles is analysed once (warm-up), then re-posted: results come from the store cache;
  long      --long-texts articles of --long-chars characters posted at once (they become jobs: 202 + Location),
            each re-posted once while it runs; every job is polled until it ends. Reports per-article times and
            how many analyses were stored.

A request answered 202 (a job) is polled until the job ends; its latency is the time to the stored analysis.
For a server the bench starts, the server's resident memory (RSS, the process and its children) is printed
at rest before the load, right after it, and after --settle seconds of quiet.

Examples
--------
    python bench/api_load.py --clients 16 --duration 60 --mode uncached
    python bench/api_load.py --clients 16 --duration 60 --mode cached
    python bench/api_load.py --url http://127.0.0.1:8000 --clients 4 --duration 10
    python bench/api_load.py --mode long --long-texts 3 --long-chars 190000

Prints requests/s, p50/p90/p99/max latency and the error count (non-201 answers and transport errors).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from urllib.parse import urlsplit

MAX_DURATION = 600.0

# Sentences written for this benchmark (not taken from any data set): neutral and loaded ones.
SENTENCES = [
    "The city council met on Tuesday evening to discuss the budget for the coming year.",
    "Officials said the new bridge would open to traffic in the spring, weeks later than planned.",
    "Residents of the north district have complained about the noise from the construction site for months.",
    "The mayor told reporters that the plan had been studied carefully by independent engineers.",
    "Opponents called the proposal reckless and said it would destroy the character of the old town.",
    "These puppet politicians answer to developers, not to the families who elected them.",
    "Everyone knows the truth, and only a fool would believe the figures published by the council.",
    "A true patriot would never allow our parks to be sold to the highest bidder.",
    "The disastrous decision will go down as the worst ever taken by this administration.",
    "Either we stop them now, or we lose everything our grandparents built with their own hands.",
    "Local shop owners said they were worried about the parking restrictions near the market.",
    "The report, published on Monday, found that air quality had improved slightly over the decade.",
    "Critics argued that the consultation was rushed and that many questions were left unanswered.",
    "Enough is enough: take our town back before these thugs in suits ruin it for good.",
    "The school board voted five to two to extend the lunch break by ten minutes.",
    "Police said the road would remain closed until the investigation was complete.",
    "Ask yourself who really profits from this scheme, because it certainly is not you.",
    "Experts warned that the river could flood again if the embankment is not repaired.",
    "The committee will publish its final recommendations at the end of the month.",
    "They lied to us before, they are lying now, and they will keep lying until we stop them.",
    "The hospital announced that its new wing would add forty beds and a children's ward.",
    "This shameful betrayal of ordinary workers must never be forgotten or forgiven.",
    "Volunteers planted two hundred trees along the river path over the weekend.",
    "The minister's so-called reform is nothing but a smokescreen for more cuts.",
]


def make_article(rng: random.Random, words: int = 600, tag: str = "") -> str:
    out, n = [], 0
    if tag:
        out.append(f"Report {tag}.")
    while n < words:
        s = rng.choice(SENTENCES)
        out.append(s)
        n += len(s.split())
    paras, cur = [], []
    for s in out:
        cur.append(s)
        if len(cur) >= rng.randint(3, 5):
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return "\n\n".join(paras)


def _is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_LEXICON_SERVER = """
import sys, uvicorn
from proplens.analyzer import Analyzer
from proplens.api import Settings, create_app
from proplens.testing import LexiconDetector
an = Analyzer(detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="test")
uvicorn.run(create_app(Settings(db_url=sys.argv[2]), analyzer=an), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def start_server(detector: str, workers: int | None, extra_env: dict[str, str], threads: int | None = None,
                 attribution: bool = True, model: str | None = None, processes: int = 1) -> tuple[subprocess.Popen, str, str]:
    port = _free_port()
    tmp = tempfile.mkdtemp(prefix="proplens-bench-")
    db = f"sqlite:///{tmp}/bench.db"
    env = dict(os.environ, **extra_env)
    if detector == "lexicon":
        cmd = [sys.executable, "-c", _LEXICON_SERVER, str(port), db]
    else:
        cmd = [sys.executable, "-m", "proplens.cli.app", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db,
               "--no-fetch", "--log-level", "warning"]
        if workers:
            cmd += ["--inference-workers", str(workers)]
        if threads:
            cmd += ["--inference-threads", str(threads)]
        if not attribution:
            cmd += ["--no-attribution"]
        if model:
            cmd += ["--model", model]
        if processes > 1:
            cmd += ["--workers", str(processes)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return proc, f"http://127.0.0.1:{port}", tmp


async def wait_ready(url: str, proc: subprocess.Popen | None, timeout: float = 120) -> dict:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=5) as c:
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise SystemExit("the server exited: " + (proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""))
            try:
                r = await c.get(url + "/api/v1/health")
                if r.status_code == 200:
                    return r.json()
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    raise SystemExit(f"the server at {url} did not become ready in {timeout:.0f} s")


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process and all its descendants, in MB (Linux /proc; None elsewhere)."""
    def children(p: int) -> list[int]:
        out = []
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    out += [int(x) for x in f.read().split()]
        except OSError:
            pass
        return out

    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            if p == pid:
                return None
        todo += children(p)
    return round(total / 1024, 1)


async def _until_done(c, url: str, r, poll: float = 0.5):
    """The final answer for a POST: itself when 201, else the job polled until it ends (None if it failed)."""
    if r.status_code != 202:
        return r
    loc = url + r.headers["location"]
    while True:
        await asyncio.sleep(poll)
        j = (await c.get(loc)).json()
        if j["status"] == "done":
            return await c.get(url + j["analysis_url"])
        if j["status"] in ("failed", "cancelled"):
            return j


def long_article(seed: int, chars: int) -> str:
    rng = random.Random(seed)
    parts, n = [f"Long report {seed}."], 0
    while n < chars:
        p = make_article(rng, 300, tag=f"{seed}-{len(parts)}")
        parts.append(p)
        n += len(p) + 2
    return "\n\n".join(parts)[:chars]


async def run_long(url: str, texts: int, chars: int, seed: int, timeout: float) -> dict:
    import httpx

    arts = [long_article(seed * 100 + i, chars) for i in range(texts)]
    async with httpx.AsyncClient(timeout=timeout) as c:
        t0 = time.monotonic()

        async def one(i: int):
            body = {"text": arts[i], "source": "bench-long.example", "title": f"long {seed}-{i}"}
            r = await c.post(url + "/api/v1/analyses", json=body)
            first = r.status_code
            again = None
            if r.status_code == 202:  # an impatient client posts it again while it runs
                r2 = await c.post(url + "/api/v1/analyses", json=body)
                again = "same job" if r2.status_code == 202 and r2.json()["id"] == r.json()["id"] else f"HTTP {r2.status_code}"
            final = await _until_done(c, url, r)
            ok = isinstance(final, httpx.Response) and final.status_code == 200 and final.json()["text"] == arts[i]
            return {"first_status": first, "resubmission": again, "ok": ok, "seconds": round(time.monotonic() - t0, 1),
                    "spans": len(final.json()["spans"]) if ok else None}

        results = await asyncio.gather(*(one(i) for i in range(texts)))
        stored = (await c.get(url + "/api/v1/analyses", params={"source": "bench-long.example"})).json()["total"]
    return {"mode": "long", "texts": texts, "chars": chars, "articles": results, "stored_analyses": stored,
            "duration_s": round(time.monotonic() - t0, 1), "errors": sum(1 for x in results if not x["ok"])}


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(q / 100 * (len(xs) - 1)))))
    return xs[k]


async def run_load(url: str, clients: int, duration: float, mode: str, words: int, seed: int, timeout: float) -> dict:
    import httpx

    rng = random.Random(seed)
    pool = [make_article(rng, words, tag=f"pool-{i}") for i in range(8)]
    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as c:
        if mode == "cached":
            for t in pool:  # warm the cache (not measured)
                r = await c.post(url + "/api/v1/analyses", json={"text": t, "source": "bench.example"})
                r.raise_for_status()
        lat: list[float] = []
        errors: Counter[str] = Counter()
        counter = 0
        jobs = 0
        t_start = time.monotonic()
        deadline = t_start + duration

        async def client(ci: int) -> None:
            nonlocal counter, jobs
            crng = random.Random(seed * 1000 + ci)
            while time.monotonic() < deadline:
                counter += 1
                text = crng.choice(pool) if mode == "cached" else make_article(crng, words, tag=f"{seed}-{ci}-{counter}")
                t0 = time.perf_counter()
                try:
                    r = await c.post(url + "/api/v1/analyses", json={"text": text, "source": "bench.example"})
                    ok = r.status_code == 201
                    if r.status_code == 202:  # a job: the latency runs until its analysis is stored
                        jobs += 1
                        final = await _until_done(c, url, r)
                        if not isinstance(final, httpx.Response):
                            errors[f"job {final['status']}"] += 1
                            continue
                        r, ok = final, final.status_code == 200
                    dt = time.perf_counter() - t0
                    if ok:
                        lat.append(dt)
                    else:
                        try:
                            errors[f"HTTP {r.status_code} {r.json()['error']['code']}"] += 1
                        except (ValueError, KeyError, TypeError):
                            errors[f"HTTP {r.status_code}"] += 1
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1

        await asyncio.gather(*(client(i) for i in range(clients)))
        elapsed = time.monotonic() - t_start
    return {
        "mode": mode,
        "clients": clients,
        "duration_s": round(elapsed, 2),
        "words_per_article": words,
        "requests_ok": len(lat),
        "answered_as_jobs": jobs,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "requests_per_s": round(len(lat) / elapsed, 2) if elapsed else 0.0,
        "latency_s": {
            "p50": round(percentile(lat, 50), 3),
            "p90": round(percentile(lat, 90), 3),
            "p99": round(percentile(lat, 99), 3),
            "max": round(max(lat), 3) if lat else float("nan"),
        },
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="A running server (loopback only). Default: start one.")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--duration", type=float, default=60.0, help=f"Seconds of load (at most {MAX_DURATION:.0f}).")
    p.add_argument("--mode", choices=["uncached", "cached", "long"], default="uncached")
    p.add_argument("--long-texts", type=int, default=3, help="--mode long: articles posted at once.")
    p.add_argument("--long-chars", type=int, default=190_000, help="--mode long: characters per article.")
    p.add_argument("--settle", type=float, default=10.0, help="Seconds of quiet before the last memory reading.")
    p.add_argument("--words", type=int, default=600)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=60.0, help="Client-side timeout per request.")
    p.add_argument("--detector", choices=["model", "lexicon"], default="model",
                   help="Server started by the bench: the shipped model, or the test lexicon (measures the API overhead).")
    p.add_argument("--inference-workers", type=int, default=None)
    p.add_argument("--inference-threads", type=int, default=None)
    p.add_argument("--no-attribution", action="store_true", help="Start the server with --no-attribution.")
    p.add_argument("--server-processes", type=int, default=1, help="Start the server with --workers N.")
    p.add_argument("--model", help="Model folder for the server the bench starts (default: the shipped model).")
    p.add_argument("--json", action="store_true", help="Print the result as JSON.")
    args = p.parse_args(argv)
    if not 0 < args.duration <= MAX_DURATION:
        p.error(f"--duration must be in (0, {MAX_DURATION:.0f}]")
    if args.clients < 1 or args.clients > 512:
        p.error("--clients must be in [1, 512]")
    proc = tmp = None
    if args.url:
        if not _is_loopback_url(args.url):
            p.error(f"--url must point at a loopback address (127.0.0.1, ::1, localhost), got {args.url!r}")
        url = args.url.rstrip("/")
    else:
        proc, url, tmp = start_server(args.detector, args.inference_workers, {}, args.inference_threads,
                                      not args.no_attribution, args.model,
                                      args.server_processes)
    try:
        health = asyncio.run(wait_ready(url, proc))
        rss = {"at_rest_mb": rss_mb(proc.pid) if proc else None}
        if args.mode == "long":
            res = asyncio.run(run_long(url, args.long_texts, args.long_chars, args.seed, max(args.timeout, 600)))
        else:
            res = asyncio.run(run_load(url, args.clients, args.duration, args.mode, args.words, args.seed, args.timeout))
        if proc:
            rss["after_load_mb"] = rss_mb(proc.pid)
            time.sleep(args.settle)
            rss["after_settle_mb"] = rss_mb(proc.pid)
            rss["settle_s"] = args.settle
        res["server_rss"] = rss
        res["server"] = {"model": health.get("model"), "database": health.get("database"), "cpus": os.cpu_count()}
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tmp:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    if args.json or args.mode == "long":
        print(json.dumps(res, indent=2))
    else:
        lat = res["latency_s"]
        print(f"mode={res['mode']} clients={res['clients']} duration={res['duration_s']}s words={res['words_per_article']} "
              f"model={res['server']['model']['name']} {res['server']['model']['version']} db={res['server']['database']} cpus={res['server']['cpus']}")
        print(f"requests/s {res['requests_per_s']}  ok {res['requests_ok']}  errors {res['errors']} {res['error_kinds'] or ''}")
        print(f"latency p50 {lat['p50']}s  p90 {lat['p90']}s  p99 {lat['p99']}s  max {lat['max']}s  (answered as jobs: {res['answered_as_jobs']})")
        m = res["server_rss"]
        if m.get("at_rest_mb") is not None:
            print(f"server RSS: at rest {m['at_rest_mb']} MB, after the load {m['after_load_mb']} MB, "
                  f"after {m['settle_s']:g} s quiet {m['after_settle_mb']} MB")
    return 1 if res["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

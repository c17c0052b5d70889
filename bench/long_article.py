"""One very long article through ``proplens analyze``: wall time, CPU time and peak RSS per model (issue 10).

    python bench/long_article.py [--words 50000] [--models default,fast] [--keep DIR] [--no-attribution]
                                 [--no-torch]

The article is generated here from sentences written for this benchmark (nothing is copied from any corpus):
news-like paragraphs mixing neutral reporting with loaded, fearful and flag-waving wording, so that the model
finds spans throughout. The same seed gives the same article. Each model runs
``proplens analyze ARTICLE -f json -o OUT`` in its own subprocess and is reported with its wall time, CPU time
(user + system: steadier than wall time on a shared machine) and peak RSS (the process's ``ru_maxrss``, as
``/usr/bin/time -v`` reports it).
``--keep DIR`` keeps the article and each model's JSON there (to check that
a change leaves the output byte-identical).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_PEOPLE = [
    "Maria Okonkwo",
    "the finance minister",
    "Senator Halvorsen",
    "the mayor of Eastbridge",
    "Dr. Priya Raman",
    "a union spokesman",
    "the defence secretary",
    "Governor Lindqvist",
    "the prime minister",
    "an aid worker",
    "the committee chair",
    "Professor Tomas Ferreira",
    "the police commissioner",
    "a local shop owner",
]
_GROUPS = [
    "the opposition",
    "lawmakers",
    "farmers in the north",
    "teachers",
    "the central bank",
    "hospital staff",
    "the ruling coalition",
    "independent auditors",
    "residents of the old quarter",
    "campaigners",
    "investors",
]
_REPORT = [
    "said",
    "told reporters",
    "wrote in a statement",
    "said in an interview",
    "confirmed",
    "argued",
    "insisted",
    "warned",
    "added",
    "claimed",
]
_NEUTRAL = [
    "the budget for roads and bridges would rise by {n} percent next year",
    "the hearing had been moved to {day} because of a scheduling conflict",
    "about {n},000 people had signed the petition by the end of the week",
    "the new clinic in the river district would open in {month}",
    "inflation slowed to {n}.{m} percent in {month}, the lowest figure in two years",
    "the agreement still needs the approval of both chambers",
    "the investigation into the contract was expected to take several months",
    "talks with the neighbouring province would resume on {day}",
    "the water utility had replaced {n} kilometres of old pipes since spring",
    "the school year would start a week later than planned",
    "the report was based on interviews with {n}0 officials and experts",
    "turnout in the local election reached {n} percent",
]
_LOADED = [
    "this reckless and shameful scheme will destroy everything our grandparents built",
    "only a traitor could sign such a disgraceful betrayal of our nation",
    "these corrupt elites have lied to ordinary families for decades",
    "the radical mob wants to tear our country apart, brick by brick",
    "if we do nothing now, our children will inherit a wasteland of crime and fear",
    "real patriots will never bow to foreign bureaucrats who despise our way of life",
    "this is the worst catastrophe in the history of the republic",
    "the so-called experts are puppets of the banks, nothing more",
    "everyone already knows the truth, and only cowards pretend otherwise",
    "we must choose: either we stand together or we lose everything",
    "the invasion of cheap imports is a threat to every honest worker",
    "it is time to take back control, now and forever",
    "their disastrous policy has ruined thousands of hard-working families",
    "nobody in their right mind would trust a government that breaks every promise",
]
_OPENERS = [
    "",
    "",
    "On {day}, ",
    "In {month}, ",
    "Meanwhile, ",
    "However, ",
    "Earlier, ",
    "In a speech, ",
    "According to documents seen by this newspaper, ",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _fill(rng: random.Random, s: str) -> str:
    return s.format(
        n=rng.randint(2, 95), m=rng.randint(0, 9), day=rng.choice(_DAYS), month=rng.choice(_MONTHS)
    )


def _sentence(rng: random.Random) -> str:
    who = rng.choice(_PEOPLE + _GROUPS)
    opener = _fill(rng, rng.choice(_OPENERS))
    r = rng.random()
    if r < 0.55:
        s = f"{opener}{who} {rng.choice(_REPORT)} that {_fill(rng, rng.choice(_NEUTRAL))}."
    elif r < 0.85:
        s = f"{opener}{who} {rng.choice(_REPORT)} that {rng.choice(_LOADED)}."
    else:
        quote = rng.choice(_LOADED).capitalize()
        s = f'"{quote}!" {who} {rng.choice(["shouted", "told the crowd", "said"])}.'
    return s[0].upper() + s[1:]


def make_long_article(n_words: int = 50_000, seed: int = 10) -> str:
    """A title, an empty line, and ``n_words`` words in paragraphs of 2-6 sentences (one paragraph per line,
    blank lines between)."""
    rng = random.Random(seed)
    title = (
        "Budget row deepens as " + rng.choice(_GROUPS) + " and " + rng.choice(_GROUPS) + " trade accusations"
    )
    words, paras = 0, []
    while words < n_words:
        para = " ".join(_sentence(rng) for _ in range(rng.randint(2, 6)))
        paras.append(para)
        words += len(para.split())
    return title + "\n\n" + "\n\n".join(paras) + "\n"


# Where torch is installed (the [train] extra), ``import spacy`` imports it through thinc: ~230 MB more RSS
# for nothing attribution uses. --no-torch runs as an install without it would (torch made unimportable).
_NO_TORCH = "import sys; sys.modules['torch'] = None; "


def run_one(article: Path, model: str, out: Path, attribution: bool, no_torch: bool = False) -> dict:
    """``proplens analyze`` in a subprocess: wall seconds, peak RSS (MB) and the JSON's size."""
    cmd = [
        sys.executable,
        "-c",
        (_NO_TORCH if no_torch else "") + "from proplens.cli.app import main; main()",
        "analyze",
        str(article),
        "-f",
        "json",
        "-o",
        str(out),
        "--model",
        model,
        "--no-progress",
    ] + ([] if attribution else ["--no-attribution"])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    # ru_maxrss of RUSAGE_CHILDREN is the largest of all waited-for children: main() runs each model from a
    # fresh parent, so it is this run's.
    return {
        "model": model,
        "seconds": dt,
        "cpu_seconds": cpu,
        "peak_rss_mb": after.ru_maxrss / 1024,
        "json_bytes": out.stat().st_size,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--models", default="default,fast")
    ap.add_argument(
        "--keep", type=Path, default=None, help="Keep the article and each model's JSON in this folder."
    )
    ap.add_argument("--no-attribution", dest="attribution", action="store_false")
    ap.add_argument("--no-torch", action="store_true", help="Run as without torch installed (see _NO_TORCH).")
    ap.add_argument("--_one", nargs=3, metavar=("ARTICLE", "MODEL", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._one:  # one model, measured from a fresh parent so that RUSAGE_CHILDREN is that run's alone
        art, model, out = args._one
        r = run_one(Path(art), model, Path(out), args.attribution, args.no_torch)
        print(
            f"{r['model']}\t{r['seconds']:.1f}\t{r['cpu_seconds']:.1f}\t{r['peak_rss_mb']:.0f}\t{r['json_bytes']}"
        )
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="proplens-long-"))
    work.mkdir(parents=True, exist_ok=True)
    text = make_long_article(args.words, args.seed)
    article = work / "article.txt"
    article.write_text(text, encoding="utf-8")
    print(f"article: {len(text.split()):,} words, {len(text):,} characters ({article})")
    print("model\twall s\tCPU s\tpeak RSS MB\tJSON bytes")
    for model in args.models.split(","):
        out = work / f"{model}.json"
        extra = ([] if args.attribution else ["--no-attribution"]) + (["--no-torch"] if args.no_torch else [])
        res = subprocess.run(
            [sys.executable, __file__, "--_one", str(article), model, str(out), *extra],
            capture_output=True,
            text=True,
            env=os.environ,
        )
        if res.returncode != 0:
            raise SystemExit(res.stderr or res.stdout)
        print(res.stdout.strip(), flush=True)


if __name__ == "__main__":
    main()

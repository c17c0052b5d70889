"""Time ``proplens.compare.compare`` on N invented versions of a ~1,000-word story.

Usage::

    python bench/compare.py [--versions 10] [--words 1000] [--real-model]

By default propaganda spans come from the test LexiconDetector (no model needed); ``--real-model``
uses the built-in propaganda model. The story is generated from templates (no corpus text).
CPU time (all threads of this process) bounds the wall time on an otherwise idle machine with one
core; wall time depends on what else runs.
"""

from __future__ import annotations

import argparse
import random
import time

PLACES = ["Avelino", "Brenmark", "Castor Bay", "Dunmore", "Eastfield", "Farlow", "Greywater", "Holt"]
PEOPLE = ["Maria Lopez", "Tomas Varga", "Anika Rao", "Peter Holm", "Lena Ortiz", "Samuel Okafor"]
ROLES = ["the mayor", "a regional official", "the police chief", "a spokesman for the army", "residents", "the health ministry"]
VERBS = ["said", "told reporters", "confirmed", "warned", "added", "claimed"]
FACTS = [
    "{n} families were moved to shelters in {p} after the river burst its banks",
    "the water rose by {n} centimetres overnight near the old bridge in {p}",
    "crews cleared {n} roads around {p} before the second wave of rain arrived",
    "at least {n} schools in {p} will stay closed until the end of the week",
    "the council in {p} has set aside {n} thousand euros for repairs",
    "volunteers in {p} filled {n} sandbags during the night",
]
FRAMING = [
    "The reckless authorities ignored every warning.",
    "Everyone knows the disastrous plan was doomed from the start.",
    "Local thugs looted shops while officials looked away.",
]


def make_story(n_words: int, rng: random.Random) -> list[str]:
    sents, words = [], 0
    while words < n_words:
        fact = rng.choice(FACTS).format(n=rng.randint(2, 900), p=rng.choice(PLACES))
        if rng.random() < 0.5:
            who = rng.choice(PEOPLE + ROLES)
            s = f"{fact[0].upper()}{fact[1:]}, {who} {rng.choice(VERBS)}."
        else:
            s = f"{fact[0].upper()}{fact[1:]}."
        sents.append(s)
        words += len(s.split())
    return sents


def make_version(base: list[str], rng: random.Random) -> str:
    sents = list(base)
    paras = [sents[i : i + 4] for i in range(0, len(sents), 4)]
    rng.shuffle(paras)  # reordered paragraphs
    out = []
    for para in paras:
        kept = []
        for s in para:
            r = rng.random()
            if r < 0.08:
                continue  # dropped
            if r < 0.18:
                s = s.replace(" said.", " claimed.").replace("at least", "more than")  # reworded
            if r < 0.22:
                s = " ".join(str(int(w) + 1) if w.isdigit() else w for w in s.split(" "))  # changed number
            kept.append(s)
        if rng.random() < 0.2:
            kept.append(rng.choice(FRAMING))  # added framing
        out.append(" ".join(kept))
    return "\n\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--versions", type=int, default=10)
    ap.add_argument("--words", type=int, default=1000)
    ap.add_argument("--real-model", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from proplens.analyzer import Analyzer
    from proplens.attribution.pipeline import load_spacy
    from proplens.compare import CompareInput, compare, embed
    from proplens.testing import LexiconDetector

    rng = random.Random(args.seed)
    base = make_story(args.words, rng)
    texts = [make_version(base, rng) for _ in range(args.versions)]
    if args.real_model:
        analyzer = Analyzer(attribution=False)
    else:
        analyzer = Analyzer(detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="test")
    t0 = time.perf_counter()
    load_spacy()
    embed(["warm up"])
    analyzer("Warm up text.")
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    c = compare([CompareInput(f"v{i}", t) for i, t in enumerate(texts)], analyzer=analyzer)
    t_cmp = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    words = [len(t.split()) for t in texts]
    statuses = {s: sum(1 for r in c.alignment if r["status"] == s) for s in ("shared", "reworded", "only")}
    print(f"{args.versions} versions, {min(words)}-{max(words)} words each; model load {t_load:.1f} s; "
          f"compare {t_cmp:.2f} s wall, {cpu:.2f} s CPU (all threads); rows {statuses}")
    print("v1:", c.summary()["v1"])


if __name__ == "__main__":
    main()

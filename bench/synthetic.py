"""Synthetic news-like articles for benchmarks (written here; nothing copied from any corpus)."""

from __future__ import annotations

import random

_SUBJECTS = ["The minister", "Local officials", "The opposition leader", "A spokesperson for the agency", "Residents",
             "The city council", "Analysts", "The governor", "Protesters", "The company", "Police", "Senior diplomats"]
_VERBS = ["said", "warned", "claimed", "announced", "denied", "insisted", "argued", "told reporters", "confirmed"]
_CLAUSES = ["the new budget would cut funding for schools", "the reckless plan threatens every family in the region",
            "the talks had collapsed after a disgraceful walkout", "prices rose sharply for the third month in a row",
            "the so-called reform is nothing but a power grab", "the bridge will reopen in the spring",
            "nobody can trust a government that lies to its own people", "the report found no evidence of wrongdoing",
            "thousands gathered outside parliament on Tuesday", "the investigation is still ongoing",
            "our nation will never bow to foreign pressure", "the disastrous policy has destroyed thousands of jobs",
            "experts doubt the figures released last week", "the vote was postponed until next month",
            "the radical activists want to tear down everything we built", "trade between the two countries grew by 4 percent"]
_OPENERS = ["On Monday,", "Earlier this week,", "In a statement,", "Meanwhile,", "However,", "According to sources,", ""]


def make_article(rng: random.Random, n_words: int = 600) -> str:
    """A title line, an empty line, and paragraphs of plausible sentences totalling about ``n_words`` words."""
    title = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_CLAUSES)}".capitalize()
    words, paras, para = 0, [], []
    while words < n_words:
        s = f"{rng.choice(_OPENERS)} {rng.choice(_SUBJECTS).lower() if rng.random() < 0.3 else rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} that {rng.choice(_CLAUSES)}."
        s = s.strip()
        s = s[0].upper() + s[1:]
        para.append(s)
        words += len(s.split())
        if len(para) >= rng.randint(2, 5):
            paras.append(" ".join(para))
            para = []
    if para:
        paras.append(" ".join(para))
    return title + "\n\n" + "\n\n".join(paras) + "\n"


def make_articles(n: int, *, n_words: int = 600, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [make_article(rng, n_words) for _ in range(n)]

"""Count the attribution error types of issue 11 on a PolNeAR-format JSONL file (the dev split).

Usage::

    python bench/attribution_errors.py /work/shared/data/polnear/dev.jsonl [--docs dev.spacy] [--model DIR]

For each type, the gold attributions (or, for typing, the predicted sources) that have the construction,
and how many of them the model gets wrong:

- ``clause_final_source``: the source follows the cue, after the content ("“…,” said X", "stated a former
  chief …"). Wrong when no prediction is matched or its source misses the gold source.
- ``relative_clause_source``: the gold source holds a relative or participial clause ("Russia, which …
  battles, said"). Wrong when the matched source or content misses gold, or an unmatched predicted cue lies
  inside the gold source ("this week").
- ``time_adjunct``: a date or time phrase sits between the cue and the content ("warned on Sunday that").
  Wrong when the matched cue or content takes a token of it, or the content is missed.
- ``coordinated_source``: the gold source coordinates two or more sources ("Residents and the district
  governor"). Wrong when the matched content or source misses gold, the source covers only one conjunct,
  or an unmatched predicted cue lies inside the gold content.
- ``source_typing``: predicted sources without a PERSON entity whose head is a nationality noun ("a
  Frenchman", which spaCy often labels ORG) or a noun for a person (chief, man, villager, …), typed as an
  organisation or government (no gold types in PolNeAR, so this counts predictions, not gold).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

PERSON_NOUNS = {
    "man", "woman", "men", "women", "chief", "villager", "farmer", "resident", "father", "mother",
    "son", "daughter", "boy", "girl", "child", "fighter", "soldier", "voter", "student", "teacher",
    "worker", "driver", "survivor", "witness", "doctor", "nurse", "neighbor", "neighbour", "friend",
    "wife", "husband", "brother", "sister", "supporter", "activist", "protester", "veteran", "refugee",
    "citizen", "person", "people", "guy",
}
TYPES = (
    "clause_final_source", "relative_clause_source", "time_adjunct", "coordinated_source", "source_typing",
)


def _tokens(doc, spans):
    out = []
    for s, e in spans or ():
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is not None:
            out.extend(t.i for t in span if not t.is_space)
    return sorted(set(out))


def _overlap(a, b) -> bool:
    return any(min(e1, e2) > max(s1, s2) for s1, e1 in a or () for s2, e2 in b or ())


def _inside(spans, outer) -> bool:
    return bool(spans) and all(any(os <= s and e <= oe for os, oe in outer) for s, e in spans)


def _time_gap(doc, g):
    """Date/time tokens between the end of the gold cue and the start of the gold content."""
    if not g.get("cue") or not g.get("content"):
        return []
    cue_end = max(e for _, e in g["cue"])
    con_start = min(s for s, _ in g["content"])
    if con_start <= cue_end:
        return []
    return [t.i for t in doc if cue_end <= t.idx < con_start and t.ent_type_ in ("DATE", "TIME")]


def classify(doc, pred, gold, pairs) -> dict[str, list[int]]:
    """Per type, ``[n_instances, n_wrong]`` for one document."""
    out = {t: [0, 0] for t in TYPES}
    by_gold = {j: i for i, j in pairs}
    matched_pred = {i for i, _ in pairs}
    stray = [p for k, p in enumerate(pred) if k not in matched_pred]
    for j, g in enumerate(gold):
        p = pred[by_gold[j]] if j in by_gold else None
        src, cue, con = g.get("source"), g.get("cue"), g.get("content")
        src_toks = _tokens(doc, src)
        cue_start = min(s for s, _ in cue) if cue else 0
        src_after_cue = src and cue and min(s for s, _ in src) > max(s for s, _ in cue)
        if src_after_cue and con and min(s for s, _ in con) < cue_start:
            out["clause_final_source"][0] += 1
            if p is None or not _overlap(p.get("source"), src):
                out["clause_final_source"][1] += 1
        if src_toks and any(doc[i].dep_ in ("relcl", "acl") and doc[i].head.i in src_toks for i in src_toks):
            out["relative_clause_source"][0] += 1
            bad = p is None or not _overlap(p.get("source"), src)
            bad = bad or (con and not _overlap(p.get("content"), con))
            bad = bad or any(_inside(q.get("cue"), src) for q in stray)
            out["relative_clause_source"][1] += int(bool(bad))
        gap = _time_gap(doc, g)
        if gap:
            out["time_adjunct"][0] += 1
            gap_spans = [(doc[i].idx, doc[i].idx + len(doc[i])) for i in gap]
            bad = p is None or _overlap(p.get("cue"), gap_spans) or _overlap(p.get("content"), gap_spans)
            bad = bad or not _overlap(p.get("content"), con)
            out["time_adjunct"][1] += int(bool(bad))
        conj = [i for i in src_toks if doc[i].dep_ == "conj" and doc[i].head.i in src_toks]
        if conj:
            out["coordinated_source"][0] += 1
            bad = p is None or not _overlap(p.get("source"), src)
            bad = bad or (con and not _overlap(p.get("content"), con))
            if not bad:
                ptoks = set(_tokens(doc, p.get("source")))
                heads = {doc[i].head.i for i in conj} | set(conj)
                bad = not heads <= ptoks
            bad = bad or (con and any(_inside(q.get("cue"), con) for q in stray))
            out["coordinated_source"][1] += int(bool(bad))
    for p in pred:
        toks = _tokens(doc, p.get("source"))
        if not toks:
            continue
        roots = [doc[i] for i in toks if doc[i].head.i not in toks or doc[i].head.i == i]
        root = roots[0] if roots else doc[toks[0]]
        if root.ent_type_ == "PERSON" or any(doc[i].ent_type_ == "PERSON" for i in toks):
            continue
        demonym = (root.ent_type_ in ("NORP", "ORG") and root.text[:1].isupper()
                   and root.lower_.endswith(("man", "men", "woman", "women"))) or (
            root.ent_type_ == "NORP" and root.pos_ in ("NOUN", "PROPN") and root.tag_ in ("NN", "NNS"))
        person_noun = root.pos_ == "NOUN" and root.lemma_.lower() in PERSON_NOUNS and root.ent_type_ != "ORG"
        if demonym or person_noun:
            out["source_typing"][0] += 1
            if p.get("source_type") in ("organisation", "government"):
                out["source_typing"][1] += 1
    return out


def main() -> None:
    from proplens.attribution.metrics import match_attributions
    from proplens.attribution.model import DEFAULT_MODEL_DIR
    from proplens.attribution.pipeline import Attributor
    from proplens.attribution.training import load_polnear, parse_docs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--docs", help="DocBin cache of the parsed texts")
    ap.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = load_polnear(args.data)
    docs = parse_docs([r["text"] for r in rows], cache=args.docs)
    att = Attributor(args.model)
    total = Counter()
    wrong = Counter()
    for row, doc in zip(rows, docs, strict=True):
        pred = [a.to_dict() for a in att.from_doc(doc)]
        gold = row["attributions"]
        counts = classify(doc, pred, gold, match_attributions(pred, gold))
        for t, (n, w) in counts.items():
            total[t] += n
            wrong[t] += w
    if args.json:
        print(json.dumps({t: {"instances": total[t], "wrong": wrong[t]} for t in TYPES}, indent=1))
        return
    print(f"{'error type':24}{'instances':>10}{'wrong':>8}{'share':>8}")
    for t in TYPES:
        share = wrong[t] / total[t] if total[t] else 0.0
        print(f"{t:24}{total[t]:>10}{wrong[t]:>8}{share:>8.2f}")


if __name__ == "__main__":
    main()

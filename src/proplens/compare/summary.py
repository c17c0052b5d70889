"""A short plain-English paragraph per version: what it renames, adds, drops and changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

__all__ = ["describe"]

_SMALL = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
WORDING_BAR = 0.1  # new wording at or above this detector probability is named in the paragraph


def _count(n: int, word: str, plural: str | None = None) -> str:
    num = _SMALL[n] if n < len(_SMALL) else str(n)
    return f"{num} {word if n == 1 else (plural or word + 's')}"


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _quote(text: str, limit: int = 60) -> str:
    t = " ".join(text.split())
    if len(t) > limit:
        t = t[: limit - 1].rsplit(" ", 1)[0] + "…"
    return f"“{t}”"


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _technique_phrase(spans) -> str:
    from ..techniques import get_technique

    names = []
    for t, _ in Counter(s["technique"] for s in spans).most_common(2):
        try:
            names.append(get_technique(t).name.lower().replace(" / ", "/").replace(" ", "-"))
        except Exception:  # noqa: BLE001 - an unknown id is shown as it is
            names.append(t)
    return "/".join(names)


def describe(vid: str, ids: Sequence[str], d: dict[str, Any], added_attributed: Sequence[str] = ()) -> str:
    """The paragraph for version ``vid`` from its ``differences`` entry ``d``.

    Examples
    --------
    >>> d = {"substituted_terms": [{"term": "Vafra", "instead_of": "Valley Front", "count": 3}],
    ...      "added_spans": [], "added_wording": [], "added_content": [], "dropped_content": [],
    ...      "changed_numbers": [], "added_sources": [], "dropped_sources": []}
    >>> describe("state", ["wire", "state"], d)
    'Compared with wire: says “Vafra” instead of “Valley Front” (3 times).'
    """
    others = [i for i in ids if i != vid]
    head = (
        f"Compared with {others[0]}"
        if len(others) == 1
        else f"Compared with the others ({', '.join(others)})"
    )
    parts: list[str] = []
    terms = d.get("substituted_terms") or []
    if terms:
        shown = [f"“{t['term']}” instead of “{t['instead_of']}” ({_times(t['count'])})" for t in terms[:2]]
        more = f" (and {_count(len(terms) - 2, 'other substitution')})" if len(terms) > 2 else ""
        parts.append("says " + _join(shown) + more)
    spans = d.get("added_spans") or []
    if spans:
        parts.append(
            f"adds {_count(len(spans), _technique_phrase(spans) + ' phrase')} the detector highlights ("
            + ", ".join(_quote(s["text"], 40) for s in spans[:3])
            + ")"
        )
    wording = [
        w
        for w in d.get("added_wording") or []
        if w.get("score") is not None
        and w["score"] >= WORDING_BAR
        and not any(s["start"] < w["end"] and w["start"] < s["end"] for s in spans)
    ]  # not already named
    if wording:
        parts.append(
            "uses new wording the detector rates as possible propaganda: "
            + ", ".join(f"{_quote(w['text'], 40)} ({w['score']:.2f})" for w in wording[:3])
        )
    if added_attributed:
        who = list(added_attributed[:3])
        parts.append(
            ("adds a passage attributed to " if len(who) == 1 else "adds passages attributed to ")
            + _join(who)
        )
    parts.extend(_content_phrases(d, others))
    if d.get("dropped_sources"):
        parts.append(
            "drops "
            + _count(len(d["dropped_sources"]), "source")
            + " ("
            + ", ".join(s["text"].strip(" ,;:") for s in d["dropped_sources"][:2])
            + ")"
        )
    if d.get("changed_numbers"):
        c = d["changed_numbers"]
        parts.append(
            f"changes {_count(len(c), 'number')} ("
            + ", ".join(f"{x['from']} → {x['to']}" for x in c[:2])
            + (", …" if len(c) > 2 else "")
            + ")"
        )
    if not parts:
        return f"{head}: the same content."
    return f"{head}: " + "; ".join(parts) + "."


def _content_phrases(d: dict[str, Any], others: Sequence[str]) -> list[str]:
    """The "adds ... that X lacks" and "leaves out ..." phrases of :func:`describe`."""
    parts: list[str] = []
    added = d.get("added_content") or []
    sentences = [x for x in added if x["kind"] == "sentence"]
    clauses = [x for x in added if x["kind"] == "clause"]
    if sentences or clauses:
        what = _join(
            [
                p
                for p in (
                    _count(len(sentences), "sentence") if sentences else "",
                    _count(len(clauses), "clause") if clauses else "",
                )
                if p
            ]
        )
        lack = f"that {others[0]} lacks" if len(others) == 1 else "that the others lack"
        parts.append(
            f"adds {what} {lack} ("
            + ", ".join(_quote(x["text"], 50) for x in (sentences + clauses)[:2])
            + ")"
        )
    dropped = d.get("dropped_content") or []
    if dropped:
        gone = [x for x in dropped if x["kind"] == "sentence"] + [
            x for x in dropped if x["kind"] != "sentence"
        ]
        n_sent = sum(1 for x in dropped if x["kind"] == "sentence")
        what = _join(
            [
                p
                for p in (
                    _count(n_sent, "sentence") if n_sent else "",
                    _count(len(dropped) - n_sent, "clause") if len(dropped) > n_sent else "",
                )
                if p
            ]
        )
        parts.append(
            f"leaves out {what} ("
            + ", ".join(_quote(x["text"], 50) for x in gone[:3])
            + (", …" if len(gone) > 3 else "")
            + ")"
        )
    return parts

"""Facts a rewrite can add, drop or change: named entities, numbers and quantities, sources."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Mention", "find_numbers", "find_entities", "entity_key", "source_key", "number_value"]

NUMERIC_LABELS = {"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}
ENTITY_LABELS = {
    "PERSON",
    "ORG",
    "GPE",
    "NORP",
    "LOC",
    "FAC",
    "EVENT",
    "PRODUCT",
    "LAW",
    "WORK_OF_ART",
    "LANGUAGE",
}

_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a hundred": 100,
    "dozen": 12,
    "a dozen": 12,
    "dozens": 24,
    "hundreds": 200,
    "thousands": 2000,
    "a thousand": 1000,
    "thousand": 1000,
}
_SCALE = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "k": 1e3,
    "m": 1e6,
    "bn": 1e9,
}
_NUM = re.compile(
    r"(?<![\w.])(?:[$€£¥]\s?)?\d+(?:[,.]\d+)*(?:\s?%|\s?(?:percent|per "
    r"cent|hundred|thousand|million|billion|trillion|bn|k)\b)?"
    r"|\b(?:"
    + "|".join(sorted((re.escape(w) for w in _WORDS), key=len, reverse=True))
    + r")\b(?:\s(?:hundred|thousand|million|billion))?",
    re.I,
)


@dataclass(frozen=True)
class Mention:
    """A fact mention: its span in the version's text, the text, a comparison key and a label."""

    start: int
    end: int
    text: str
    key: str
    label: str


def number_value(text: str) -> float | None:
    """Numeric value of a number mention ("1,200" -> 1200, "twelve" -> 12, "3.5 million" -> 3.5e6).

    Examples
    --------
    >>> number_value("3.5 million"), number_value("twelve"), number_value("40%")
    (3500000.0, 12.0, 40.0)
    """
    t = text.lower().replace("per cent", "percent").strip()
    t = re.sub(r"^[$€£¥]\s?", "", t)
    scale = 1.0
    m = re.search(r"\s?(hundred|thousand|million|billion|trillion|bn|k)$", t)
    if m and not t[: m.start()].strip() == "":
        scale = _SCALE[m.group(1)]
        t = t[: m.start()].strip()
    t = re.sub(r"\s?(%|percent)$", "", t).strip()
    if t in _WORDS:
        return float(_WORDS[t]) * scale
    t2 = t.replace(",", "")
    try:
        return float(t2) * scale
    except ValueError:
        return None


def find_numbers(doc_or_text, text: str | None = None) -> list[Mention]:
    """Numbers and quantities: a regex over the text plus spaCy CARDINAL/QUANTITY/MONEY/PERCENT entities.

    Years (four digits 1800-2100 with no unit) and date entities are skipped.
    """
    if text is None:
        text = doc_or_text if isinstance(doc_or_text, str) else doc_or_text.text
    spans: dict[tuple[int, int], str] = {}
    for m in _NUM.finditer(text):
        spans[(m.start(), m.end())] = "NUMBER"
    if not isinstance(doc_or_text, str):
        for ent in doc_or_text.ents:
            if ent.label_ in NUMERIC_LABELS:
                # prefer the regex match inside an entity (the entity may add "about", "some")
                inner = [k for k in spans if ent.start_char <= k[0] and k[1] <= ent.end_char]
                if not inner:
                    spans[(ent.start_char, ent.end_char)] = ent.label_
            elif ent.label_ in ("DATE", "TIME", "ORDINAL"):
                for k in [k for k in spans if ent.start_char <= k[0] and k[1] <= ent.end_char]:
                    del spans[k]
    out = []
    for (s, e), label in sorted(spans.items()):
        t = text[s:e]
        if re.fullmatch(r"(1[89]|20)\d\d", t):
            continue
        val = number_value(t)
        if val is None and label == "NUMBER":
            continue
        if t.lower() in ("one",) and label == "NUMBER":
            continue  # "one of the sources" is rarely a fact
        unit = "%" if re.search(r"%|percent|per cent", t, re.I) else "$" if t[:1] in "$€£¥" else ""
        key = f"{val:g}{unit}" if val is not None else t.lower()
        out.append(Mention(s, e, t, key, label))
    return out


def entity_key(text: str) -> str:
    """Comparison key of an entity: lowercase, no leading article or possessive, single spaces."""
    t = re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()
    t = re.sub(r"^(the|a|an) ", "", t)
    t = re.sub(r"'s?$", "", t)
    return t


def find_entities(doc) -> list[Mention]:
    """Named entities (people, organisations, places, groups, events ...) of a spaCy ``Doc``."""
    return [
        Mention(e.start_char, e.end_char, e.text, entity_key(e.text), e.label_)
        for e in doc.ents
        if e.label_ in ENTITY_LABELS and entity_key(e.text) and not _is_dateline(doc, e)
    ]


def _is_dateline(doc, ent) -> bool:
    """An all-capitals place opening a line before "(AGENCY)" or a dash: "KABUL (AFP) -"."""
    if not ent.text.isupper() or len(ent.text) < 3:
        return False
    if ent.start > 0 and "\n" not in doc[ent.start - 1].text_with_ws:
        return False
    nxt = doc[ent.end].text if ent.end < len(doc) else ""
    return nxt in ("(", "-", "—", "–", ",", ":")


_DROP_WORDS = {
    "the",
    "a",
    "an",
    "one",
    "of",
    "some",
    "local",
    "his",
    "her",
    "its",
    "their",
    "also",
    "both",
    "'s",
    "s",
}


def source_key(text: str) -> frozenset:
    """Words that identify a source (lowercase, stopwords and plural -s removed) for fuzzy matching."""
    words = re.findall(r"\w+", text.lower().replace("’", "'"))
    return frozenset(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in words
        if w not in _DROP_WORDS
    )

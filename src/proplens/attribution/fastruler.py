"""A faster, equivalent ``match`` for spaCy's ``attribute_ruler`` (tag -> POS/morph/lemma rules).

The stock component runs a ``Matcher`` of ~180 patterns over every token, about a sixth of the
en_core_web_sm pipeline's time. Nearly all patterns are single tokens testing the token's text and
its TAG/DEP, so their matches at a token are a function of (ORTH, TAG, DEP): we match each distinct
triple once (with the stock ``Matcher``, on that one token) and remember the result. The few
fixed-length multi-token patterns ("gon na", "there is") run, with a ``Matcher`` of their own, only
where their first token matches (also remembered per triple). The sorted match list is the stock
one, and ``set_annotations`` (unchanged) applies it.
"""

from __future__ import annotations

__all__ = ["MemoRulerMatch", "speed_up_attribute_ruler"]

# Token keys whose value is fixed by (ORTH, TAG, DEP): lexeme attributes of the orth, and TAG, DEP.
_MEMO_KEYS = {"ORTH", "TEXT", "LOWER", "IS_SPACE", "TAG", "DEP"}
_MEMO_MAX = 500_000  # bound the memo's memory on endless streams of new words


def _memo_ok(token_pattern: dict) -> bool:
    return all(isinstance(k, str) and k.upper() in _MEMO_KEYS for k in token_pattern)


class MemoRulerMatch:
    """Drop-in for ``AttributeRuler.match``: the same sorted ``(attr_id, match_id, start, end)`` list."""

    def __init__(self, ruler) -> None:
        from spacy.matcher import Matcher

        self.vocab = ruler.vocab
        self.single = Matcher(self.vocab)
        self.multi = Matcher(self.vocab)
        self.firsts = Matcher(self.vocab)  # first tokens of the multi-token patterns
        self.multi_len = 0
        # multi-token patterns are looked for only at their first tokens when all are fixed-length
        self.multi_anywhere = False
        for i in range(len(ruler.attrs)):
            key = str(i)
            _, patterns = ruler.matcher.get(key)
            if all(len(p) == 1 and _memo_ok(p[0]) for p in patterns):
                self.single.add(key, patterns)
                continue
            self.multi.add(key, patterns)
            self.firsts.add(key, [p[:1] for p in patterns])
            self.multi_len = max(self.multi_len, max(len(p) for p in patterns))
            if not all(_memo_ok(p[0]) and not any("OP" in t or "op" in t for t in p) for p in patterns):
                self.multi_anywhere = True
        self.memo: dict[tuple[int, int, int], tuple[tuple[int, ...], bool]] = {}
        # match id (hash of the rule's key "i") -> i, as int(strings[match_id]) in the stock match
        self.rule_number = {self.vocab.strings[str(i)]: i for i in range(len(ruler.attrs))}

    def _lookup(self, span) -> tuple[tuple[int, ...], bool]:
        ids = tuple(m for m, _, _ in self.single(span, allow_missing=True, as_spans=False))
        return ids, bool(len(self.firsts) and self.firsts(span, allow_missing=True, as_spans=False))

    def __call__(self, doc):
        from spacy.attrs import DEP, ORTH, TAG

        anywhere = self.multi_anywhere and len(self.multi)
        matches = list(self.multi(doc, allow_missing=True, as_spans=False)) if anywhere else []
        memo = self.memo
        n = len(doc)
        if n:
            for i, key in enumerate(map(tuple, doc.to_array([ORTH, TAG, DEP]).tolist())):
                hit = memo.get(key)
                if hit is None:
                    hit = self._lookup(doc[i : i + 1])
                    if len(memo) < _MEMO_MAX:
                        memo[key] = hit
                ids, starts_multi = hit
                for m in ids:
                    matches.append((m, i, i + 1))
                if starts_multi and not anywhere:
                    # a fixed-length pattern starting here lies within the next multi_len tokens;
                    # the Matcher's offsets are relative to the span
                    for m, s, e in self.multi(
                        doc[i : min(n, i + self.multi_len)], allow_missing=True, as_spans=False
                    ):
                        if s == 0:
                            matches.append((m, i, i + e))
        # as AttributeRuler.match: sorted by rule number, so later rules win
        num = self.rule_number
        out = [(num[m], m, s, e) for m, s, e in matches]
        out.sort()
        return out


def speed_up_attribute_ruler(nlp) -> bool:
    """Give ``nlp``'s attribute_ruler the memoised match (same output); False if it has none."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    ruler = nlp.get_pipe("attribute_ruler")
    ruler.match = MemoRulerMatch(ruler)
    return True

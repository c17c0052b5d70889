"""Feature strings for the attribution taggers, computed from a spaCy ``Doc``.

Two feature sets share one hashing trick (CRC32 into ``N_FEATURES`` buckets), so the learned weights
are a dense ``(N_FEATURES, n_classes)`` matrix and inference needs only numpy:

* :func:`cue_features` — one list per token, for the cue tagger (labels O/B/I);
* :func:`pair_features` — one list per (cue, token) pair in the cue's sentence, for the role
  classifier (labels O/SOURCE/CONTENT).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

__all__ = ["N_FEATURES", "quote_mask", "cue_features", "pair_features", "hash_features", "dep_path"]

N_FEATURES = 1 << 18

_OPEN_QUOTES = {"“", "«", "„"}
_CLOSE_QUOTES = {"”", "»"}


def quote_mask(doc) -> list[bool]:
    """For each token, whether it lies inside double quotes (curly quotes pair; straight quotes toggle)."""
    inside = False
    out = []
    for tok in doc:
        t = tok.text
        if t in _OPEN_QUOTES:
            inside = True
            out.append(False)
            continue
        if t in _CLOSE_QUOTES:
            inside = False
            out.append(False)
            continue
        if t == '"' or t == "''" or t == "``":
            inside = not inside
            out.append(False)
            continue
        if tok.is_sent_start and tok.i > 0 and doc[tok.i - 1].text == "\n\n":
            inside = False
        out.append(inside)
    return out


def _lem(tok) -> str:
    return tok.lemma_.lower()


def cue_features(doc, in_quote: Sequence[bool]) -> list[list[str]]:
    """Feature strings for each token of ``doc`` (cue tagging): lemma, word, tags and dependency of the token
    and its head, neighbouring lemmas, quote state, shape, entity type, child dependencies, a quoted child."""
    from .fastfeatures import DocArrays, cue_feature_strings  # fastfeatures imports this module

    flat, lens = cue_feature_strings(DocArrays(doc), in_quote)
    rows: list[list[str]] = []
    k = 0
    for n in lens:
        rows.append(flat[k : k + n])
        k += n
    return rows


def _ancestors(tok) -> list:
    out = [tok]
    while out[-1].head.i != out[-1].i and len(out) < 40:
        out.append(out[-1].head)
    return out


def dep_path(tok, cue, max_len: int = 6) -> str:
    """Dependency path from ``tok`` up to the common ancestor and down to ``cue`` (labels with arrows)."""
    up = _ancestors(tok)
    down = _ancestors(cue)
    down_index = {t.i: k for k, t in enumerate(down)}
    for k, t in enumerate(up):
        if t.i in down_index:
            j = down_index[t.i]
            parts = ["^" + x.dep_ for x in up[:k]] + ["v" + x.dep_ for x in reversed(down[:j])]
            if len(parts) > max_len:
                return "long"
            return "".join(parts) or "self"
    return "none"


def pair_features(
    doc, cue_tokens: Sequence[int], sent, in_quote: Sequence[bool], cue_set: set[int]
) -> list[list[str]]:
    """Feature strings for every token of ``sent`` relative to one cue (role classification).

    Parameters
    ----------
    doc : spacy.tokens.Doc
    cue_tokens : sequence of int
        Token indices of the cue (non-empty).
    sent : spacy.tokens.Span
        The cue's sentence; one feature list per token of it.
    in_quote : sequence of bool
        :func:`quote_mask` of the doc.
    cue_set : set of int
        Token indices of every cue in the doc (to notice a token governed by another cue).
    """
    head = min((doc[i] for i in cue_tokens), key=lambda t: (len(_ancestors(t)), t.i))
    cue_lem = " ".join(_lem(doc[i]) for i in cue_tokens)
    c0, c1 = min(cue_tokens), max(cue_tokens)
    cue_q = in_quote[head.i]
    own = set(cue_tokens)
    feats = []
    for tok in sent:
        i = tok.i
        if i in own:
            feats.append(["cue_self"])
            continue
        side = "L" if i < c0 else "R"
        dist = c0 - i if i < c0 else i - c1
        db = (
            "1"
            if dist <= 1
            else "2"
            if dist <= 2
            else "4"
            if dist <= 4
            else "8"
            if dist <= 8
            else "16"
            if dist <= 16
            else "far"
        )
        path = dep_path(tok, head)
        anc = _ancestors(tok)
        # nearest cue among this token's ancestors (excluding itself): is it ours?
        gov = "none"
        for a in anc[1:]:
            if a.i in own:
                gov = "own"
                break
            if a.i in cue_set:
                gov = "other"
                break
        between_other = any(j in cue_set and j not in own for j in range(min(i, c0) + 1, max(i, c1)))
        in_sub = head.i in {a.i for a in anc}
        q = in_quote[i]
        f = [
            "bias",
            "side=" + side,
            "db=" + side + db,
            "path=" + path,
            "cpath=" + cue_lem + "|" + path,
            "pathside=" + path + "|" + side,
            "gov=" + gov,
            "gov_side=" + gov + "|" + side,
            f"btw={between_other:d}",
            f"sub={in_sub:d}",
            f"sub_side={in_sub:d}|{side}",
            f"q={q:d}|{cue_q:d}",
            f"q_side={q:d}|{side}",
            "p=" + tok.pos_,
            "d=" + tok.dep_,
            "pd=" + tok.pos_ + "|" + tok.dep_,
            "ent=" + tok.ent_type_,
            "cl=" + cue_lem,
            "cl_side=" + cue_lem + "|" + side,
            "cd=" + head.dep_,
            "cd_side=" + head.dep_ + "|" + side,
            "l=" + _lem(tok) if tok.pos_ in ("PRON", "ADP", "PUNCT", "SCONJ", "DET") else "l=open",
        ]
        # first element of the path (how the token attaches) and the top of the path
        if path not in ("long", "none", "self"):
            first = path.split("v")[0] if not path.startswith("v") else ""
            f.append("up=" + first + "|" + side)
            f.append("top=" + path.rsplit("^", 1)[-1][:12])
        feats.append(f)
    return feats


_BUCKETS: dict[str, int] = {}
_BUCKETS_MAX = 1_000_000  # feature strings repeat heavily across tokens and articles; cap the memo's memory


def _bucket(s: str) -> int:
    b = _BUCKETS.get(s)
    if b is None:
        b = zlib.crc32(s.encode("utf-8")) % N_FEATURES
        if len(_BUCKETS) < _BUCKETS_MAX:
            _BUCKETS[s] = b
    return b


def hash_features(feats: list[str]) -> np.ndarray:
    """Hash feature strings to bucket indices (CRC32 mod ``N_FEATURES``, memoised), as int64."""
    return np.fromiter(map(_bucket, feats), dtype=np.int64, count=len(feats))

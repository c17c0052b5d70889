"""Align the sentences of several versions of a story.

Every version is split into sentences; each sentence and (for sentences without a near-copy
elsewhere) each pair of adjacent sentences becomes a *unit* with an embedding. Candidate links between
units of different versions are taken greedily by cosine similarity; a link joins two rows unless that
would put two units of one version into one row or reuse a sentence. Pair units let a merged sentence
in one version align with the two sentences it came from (and a split sentence with its parts).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from ..text import split_sentences
from .gaps import monotone_chain, monotone_matches
from .wording import content_stems, coverage, lexical_overlap

__all__ = ["AlignedRow", "align_versions", "word_diff", "normalize", "SHARED_THRESHOLD", "REWORDED_THRESHOLD"]

SHARED_THRESHOLD = 0.95
REWORDED_THRESHOLD = 0.70
CONTEXT_THRESHOLD = 0.55
PAIR_PENALTY = 0.02
GAP_THRESHOLD = 0.62  # cosine + LEXICAL_WEIGHT * content-word Dice, for sentences between two anchors
LEXICAL_WEIGHT = 0.5
MERGE_COVERAGE = 0.5  # share of each merged sentence's content words the other side must have

_WS = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-"})


def normalize(text: str) -> str:
    """Lowercase, unify quotes and dashes, collapse whitespace (for exact-copy tests)."""
    return _WS.sub(" ", text.translate(_QUOTES)).strip().lower()


@dataclass
class AlignedRow:
    """One row of the alignment: per version, the sentence indices it covers (or none)."""

    units: dict[int, tuple[int, ...]] = field(default_factory=dict)
    similarity: float = 1.0
    status: str = "only"


def _unit_span(sents, unit):
    return (sents[unit[0]][0], sents[unit[-1]][1])


def align_versions(
    texts: Sequence[str],
    embed: Callable[[list[str]], np.ndarray],
    *,
    sentences: Sequence[Sequence[tuple[int, int]]] | None = None,
    reworded_threshold: float = REWORDED_THRESHOLD,
    shared_threshold: float = SHARED_THRESHOLD,
    context_threshold: float = CONTEXT_THRESHOLD,
) -> tuple[list[list[tuple[int, int]]], list[AlignedRow]]:
    """Align sentences across versions.

    Parameters
    ----------
    texts : sequence of str
        The versions' texts.
    embed : callable
        ``embed(list_of_str) -> (n, d)`` unit-norm embeddings.
    sentences : list of list of (start, end), optional
        Sentence offsets per version (default: :func:`proplens.text.split_sentences`).

    Returns
    -------
    sentences : list of list of (start, end)
    rows : list of AlignedRow
        In reading order (by the earliest version that holds each row).
    """
    n = len(texts)
    sents = [list(s) for s in sentences] if sentences is not None else [split_sentences(t) for t in texts]
    # units: single sentences
    unit_ver: list[int] = []
    unit_idx: list[tuple[int, ...]] = []
    unit_txt: list[str] = []
    for v in range(n):
        for i, (s, e) in enumerate(sents[v]):
            unit_ver.append(v)
            unit_idx.append((i,))
            unit_txt.append(texts[v][s:e])
    norm = [normalize(t) for t in unit_txt]
    emb = _embed_unique(unit_txt, embed)
    ver = np.array(unit_ver)
    sim = emb @ emb.T if len(emb) else np.zeros((0, 0))
    # exact copies count as 1.0
    by_norm: dict[str, list[int]] = {}
    for k, t in enumerate(norm):
        by_norm.setdefault(t, []).append(k)
    for ks in by_norm.values():
        for a in ks:
            for b in ks:
                sim[a, b] = 1.0
    # pair units for sentences without a near-copy in some other version
    n_single = len(unit_txt)
    pair_units = []
    for k in range(n_single):
        v = unit_ver[k]
        other = sim[k][ver != v] if n > 1 else np.zeros(0)
        if other.size and other.max() >= shared_threshold:
            continue
        i = unit_idx[k][0]
        if i + 1 < len(sents[v]):
            pair_units.append((v, (i, i + 1)))
    pair_units = list(dict.fromkeys(pair_units))
    # also the pair starting one earlier, so a sentence can be the second half of a merge
    extra = []
    for v, (i, _j) in pair_units:
        if i > 0 and (v, (i - 1, i)) not in pair_units:
            extra.append((v, (i - 1, i)))
    pair_units.extend(dict.fromkeys(extra))
    if pair_units:
        ptxt = [texts[v][sents[v][i][0] : sents[v][j][1]] for v, (i, j) in pair_units]
        pemb = _embed_unique(ptxt, embed)
        for (v, idx), t in zip(pair_units, ptxt, strict=True):
            unit_ver.append(v)
            unit_idx.append(idx)
            unit_txt.append(t)
        emb = np.vstack([emb, pemb])
        ver = np.array(unit_ver)
    n_units = len(unit_txt)
    # candidate links
    cands = []
    if n_units:
        full = emb @ emb.T
        full[:n_single, :n_single] = sim
        for a in range(n_units):
            row = full[a]
            for b in np.nonzero((row >= reworded_threshold - PAIR_PENALTY) & (ver > ver[a]))[0].tolist():
                is_pair = a >= n_single or b >= n_single
                if a >= n_single and b >= n_single:
                    continue  # pair-to-pair adds nothing over two single links
                score = float(row[b]) - (PAIR_PENALTY if is_pair else 0.0)
                if score >= reworded_threshold:
                    cands.append((score, a, int(b)))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    row_of_sent: dict[tuple[int, int], int] = {}
    rows: list[dict[int, int]] = []  # version -> unit id
    row_sims: list[list[float]] = []

    def state(u):
        v = unit_ver[u]
        owners = {row_of_sent.get((v, i)) for i in unit_idx[u]}
        if owners == {None}:
            return "free", None
        if len(owners) == 1 and None not in owners:
            r = owners.pop()
            if rows[r].get(v) == u:
                return "row", r
        return "bad", None

    def attach(r: int, u: int, score: float) -> None:
        """Put free unit ``u`` into row ``r`` unless its version already has a unit there."""
        v = unit_ver[u]
        if v in rows[r]:
            return
        rows[r][v] = u
        row_sims[r].append(score)
        for i in unit_idx[u]:
            row_of_sent[(v, i)] = r

    def merge(ra: int, rb: int, score: float) -> None:
        """Move row ``rb`` into row ``ra`` (their versions do not overlap) and empty it."""
        rows[ra].update(rows[rb])
        row_sims[ra].extend(row_sims[rb] + [score])
        for key, r in list(row_of_sent.items()):
            if r == rb:
                row_of_sent[key] = ra
        rows[rb] = {}
        row_sims[rb] = []

    for score, a, b in cands:
        sa, ra = state(a)
        sb, rb = state(b)
        if sa == "bad" or sb == "bad":
            continue
        va, vb = unit_ver[a], unit_ver[b]
        if sa == "free" and sb == "free":
            rows.append({va: a, vb: b})
            row_sims.append([score])
            r = len(rows) - 1
            for u in (a, b):
                for i in unit_idx[u]:
                    row_of_sent[(unit_ver[u], i)] = r
        elif sa == "row" and sb == "free":
            attach(ra, b, score)
        elif sa == "free" and sb == "row":
            attach(rb, a, score)
        else:
            if ra == rb or set(rows[ra]) & set(rows[rb]):
                continue
            merge(ra, rb, score)
    # gap pass: between rows two versions share, their remaining sentences are aligned in order by
    # embedding plus lexical overlap, one-to-one or two-to-one (a paraphrased, merged or split sentence)
    stems = [content_stems(t) for t in unit_txt]
    unit_of = {(unit_ver[u], unit_idx[u]): u for u in range(len(unit_txt))}

    def new_units(wanted):
        nonlocal emb, ver
        wanted = [k for k in dict.fromkeys(wanted) if k not in unit_of]
        if not wanted:
            return
        txts = [texts[v][sents[v][idx[0]][0] : sents[v][idx[-1]][1]] for v, idx in wanted]
        emb = np.vstack([emb, _embed_unique(txts, embed)])
        for (v, idx), t in zip(wanted, txts, strict=True):
            unit_of[(v, idx)] = len(unit_txt)
            unit_ver.append(v)
            unit_idx.append(idx)
            unit_txt.append(t)
            stems.append(content_stems(t))
        ver = np.array(unit_ver)

    def available(v, i, w):
        r = row_of_sent.get((v, i))
        return r is None or (w not in rows[r] and unit_idx[rows[r][v]] == (i,))

    def merge_covered(v, pair, other):
        """Both halves of a merge share at least half their content words with the other side."""
        return all(coverage(stems[unit_of[(v, (i,))]], stems[other]) >= MERGE_COVERAGE for i in pair)

    def gap_score(a, b):
        return float(emb[a] @ emb[b]) + LEXICAL_WEIGHT * lexical_overlap(stems[a], stems[b])

    for v in range(n):
        for w in range(v + 1, n):
            if not sents[v] or not sents[w]:
                continue
            anchors = {}
            for members in rows:
                if v in members and w in members:
                    iv, iw = unit_idx[members[v]], unit_idx[members[w]]
                    anchors[(iv[0], iw[0])] = (iv[-1], iw[-1])
            chain = monotone_chain(list(anchors))
            bounds = [(-1, -1)] + [anchors[c] for c in chain]
            starts = chain + [(len(sents[v]), len(sents[w]))]
            gaps = []
            for (pv, pw), (sv, sw) in zip(bounds, starts, strict=True):
                gv = [i for i in range(pv + 1, sv) if available(v, i, w)]
                gw = [j for j in range(pw + 1, sw) if available(w, j, v)]
                if gv and gw:
                    gaps.append((gv, gw))
            if not gaps:
                continue

            def free_pairs(x, g):
                return [
                    (x, (i, i + 1))
                    for i, k in pairwise(g)
                    if k == i + 1 and (x, i) not in row_of_sent and (x, k) not in row_of_sent
                ]

            new_units([p for gv, gw in gaps for p in free_pairs(v, gv) + free_pairs(w, gw)])
            for gv, gw in gaps:
                g11 = np.full((len(gv), len(gw)), -np.inf)
                g21 = np.full((len(gv), len(gw)), -np.inf)
                g12 = np.full((len(gv), len(gw)), -np.inf)
                for a, i in enumerate(gv):
                    ua = unit_of[(v, (i,))]
                    pa = unit_of.get((v, (i, i + 1))) if a + 1 < len(gv) and gv[a + 1] == i + 1 else None
                    for b, j in enumerate(gw):
                        ub = unit_of[(w, (j,))]
                        g11[a, b] = gap_score(ua, ub) - GAP_THRESHOLD
                        if pa is not None and merge_covered(v, (i, i + 1), ub):
                            g21[a, b] = gap_score(pa, ub) - GAP_THRESHOLD - PAIR_PENALTY
                        if (
                            b + 1 < len(gw)
                            and gw[b + 1] == j + 1
                            and (w, (j, j + 1)) in unit_of
                            and merge_covered(w, (j, j + 1), ua)
                        ):
                            g12[a, b] = gap_score(ua, unit_of[(w, (j, j + 1))]) - GAP_THRESHOLD - PAIR_PENALTY
                for ia, jb in monotone_matches(g11, g21, g12):
                    a = unit_of[(v, tuple(gv[x] for x in ia))]
                    b = unit_of[(w, tuple(gw[x] for x in jb))]
                    sa, ra = state(a)
                    sb, rb = state(b)
                    score = gap_score(a, b)
                    if sa == "bad" or sb == "bad":
                        continue
                    if sa == "free" and sb == "free":
                        rows.append({v: a, w: b})
                        row_sims.append([score])
                        for u in (a, b):
                            for i in unit_idx[u]:
                                row_of_sent[(unit_ver[u], i)] = len(rows) - 1
                    elif sa == "row" and sb == "free":
                        attach(ra, b, score)
                    elif sa == "free" and sb == "row":
                        attach(rb, a, score)
                    elif ra != rb and not set(rows[ra]) & set(rows[rb]):
                        merge(ra, rb, score)
    # second pass: weaker links between free sentences whose neighbours are aligned (or that both open
    # their documents), e.g. a lead sentence rewritten with new framing
    if n_single:
        pos = {(unit_ver[u], unit_idx[u][0]): u for u in range(n_single)}
        weak = []
        for a in range(n_single):
            for b in np.nonzero(
                (sim[a] >= context_threshold) & (sim[a] < reworded_threshold) & (ver[:n_single] > ver[a])
            )[0].tolist():
                weak.append((float(sim[a, b]), a, int(b)))
        weak.sort(key=lambda c: (-c[0], c[1], c[2]))

        def neighbours_aligned(a, b):
            va, ia = unit_ver[a], unit_idx[a][0]
            vb, ib = unit_ver[b], unit_idx[b][0]
            if ia == 0 and ib == 0:
                return True
            for d in (-1, 1):
                ra = row_of_sent.get((va, ia + d))
                if ra is not None and ra == row_of_sent.get((vb, ib + d)):
                    return True
            return False

        for score, a, b in weak:
            if (unit_ver[a], unit_idx[a][0]) in row_of_sent or (unit_ver[b], unit_idx[b][0]) in row_of_sent:
                continue
            if neighbours_aligned(a, b):
                rows.append({unit_ver[a]: a, unit_ver[b]: b})
                row_sims.append([score])
                row_of_sent[(unit_ver[a], unit_idx[a][0])] = len(rows) - 1
                row_of_sent[(unit_ver[b], unit_idx[b][0])] = len(rows) - 1
        del pos
    # third pass: a row whose sentence in one version was split there absorbs the free neighbour
    # (the pair unit must match the other versions better than the single sentence did)
    if n_single:
        wanted = []
        for members in rows:
            for v, u in members.items():
                if len(members) > 1 and len(unit_idx[u]) == 1:
                    i = unit_idx[u][0]
                    if i + 1 < len(sents[v]) and (v, i + 1) not in row_of_sent:
                        wanted.append((v, (i, i + 1)))
                    if i > 0 and (v, i - 1) not in row_of_sent:
                        wanted.append((v, (i - 1, i)))
        new_units(wanted)
        for members in rows:
            for v, u in list(members.items()):
                if len(unit_idx[u]) != 1:
                    continue
                i = unit_idx[u][0]
                others = [x for w, x in members.items() if w != v]
                if not others:
                    continue
                base = min(gap_score(u, x) for x in others)
                best = None
                for pair in ((i, i + 1), (i - 1, i)):
                    k = pair[0] if pair[1] == i else pair[1]
                    pu = unit_of.get((v, pair))
                    if pu is None or (v, k) in row_of_sent:
                        continue
                    score = min(gap_score(pu, x) for x in others)
                    nb = stems[unit_of[(v, (k,))]]
                    covered = min(coverage(nb, stems[x]) for x in others)
                    if (score > base + 0.05 or (score >= base - 0.05 and covered >= MERGE_COVERAGE)) and (
                        best is None or score > best[0]
                    ):
                        best = (score, pu, k)
                if best is not None:
                    members[v] = best[1]
                    row_of_sent[(v, best[2])] = r
    # fourth pass (three or more versions): a row of the sentences that follow a row's sentences in the
    # same versions joins it when the versions missing from it merged that content into their sentence
    # there ("A. B." in two versions, "A, adding B." in a third)
    _merge_follow_rows(rows, row_of_sent, unit_of, unit_idx, unit_ver, stems, new_units, sents)
    out: list[AlignedRow] = []
    for members in rows:
        if not members:
            continue
        us = list(members.values())
        pair_sims = [
            1.0 if normalize(unit_txt[x]) == normalize(unit_txt[y]) else float(emb[x] @ emb[y])
            for k, x in enumerate(us)
            for y in us[k + 1 :]
        ]
        simv = min(pair_sims) if pair_sims else 1.0
        status = "shared" if _same_words([unit_txt[u] for u in us], simv, shared_threshold) else "reworded"
        out.append(AlignedRow({v: unit_idx[u] for v, u in members.items()}, round(min(1.0, simv), 4), status))
    for v in range(n):
        for i in range(len(sents[v])):
            if (v, i) not in row_of_sent:
                out.append(AlignedRow({v: (i,)}, 1.0, "only"))
    # reading order: position in the earliest version present; rows absent from it follow their
    # predecessor in their own version
    _order_rows(out, n)
    return sents, out


def _merge_follow_rows(rows, row_of_sent, unit_of, unit_idx, unit_ver, stems, new_units, sents) -> None:
    for r1, m1 in enumerate(rows):
        if len(m1) < 2 or any(len(unit_idx[u]) != 1 for u in m1.values()):
            continue
        nxt = {v: row_of_sent.get((v, unit_idx[u][0] + 1)) for v, u in m1.items()}
        for r2 in {r for r in nxt.values() if r is not None and r != r1}:
            m2 = rows[r2]
            if (
                m2
                and all(len(unit_idx[u]) == 1 for u in m2.values())
                and set(m2) < set(m1)
                and all(nxt[v] == r2 for v in m2)
            ):
                break
        else:
            continue
        merged_in = [v for v in m1 if v not in m2]
        if not all(
            coverage(stems[u], stems[m1[v]]) >= MERGE_COVERAGE for v in merged_in for u in m2.values()
        ):
            continue
        pairs = [(v, (unit_idx[m1[v]][0], unit_idx[m1[v]][0] + 1)) for v in m2]
        new_units(pairs)
        for v, pair in pairs:
            m1[v] = unit_of[(v, pair)]
            row_of_sent[(v, pair[1])] = r1
        rows[r2] = {}


def _order_rows(rows: list[AlignedRow], n: int) -> None:
    """Reading order: version 0's order is the skeleton; a row missing from version 0 follows the row
    of the nearest earlier sentence of its own (earliest) version that version 0 also holds."""
    rows.sort(key=lambda row: (min(row.units), row.units[min(row.units)][0]))
    row_of: dict[tuple[int, int], int] = {}
    for k, row in enumerate(rows):
        for v, idx in row.units.items():
            for i in idx:
                row_of[(v, i)] = k
    keys = []
    for k, row in enumerate(rows):
        v = min(row.units)
        if v == 0:
            keys.append((float(k), k))
            continue
        i = row.units[v][0]
        anchor = -1.0
        for j in range(i - 1, -1, -1):
            r = row_of.get((v, j))
            if r is not None and 0 in rows[r].units:
                anchor = float(r)
                break
        keys.append((anchor + 0.001 * (1 + v) + 1e-6 * i, k))
    keys.sort()
    rows[:] = [rows[k] for _, k in keys]


def _same_words(texts: list[str], sim: float, shared_threshold: float) -> bool:
    """Shared: the same words (case and punctuation aside), or near-identical wording and meaning."""
    words = [tuple(w.lower() for w in re.findall(r"\w+", t)) for t in texts]
    if len(set(words)) == 1:
        return True
    if sim < shared_threshold:
        return False
    ref = words[0]
    return all(difflib.SequenceMatcher(a=ref, b=w, autojunk=False).ratio() >= 0.97 for w in words[1:])


def _embed_unique(texts: list[str], embed) -> np.ndarray:
    uniq = list(dict.fromkeys(texts))
    if not uniq:
        return np.zeros((0, 384), dtype=np.float32)
    e = np.asarray(embed(uniq), dtype=np.float32)
    where = {t: k for k, t in enumerate(uniq)}
    return e[[where[t] for t in texts]]


def word_diff(a: str, b: str) -> list[list[str]]:
    """Word-level diff from ``a`` to ``b`` as ``[[op, text], ...]`` with op in equal/delete/insert; each text
    is a slice of ``a`` (delete) or ``b`` (equal, insert), so punctuation keeps its original spacing.

    Examples
    --------
    >>> word_diff("the big dog barked", "the dog barked loudly")
    [['equal', 'the'], ['delete', 'big'], ['equal', 'dog barked'], ['insert', 'loudly']]
    >>> word_diff("fighters, some said", "fighters said")
    [['equal', 'fighters'], ['delete', ', some'], ['equal', 'said']]
    """
    from .wording import token_opcodes, tokens

    ta, tb = tokens(a), tokens(b)
    out: list[list[str]] = []
    for op, i1, i2, j1, j2 in token_opcodes(ta, tb):
        if op == "equal":
            out.append(["equal", b[tb[j1].start : tb[j2 - 1].end]])
        else:
            if i2 > i1:
                out.append(["delete", a[ta[i1].start : ta[i2 - 1].end]])
            if j2 > j1:
                out.append(["insert", b[tb[j1].start : tb[j2 - 1].end]])
    return out

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
    sents = [list(s) for s in sentences] if sentences is not None else [split_sentences(t) for t in texts]
    al = _Aligner(texts, sents, embed)
    al.add_sentence_units()
    al.add_pair_units(shared_threshold)
    al.link_candidates(reworded_threshold)
    # gap pass: between rows two versions share, their remaining sentences are aligned in order by
    # embedding plus lexical overlap, one-to-one or two-to-one (a paraphrased, merged or split sentence)
    al.start_gap_units()
    for v in range(al.n):
        for w in range(v + 1, al.n):
            al.align_gaps(v, w)
    if al.n_single:
        # second pass: weaker links between free sentences whose neighbours are aligned (or that both
        # open their documents), e.g. a lead sentence rewritten with new framing
        al.link_in_context(context_threshold, reworded_threshold)
        # third pass: a row whose sentence in one version was split there absorbs the free neighbour
        # (the pair unit must match the other versions better than the single sentence did)
        al.absorb_split_neighbours()
    # fourth pass (three or more versions): a row of the sentences that follow a row's sentences in the
    # same versions joins it when the versions missing from it merged that content into their sentence
    # there ("A. B." in two versions, "A, adding B." in a third)
    _merge_follow_rows(
        al.rows, al.row_of_sent, al.unit_of, al.unit_idx, al.unit_ver, al.stems, al.new_units, sents
    )
    out = al.aligned_rows(shared_threshold)
    # reading order: position in the earliest version present; rows absent from it follow their
    # predecessor in their own version
    _order_rows(out, al.n)
    return sents, out


class _Aligner:
    """The state of one alignment: units (a sentence or two adjacent ones of one version) with their
    embeddings, and rows (version -> unit) that the passes of :func:`align_versions` build."""

    def __init__(self, texts: Sequence[str], sents: list[list[tuple[int, int]]], embed) -> None:
        self.texts, self.sents, self.embed = texts, sents, embed
        self.n = len(texts)
        self.unit_ver: list[int] = []
        self.unit_idx: list[tuple[int, ...]] = []
        self.unit_txt: list[str] = []
        self.emb: np.ndarray = np.zeros((0, 384), dtype=np.float32)
        self.ver: np.ndarray = np.zeros(0, dtype=np.int64)
        self.sim: np.ndarray = np.zeros((0, 0))
        self.n_single = 0
        self.row_of_sent: dict[tuple[int, int], int] = {}
        self.rows: list[dict[int, int]] = []  # version -> unit id
        self.row_sims: list[list[float]] = []
        self.stems: list[set[str]] = []
        self.unit_of: dict[tuple[int, tuple[int, ...]], int] = {}

    # ---------------------------------------------------------------- units
    def _unit_text(self, v: int, idx: tuple[int, ...]) -> str:
        return self.texts[v][self.sents[v][idx[0]][0] : self.sents[v][idx[-1]][1]]

    def add_sentence_units(self) -> None:
        """Every sentence is a unit; exact copies (normalised) count as similarity 1.0."""
        for v in range(self.n):
            for i, (s, e) in enumerate(self.sents[v]):
                self.unit_ver.append(v)
                self.unit_idx.append((i,))
                self.unit_txt.append(self.texts[v][s:e])
        self.emb = _embed_unique(self.unit_txt, self.embed)
        self.ver = np.array(self.unit_ver)
        self.sim = self.emb @ self.emb.T if len(self.emb) else np.zeros((0, 0))
        by_norm: dict[str, list[int]] = {}
        for k, t in enumerate(normalize(t) for t in self.unit_txt):
            by_norm.setdefault(t, []).append(k)
        for ks in by_norm.values():
            for a in ks:
                for b in ks:
                    self.sim[a, b] = 1.0
        self.n_single = len(self.unit_txt)

    def add_pair_units(self, shared_threshold: float) -> None:
        """Pair units for sentences without a near-copy in some other version, and the pair starting one
        earlier, so a sentence can be the second half of a merge."""
        sim, ver, n = self.sim, self.ver, self.n
        pair_units = []
        for k in range(self.n_single):
            v = self.unit_ver[k]
            other = sim[k][ver != v] if n > 1 else np.zeros(0)
            if other.size and other.max() >= shared_threshold:
                continue
            i = self.unit_idx[k][0]
            if i + 1 < len(self.sents[v]):
                pair_units.append((v, (i, i + 1)))
        pair_units = list(dict.fromkeys(pair_units))
        extra = []
        for v, (i, _j) in pair_units:
            if i > 0 and (v, (i - 1, i)) not in pair_units:
                extra.append((v, (i - 1, i)))
        pair_units.extend(dict.fromkeys(extra))
        if pair_units:
            ptxt = [self._unit_text(v, idx) for v, idx in pair_units]
            pemb = _embed_unique(ptxt, self.embed)
            for (v, idx), t in zip(pair_units, ptxt, strict=True):
                self.unit_ver.append(v)
                self.unit_idx.append(idx)
                self.unit_txt.append(t)
            self.emb = np.vstack([self.emb, pemb])
            self.ver = np.array(self.unit_ver)

    def start_gap_units(self) -> None:
        """Content-word stems and the unit index by (version, sentences), for the later passes."""
        self.stems = [content_stems(t) for t in self.unit_txt]
        self.unit_of = {(self.unit_ver[u], self.unit_idx[u]): u for u in range(len(self.unit_txt))}

    def new_units(self, wanted) -> None:
        """Add (version, sentence indices) units not made yet, with their embeddings."""
        wanted = [k for k in dict.fromkeys(wanted) if k not in self.unit_of]
        if not wanted:
            return
        txts = [self._unit_text(v, idx) for v, idx in wanted]
        self.emb = np.vstack([self.emb, _embed_unique(txts, self.embed)])
        for (v, idx), t in zip(wanted, txts, strict=True):
            self.unit_of[(v, idx)] = len(self.unit_txt)
            self.unit_ver.append(v)
            self.unit_idx.append(idx)
            self.unit_txt.append(t)
            self.stems.append(content_stems(t))
        self.ver = np.array(self.unit_ver)

    # ---------------------------------------------------------------- rows
    def state(self, u: int) -> tuple[str, int | None]:
        """("free", None): no sentence of ``u`` is in a row; ("row", r): ``u`` is row r's unit of its
        version; ("bad", None): some of its sentences belong elsewhere."""
        v = self.unit_ver[u]
        owners = {self.row_of_sent.get((v, i)) for i in self.unit_idx[u]}
        if owners == {None}:
            return "free", None
        if len(owners) == 1 and None not in owners:
            r = owners.pop()
            if r is not None and self.rows[r].get(v) == u:
                return "row", r
        return "bad", None

    def attach(self, r: int, u: int, score: float) -> None:
        """Put free unit ``u`` into row ``r`` unless its version already has a unit there."""
        v = self.unit_ver[u]
        if v in self.rows[r]:
            return
        self.rows[r][v] = u
        self.row_sims[r].append(score)
        for i in self.unit_idx[u]:
            self.row_of_sent[(v, i)] = r

    def merge(self, ra: int, rb: int, score: float) -> None:
        """Move row ``rb`` into row ``ra`` (their versions do not overlap) and empty it."""
        self.rows[ra].update(self.rows[rb])
        self.row_sims[ra].extend(self.row_sims[rb] + [score])
        for key, r in list(self.row_of_sent.items()):
            if r == rb:
                self.row_of_sent[key] = ra
        self.rows[rb] = {}
        self.row_sims[rb] = []

    def link(self, a: int, b: int, score: float) -> None:
        """Join units ``a`` and ``b`` (of two versions): a new row, one joins the other's row, or two rows
        merge; nothing when a sentence is taken or a row would hold two units of one version."""
        sa, ra = self.state(a)
        sb, rb = self.state(b)
        if sa == "bad" or sb == "bad":
            return
        if sa == "free" and sb == "free":
            self.rows.append({self.unit_ver[a]: a, self.unit_ver[b]: b})
            self.row_sims.append([score])
            for u in (a, b):
                for i in self.unit_idx[u]:
                    self.row_of_sent[(self.unit_ver[u], i)] = len(self.rows) - 1
        elif sa == "row" and sb == "free":
            assert ra is not None
            self.attach(ra, b, score)
        elif sa == "free" and sb == "row":
            assert rb is not None
            self.attach(rb, a, score)
        else:
            assert ra is not None and rb is not None
            if ra != rb and not set(self.rows[ra]) & set(self.rows[rb]):
                self.merge(ra, rb, score)

    # ---------------------------------------------------------------- passes
    def link_candidates(self, reworded_threshold: float) -> None:
        """First pass: links between units of different versions, greedily by cosine similarity (a link
        involving a pair unit pays ``PAIR_PENALTY``)."""
        n_units, n_single, ver = len(self.unit_txt), self.n_single, self.ver
        cands = []
        if n_units:
            full = self.emb @ self.emb.T
            full[:n_single, :n_single] = self.sim
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
        for score, a, b in cands:
            self.link(a, b, score)

    def _available(self, v: int, i: int, w: int) -> bool:
        r = self.row_of_sent.get((v, i))
        return r is None or (w not in self.rows[r] and self.unit_idx[self.rows[r][v]] == (i,))

    def _merge_covered(self, v: int, pair: tuple[int, int], other: int) -> bool:
        """Both halves of a merge share at least half their content words with the other side."""
        return all(
            coverage(self.stems[self.unit_of[(v, (i,))]], self.stems[other]) >= MERGE_COVERAGE for i in pair
        )

    def gap_score(self, a: int, b: int) -> float:
        return float(self.emb[a] @ self.emb[b]) + LEXICAL_WEIGHT * lexical_overlap(
            self.stems[a], self.stems[b]
        )

    def _gaps(self, v: int, w: int) -> list[tuple[list[int], list[int]]]:
        """The stretches of sentences of ``v`` and ``w`` between rows both share (monotone anchors)."""
        sents = self.sents
        anchors = {}
        for members in self.rows:
            if v in members and w in members:
                iv, iw = self.unit_idx[members[v]], self.unit_idx[members[w]]
                anchors[(iv[0], iw[0])] = (iv[-1], iw[-1])
        chain = monotone_chain(list(anchors))
        bounds = [(-1, -1)] + [anchors[c] for c in chain]
        starts = chain + [(len(sents[v]), len(sents[w]))]
        gaps = []
        for (pv, pw), (sv, sw) in zip(bounds, starts, strict=True):
            gv = [i for i in range(pv + 1, sv) if self._available(v, i, w)]
            gw = [j for j in range(pw + 1, sw) if self._available(w, j, v)]
            if gv and gw:
                gaps.append((gv, gw))
        return gaps

    def _free_pairs(self, x: int, g: list[int]) -> list[tuple[int, tuple[int, int]]]:
        return [
            (x, (i, i + 1))
            for i, k in pairwise(g)
            if k == i + 1 and (x, i) not in self.row_of_sent and (x, k) not in self.row_of_sent
        ]

    def align_gaps(self, v: int, w: int) -> None:
        """Gap pass for versions ``v`` < ``w``: one-to-one, two-to-one and one-to-two matches in order."""
        if not self.sents[v] or not self.sents[w]:
            return
        gaps = self._gaps(v, w)
        if not gaps:
            return
        self.new_units([p for gv, gw in gaps for p in self._free_pairs(v, gv) + self._free_pairs(w, gw)])
        for gv, gw in gaps:
            g11, g21, g12 = self._gap_gains(v, w, gv, gw)
            for ia, jb in monotone_matches(g11, g21, g12):
                a = self.unit_of[(v, tuple(gv[x] for x in ia))]
                b = self.unit_of[(w, tuple(gw[x] for x in jb))]
                self.link(a, b, self.gap_score(a, b))

    def _gap_gains(self, v: int, w: int, gv: list[int], gw: list[int]):
        unit_of, score = self.unit_of, self.gap_score
        g11 = np.full((len(gv), len(gw)), -np.inf)
        g21 = np.full((len(gv), len(gw)), -np.inf)
        g12 = np.full((len(gv), len(gw)), -np.inf)
        for a, i in enumerate(gv):
            ua = unit_of[(v, (i,))]
            pa = unit_of.get((v, (i, i + 1))) if a + 1 < len(gv) and gv[a + 1] == i + 1 else None
            for b, j in enumerate(gw):
                ub = unit_of[(w, (j,))]
                g11[a, b] = score(ua, ub) - GAP_THRESHOLD
                if pa is not None and self._merge_covered(v, (i, i + 1), ub):
                    g21[a, b] = score(pa, ub) - GAP_THRESHOLD - PAIR_PENALTY
                pb = unit_of.get((w, (j, j + 1)))
                if (
                    b + 1 < len(gw)
                    and gw[b + 1] == j + 1
                    and pb is not None
                    and self._merge_covered(w, (j, j + 1), ua)
                ):
                    g12[a, b] = score(ua, pb) - GAP_THRESHOLD - PAIR_PENALTY
        return g11, g21, g12

    def link_in_context(self, context_threshold: float, reworded_threshold: float) -> None:
        """Second pass: weaker links between free sentences whose neighbours share a row."""
        sim, ver, n_single = self.sim, self.ver, self.n_single
        unit_ver, unit_idx, row_of_sent = self.unit_ver, self.unit_idx, self.row_of_sent
        weak = []
        for a in range(n_single):
            for b in np.nonzero(
                (sim[a] >= context_threshold) & (sim[a] < reworded_threshold) & (ver[:n_single] > ver[a])
            )[0].tolist():
                weak.append((float(sim[a, b]), a, int(b)))
        weak.sort(key=lambda c: (-c[0], c[1], c[2]))
        for score, a, b in weak:
            if (unit_ver[a], unit_idx[a][0]) in row_of_sent or (unit_ver[b], unit_idx[b][0]) in row_of_sent:
                continue
            if self._neighbours_aligned(a, b):
                self.rows.append({unit_ver[a]: a, unit_ver[b]: b})
                self.row_sims.append([score])
                row_of_sent[(unit_ver[a], unit_idx[a][0])] = len(self.rows) - 1
                row_of_sent[(unit_ver[b], unit_idx[b][0])] = len(self.rows) - 1

    def _neighbours_aligned(self, a: int, b: int) -> bool:
        va, ia = self.unit_ver[a], self.unit_idx[a][0]
        vb, ib = self.unit_ver[b], self.unit_idx[b][0]
        if ia == 0 and ib == 0:
            return True
        for d in (-1, 1):
            ra = self.row_of_sent.get((va, ia + d))
            if ra is not None and ra == self.row_of_sent.get((vb, ib + d)):
                return True
        return False

    def absorb_split_neighbours(self) -> None:
        """Third pass: a row's single sentence becomes a pair with its free neighbour when the pair matches
        the row's other units better (or as well, and the neighbour's words are covered there)."""
        unit_idx, row_of_sent = self.unit_idx, self.row_of_sent
        wanted = []
        for members in self.rows:
            for v, u in members.items():
                if len(members) > 1 and len(unit_idx[u]) == 1:
                    i = unit_idx[u][0]
                    if i + 1 < len(self.sents[v]) and (v, i + 1) not in row_of_sent:
                        wanted.append((v, (i, i + 1)))
                    if i > 0 and (v, i - 1) not in row_of_sent:
                        wanted.append((v, (i - 1, i)))
        self.new_units(wanted)
        for r, members in enumerate(self.rows):
            for v, u in list(members.items()):
                if len(unit_idx[u]) != 1:
                    continue
                others = [x for w, x in members.items() if w != v]
                if not others:
                    continue
                best = self._best_pair(v, u, others)
                if best is not None:
                    members[v] = best[1]
                    row_of_sent[(v, best[2])] = r

    def _best_pair(self, v: int, u: int, others: list[int]) -> tuple[float, int, int] | None:
        i = self.unit_idx[u][0]
        base = min(self.gap_score(u, x) for x in others)
        best = None
        for pair in ((i, i + 1), (i - 1, i)):
            k = pair[0] if pair[1] == i else pair[1]
            pu = self.unit_of.get((v, pair))
            if pu is None or (v, k) in self.row_of_sent:
                continue
            score = min(self.gap_score(pu, x) for x in others)
            nb = self.stems[self.unit_of[(v, (k,))]]
            covered = min(coverage(nb, self.stems[x]) for x in others)
            if (score > base + 0.05 or (score >= base - 0.05 and covered >= MERGE_COVERAGE)) and (
                best is None or score > best[0]
            ):
                best = (score, pu, k)
        return best

    def aligned_rows(self, shared_threshold: float) -> list[AlignedRow]:
        """The rows as :class:`AlignedRow` (shared or reworded), plus an "only" row per sentence in none."""
        unit_txt, emb = self.unit_txt, self.emb
        out: list[AlignedRow] = []
        for members in self.rows:
            if not members:
                continue
            us = list(members.values())
            pair_sims = [
                1.0 if normalize(unit_txt[x]) == normalize(unit_txt[y]) else float(emb[x] @ emb[y])
                for k, x in enumerate(us)
                for y in us[k + 1 :]
            ]
            simv = min(pair_sims) if pair_sims else 1.0
            status = (
                "shared" if _same_words([unit_txt[u] for u in us], simv, shared_threshold) else "reworded"
            )
            out.append(
                AlignedRow(
                    {v: self.unit_idx[u] for v, u in members.items()}, round(min(1.0, simv), 4), status
                )
            )
        for v in range(self.n):
            for i in range(len(self.sents[v])):
                if (v, i) not in self.row_of_sent:
                    out.append(AlignedRow({v: (i,)}, 1.0, "only"))
        return out


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

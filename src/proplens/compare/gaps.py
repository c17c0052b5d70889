"""Monotone alignment of the sentences left between two anchors (rows two versions already share).

Between consecutive shared rows, the free sentences of two versions are aligned by dynamic programming
over sentence order: a step skips a sentence of either version, matches one sentence with one, or
matches two adjacent sentences of one version with one of the other (a merge or a split). A match is
worth its score minus a threshold, so only matches above the threshold are taken, and the DP picks the
best order-preserving set of them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["monotone_matches", "monotone_chain"]


def monotone_matches(
    gain11: np.ndarray, gain21: np.ndarray | None = None, gain12: np.ndarray | None = None
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Best order-preserving set of matches between two sequences.

    Parameters
    ----------
    gain11 : ndarray, shape (m, n)
        Gain of matching item ``i`` of the first sequence with item ``j`` of the second (``-inf`` or
        any value ``<= 0`` never matches).
    gain21 : ndarray, shape (m, n), optional
        Gain of matching items ``i, i+1`` of the first sequence with item ``j`` (row ``m-1`` unused).
    gain12 : ndarray, shape (m, n), optional
        Gain of matching item ``i`` with items ``j, j+1`` of the second sequence.

    Returns
    -------
    list of (tuple, tuple)
        Matched index tuples, in order.

    Examples
    --------
    >>> g = np.array([[0.5, -1.0], [-1.0, -1.0], [-1.0, 0.2]])
    >>> monotone_matches(g)
    [((0,), (0,)), ((2,), (1,))]
    >>> g21 = np.array([[-1.0, -1.0], [-1.0, 0.9], [-1.0, -1.0]])
    >>> monotone_matches(g, g21)
    [((0,), (0,)), ((1, 2), (1,))]
    """
    m, n = gain11.shape
    best = np.zeros((m + 1, n + 1))
    back = np.zeros((m + 1, n + 1), dtype=np.int8)  # 0 skip-a, 1 skip-b, 2 one-one, 3 two-one, 4 one-two
    for i in range(m + 1):
        for j in range(n + 1):
            if i == 0 and j == 0:
                continue
            cands: list[tuple[float, int]] = []
            if i > 0:
                cands.append((best[i - 1, j], 0))
            if j > 0:
                cands.append((best[i, j - 1], 1))
            if i > 0 and j > 0 and gain11[i - 1, j - 1] > 0:
                cands.append((best[i - 1, j - 1] + gain11[i - 1, j - 1], 2))
            if gain21 is not None and i > 1 and j > 0 and gain21[i - 2, j - 1] > 0:
                cands.append((best[i - 2, j - 1] + gain21[i - 2, j - 1], 3))
            if gain12 is not None and i > 0 and j > 1 and gain12[i - 1, j - 2] > 0:
                cands.append((best[i - 1, j - 2] + gain12[i - 1, j - 2], 4))
            value, step = max(cands, key=lambda c: (c[0], c[1]))
            best[i, j] = value
            back[i, j] = step
    out: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    i, j = m, n
    while i > 0 or j > 0:
        step = int(back[i, j])
        if step == 0:
            i -= 1
        elif step == 1:
            j -= 1
        elif step == 2:
            out.append(((i - 1,), (j - 1,)))
            i, j = i - 1, j - 1
        elif step == 3:
            out.append(((i - 2, i - 1), (j - 1,)))
            i, j = i - 2, j - 1
        else:
            out.append(((i - 1,), (j - 2, j - 1)))
            i, j = i - 1, j - 2
    return out[::-1]


def monotone_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of ``(a, b)`` pairs increasing in both (pairs sorted by ``a`` first).

    Examples
    --------
    >>> monotone_chain([(0, 0), (1, 3), (2, 1), (3, 2), (4, 4)])
    [(0, 0), (2, 1), (3, 2), (4, 4)]
    """
    pairs = sorted(pairs)
    if not pairs:
        return []
    length = [1] * len(pairs)
    prev = [-1] * len(pairs)
    for k in range(len(pairs)):
        for q in range(k):
            if pairs[q][0] < pairs[k][0] and pairs[q][1] < pairs[k][1] and length[q] + 1 > length[k]:
                length[k], prev[k] = length[q] + 1, q
    k = max(range(len(pairs)), key=lambda x: (length[x], -x))
    out = []
    while k >= 0:
        out.append(pairs[k])
        k = prev[k]
    return out[::-1]

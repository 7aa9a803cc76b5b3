"""An attacker's audit of a published table, independent of the product's own disclosure control.

Every published cell is a sum over inner cells. Given the inner cells that hold respondents
(counted from the raw data, never read from the product) and which cells are published, a
hidden cell is *derivable* when its 0/1 row is a linear combination of published rows: then its
n, its sum and its sum of squares (mean, spread) can be computed from published numbers.

The test is exact: Gaussian elimination over the integers modulo two large primes. A dependency
over the rationals shows up modulo any prime that does not divide its denominators, so a cell is
reported as derivable when it is derivable modulo either prime (missing a leak would need both
primes to divide the same determinant).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import numpy as np

PRIMES = (2_147_483_647, 2_147_483_629)  # both below 2**31: products stay inside int64


def _echelon(rows: np.ndarray, p: int) -> tuple[np.ndarray, list[int]]:
    """Row echelon form of rows mod p (pivots scaled to 1) and the pivot columns."""
    m = rows % p
    pivots: list[int] = []
    r = 0
    for col in range(m.shape[1]):
        if r == m.shape[0]:
            break
        nonzero = np.nonzero(m[r:, col])[0]
        if nonzero.size == 0:
            continue
        i = r + nonzero[0]
        if i != r:
            m[[r, i]] = m[[i, r]]
        m[r] = (m[r] * pow(int(m[r, col]), p - 2, p)) % p
        below = m[r + 1 :, col].copy()
        hit = np.nonzero(below)[0] + r + 1
        if hit.size:
            m[hit] = (m[hit] - np.outer(m[hit, col], m[r]) % p) % p
        pivots.append(col)
        r += 1
    return m[:r], pivots


def _in_span(echelon: np.ndarray, pivots: list[int], targets: np.ndarray, p: int) -> np.ndarray:
    """For each target row: is it in the span of the echelon rows (mod p)?"""
    t = targets % p
    for row, col in zip(echelon, pivots):
        factor = t[:, col].copy()
        hit = np.nonzero(factor)[0]
        if hit.size:
            t[hit] = (t[hit] - np.outer(factor[hit], row) % p) % p
    return ~t.any(axis=1)


def derivable(
    cells: Mapping[Hashable, Iterable[Hashable]], published: set[Hashable]
) -> list[Hashable]:
    """The hidden cells (keys of `cells` not in `published`) whose row is a linear combination of
    the published rows. `cells` maps each cell to the inner cells it sums."""
    inner = sorted({i for members in cells.values() for i in members}, key=repr)
    column = {i: c for c, i in enumerate(inner)}

    def matrix(keys: list[Hashable]) -> np.ndarray:
        m = np.zeros((len(keys), len(inner)), dtype=np.int64)
        for r, key in enumerate(keys):
            for i in cells[key]:
                m[r, column[i]] = 1
        return m

    shown = sorted((k for k in cells if k in published), key=repr)
    hidden = sorted((k for k in cells if k not in published), key=repr)
    if not hidden:
        return []
    targets = matrix(hidden)
    found = np.zeros(len(hidden), dtype=bool)
    if shown:
        rows = matrix(shown)
        for p in PRIMES:
            echelon, pivots = _echelon(rows, p)
            found |= _in_span(echelon, pivots, targets, p)
    return [key for key, hit in zip(hidden, found) if hit]

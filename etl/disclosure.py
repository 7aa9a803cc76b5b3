"""Disclosure control: which cells of the survey and mapping tables may be published.

The problem
-----------
Every number we publish about a group of respondents (a count n, a sum of scores, a sum of
squared scores: mean, standard deviation and interval follow from those) is a *sum over inner
cells*. An inner cell is the smallest group we ever count: one unit (school, kindergarten, …)
and one combination of breakdown categories (grade band × gender for pupils, role for the
mapping), in one round and respondent group. A published *cell* is the sum of the inner cells it
covers: a unit, or an area (municipality, collaboration, county, all) restricted to a breakdown
category (or to none). Written as rows of a 0/1 matrix over the inner cells, anything a reader
can work out from the published numbers is a linear combination of published rows.

A cell with fewer than K respondents is hidden (primary suppression). That is not enough: a
hidden cell can still be *derivable*, i.e. its row can be a linear combination of published rows
(a municipality minus its other units; a county minus its municipalities minus a region …). The
rule we enforce is the one statistics offices use (Statistics Norway's GaussSuppression,
tau-ARGUS): **no primary cell may lie in the row space of the published cells**. Extra cells are
hidden (secondary suppression) until that holds, preferring to hide small cells, and a hidden
cell that stays derivable anyway is published again (hiding it protects nothing).

Because every indicator of a round and respondent group is a sum over the same inner cells, one
pattern decides all of them (and the participation counts): a cell is shown for every indicator
or for none, so the n of one indicator never exposes another.

The algorithm
-------------
Each (round, respondent group, unit type) is an independent *system*: no published number sums
across them. Within a system the greedy step is GaussSuppression's: take the candidate cells in
order of preference (largest first), and publish each one unless publishing it would make a
protected vector derivable. With an orthonormal basis Q of everything published so far, the
test is cheap: a candidate adds the direction q (its residual against Q, normalised); a protected
vector t becomes derivable exactly when its own residual is parallel to q.

To keep the linear algebra small at national scale, the system is solved in two stages that
together are exact:

1. **Areas** (municipality, collaboration, county, all). Units that belong to exactly the same
   areas form an *atom*; an area row only sees an atom through its breakdown margins, a space of
   dimension ≤ 5 per atom (e.g. grade band × gender has rank 3). In those coordinates the greedy
   step decides every area cell, protecting the primary area cells and every primary unit cell
   that is an atom by itself.
2. **Units**, one municipality m at a time. Let KA_m be what the published area rows determine
   about m's margins (computed from stage 1's basis). Unit cells of m are published greedily so
   that (B1) no primary unit cell of m is in span(published unit cells of m ∪ KA_m), and (B2) the
   unit cells of m reveal no margin functional of m beyond KA_m.

Why this is exact: any derivation of a primary cell splits into a part from area rows and parts
from the unit rows of each municipality. By (B2) the unit rows of another municipality only
contribute margin functionals that area rows already determine, so they can be dropped; what is
left is an area-only derivation (excluded by stage 1) or a derivation inside one municipality
from its unit rows and KA_m (excluded by B1). The same decomposition gives the exact test used to
publish futile secondary cells again.

Numbers are floating point on small orthonormal bases; a residual counts as zero below
`TOLERANCE` relative to the vector's length. The independent audit in the tests re-checks every
published pattern with exact rational arithmetic.

What it does not cover (see docs/decisions.md): knowledge a respondent has about themselves
(a respondent in a hidden cell of one knows that cell), bounds from non-negativity (a hidden cell
is never exactly derivable, but a sum of two hidden cells of 1 and K−1 narrows each to an
interval), and information outside the published tables.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

TOLERANCE = 1e-9  # a residual this small (relative) is zero: the vector is in the span
EXPOSED = 1e-6  # a protected vector whose residual shrinks below this (relative) counts as derivable
Selector = tuple[int, str] | None  # (breakdown dimension, category) or None for "all"


@dataclass(frozen=True)
class Cell:
    """One candidate for publication: a unit or an area, restricted to a breakdown category."""

    key: int
    n: int  # respondents (the smallest n over the system's indicators)
    selector: Selector
    unit: int | None = None  # index into System.units for a unit cell
    area: int | None = None  # index into System.areas for an area cell


@dataclass
class System:
    """One independent table: units with their inner categories, areas, and candidate cells."""

    municipality: list[str]  # per unit
    combos: list[tuple[tuple[str | None, ...], ...]]  # per unit: the category combinations present
    areas: list[frozenset[int]]  # per area: its units
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Result:
    primary: set[int]
    secondary: set[int]

    @property
    def hidden(self) -> set[int]:
        return self.primary | self.secondary


def suppress(system: System, k: int) -> Result:
    """Hide every cell with n < k, and enough others that none of those can be derived."""
    primary = {c.key for c in system.cells if c.n < k}
    if not primary:
        return Result(primary, set())
    atoms = _atoms(system)
    stage = _AreaStage(system, atoms, primary)
    hidden = stage.run()
    by_municipality: dict[str, list[Cell]] = defaultdict(list)
    for cell in system.cells:
        if cell.unit is not None:
            by_municipality[system.municipality[cell.unit]].append(cell)
    units = _units_by_municipality(system)
    for municipality, cells in sorted(by_municipality.items()):
        hidden |= _unit_stage(system, atoms, stage, units[municipality], cells, primary)
    return Result(primary, hidden - primary)


# --- the greedy step ---------------------------------------------------------------------------


class _Span:
    """An orthonormal basis of the published rows, grown one row at a time (Gram–Schmidt)."""

    def __init__(self, dim: int, known: np.ndarray | None = None):
        self.dim = dim
        self._columns = np.zeros((dim, min(dim, 64)))
        self.rank = 0
        if known is not None:
            for row in known:
                self.add(self.residual(row))

    @property
    def basis(self) -> np.ndarray:
        return self._columns[:, : self.rank]

    def residual(self, v: np.ndarray) -> np.ndarray:
        """v minus its projection on the basis (projected twice: classical Gram–Schmidt drifts)."""
        basis = self.basis
        for _ in range(2):
            v = v - basis @ (basis.T @ v)
        return v

    def append(self, q: np.ndarray) -> None:
        """Add a unit vector orthogonal to the basis."""
        if self.rank == self._columns.shape[1]:
            grown = np.zeros((self.dim, min(self.dim, 2 * self.rank + 1)))
            grown[:, : self.rank] = self._columns
            self._columns = grown
        self._columns[:, self.rank] = q
        self.rank += 1

    def add(self, r: np.ndarray) -> np.ndarray | None:
        norm = np.linalg.norm(r)
        if norm <= TOLERANCE:
            return None
        q = r / norm
        self.append(q)
        return q

    def contains(self, v: np.ndarray) -> bool:
        return np.linalg.norm(self.residual(v)) <= TOLERANCE * max(1.0, np.linalg.norm(v))


def _orthonormal_rows(rows: np.ndarray) -> np.ndarray:
    """An orthonormal basis (as rows) of the span of rows; empty when the span is zero."""
    if rows.size == 0:
        return rows.reshape(0, rows.shape[-1] if rows.ndim == 2 else 0)
    _, s, vt = np.linalg.svd(rows, full_matrices=False)
    rank = int((s > TOLERANCE * max(1.0, s[0] if s.size else 0.0)).sum())
    return vt[:rank]


def _greedy(
    span: _Span,
    candidates: Sequence[tuple[int, np.ndarray]],
    targets: Sequence[np.ndarray],
    protected: np.ndarray | None = None,
) -> set[int]:
    """Publish candidates in order unless one would make a target derivable, or any vector of the
    protected subspace (rows) derivable beyond what the span already gives. Returns hidden keys.

    Thresholds lean to safety: "would become derivable" is detected generously (EXPOSED), while
    "already derivable, so free to publish" must be exact to the last bits (TOLERANCE)."""
    residuals = np.array([span.residual(t) for t in targets]).reshape(len(targets), span.dim)
    lengths = np.sqrt(np.einsum("ij,ij->i", residuals, residuals))
    if np.any(lengths <= EXPOSED):
        raise AssertionError("a protected cell is derivable before anything is published")
    guard = None
    if protected is not None and len(protected):
        guard = _orthonormal_rows(np.array([span.residual(p) for p in protected]))
    hidden: set[int] = set()
    for key, vector in candidates:
        r = span.residual(vector)
        norm = math.sqrt(r @ r)
        if norm <= TOLERANCE * max(1.0, math.sqrt(vector @ vector)):
            continue  # derivable already: publishing it tells nothing new
        q = r / norm
        along = residuals @ q
        after = residuals - along[:, None] * q
        if len(after) and np.any(np.sqrt(np.einsum("ij,ij->i", after, after)) <= EXPOSED * lengths):
            hidden.add(key)  # a primary cell's residual is parallel to this row
            continue
        if guard is not None and len(guard):
            inside = guard @ q
            rest = q - guard.T @ inside
            if math.sqrt(rest @ rest) <= EXPOSED:
                hidden.add(key)  # it would reveal a new functional of the protected subspace
                continue
            guard = _orthonormal_rows(guard - inside[:, None] * q)
        span.append(q)
        residuals = after
    return hidden


def _publish_futile(span: _Span, hidden: Iterable[tuple[int, np.ndarray]]) -> set[int]:
    """Keys of hidden (non-primary) cells that the published rows determine anyway."""
    return {key for key, vector in hidden if span.contains(vector)}


# --- coordinates ------------------------------------------------------------------------------


def _matches(combo: tuple[str | None, ...], selector: Selector) -> bool:
    return selector is None or combo[selector[0]] == selector[1]


@dataclass
class _Atom:
    """Units of one municipality that belong to exactly the same areas."""

    municipality: str
    units: list[int]
    combos: list[tuple[str | None, ...]]  # union of the units' combinations, sorted
    basis: np.ndarray  # orthonormal rows spanning the margin patterns over `combos`
    offset: int = 0  # first coordinate of this atom in the area stage

    def margin(self, selector: Selector) -> np.ndarray:
        """Coordinates of the atom's margin for a selector (sum over its inner cells)."""
        pattern = np.array([1.0 if _matches(c, selector) else 0.0 for c in self.combos])
        return self.basis @ pattern


def _atoms(system: System) -> tuple[list[_Atom], list[int]]:
    selectors = sorted({c.selector for c in system.cells}, key=lambda s: (s is not None, s or (0, "")))
    membership: dict[int, list[int]] = defaultdict(list)
    for a, units in enumerate(system.areas):
        for u in units:
            membership[u].append(a)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for u in range(len(system.municipality)):
        groups[(system.municipality[u], tuple(membership[u]))].append(u)
    atoms: list[_Atom] = []
    atom_of = [0] * len(system.municipality)
    offset = 0
    cache: dict[tuple, np.ndarray] = {}
    for (municipality, _), units in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[1][0])):
        combos = sorted({c for u in units for c in system.combos[u]}, key=_combo_order)
        signature = (tuple(combos), tuple(selectors))
        if signature not in cache:
            patterns = np.array([[1.0 if _matches(c, s) else 0.0 for c in combos] for s in selectors])
            cache[signature] = _orthonormal_rows(patterns)
        atom = _Atom(municipality, units, combos, cache[signature], offset)
        offset += atom.basis.shape[0]
        for u in units:
            atom_of[u] = len(atoms)
        atoms.append(atom)
    return atoms, atom_of


def _combo_order(combo: tuple[str | None, ...]) -> tuple:
    return tuple((c is None, c or "") for c in combo)


def _units_by_municipality(system: System) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for u, m in enumerate(system.municipality):
        out[m].append(u)
    return dict(sorted(out.items()))


def _priority(cell: Cell) -> tuple:
    """Publish large cells first; at equal size the total before its breakdowns."""
    return (-cell.n, cell.selector is not None, cell.key)


# --- stage 1: areas ---------------------------------------------------------------------------


class _AreaStage:
    def __init__(self, system: System, atoms: tuple[list[_Atom], list[int]], primary: set[int]):
        self.system = system
        self.atoms, self.atom_of = atoms
        self.dim = sum(a.basis.shape[0] for a in self.atoms)
        self.primary = primary
        self.area_atoms = [sorted({self.atom_of[u] for u in units}) for units in system.areas]
        self.span = _Span(self.dim)

    def vector(self, cell: Cell) -> np.ndarray:
        v = np.zeros(self.dim)
        atoms = self.area_atoms[cell.area] if cell.area is not None else [self.atom_of[cell.unit]]
        for i in atoms:
            atom = self.atoms[i]
            v[atom.offset : atom.offset + atom.basis.shape[0]] = atom.margin(cell.selector)
        return v

    def run(self) -> set[int]:
        cells = self.system.cells
        area_cells = [c for c in cells if c.area is not None]
        # unit cells that area rows alone could pin down: the unit is the only one of its atom with
        # answers in the cell's category (an atom of one unit, or its siblings have no one there)
        lonely = [c for c in cells if c.unit is not None and c.key in self.primary and self._alone(c)]
        targets = [self.vector(c) for c in area_cells if c.key in self.primary]
        targets += [self.vector(c) for c in lonely]
        targets = [t for t in targets if np.any(t)]
        candidates = [(c.key, self.vector(c)) for c in sorted(area_cells, key=_priority) if c.key not in self.primary]
        hidden = _greedy(self.span, candidates, targets)
        vectors = dict(candidates)
        hidden -= _publish_futile(self.span, ((k, vectors[k]) for k in hidden))
        return hidden | {c.key for c in area_cells if c.key in self.primary}

    def _alone(self, cell: Cell) -> bool:
        siblings = (u for u in self.atoms[self.atom_of[cell.unit]].units if u != cell.unit)
        return not any(_matches(combo, cell.selector) for u in siblings for combo in self.system.combos[u])

    def determined(self, atom_ids: list[int]) -> np.ndarray:
        """KA_m: rows spanning the margin functionals of these atoms that the published area rows
        fix, in the atoms' coordinates concatenated in the order given."""
        idx = np.concatenate([
            np.arange(self.atoms[i].offset, self.atoms[i].offset + self.atoms[i].basis.shape[0]) for i in atom_ids
        ]) if atom_ids else np.zeros(0, dtype=int)
        if idx.size == 0 or self.span.rank == 0:
            return np.zeros((0, idx.size))
        block = self.span.basis[idx, :]
        u, s, _ = np.linalg.svd(block, full_matrices=False)
        # a vector supported on these coordinates lies in the published span exactly when the
        # span's restriction has singular value 1 in its direction
        return u[:, np.abs(s - 1.0) <= 1e-7].T


# --- stage 2: units of one municipality -------------------------------------------------------


def _unit_stage(
    system: System,
    atoms_pair: tuple[list[_Atom], list[int]],
    area_stage: _AreaStage,
    units: list[int],
    unit_cells: list[Cell],
    primary: set[int],
) -> set[int]:
    atoms, atom_of = atoms_pair
    atom_ids = sorted({atom_of[u] for u in units})
    width = sum(atoms[i].basis.shape[0] for i in atom_ids)
    determined = area_stage.determined(atom_ids)
    targets_here = [c for c in unit_cells if c.key in primary]
    if not targets_here and determined.shape[0] == width:
        return set()  # nothing to protect: every margin of the municipality is known already
    # inner coordinates: (unit, combination)
    index: dict[tuple[int, tuple], int] = {}
    for u in units:
        for combo in system.combos[u]:
            index[(u, combo)] = len(index)
    dim = len(index)

    def unit_vector(cell: Cell) -> np.ndarray:
        v = np.zeros(dim)
        for combo in system.combos[cell.unit]:
            if _matches(combo, cell.selector):
                v[index[(cell.unit, combo)]] = 1.0
        return v

    def lift(coords: np.ndarray) -> np.ndarray:
        """A margin functional in area-stage coordinates of these atoms, on the inner cells."""
        v = np.zeros(dim)
        at = 0
        for i in atom_ids:
            atom = atoms[i]
            r = atom.basis.shape[0]
            pattern = coords[at : at + r] @ atom.basis  # values per combination of the atom
            at += r
            position = {combo: j for j, combo in enumerate(atom.combos)}
            for u in atom.units:
                for combo in system.combos[u]:
                    v[index[(u, combo)]] = pattern[position[combo]]
        return v

    known = np.array([lift(c) for c in determined]).reshape(-1, dim)
    margins = np.array([lift(e) for e in np.eye(width)]).reshape(-1, dim)
    span = _Span(dim, known)
    targets = [unit_vector(c) for c in targets_here]
    candidates = [(c.key, unit_vector(c)) for c in sorted(unit_cells, key=_priority) if c.key not in primary]
    hidden = _greedy(span, candidates, targets, protected=margins)
    vectors = dict(candidates)
    hidden -= _publish_futile(span, ((k, vectors[k]) for k in hidden))
    return hidden | {c.key for c in targets_here}

"""Integer-code helpers: joint cells of several categorical codes, factorizing floats.

All heavy per-respondent work in the engine is a handful of ``np.bincount`` calls on
integer cell codes; the iterative algorithms then run on the (small) cell tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Above this many possible combinations the dense bincount remap would waste memory;
# fall back to hashing (pd.factorize).
_DENSE_LIMIT = 1 << 24


@dataclass(frozen=True)
class JointCells:
    """Respondents grouped by the joint combination of several coded variables."""

    row_cell: np.ndarray  # (n,) int64: cell of each respondent
    codes: np.ndarray  # (C, V) int64: category code of each variable in each cell
    counts: np.ndarray  # (C,) float: respondents per cell

    @property
    def n_cells(self) -> int:
        """Number of non-empty cells."""
        return int(self.counts.shape[0])


def combine_codes(
    codes: Sequence[np.ndarray], cards: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Return (row_cell, cell_codes) for the joint combination of non-negative codes.

    Cells are numbered in lexicographic order of the codes (first variable slowest).
    """
    n = int(codes[0].shape[0]) if codes else 0
    if not codes:
        return np.zeros(n, dtype=np.int64), np.zeros((1, 0), dtype=np.int64)
    total = 1
    for k in cards:
        total *= max(int(k), 1)
    if total <= max(_DENSE_LIMIT, 4 * n):
        key = np.asarray(codes[0], dtype=np.int64)
        for c, k in zip(codes[1:], cards[1:], strict=True):
            key = key * int(k) + c
        present_mask = np.bincount(key, minlength=total) > 0
        present = np.flatnonzero(present_mask)
        remap = np.cumsum(present_mask) - 1
        row_cell = remap[key]
        cell_codes = np.stack(np.unravel_index(present, tuple(int(k) for k in cards)), axis=1)
        return row_cell.astype(np.int64, copy=False), cell_codes.astype(np.int64)
    # Sparse path: factorize progressively so the key never overflows.
    key = np.asarray(codes[0], dtype=np.int64)
    for c, k in zip(codes[1:], cards[1:], strict=True):
        key, _ = pd.factorize(key * int(k) + c, sort=True)
        key = key.astype(np.int64)
    row_cell, _ = pd.factorize(key, sort=True)
    row_cell = row_cell.astype(np.int64)
    first = representatives(row_cell, int(row_cell.max()) + 1 if n else 0)
    cell_codes = np.stack([np.asarray(c)[first] for c in codes], axis=1).astype(np.int64)
    return row_cell, cell_codes


def joint_cells(codes: Sequence[np.ndarray], cards: Sequence[int]) -> JointCells:
    """Build :class:`JointCells` from per-variable codes (all >= 0)."""
    row_cell, cell_codes = combine_codes(codes, cards)
    counts = np.bincount(row_cell, minlength=cell_codes.shape[0]).astype(float)
    return JointCells(row_cell=row_cell, codes=cell_codes, counts=counts)


def representatives(row_cell: np.ndarray, n_cells: int) -> np.ndarray:
    """Return one respondent index per cell (any one: callers only use cell constants)."""
    rep = np.zeros(n_cells, dtype=np.int64)
    rep[row_cell] = np.arange(row_cell.shape[0], dtype=np.int64)
    return rep


def factorize_floats(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes for distinct float values (exact equality); fast path when all are equal."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64), 0
    if values.min() == values.max():
        return np.zeros(values.shape[0], dtype=np.int64), 1
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), len(uniques)


def group_sum(index: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum rows of a (C,) or (C, G) array by a (C,) group index (small arrays)."""
    if values.ndim == 1:
        return np.bincount(index, weights=values, minlength=n_groups)
    out = np.zeros((n_groups, values.shape[1]))
    np.add.at(out, index, values)
    return out


def indicator_matrix(index: np.ndarray, n_groups: int) -> np.ndarray:
    """(n_groups, C) 0/1 matrix M with M @ X = group sums of the rows of X."""
    out = np.zeros((n_groups, index.shape[0]))
    out[index, np.arange(index.shape[0])] = 1.0
    return out

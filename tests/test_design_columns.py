"""The design's column-independence pass (detectors/sentencing/design.py): the QR-based pass keeps exactly the
columns a Gram–Schmidt pass over X's own columns keeps, on designs with the collinearities real designs have."""
from __future__ import annotations

import numpy as np

from courtwatch.detectors.sentencing import design


def _gram_schmidt_over_rows(X: np.ndarray) -> list[int]:
    """The reference: modified Gram–Schmidt (twice) over X's n-long columns, the pass design.py ran before."""
    basis: list[np.ndarray] = []
    keep: list[int] = []
    for j in range(X.shape[1]):
        column = X[:, j].astype(float)
        norm = np.linalg.norm(column)
        if norm == 0 or (j > 0 and np.ptp(column) == 0):
            continue
        rest = column.copy()
        for _ in range(2):
            for b in basis:
                rest -= (b @ rest) * b
        if np.linalg.norm(rest) > 1e-8 * norm:
            basis.append(rest / np.linalg.norm(rest))
            keep.append(j)
    return keep


def _design(n: int, seed: int) -> tuple[dict[str, np.ndarray], list[str]]:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 4, n)
    log_term = np.log(rng.integers(1, 37, n).astype(float))
    cols = {"const": np.ones(n)}
    for g in range(4):  # one indicator per group: the four sum to the intercept, so the last is collinear
        cols[f"group_{g}"] = (group == g).astype(float)
    cols["log_term"] = log_term
    for g in range(4):  # slopes per group: they sum to log_term, so the last is collinear
        cols[f"log_term_{g}"] = np.where(group == g, log_term, 0.0)
    cols["constant"] = np.full(n, 3.0)  # dropped: no spread
    cols["never"] = np.zeros(n)  # dropped: all zero
    cols["twice"] = 2.5 * cols["group_1"] - cols["log_term_2"]  # an exact combination of kept columns
    cols["rare"] = np.zeros(n)
    cols["rare"][rng.choice(n, 3, replace=False)] = 1.0  # three rows only: independent, kept
    noise = rng.standard_normal(n)
    cols["nearly"] = cols["log_term_1"] + 1e-5 * noise / np.linalg.norm(noise) * np.linalg.norm(cols["log_term_1"])
    cols["nearer"] = cols["log_term_0"] + 1e-12 * noise / np.linalg.norm(noise) * np.linalg.norm(cols["log_term_0"])
    cols["circumstance"] = (rng.random(n) < 0.3).astype(float)
    return cols, list(cols)


def test_qr_pass_keeps_what_gram_schmidt_over_rows_keeps():
    for n, seed in ((50, 1), (9000, 2), (30000, 3)):  # one block, and several blocks of the tall-skinny QR
        cols, names = _design(n, seed)
        X = np.column_stack([cols[k] for k in names])
        expected = [names[j] for j in _gram_schmidt_over_rows(X)]
        kept_X, kept = design.independent_design(cols, n)
        assert kept == expected
        assert kept_X.flags["C_CONTIGUOUS"] and np.array_equal(kept_X, X[:, [names.index(k) for k in kept]])
        # the collinear and constant columns go, the rare and the nearly-collinear-but-independent stay
        assert {"group_3", "log_term_3", "constant", "never", "twice", "nearer"}.isdisjoint(kept)
        assert {"const", "rare", "nearly", "circumstance"} <= set(kept)


def test_empty_design_keeps_every_name():
    X, names = design.independent_design({"const": np.ones(0), "x": np.zeros(0)}, 0)
    assert X.shape == (0, 2) and names == ["const", "x"]

"""Statistical helpers shared by the model detectors: false-discovery control, funnel limits, shrinkage.

Each returns plain numbers or small result objects so that a flag's evidence is
built from them rather than recomputed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests


def benjamini_hochberg(p_values, fdr: float) -> tuple[np.ndarray, np.ndarray]:
    """(reject, q_values) under Benjamini–Hochberg at the target false-discovery rate."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return np.zeros(0, dtype=bool), np.zeros(0)
    p = np.clip(np.nan_to_num(p, nan=1.0), 0.0, 1.0)
    reject, q, _, _ = multipletests(p, alpha=fdr, method="fdr_bh")
    return reject, q


def score_from_q(q_values) -> np.ndarray:
    """Map BH-adjusted p-values to a 0–1 score: q=1e-3 → 0.5 (medium), q≈1.6e-5 → 0.8 (high)."""
    q = np.clip(np.asarray(q_values, dtype=float), 1e-12, 1.0)
    return np.clip(-np.log10(q) / 6.0, 0.0, 1.0)


def robust_scale(residuals) -> float:
    """MAD-based standard deviation (consistent for the normal)."""
    r = np.asarray(residuals, dtype=float)
    r = r[np.isfinite(r)]
    if r.size == 0:
        return float("nan")
    return float(1.4826 * np.median(np.abs(r - np.median(r))))


def two_sided_p(z) -> np.ndarray:
    return 2.0 * sps.norm.sf(np.abs(np.asarray(z, dtype=float)))


@dataclass(frozen=True)
class FunnelResult:
    """Funnel-plot comparison of units' rates with a target, allowing over-dispersion.

    z: standardised deviation per unit (after dividing by sqrt(phi));
    phi: multiplicative over-dispersion estimated from winsorised z² (Spiegelhalter 2005);
    p: two-sided p-values; limits95 / limits998: control limits per unit.
    """

    target: float
    phi: float
    z: np.ndarray
    p: np.ndarray
    lower95: np.ndarray
    upper95: np.ndarray
    lower998: np.ndarray
    upper998: np.ndarray


def funnel(events, totals, target: float | None = None, expected=None, winsor: float = 0.1) -> FunnelResult:
    """Binomial funnel with over-dispersion. `expected` (per unit) allows case-mix adjusted targets."""
    events = np.asarray(events, dtype=float)
    totals = np.asarray(totals, dtype=float)
    if target is None:
        target = events.sum() / max(totals.sum(), 1.0)
    rate_expected = np.asarray(expected, dtype=float) / np.maximum(totals, 1) if expected is not None \
        else np.full_like(totals, target)
    rate_expected = np.clip(rate_expected, 1e-6, 1 - 1e-6)
    se = np.sqrt(rate_expected * (1 - rate_expected) / np.maximum(totals, 1))
    z_raw = (events / np.maximum(totals, 1) - rate_expected) / se
    # Over-dispersion: mean of winsorised z², never below 1 (Spiegelhalter, Stat Med 2005).
    if z_raw.size >= 10:
        lo, hi = np.quantile(z_raw, [winsor, 1 - winsor])
        phi = max(1.0, float(np.mean(np.clip(z_raw, lo, hi) ** 2)))
    else:
        phi = 1.0
    z = z_raw / np.sqrt(phi)
    spread = np.sqrt(phi) * se
    return FunnelResult(target, phi, z, two_sided_p(z),
                        rate_expected - 1.96 * spread, rate_expected + 1.96 * spread,
                        rate_expected - 3.09 * spread, rate_expected + 3.09 * spread)


def shrink_means(means, counts, within_var: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Empirical-Bayes shrinkage of group means toward 0 (method of moments).

    Returns (shrunken means, their standard errors, between-group variance tau²).
    A judge with few cases is pulled toward the peer mean, so noise is not flagged.
    """
    means = np.asarray(means, dtype=float)
    counts = np.asarray(counts, dtype=float)
    sampling_var = within_var / np.maximum(counts, 1)
    tau2 = max(0.0, float(np.var(means) - np.mean(sampling_var)))
    weight = tau2 / (tau2 + sampling_var) if tau2 > 0 else np.zeros_like(means)
    shrunk = weight * means
    se = np.sqrt(weight * sampling_var) if tau2 > 0 else np.sqrt(sampling_var)
    return shrunk, se, tau2

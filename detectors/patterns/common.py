"""The statistics the 终本 and integrity pattern detectors share: their [patterns] settings, one-sided
tests, indirect-standardisation funnels, ECOD with conformal p-values, per-judge rate tests and the
flags frame.

Nothing here reads SQL (the detectors get their numbers through `queries.run`) and nothing here
words a warning (text.py does).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..base import DETECTOR_COLUMNS, Settings, level_for
from ..stats import FunnelResult, benjamini_hochberg, funnel, score_from_q


@dataclass(frozen=True)
class PatternSettings(Settings):
    """The `[patterns]` table of config.toml, and the false-discovery target of `[stats]`."""

    section = "patterns"

    false_discovery_rate: float = field(metadata={"section": "stats"})
    termination_min_cases: int
    termination_band_edges: tuple
    standardisation_prior_cases: float
    procedure_min_cases: int
    procedure_partition_max_cases: int
    procedure_tail_quantile: float
    explain_top_features: int
    affinity_min_shared_cases: int
    affinity_min_reference_cases: int
    rate_min_cases: int
    rate_min_appealed: int
    profile_min_cases: int
    profile_min_judges: int


def upper_p(z) -> np.ndarray:
    """One-sided p-value for 'higher than expected' (a low rate is not a warning sign here)."""
    return sps.norm.sf(np.asarray(z, dtype=float))


@dataclass(frozen=True)
class StandardisedFunnel:
    """Observed events against case-mix expected events, with over-dispersed funnel limits (one-sided tests)."""

    observed_rate: np.ndarray
    expected_rate: np.ndarray
    ratio: np.ndarray
    upper95: np.ndarray
    upper998: np.ndarray
    phi: float
    z: np.ndarray
    p: np.ndarray


def standardised_funnel(events, totals, expected) -> StandardisedFunnel:
    """`funnel` with a per-unit expected count; p-values one-sided (upper), over-dispersion from all units.

    The p-value is the larger of the over-dispersed normal one and the exact binomial
    tail at the expected rate, so a unit with a small expected count (where the
    normal approximation is poor) is not flagged for one or two events.
    """
    events = np.asarray(events, dtype=float)
    totals = np.asarray(totals, dtype=float)
    expected = np.asarray(expected, dtype=float)
    result: FunnelResult = funnel(events, totals, expected=expected)
    observed = events / np.maximum(totals, 1)
    expected_rate = np.clip(expected / np.maximum(totals, 1), 1e-6, 1 - 1e-6)
    exact = sps.binom.sf(events - 1, totals.astype(np.int64), expected_rate)
    p = np.maximum(upper_p(result.z), exact)
    return StandardisedFunnel(observed, expected_rate, observed / expected_rate,
                              np.minimum(result.upper95, 1.0), np.minimum(result.upper998, 1.0),
                              result.phi, result.z, p)


@dataclass(frozen=True)
class GammaNull:
    """Shifted-gamma empirical null for anomaly scores, fitted to quantiles of the reference scores."""

    loc: float
    shape: float
    scale: float

    def sf(self, x) -> np.ndarray:
        return sps.gamma.sf(np.asarray(x, dtype=float), self.shape, loc=self.loc, scale=self.scale)


NULL_QUANTILES = (0.05, 0.3, 0.6, 0.85)


def fit_gamma_null(reference, quantiles=NULL_QUANTILES) -> GammaNull | None:
    """Fit loc/shape/scale of a gamma to the reference's body quantiles (least squares); None if it fails.

    ECOD's score is a sum over features of −log tail probabilities, each about
    ln 2 + Exp(1) for a continuous feature, so the score of ordinary cases is
    close to a shifted gamma. Quantiles up to the 85th are used, so up to ~10%
    irregular cases (the share the SPC's 终本 audits suggest) hardly move it.
    """
    from scipy import optimize

    ref = np.asarray(reference, dtype=float)
    ref = ref[np.isfinite(ref)]
    if ref.size < 50:
        return None
    qs = np.asarray(quantiles, dtype=float)
    target = np.quantile(ref, qs)
    spread = max(float(target[-1] - target[0]), 1e-9)

    def resid(par):
        loc, log_shape, log_scale = par
        return (sps.gamma.ppf(qs, np.exp(log_shape), loc=loc, scale=np.exp(log_scale)) - target) / spread

    sd = float(np.std(ref)) or 1.0
    try:
        sol = optimize.least_squares(resid, x0=[float(target[0]) - sd, np.log(4.0), np.log(sd / 2.0)],
                                     bounds=([-np.inf, np.log(0.3), -20.0], [float(target[0]), np.log(500.0), 20.0]))
    except (ValueError, FloatingPointError):
        return None
    if not sol.success or np.max(np.abs(sol.fun)) > 0.05:
        return None
    loc, log_shape, log_scale = sol.x
    return GammaNull(float(loc), float(np.exp(log_shape)), float(np.exp(log_scale)))


@dataclass(frozen=True)
class ScoreNull:
    """The reference distribution `conformal_p` tests scores against: the reference's sorted scores and
    its tail model, which is all a new score needs to be tested exactly as the reference's own were (an
    incremental run keeps it from the full run: `state` / `from_state`).

    `threshold`: the reference's tail quantile, above which the p-value is the tail model's;
    `gamma`: the fitted empirical null (`fit_gamma_null`), or None; `exp_scale`: without a gamma fit, the
    exponential tail's scale, or None when the tail is too thin for one (rank p-values throughout).
    """

    reference: np.ndarray
    tail_quantile: float
    threshold: float
    gamma: GammaNull | None
    exp_scale: float | None

    def p(self, scores) -> np.ndarray:
        """p-values of `scores` (see conformal_p)."""
        scores = np.asarray(scores, dtype=float)
        m = self.reference.size
        if m == 0:
            return np.ones_like(scores)
        at_least = m - np.searchsorted(self.reference, scores, side="left")
        p_rank = (1.0 + at_least) / (m + 1.0)
        if self.gamma is not None:
            p_tail = self.gamma.sf(scores)
        elif self.exp_scale is not None:
            p_tail = (1.0 - self.tail_quantile) * np.exp(-(scores - self.threshold) / self.exp_scale)
        else:
            return p_rank
        return np.where(scores > self.threshold, np.clip(p_tail, 0.0, 1.0), p_rank)

    def state(self) -> tuple[dict[str, np.ndarray], dict]:
        """Arrays and JSON figures that `from_state` makes this null again from (floats survive JSON exactly)."""
        gamma = None if self.gamma is None else {"loc": self.gamma.loc, "shape": self.gamma.shape,
                                                 "scale": self.gamma.scale}
        return {"scores": self.reference}, {"tail_quantile": self.tail_quantile, "threshold": self.threshold,
                                            "gamma": gamma, "exp_scale": self.exp_scale}

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], meta: dict) -> ScoreNull:
        gamma = meta["gamma"]
        return cls(arrays["scores"], meta["tail_quantile"], meta["threshold"],
                   None if gamma is None else GammaNull(gamma["loc"], gamma["shape"], gamma["scale"]),
                   meta["exp_scale"])


def score_null(reference, tail_quantile: float = 0.9) -> ScoreNull:
    """The null `conformal_p` tests against, fitted to a reference distribution of scores once (for any
    number of scores tested against it)."""
    ref = np.sort(np.asarray(reference, dtype=float))
    if ref.size == 0:
        return ScoreNull(ref, tail_quantile, math.nan, None, None)
    u = float(np.quantile(ref, tail_quantile))
    null = fit_gamma_null(ref)
    exp_scale = None
    if null is None:
        excess = ref[ref > u] - u
        if excess.size >= 5 and np.median(excess) > 0:
            exp_scale = float(np.median(excess) / np.log(2.0))
    return ScoreNull(ref, tail_quantile, u, null, exp_scale)


def conformal_p(scores, reference, tail_quantile: float = 0.9) -> np.ndarray:
    """p-values of anomaly scores against a reference distribution of scores.

    Body: the conformal (rank) p-value (1 + #{reference ≥ s}) / (m + 1).
    Tail (beyond the reference's `tail_quantile`): a rank p-value cannot fall
    below 1/(m+1), and when the reference holds the same few percent of
    irregular cases as the data tested (real 终本 irregularity is a few percent
    to ~10%, domain notes), rank p-values of a cluster of k similar outliers
    are about k/n, so Benjamini–Hochberg could never reject them. There the
    p-value is the upper tail of an empirical null fitted to the reference's
    body (`fit_gamma_null`, Efron's empirical-null idea); if that fit fails,
    an exponential tail (scale = median excess / ln 2), which is conservative.
    """
    return score_null(reference, tail_quantile).p(scores)


@dataclass
class EcodFit:
    """ECOD scores and per-feature outlyingness, copied right after fit (PyOD overwrites them when scoring).

    per_feature: PyOD's `O`, max of the left- and right-tail −log ECDF per feature (two-sided);
    right_tail: PyOD's `U_r`, the right-tail −log ECDF only, for "higher than peers" profiles.
    """

    scores: np.ndarray
    per_feature: np.ndarray
    right_tail: np.ndarray
    feature_names: list


def ecod_fit(frame: pd.DataFrame, features: list[str]) -> EcodFit:
    """Fit ECOD on the rows of `frame` (all features known) and keep its training scores, `O` and `U_r`."""
    from pyod.models.ecod import ECOD

    X = frame[features].to_numpy(dtype=float)
    # contamination only sets PyOD's own labels_, which are not used: flags come from p-values + BH.
    model = ECOD(contamination=0.01)
    with warnings.catch_warnings():
        # ECOD computes each feature's skewness (only to pick a tail, which max(U_l, U_r) makes moot);
        # a near-constant feature (e.g. no on-site investigations in a small court) makes scipy warn.
        warnings.simplefilter("ignore", RuntimeWarning)
        model.fit(X)
    return EcodFit(np.asarray(model.decision_scores_, dtype=float).copy(), np.array(model.O, dtype=float, copy=True),
                   np.array(model.U_r, dtype=float, copy=True), list(features))


@dataclass(frozen=True)
class EcodReference:
    """What ECOD needs of its training rows to score a new row out of sample, kept small: per feature the
    reference's distinct values (sorted) and how many rows lie below each (`below[k]`: rows < values[k],
    `below[-1]` = n), and the tail each feature's skewness picks. Day counts and inquiry counts take a few
    hundred values at most, so this is a fraction of the rows (an incremental run keeps it from the full
    run: `state` / `from_state`).
    """

    values: list[np.ndarray]
    below: list[np.ndarray]
    skew_sign: np.ndarray
    medians: list[float]
    features: list[str]

    @classmethod
    def of(cls, reference: pd.DataFrame, features: list[str]) -> EcodReference:
        from scipy.stats import skew

        ref = reference[features].to_numpy(dtype=float)
        values, below, medians = [], [], []
        for j in range(ref.shape[1]):
            ordered = np.sort(ref[:, j])
            starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            values.append(ordered[starts])
            below.append(np.r_[starts, len(ordered)].astype(np.int64))
            medians.append(float(np.median(ordered)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a constant feature has no skewness (as in ecod_fit)
            sign = np.sign(np.nan_to_num(skew(ref, axis=0)))
        return cls(values, below, sign, medians, list(features))

    @property
    def n(self) -> int:
        return int(self.below[0][-1])

    def at_most(self, j: int, x) -> np.ndarray:
        """How many reference rows have feature j ≤ x."""
        return self.below[j][np.searchsorted(self.values[j], x, side="right")]

    def at_least(self, j: int, x) -> np.ndarray:
        """How many reference rows have feature j ≥ x."""
        return self.n - self.below[j][np.searchsorted(self.values[j], x, side="left")]

    def score(self, new: pd.DataFrame) -> EcodFit:
        """Score each new row against the reference alone (an incremental run).

        PyOD's `decision_function` would recompute the empirical distributions over the training rows
        plus the whole new batch, so a cluster of similar new outliers would make each other look
        ordinary. Each new row is therefore scored as if it were the only one appended to the
        reference: ECOD's own formula (Li et al. 2022, PyOD's `column_ecdf` with ties at their upper
        rank), with the tail chosen by the reference's skewness.
        """
        X = new[self.features].to_numpy(dtype=float)
        n = self.n
        k = len(self.features)
        at_most = np.column_stack([self.at_most(j, X[:, j]) for j in range(k)]) if len(X) else np.zeros((0, k))
        at_least = np.column_stack([self.at_least(j, X[:, j]) for j in range(k)]) if len(X) else np.zeros((0, k))
        left = -np.log((at_most + 1.0) / (n + 1.0))
        right = -np.log((at_least + 1.0) / (n + 1.0))
        sign = self.skew_sign
        by_skew = left * -1 * np.sign(sign - 1) + right * np.sign(sign + 1)
        outlying = np.maximum(by_skew, np.maximum(left, right))
        return EcodFit(outlying.sum(axis=1), outlying, right, list(self.features))

    def state(self) -> tuple[dict[str, np.ndarray], dict]:
        """Arrays (per feature `values_<j>`, `below_<j>`, and `skew_sign`) and JSON figures for `from_state`."""
        arrays = {"skew_sign": self.skew_sign}
        for j in range(len(self.features)):
            arrays[f"values_{j}"] = self.values[j]
            arrays[f"below_{j}"] = self.below[j]
        return arrays, {"features": self.features, "medians": self.medians}

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], meta: dict) -> EcodReference:
        k = len(meta["features"])
        return cls([arrays[f"values_{j}"] for j in range(k)], [arrays[f"below_{j}"] for j in range(k)],
                   arrays["skew_sign"], list(meta["medians"]), list(meta["features"]))


def bh_select(p_values, s: PatternSettings) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini–Hochberg at [stats] false_discovery_rate: (reject, q-values)."""
    return benjamini_hochberg(p_values, float(s.false_discovery_rate))


# A flag's `level` is set by detectors/base.finish_flags from detectors/triage.py, one mapping for every
# detector; a detector leaves this placeholder in the column base.DETECTOR_COLUMNS requires.
LEVEL_SET_BY_TRIAGE = None


def flag_scores(q_values) -> np.ndarray:
    """0–1 strength of flags from their Benjamini–Hochberg q-values (detectors/stats.score_from_q)."""
    return score_from_q(q_values)


def score_and_level(q_values) -> tuple[np.ndarray, list[str]]:
    """Scores and a computed level that finish_flags overwrites: kept only for judge_profile_outlier and
    termination_procedure_outlier until they use flag_scores and LEVEL_SET_BY_TRIAGE."""
    scores = score_from_q(q_values)
    return scores, [level_for(float(s)) for s in scores]


def flags_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=DETECTOR_COLUMNS)
    return pd.DataFrame(rows)[DETECTOR_COLUMNS]


def r4(x):
    """A figure for evidence JSON."""
    if x is None:
        return None
    x = float(x)
    # math.isfinite: np.isfinite's ufunc call on one float costs more than the rest (r4 runs ~10⁵ times a run)
    return None if not math.isfinite(x) else round(x, 4)


# ----------------------------------------------------------------------------------------------
# per-judge rates (judge_rate_outlier and judge_profile_outlier)

TRIAL_RATE_METRICS = ("extension", "designated", "reversal", "post_close_edit")


def _metric_min(metric: str, s: PatternSettings) -> int:
    return int(s.rate_min_appealed if metric == "reversal" else s.rate_min_cases)


def judge_metric_tests(rates: pd.DataFrame, metrics, s: PatternSettings, group: str) -> pd.DataFrame:
    """One row per tested (judge, metric): the standardised funnel of each metric across judges of the group."""
    frames = []
    for metric in metrics:
        sub = rates[(rates["grp"] == group) & (rates["metric"] == metric)]
        sub = sub[sub["n"] >= _metric_min(metric, s)].reset_index(drop=True)
        if len(sub) < 2 or sub["events"].sum() == 0:
            continue
        fun = standardised_funnel(sub["events"], sub["n"], sub["expected"])
        sub = sub.assign(observed_rate=fun.observed_rate, expected_rate=fun.expected_rate, ratio=fun.ratio,
                         upper95=fun.upper95, upper998=fun.upper998, phi=fun.phi, z=fun.z, p=fun.p)
        frames.append(sub)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

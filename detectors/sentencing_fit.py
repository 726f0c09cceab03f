"""The legal-factor sentencing model shared by the statistical sentencing detectors.

Flow: queries/sentencing_peer_groups.sql names the partitions (one per single
charge, one for all multi-charge defendants), queries/sentencing_features.sql
reads one partition at a time, and this module fits, per partition, a robust
regression of log(term in months) on the legal factors only. Its residuals feed
sentence_deviation (one sentence), judge_/court_sentencing_deviation (a
caseload) and sentencing_disparity_audit (protected attributes, read there only).

Method (shared domain notes, "Sentencing — the method courts follow"): the
量刑指导意见 (法发〔2021〕21号) builds a sentence as a starting point from the
statutory tier, a base from the amount / quantity / harm, then adjustments by
circumstances as a *share* of the base — multiplicative, hence additive in
log(term). So, per peer group,

    log(term) ~ tier dummies + severity (log amount, injury level, log drug
                grams, blood alcohol) + 11 circumstance indicators

fitted by Huber M-estimation (statsmodels RLM, HuberT t=1.345, MAD scale).
Why Huber rather than OLS or QuantReg: the fit must not be pulled by the very
outliers it is meant to find (OLS is), and with near-normal log noise Huber
keeps ~95% of OLS efficiency where median regression keeps ~64% and is an
order of magnitude slower (stack notes: QuantReg 200k rows 6–7 s). Legal
factors are bounded indicators and logs of amounts, so the known weakness of
M-estimators (outliers in the regressors) does not arise. The residual scale is
re-estimated per group by the MAD of leverage-corrected residuals, so a few
planted or real outliers do not widen it and the false-flag rate stays bounded
at any noise level.

Testing one sentence: z is the leverage-corrected residual over the group's MAD spread, taken at
the end of the whole-month rounding interval nearest the expectation (a recorded 1 month may have
been anything under 1.5, so rounding near the 拘役 floor never makes a sentence look more unusual
than it was). Normal two-sided p-values; Benjamini–Hochberg is applied by the detector. Measured on
tuning seeds, the clean residuals' tails are then at or below the normal's.

Multi-charge defendants (数罪并罚) form one peer group, with one indicator per component charge
and the severity measures of their charges. The export has one column per measure, so when two
of a defendant's charges use the same measure (盗窃罪；诈骗罪: two amounts) only one value can be
recorded: such sentences are fitted and enter caseload means, but are not tested one by one
(counted as skipped) — on tuning seeds they were the bulk of the false single-sentence flags.

Rare charges: a single charge with fewer scored sentences than `sentencing_min_peer_group` has no
model of its own and its sentences are not tested one by one; they are fitted together in one pooled
group (POOLED_GROUP: an intercept per charge, circumstances and severity shared) so that they still
count in judges' and courts' caseloads — on the real judgments a third of all sentences are of such
charges. Caseload tests use each sentence's deleted residual (`resid_deleted`, its distance from a
fit that did not see it), because a small group's fit absorbs a share h (the leverage) of every
sentence and so of a judge's whole deviation.

Unknown values: a missing term or severity measure skips the row (counted);
a circumstance left blank is *not recorded*, never read as false: when at least
`sentencing_min_not_recorded` rows of the group share that blank, the model
gives "not recorded" its own indicator (its own estimated effect), otherwise
those rows are skipped and counted.

Scale: everything is per partition; a partition larger than
`sentencing_fit_sample_max` is fitted on a fixed random sample and scored in
full, so memory and time grow with the largest charge, not the province.
"""
from __future__ import annotations

import hashlib
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.tools.sm_exceptions import SingularMatrixWarning
from threadpoolctl import threadpool_limits

from courtwatch import queries
from courtwatch.detectors import law

from .base import DetectContext
from .stats import robust_scale, two_sided_p

MULTI_GROUP = "数罪并罚"
# Single charges too rare for a model of their own (under [stats] sentencing_min_peer_group) are fitted
# together, one intercept per charge and the circumstances shared (the guideline's adjustments are
# shares of the base sentence, the same for every charge). Their sentences are never tested one by
# one (a thin peer group abstains); they enter the judge and court caseloads, which without them
# lost about a third of the real judgments' sentences (docs/quality-real.md).
POOLED_GROUP = "少见罪名（合并）"
ACROSS_CHARGES = (MULTI_GROUP, POOLED_GROUP)
# A rare charge with fewer sentences than this has no peers at all, even pooled: left out.
POOLED_MIN_CHARGE_ROWS = 5

CIRCUMSTANCES = ("surrender", "confession", "guilty_plea", "meritorious", "recidivist", "prior_record",
                 "minor", "accessory", "attempted", "restitution", "forgiven")
CIRCUMSTANCE_ZH = {"surrender": "自首", "confession": "坦白", "guilty_plea": "认罪认罚", "meritorious": "立功",
                   "recidivist": "累犯", "prior_record": "前科", "minor": "未成年", "accessory": "从犯",
                   "attempted": "未遂", "restitution": "退赃退赔", "forgiven": "取得谅解"}
MEASURES = ("amount_involved", "injury_level", "drug_grams", "blood_alcohol")
MEASURE_ZH = {"amount_involved": "涉案金额", "injury_level": "伤情", "drug_grams": "毒品数量",
              "blood_alcohol": "血液酒精含量"}
INJURY_ZH = {"none": "无", "minor_2": "轻伤二级", "minor_1": "轻伤一级", "serious_2": "重伤二级",
             "serious_1": "重伤一级", "death": "死亡"}
CUSTODIAL = ("detention", "fixed_term")
SENTENCE_ZH = {"detention": "拘役", "fixed_term": "有期徒刑"}

# Defaults for the [stats] keys this module reads (config.toml holds the same values).
DEFAULTS = {
    "false_discovery_rate": 0.05,
    "sentencing_min_peer_group": 40,
    "sentencing_min_not_recorded": 10,
    "sentencing_huber_t": 1.345,
    "sentencing_fit_sample_max": 200_000,
    "sentencing_clip_z": 2.5,
    "sentencing_max_leverage": 0.2,
    "sentencing_similar_cases": 5,
    "sentencing_min_judge_cases": 15,
    "sentencing_min_court_cases": 60,
    "sentencing_min_judge_effect": 0.15,
    "sentencing_min_court_effect": 0.10,
    "plea_min_group": 40,
    "disparity_min_court_cases": 100,
    "disparity_min_group": 20,
    "disparity_min_effect": 0.10,
}


# The keys the fitted model depends on (the cache is keyed on them, not on thresholds applied later).
FIT_KEYS = ("sentencing_min_peer_group", "sentencing_min_not_recorded", "sentencing_huber_t",
            "sentencing_fit_sample_max", "sentencing_clip_z", "sentencing_max_leverage")


def settings(ctx: DetectContext) -> dict:
    """The [stats] keys with their documented defaults filled in."""
    values = dict(DEFAULTS)
    values.update({k: v for k, v in ctx.config.stats.items() if k in DEFAULTS})
    return values


@dataclass
class GroupFit:
    """One peer group's fitted model: what the evidence cites about the comparison."""

    peer_group: str
    status: str                 # fitted | thin | empty
    n_rows: int                 # rows read (custodial or unknown kind)
    n_scored: int = 0           # rows the spread rests on (the reference period's, in an incremental run)
    n_fit: int = 0              # rows the coefficients were estimated on
    scale: float = float("nan")  # robust residual spread, log units
    columns: list[str] = field(default_factory=list)
    params: np.ndarray = field(default_factory=lambda: np.zeros(0))
    skipped: dict[str, int] = field(default_factory=dict)
    severity: list[str] = field(default_factory=list)
    n_untestable: int = 0       # scored, but the record cannot hold every offence's severity

    def summary(self) -> dict:
        return {"peer_group": self.peer_group, "status": self.status, "n": self.n_scored, "n_fit": self.n_fit,
                "residual_spread_log": None if math.isnan(self.scale) else round(self.scale, 4),
                "severity_measures": self.severity,
                "coefficients": {c: round(float(b), 4) for c, b in zip(self.columns, self.params)}}


@dataclass
class SentencingModel:
    """Residuals of every scored defendant plus the per-group fits (the result object the detectors read).

    rows: defendant_id, case_id, judge_id, court_id, peer_group, charge,
    sentence_kind, term_months, fitted_log, resid (log units), scale (group
    spread), z (leverage-corrected), p (two-sided), resid_clipped (Huber-clipped
    at ±clip_z·scale, for caseload means).
    """

    rows: pd.DataFrame
    groups: dict[str, GroupFit]
    skipped: dict[str, int]
    clip_z: float
    charge_measures: dict[str, set[str]] = field(default_factory=dict)

    @property
    def rows_skipped(self) -> int:
        return int(sum(self.skipped.values()))

    def skip_note(self) -> str:
        parts = [f"{v} {k}" for k, v in sorted(self.skipped.items()) if v]
        thin = sorted(g.peer_group for g in self.groups.values() if g.status == "thin")
        note = "; ".join(parts)
        if thin:
            note += ("; " if note else "") + "abstained (peer group too thin): " + ", ".join(thin)
        return note

    def clipped_variance_factor(self) -> float:
        """E[clip(Z, -c, c)²] for standard normal Z: the variance of one clipped residual in scale² units."""
        c = self.clip_z
        return float(2 * (sps.norm.cdf(c) - 0.5) - 2 * c * sps.norm.pdf(c) + 2 * c * c * sps.norm.sf(c))


# ----------------------------------------------------------------------------------------------
# design matrix


def charge_measures(frame: pd.DataFrame, frames: pd.DataFrame) -> dict[str, set[str]]:
    """The severity measures of each single charge in `frame`.

    A charge's measures are its statutory frame's measure (detectors/law.py) plus any measure
    recorded for at least 80% of the rows with that charge (e.g. 赌资 for 开设赌场罪, whose frame
    has no measure but whose base sentence grows with it).
    """
    out: dict[str, set[str]] = {}
    for charge, measure in zip(frames["charge"], frames["measure"]):
        out.setdefault(charge, set())
        if isinstance(measure, str):
            out[charge].add(measure)
    for charge, rows in frame.groupby("charge", sort=False):
        if law.MULTI_CHARGE_SEPARATOR in str(charge):
            continue
        out.setdefault(charge, set()).update(m for m in MEASURES if rows[m].notna().mean() >= 0.8)
    return out


def applicable_measures(frame: pd.DataFrame, frames: pd.DataFrame,
                        known: dict[str, set[str]] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Per row, which severity measures describe its offence(s), and whether the record can hold them all.

    A single charge has its own measures (charge_measures); a multi-charge row the union of its
    charges' measures (`known`, learnt from the single-charge groups). A measure that applies is
    required (blank = unknown, row skipped); one that does not apply is absent, not unknown.
    The export has one column per measure, so when two of a defendant's charges use the same
    measure (盗窃罪；诈骗罪: two amounts) only one value can be recorded: such a record is
    incomplete (second array False) — its sentence is fitted but never tested case by case.
    """
    known = {**charge_measures(frame, frames), **(known or {})}
    out = pd.DataFrame(False, index=frame.index, columns=list(MEASURES))
    complete = np.ones(len(frame), dtype=bool)
    position = {label: i for i, label in enumerate(frame.index)}
    for charge, rows in frame.groupby("charge", sort=False):
        parts = str(charge).split(law.MULTI_CHARGE_SEPARATOR)
        sets = [known.get(p, set()) for p in parts]
        wanted = set().union(*sets) if sets else set()
        if len(parts) > 1:
            wanted |= {m for m in MEASURES if rows[m].notna().mean() >= 0.8}
            shared = any(sum(m in s for s in sets) >= 2 for m in MEASURES)
            if shared:
                complete[[position[i] for i in rows.index]] = False
        for m in wanted:
            out.loc[rows.index, m] = True
    return out, complete


def _bool_array(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(value as 0/1 with unknown = 0, unknown mask) — the mask keeps 'not recorded' apart from false."""
    unknown = series.isna().to_numpy()
    values = series.astype("boolean").fillna(False).astype(bool).to_numpy().astype(float)
    return values, unknown


def build_design(group: str, frame: pd.DataFrame, frames: pd.DataFrame, min_not_recorded: int,
                 known: dict[str, set[str]] | None = None
                 ) -> tuple[pd.DataFrame, np.ndarray, list[str], list[str], dict[str, int]]:
    """Rows usable for the model, their design matrix, its column names, the severity measures and skip counts.

    The rows come back with `record_complete` (False: a multi-charge record that cannot hold every
    offence's severity, see applicable_measures).
    """
    skipped: dict[str, int] = {}

    def drop(mask: np.ndarray, reason: str) -> None:
        nonlocal frame
        count = int(mask.sum())
        if count:
            skipped[reason] = skipped.get(reason, 0) + count
            frame = frame.loc[~mask].reset_index(drop=True)

    frame = frame.reset_index(drop=True)
    drop(frame["sentence_kind"].isna().to_numpy(), "sentence kind unknown")
    drop(~frame["sentence_kind"].isin(CUSTODIAL).to_numpy(), "not custodial")
    term = pd.to_numeric(frame["term_months"], errors="coerce")
    drop((term.isna() | (term <= 0)).to_numpy(), "term unknown")
    applies, complete = applicable_measures(frame, frames, known)
    frame["record_complete"] = complete
    for m in MEASURES:
        frame[f"_applies_{m}"] = applies[m].to_numpy()
    for m in MEASURES:
        drop((frame[f"_applies_{m}"] & frame[m].isna()).to_numpy(), f"{MEASURE_ZH[m]} ({m}) unknown")
    # the measure is known from here on: a value outside every frame of the charge is below its first tier
    if group == POOLED_GROUP:
        per_charge = frame["charge"].map(frame["charge"].value_counts()).to_numpy()
        drop(per_charge < POOLED_MIN_CHARGE_ROWS,
             f"rare charge with under {POOLED_MIN_CHARGE_ROWS} sentences (no peers to compare with)")
    frame["tier"] = frame["tier"].fillna(0) if group not in ACROSS_CHARGES else np.nan
    # circumstances: 'not recorded' gets its own indicator when common enough, else the rows are skipped
    unknown_cols: list[str] = []
    for c in CIRCUMSTANCES:
        blanks = frame[c].isna().to_numpy()
        if 0 < blanks.sum() < min_not_recorded:
            drop(blanks, "circumstance not recorded (too rare to model)")
        elif blanks.sum() >= min_not_recorded:
            unknown_cols.append(c)
    # every row dropped by now: the per-row applicability travels with the rows
    applies = pd.DataFrame({m: frame[f"_applies_{m}"].to_numpy().astype(bool) for m in MEASURES})
    frame = frame.drop(columns=[f"_applies_{m}" for m in MEASURES])
    measures = [m for m in MEASURES if applies[m].any()]

    n = len(frame)
    cols: dict[str, np.ndarray] = {"const": np.ones(n)}
    if group not in ACROSS_CHARGES:
        for t in sorted(frame["tier"].dropna().unique())[1:]:
            cols[f"tier_{int(t)}"] = (frame["tier"] == t).to_numpy().astype(float)
    if group in ACROSS_CHARGES:
        # which charges are combined: one indicator per component charge, plus how many
        parts = frame["charge"].str.split(law.MULTI_CHARGE_SEPARATOR)
        cols["n_charges"] = parts.map(len).to_numpy().astype(float)
        names = pd.Series([p for ps in parts for p in ps]).value_counts()
        # pooled rare charges: every charge left has its own intercept (rare ones were dropped above)
        least = min_not_recorded if group == MULTI_GROUP else 1
        for name in sorted(names.index[names >= least]):
            cols[f"has_{name}"] = parts.map(lambda ps, name=name: name in ps).to_numpy().astype(float)
    tiers = sorted(frame["tier"].dropna().unique()) if group not in ACROSS_CHARGES else []
    for m in measures:
        present = applies[m].to_numpy()
        if m == "injury_level":
            order = frame[m].map(law.INJURY_ORDER).fillna(0).to_numpy().astype(float)
            if group in ACROSS_CHARGES:  # few rows per level: the ordinal scale
                cols["injury_applies"] = present.astype(float)
                cols["injury_order"] = np.where(present, order, 0.0)
            else:
                for level, code in list(law.INJURY_ORDER.items())[1:]:
                    cols[f"injury_{level}"] = (order == code).astype(float)
            continue
        value = np.log(np.maximum(pd.to_numeric(frame[m], errors="coerce").fillna(1.0).to_numpy(), 1e-2))
        if group in ACROSS_CHARGES:
            cols[f"{m}_applies"] = present.astype(float)
            cols[f"log_{m}"] = np.where(present, value, 0.0)
            continue
        cols[f"log_{m}"] = value
        # the guideline's increments differ by tier: one slope per tier that has enough cases
        for t in tiers[1:]:
            in_tier = (frame["tier"] == t).to_numpy()
            if in_tier.sum() >= min_not_recorded:
                cols[f"log_{m}_tier_{int(t)}"] = np.where(in_tier, value, 0.0)
    for c in CIRCUMSTANCES:
        values, unknown = _bool_array(frame[c])
        cols[c] = values
        if c in unknown_cols:
            cols[f"{c}_not_recorded"] = unknown.astype(float)
    names = list(cols)
    X = np.column_stack([cols[k] for k in names]) if n else np.zeros((0, len(names)))
    X, names = _independent_columns(X, names)
    return frame, X, names, measures, skipped


def _independent_columns(X: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Drop constant and collinear columns (keeping the intercept) so every coefficient is identified.

    One Gram–Schmidt pass: a column is kept when a non-negligible part of it is not explained by the
    columns kept before it (O(n·p²), no repeated SVDs).
    """
    if X.shape[0] == 0:
        return X, names
    basis: list[np.ndarray] = []
    keep: list[int] = []
    for j in range(X.shape[1]):
        column = X[:, j].astype(float)
        norm = np.linalg.norm(column)
        if norm == 0 or (j > 0 and np.ptp(column) == 0):
            continue
        rest = column.copy()
        for _ in range(2):  # re-orthogonalise once for numerical stability
            for b in basis:
                rest -= (b @ rest) * b
        if np.linalg.norm(rest) > 1e-8 * norm:
            basis.append(rest / np.linalg.norm(rest))
            keep.append(j)
    return X[:, keep], [names[j] for j in keep]


def leverage(X: np.ndarray) -> np.ndarray:
    q, _ = np.linalg.qr(X)
    return np.einsum("ij,ij->i", q, q)


def outside_row_space(X: np.ndarray, X_reference: np.ndarray) -> np.ndarray:
    """Rows of X that are not combinations of the reference rows (so the reference fit cannot predict them)."""
    _, singular, vt = np.linalg.svd(X_reference, full_matrices=False)
    basis = vt[singular > singular.max() * 1e-10] if singular.size else vt[:0]
    remainder = X - (X @ basis.T) @ basis
    return np.linalg.norm(remainder, axis=1) > 1e-8 * np.maximum(1.0, np.linalg.norm(X, axis=1))


def leverage_against(X: np.ndarray, X_reference: np.ndarray) -> np.ndarray:
    """x'(X_ref'X_ref)⁻¹x for every row of X: in-sample leverage for reference rows, out-of-sample for the rest."""
    inverse = np.linalg.pinv(X_reference.T @ X_reference)
    return np.einsum("ij,jk,ik->i", X, inverse, X)


# ----------------------------------------------------------------------------------------------
# fitting


def fit_group(group: str, frame: pd.DataFrame, frames: pd.DataFrame, cfg: dict,
              known: dict[str, set[str]] | None = None,
              scope: frozenset[str] | None = None,
              reference_ids: frozenset[str] | None = None) -> tuple[GroupFit, pd.DataFrame, np.ndarray]:
    """Fit one peer group; returns the fit, the usable rows with residual columns, and the design.

    An incremental run passes `scope` (the new or changed case ids, scored out of sample) and
    `reference_ids` (the cases unchanged since the last full run, the only ones the model is
    fitted on); rows in neither are left out (their flags are carried).
    """
    fit = GroupFit(group, "empty", len(frame))
    rows, X, names, measures, skipped = build_design(group, frame, frames, cfg["sentencing_min_not_recorded"], known)
    fit.skipped, fit.severity, fit.columns = skipped, measures, names
    n = len(rows)
    if n == 0:
        return fit, rows, X
    if scope is None:
        reference = np.ones(n, dtype=bool)
    else:
        ids = rows["case_id"].astype(object)
        scored = ids.isin(scope).to_numpy()
        reference = ids.isin(reference_ids or frozenset()).to_numpy() & ~scored
        keep = reference | scored
        rows, X, reference = rows[keep].reset_index(drop=True), X[keep], reference[keep]
        n = len(rows)
    if scope is not None and reference.any():
        # A new case whose factor combination the reference period never had (e.g. the first
        # tier-3 fraud) has no expectation to compare with: it abstains rather than be flagged.
        unseen = ~reference & outside_row_space(X, X[reference])
        if unseen.any():
            fit.skipped["abstained: factor combination unseen in the reference period"] = int(unseen.sum())
            keep = ~unseen
            rows, X, reference = rows[keep].reset_index(drop=True), X[keep], reference[keep]
            n = len(rows)
    n_ref = int(reference.sum())
    if n_ref < cfg["sentencing_min_peer_group"] or n_ref < 3 * X.shape[1]:
        fit.status = "thin"
        fit.skipped[f"abstained: peer group under {cfg['sentencing_min_peer_group']}"] = n
        return fit, rows.iloc[0:0], X[:0]
    y = np.log(rows["term_months"].astype(float).to_numpy())
    fit_idx = np.flatnonzero(reference)
    if n_ref > cfg["sentencing_fit_sample_max"]:
        seed = int(hashlib.sha1(group.encode("utf-8")).hexdigest()[:8], 16)
        fit_idx = np.sort(np.random.default_rng(seed).choice(fit_idx, cfg["sentencing_fit_sample_max"], replace=False))
    model = sm.RLM(y[fit_idx], X[fit_idx], M=sm.robust.norms.HuberT(t=cfg["sentencing_huber_t"]))
    with warnings.catch_warnings():
        # In an incremental run a design column can be all zero in the reference rows (a level only new
        # cases have, whose rows abstained above): the fit's minimum-norm solution is then the right one.
        warnings.simplefilter("ignore", SingularMatrixWarning)
        result = model.fit(maxiter=100, tol=1e-8, scale_est="mad")
    params = np.asarray(result.params, dtype=float)
    fitted = X @ params
    resid = y - fitted
    # Leverage-corrected residuals: a case whose factor combination is rare sits close to its own
    # fit, so its raw residual understates how unusual it is (÷√(1−h)); a case scored out of sample
    # is further from the fit than its raw residual says (×… ÷√(1+h), the prediction error).
    if scope is None:
        h = np.clip(leverage(X), 0.0, 0.99) if n <= cfg["sentencing_fit_sample_max"] else np.zeros(n)
        spread = np.sqrt(1.0 - h)
    else:
        h = np.maximum(leverage_against(X, X[reference]), 0.0) if n_ref <= cfg["sentencing_fit_sample_max"] \
            else np.zeros(n)
        # in-sample leverage is below 1 (clipped as in a full run); out of sample it is unbounded
        spread = np.where(reference, np.sqrt(1.0 - np.minimum(h, 0.99)), np.sqrt(1.0 + h))
    standardized = resid / spread
    scale = robust_scale(standardized[reference])
    if not scale > 0:
        scale = float(np.std(standardized[reference])) or 1e-6
    centre = float(np.median(standardized[reference]))
    # Terms are recorded in whole months: a recorded 1 may have been anything under 1.5. The test
    # takes the end of the rounding interval nearest the expectation, so rounding near the
    # statutory floor (拘役 1 month) never makes a sentence look more unusual than it was.
    term = rows["term_months"].astype(float).to_numpy()
    half = np.where(np.isclose(term, np.round(term)), 0.5, 0.0)
    lower = (np.log(np.maximum(term - half, 1e-3)) - fitted) / spread - centre
    upper = (np.log(term + half) - fitted) / spread - centre
    z = np.where(lower > 0, lower, np.where(upper < 0, upper, 0.0)) / scale
    # pooled rare charges abstain one by one (a thin peer group); they count in caseloads only
    testable = rows["record_complete"].to_numpy().astype(bool) & (group != POOLED_GROUP)
    # A case whose recorded facts are far from every peer's (leverage h above Huber's 0.2) has no
    # expectation the peers can vouch for: the fit is extrapolated to it, and on the real judgments
    # such cases were mostly misread amounts (a contract fraud "expected" at 400 months). They abstain
    # one by one and still count, at their deleted residual's low weight, in caseloads.
    high_leverage = h > cfg["sentencing_max_leverage"]
    testable &= ~high_leverage
    fit.status, fit.n_scored, fit.n_fit, fit.scale, fit.params = "fitted", n_ref, len(fit_idx), scale, params
    fit.n_untestable = int((~testable).sum())
    out = rows[["defendant_id", "case_id", "judge_id", "court_id", "charge", "sentence_kind", "term_months"]].copy()
    out["peer_group"] = group
    out["fitted_log"] = fitted
    out["resid"] = resid
    out["scale"] = scale
    out["z"] = z
    out["p"] = two_sided_p(z)
    out["testable"] = testable
    out["resid_clipped"] = np.clip(resid, -cfg["sentencing_clip_z"] * scale, cfg["sentencing_clip_z"] * scale)
    # The case's distance from a fit that did not see it (the deleted residual, exact for weighted least
    # squares at the final Huber weights): in-sample, e/(1−h) with variance σ²/(1−h); out of sample the
    # residual already is one, with variance σ²(1+h). Caseload tests use it, because in a small peer
    # group the fit absorbs a share h of every sentence, and so of a judge's whole deviation
    # (measured on the real judgments: about half of a ×1.6 judge's effect in groups of 40–130).
    in_sample = reference if scope is not None else np.ones(n, dtype=bool)
    h_in = np.minimum(h, 0.99)
    out["resid_deleted"] = np.where(in_sample, resid / (1.0 - h_in), resid)
    out["deleted_var_factor"] = np.where(in_sample, 1.0 / (1.0 - h_in), 1.0 + h)
    out["pooled"] = group == POOLED_GROUP
    out["high_leverage"] = high_leverage & (group != POOLED_GROUP)
    return fit, out, X


def _features(ctx: DetectContext, group: str) -> pd.DataFrame:
    frames = law.frame_sets_for(ctx.config)  # one frame set per configured province + the national lowest
    ctx.con.register("law_frames", frames)
    try:
        return queries.run(ctx.con, "sentencing_features", as_of=ctx.as_of,
                           separator=law.MULTI_CHARGE_SEPARATOR, peer_group=group, **law.frame_params_for(ctx.config))
    finally:
        ctx.con.unregister("law_frames")


def _cache_key(ctx: DetectContext) -> tuple:
    """What the model depends on: the data (fingerprinted), the as-of date and the configuration."""
    fingerprint = ctx.con.execute(
        "SELECT (SELECT count(*) FROM defendants), (SELECT coalesce(sum(hash(d)::HUGEINT), 0) FROM defendants d), "
        "(SELECT coalesce(sum(hash(c.case_id, c.judge_id, c.court_id, c.closed_on)::HUGEINT), 0) FROM cases c)"
    ).fetchall()[0]
    cfg = settings(ctx)
    fit_settings = tuple(cfg[k] for k in FIT_KEYS)
    thresholds = (ctx.config.province, repr(sorted(ctx.config.law_provinces.items())))
    return (id(ctx.con), ctx.as_of, thresholds, fit_settings, fingerprint, ctx.scope, ctx.reference)


_CACHE: dict = {}


def fit_model(ctx: DetectContext) -> SentencingModel:
    """The sentencing model for this run (fitted once and shared by the detectors of one run)."""
    key = _cache_key(ctx)
    if _CACHE.get("key") == key:
        return _CACHE["model"]
    cfg = settings(ctx)
    frames = law.frames(law.province_thresholds(ctx.config), ctx.config.province)  # charge → measure only
    groups = queries.run(ctx.con, "sentencing_peer_groups", as_of=ctx.as_of, separator=law.MULTI_CHARGE_SEPARATOR)
    fits: dict[str, GroupFit] = {}
    parts: list[pd.DataFrame] = []
    skipped: dict[str, int] = {}
    known: dict[str, set[str]] = {}
    rare: list[pd.DataFrame] = []
    # single charges first: the multi-charge group borrows their severity measures; the pooled rare
    # charges come last, from the single charges that were too thin for a model of their own
    order = sorted(groups["peer_group"], key=lambda g: (g == MULTI_GROUP, g)) + [POOLED_GROUP]
    for group in order:
        if group == POOLED_GROUP:
            if not rare:
                break
            features = pd.concat(rare, ignore_index=True)
        else:
            features = _features(ctx, group)
        # Small dense problems (p ≤ ~30): a multi-threaded BLAS only spins; measured 50× slower on a busy 2-core host.
        with threadpool_limits(1, user_api="blas"):
            fit, rows, _ = fit_group(group, features, frames, cfg, known, ctx.scope, ctx.reference)
        if group not in ACROSS_CHARGES:
            known[group] = set(fit.severity)
            if fit.status == "thin":
                rare.append(features)
        fits[group] = fit
        # the pooled rows were counted already, by the thin groups they come from
        for reason, count in (fit.skipped.items() if group != POOLED_GROUP else ()):
            key_reason = ("abstained (thin peer group)" if reason.startswith("abstained: peer group")
                          else reason.replace("abstained: ", "abstained (") + ")" if reason.startswith("abstained")
                          else reason)
            skipped[key_reason] = skipped.get(key_reason, 0) + count
        if len(rows):
            parts.append(rows)
    columns = ["defendant_id", "case_id", "judge_id", "court_id", "charge", "sentence_kind", "term_months",
               "peer_group", "fitted_log", "resid", "scale", "z", "p", "testable", "resid_clipped",
               "resid_deleted", "deleted_var_factor", "pooled", "high_leverage"]
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    model = SentencingModel(rows, fits, skipped, cfg["sentencing_clip_z"], known)
    _CACHE.clear()
    _CACHE.update(key=key, model=model)
    return model


# ----------------------------------------------------------------------------------------------
# similar cases behind a warning


def factors_zh(row: pd.Series | dict, measures: list[str]) -> str:
    """The legal factors of one defendant, as a reviewer reads them (e.g. '涉案金额5,000元；自首、认罪认罚')."""
    parts = []
    for m in measures:
        value = row.get(m)
        if _is_na(value):  # not applicable to this combination of charges (unknown rows are never scored)
            continue
        if m == "amount_involved":
            parts.append(f"涉案金额{float(value):,.0f}元")
        elif m == "drug_grams":
            parts.append(f"毒品{float(value):g}克")
        elif m == "blood_alcohol":
            parts.append(f"血液酒精{float(value):g}mg/100ml")
        elif m == "injury_level":
            parts.append(f"伤情{INJURY_ZH.get(str(value), str(value))}")
    present = [CIRCUMSTANCE_ZH[c] for c in CIRCUMSTANCES if _is_true(row.get(c))]
    unknown = [CIRCUMSTANCE_ZH[c] for c in CIRCUMSTANCES if _is_na(row.get(c))]
    parts.append("、".join(present) if present else "无法定/酌定情节")
    if unknown:
        parts.append("未记录：" + "、".join(unknown))
    return "；".join(parts)


def _is_na(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _is_true(value) -> bool:
    return not _is_na(value) and bool(value)


def flag_context(ctx: DetectContext, model: SentencingModel, defendant_ids: list[str], k: int) -> dict[str, dict]:
    """For each flagged defendant: its legal factors and the k legally most similar peers (other cases).

    Similarity is measured where it matters to the sentence: the distance between two defendants
    is the distance between their factor vectors weighted by the model's coefficients, i.e. how
    differently the legal factors alone would sentence them. Only the groups holding a warning are
    read again (one query each), so memory stays per partition.
    """
    cfg = settings(ctx)
    frames = law.frames(law.province_thresholds(ctx.config), ctx.config.province)  # charge → measure only
    wanted = model.rows[model.rows["defendant_id"].isin(defendant_ids)]
    out: dict[str, dict] = {}
    for group, targets in wanted.groupby("peer_group"):
        if group == POOLED_GROUP:  # never tested one by one, so never behind a warning
            continue
        fit = model.groups[group]
        rows, X, names, measures, _ = build_design(group, _features(ctx, group), frames,
                                                   cfg["sentencing_min_not_recorded"], model.charge_measures)
        if names != fit.columns:  # the data changed under us: give the factors without peers
            X = None
        records = rows.to_dict("records")
        ids = rows["defendant_id"].to_numpy()
        cases = rows["case_id"].to_numpy()
        position = {d: i for i, d in enumerate(ids)}
        weighted = X * fit.params if X is not None else None
        fitted = X @ fit.params if X is not None else None
        for defendant in targets["defendant_id"]:
            i = position.get(defendant)
            if i is None:
                continue
            record = records[i]
            entry = {
                "factors_zh": factors_zh(record, measures),
                "severity": {m: record.get(m) for m in measures},
                "tier": None if _is_na(record.get("tier")) else int(record["tier"]),
                "circumstances": {c: (None if _is_na(record.get(c)) else bool(record.get(c))) for c in CIRCUMSTANCES},
                "similar_cases": [],
            }
            if weighted is not None:
                distance = np.sqrt(((weighted - weighted[i]) ** 2).sum(axis=1))
                distance[cases == cases[i]] = np.inf  # co-defendants are not 'other similar cases'
                order = np.lexsort((ids, distance))[:k]
                for j in order:
                    if not np.isfinite(distance[j]):
                        continue
                    peer = records[j]
                    entry["similar_cases"].append({
                        "case_id": peer["case_id"],
                        "defendant_id": peer["defendant_id"],
                        "court_id": peer["court_id"],
                        "sentence": f"{SENTENCE_ZH.get(peer['sentence_kind'], peer['sentence_kind'])}"
                                    f"{float(peer['term_months']):g}个月",
                        "term_months": float(peer["term_months"]),
                        "expected_months": round(float(np.exp(fitted[j])), 1),
                        "factors": factors_zh(peer, measures),
                        "factor_distance": round(float(distance[j]), 3),
                    })
            out[defendant] = entry
    return out

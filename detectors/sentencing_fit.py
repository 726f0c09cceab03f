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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps

from courtwatch import law, queries

from .base import DetectContext
from .stats import robust_scale, two_sided_p

MULTI_GROUP = "数罪并罚"

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
    "sentencing_similar_cases": 5,
    "sentencing_min_judge_cases": 15,
    "sentencing_min_court_cases": 60,
    "plea_min_group": 40,
    "disparity_min_court_cases": 100,
    "disparity_min_group": 10,
    "disparity_min_effect": 0.10,
}


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
    n_scored: int = 0           # rows with a residual
    n_fit: int = 0              # rows the coefficients were estimated on
    scale: float = float("nan")  # robust residual spread, log units
    columns: list[str] = field(default_factory=list)
    params: np.ndarray = field(default_factory=lambda: np.zeros(0))
    skipped: dict[str, int] = field(default_factory=dict)
    severity: list[str] = field(default_factory=list)

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


def _severity_measures(group: str, frame: pd.DataFrame, frames: pd.DataFrame) -> list[str]:
    """Which severity columns describe this group's offences.

    A single charge uses its statutory frame's measure (courtwatch/law.py); a charge outside the
    frame table, and the multi-charge group, use every measure recorded for most of its rows
    (a measure the charge does not have is blank for nearly all of them).
    """
    if group != MULTI_GROUP:
        known = frames.loc[frames["charge"] == group, "measure"]
        if len(known):
            return sorted({m for m in known if isinstance(m, str)})
    if group == MULTI_GROUP:
        # the union of the components' measures
        parts = {p for c in frame["charge"].dropna().unique() for p in str(c).split(law.MULTI_CHARGE_SEPARATOR)}
        wanted = {m for m in frames.loc[frames["charge"].isin(parts), "measure"] if isinstance(m, str)}
        # a measure that applies only to some combinations: required only where present for most rows
        return sorted(m for m in wanted if frame[m].notna().mean() >= 0.5)
    return sorted(m for m in MEASURES if frame[m].notna().mean() >= 0.8)


def _bool_array(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(value as 0/1 with unknown = 0, unknown mask) — the mask keeps 'not recorded' apart from false."""
    unknown = series.isna().to_numpy()
    values = series.astype("boolean").fillna(False).astype(bool).to_numpy().astype(float)
    return values, unknown


def build_design(group: str, frame: pd.DataFrame, frames: pd.DataFrame, min_not_recorded: int
                 ) -> tuple[pd.DataFrame, np.ndarray, list[str], list[str], dict[str, int]]:
    """Rows usable for the model, their design matrix, its column names, the severity measures and skip counts."""
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
    measures = _severity_measures(group, frame, frames)
    for m in measures:
        drop(frame[m].isna().to_numpy(), f"{MEASURE_ZH[m]} ({m}) unknown")
    # the measure is known from here on: a value outside every frame of the charge is below its first tier
    frame["tier"] = frame["tier"].fillna(0) if group != MULTI_GROUP else np.nan
    # circumstances: 'not recorded' gets its own indicator when common enough, else the rows are skipped
    unknown_cols: list[str] = []
    for c in CIRCUMSTANCES:
        blanks = frame[c].isna().to_numpy()
        if 0 < blanks.sum() < min_not_recorded:
            drop(blanks, "circumstance not recorded (too rare to model)")
        elif blanks.sum() >= min_not_recorded:
            unknown_cols.append(c)

    n = len(frame)
    cols: dict[str, np.ndarray] = {"const": np.ones(n)}
    if group != MULTI_GROUP:
        for t in sorted(frame["tier"].dropna().unique())[1:]:
            cols[f"tier_{int(t)}"] = (frame["tier"] == t).to_numpy().astype(float)
    if group == MULTI_GROUP:
        # which charges are combined: one indicator per component charge, plus how many
        parts = frame["charge"].str.split(law.MULTI_CHARGE_SEPARATOR)
        cols["n_charges"] = parts.map(len).to_numpy().astype(float)
        names = pd.Series([p for ps in parts for p in ps]).value_counts()
        for name in sorted(names.index[names >= min_not_recorded]):
            cols[f"has_{name}"] = parts.map(lambda ps, name=name: name in ps).to_numpy().astype(float)
    for m in measures:
        if m == "injury_level":
            for level in list(law.INJURY_ORDER)[1:]:
                cols[f"injury_{level}"] = (frame[m] == level).to_numpy().astype(float)
        elif m == "blood_alcohol":
            cols["blood_alcohol_per_100"] = frame[m].astype(float).to_numpy() / 100.0
        else:
            cols[f"log_{m}"] = np.log1p(np.maximum(frame[m].astype(float).to_numpy(), 0.0))
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
    """Drop constant and collinear columns (keeping the intercept) so every coefficient is identified."""
    if X.shape[0] == 0:
        return X, names
    keep = [0] + [j for j in range(1, X.shape[1]) if np.ptp(X[:, j]) > 0]
    X, names = X[:, keep], [names[j] for j in keep]
    chosen: list[int] = []
    for j in range(X.shape[1]):
        trial = chosen + [j]
        if np.linalg.matrix_rank(X[:, trial]) == len(trial):
            chosen.append(j)
    return X[:, chosen], [names[j] for j in chosen]


def leverage(X: np.ndarray) -> np.ndarray:
    q, _ = np.linalg.qr(X)
    return np.einsum("ij,ij->i", q, q)


# ----------------------------------------------------------------------------------------------
# fitting


def fit_group(group: str, frame: pd.DataFrame, frames: pd.DataFrame, cfg: dict
              ) -> tuple[GroupFit, pd.DataFrame, np.ndarray]:
    """Fit one peer group; returns the fit, the usable rows with residual columns, and the design."""
    fit = GroupFit(group, "empty", len(frame))
    rows, X, names, measures, skipped = build_design(group, frame, frames, cfg["sentencing_min_not_recorded"])
    fit.skipped, fit.severity, fit.columns = skipped, measures, names
    n = len(rows)
    if n == 0:
        return fit, rows, X
    if n < cfg["sentencing_min_peer_group"] or n < 3 * X.shape[1]:
        fit.status = "thin"
        fit.skipped[f"abstained: peer group under {cfg['sentencing_min_peer_group']}"] = n
        return fit, rows.iloc[0:0], X[:0]
    y = np.log(rows["term_months"].astype(float).to_numpy())
    fit_idx = np.arange(n)
    if n > cfg["sentencing_fit_sample_max"]:
        seed = int(hashlib.sha1(group.encode("utf-8")).hexdigest()[:8], 16)
        fit_idx = np.sort(np.random.default_rng(seed).choice(n, cfg["sentencing_fit_sample_max"], replace=False))
    model = sm.RLM(y[fit_idx], X[fit_idx], M=sm.robust.norms.HuberT(t=cfg["sentencing_huber_t"]))
    result = model.fit(maxiter=100, tol=1e-8, scale_est="mad")
    params = np.asarray(result.params, dtype=float)
    fitted = X @ params
    resid = y - fitted
    # Leverage-corrected residuals: a case whose factor combination is rare sits close to its own
    # fit, so its raw residual understates how unusual it is.
    h = np.clip(leverage(X), 0.0, 0.99) if n <= cfg["sentencing_fit_sample_max"] else np.zeros(n)
    standardized = resid / np.sqrt(1.0 - h)
    scale = robust_scale(standardized)
    if not scale > 0:
        scale = float(np.std(standardized)) or 1e-6
    z = (standardized - np.median(standardized)) / scale
    fit.status, fit.n_scored, fit.n_fit, fit.scale, fit.params = "fitted", n, len(fit_idx), scale, params
    out = rows[["defendant_id", "case_id", "judge_id", "court_id", "charge", "sentence_kind", "term_months"]].copy()
    out["peer_group"] = group
    out["fitted_log"] = fitted
    out["resid"] = resid
    out["scale"] = scale
    out["z"] = z
    out["p"] = two_sided_p(z)
    out["resid_clipped"] = np.clip(resid, -cfg["sentencing_clip_z"] * scale, cfg["sentencing_clip_z"] * scale)
    return fit, out, X


def _features(ctx: DetectContext, group: str) -> pd.DataFrame:
    frames = law.frames(ctx.config.province_thresholds)
    ctx.con.register("law_frames", frames)
    try:
        return queries.run(ctx.con, "sentencing_features", as_of=ctx.as_of,
                           separator=law.MULTI_CHARGE_SEPARATOR, peer_group=group)
    finally:
        ctx.con.unregister("law_frames")


def _cache_key(ctx: DetectContext) -> tuple:
    """What the model depends on: the data (fingerprinted), the as-of date and the configuration."""
    fingerprint = ctx.con.execute(
        "SELECT (SELECT count(*) FROM defendants), (SELECT coalesce(sum(hash(d)::HUGEINT), 0) FROM defendants d), "
        "(SELECT coalesce(sum(hash(c.case_id, c.judge_id, c.court_id, c.closed_on)::HUGEINT), 0) FROM cases c)"
    ).fetchall()[0]
    return (id(ctx.con), ctx.as_of, ctx.config.to_json(), fingerprint)


_CACHE: dict = {}


def fit_model(ctx: DetectContext) -> SentencingModel:
    """The sentencing model for this run (fitted once and shared by the detectors of one run)."""
    key = _cache_key(ctx)
    if _CACHE.get("key") == key:
        return _CACHE["model"]
    cfg = settings(ctx)
    frames = law.frames(ctx.config.province_thresholds)
    groups = queries.run(ctx.con, "sentencing_peer_groups", as_of=ctx.as_of, separator=law.MULTI_CHARGE_SEPARATOR)
    fits: dict[str, GroupFit] = {}
    parts: list[pd.DataFrame] = []
    skipped: dict[str, int] = {}
    for group in groups["peer_group"]:
        fit, rows, _ = fit_group(group, _features(ctx, group), frames, cfg)
        fits[group] = fit
        for reason, count in fit.skipped.items():
            key_reason = "abstained (thin peer group)" if reason.startswith("abstained") else reason
            skipped[key_reason] = skipped.get(key_reason, 0) + count
        if len(rows):
            parts.append(rows)
    columns = ["defendant_id", "case_id", "judge_id", "court_id", "charge", "sentence_kind", "term_months",
               "peer_group", "fitted_log", "resid", "scale", "z", "p", "resid_clipped"]
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    model = SentencingModel(rows, fits, skipped, cfg["sentencing_clip_z"])
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
        if value is None or (isinstance(value, float) and math.isnan(value)):
            parts.append(f"{MEASURE_ZH[m]}不详")
        elif m == "amount_involved":
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


def similar_cases(ctx: DetectContext, model: SentencingModel, defendant_ids: list[str], k: int) -> dict[str, list[dict]]:
    """For each flagged defendant, the k legally most similar peers in its group (other cases).

    Similarity is measured where it matters to the sentence: the distance between two defendants
    is the distance between their factor vectors weighted by the model's coefficients, i.e. how
    differently the legal factors alone would sentence them. Rebuilt per group on demand, so only
    groups holding a warning are read again.
    """
    cfg = settings(ctx)
    frames = law.frames(ctx.config.province_thresholds)
    wanted = model.rows[model.rows["defendant_id"].isin(defendant_ids)]
    out: dict[str, list[dict]] = {}
    for group, targets in wanted.groupby("peer_group"):
        fit = model.groups[group]
        rows, X, names, measures, _ = build_design(group, _features(ctx, group), frames,
                                                   cfg["sentencing_min_not_recorded"])
        if names != fit.columns:
            continue
        weighted = X * fit.params
        fitted = X @ fit.params
        ids = rows["defendant_id"].to_numpy()
        cases = rows["case_id"].to_numpy()
        position = {d: i for i, d in enumerate(ids)}
        for defendant in targets["defendant_id"]:
            i = position.get(defendant)
            if i is None:
                continue
            distance = np.sqrt(((weighted - weighted[i]) ** 2).sum(axis=1))
            distance[cases == cases[i]] = np.inf  # co-defendants are not 'other similar cases'
            order = np.lexsort((ids, distance))[:k]
            out[defendant] = [{
                "case_id": rows.at[j, "case_id"],
                "defendant_id": rows.at[j, "defendant_id"],
                "court_id": rows.at[j, "court_id"],
                "sentence": f"{SENTENCE_ZH.get(rows.at[j, 'sentence_kind'], rows.at[j, 'sentence_kind'])}"
                            f"{float(rows.at[j, 'term_months']):g}个月",
                "term_months": float(rows.at[j, "term_months"]),
                "expected_months": round(float(np.exp(fitted[j])), 1),
                "factors": factors_zh(rows.iloc[j], measures),
                "factor_distance": round(float(distance[j]), 3),
            } for j in order if np.isfinite(distance[j])]
    return out


def factors_of(ctx: DetectContext, model: SentencingModel, defendant_ids: list[str]) -> dict[str, dict]:
    """Severity and circumstances of given defendants, for evidence (one query per group holding them)."""
    wanted = model.rows[model.rows["defendant_id"].isin(defendant_ids)]
    out: dict[str, dict] = {}
    for group, targets in wanted.groupby("peer_group"):
        fit = model.groups[group]
        frame = _features(ctx, group)
        frame = frame[frame["defendant_id"].isin(set(targets["defendant_id"]))]
        for record in frame.to_dict("records"):
            out[record["defendant_id"]] = {
                "factors_zh": factors_zh(record, fit.severity),
                "severity": {m: record.get(m) for m in fit.severity},
                "tier": record.get("tier"),
                "circumstances": {c: (None if _is_na(record.get(c)) else bool(record.get(c))) for c in CIRCUMSTANCES},
            }
    return out



"""The probation (缓刑) choice model shared by judge_probation_deviation and court_probation_deviation.

Flow: fit.stage_features stages every sentence's legal factors once (queries/sentencing_features_stage.sql);
queries/sentencing_probation_features.sql adds whether probation was granted, the judgment year and the
court's level; this module keeps the sentences for which 刑法 §72 leaves probation open, as recorded
(拘役, or 有期徒刑 of at most 36 months — the 决定执行刑 where recorded — and not a recidivist, §74),
fits one logistic model of "probation granted" on the legal factors alone, and tests whether a
judge's (a court's) caseload has more or fewer probations than the model predicts for its cases.

Method. The 量刑指导意见 (法发〔2021〕21号) decides probation last, after the term. So the model is
conditional on the sentence: logit P(probation) ~ charge (one intercept per charge with at least
`probation_min_charge_rows` eligible sentences; all 数罪并罚 defendants one more; rarer charges one
pooled intercept) + the charge's statutory tier + log(term) with a slope per charge + 拘役 vs 有期徒刑
+ the eleven circumstances (a blank is "not recorded", its own indicator, as in design.py) + the
judgment year (policy shifts move probation rates province-wide) + the court's level. It is fitted
by ridge-penalised maximum likelihood (the objective of statsmodels' GLM Binomial fit_regularized with
L1_wt=0, solved to convergence by penalised IRLS: detectors/stats.ridge_logistic): a
normal prior of sd `probation_prior_sd` on every log-odds coefficient but the intercept keeps a thin
charge or a perfectly separated factor finite (Gelman et al. 2008's weakly informative prior).

Caseload test. For a unit with eligible sentences i: observed O = Σ yᵢ, expected E = Σ pᵢ and, with
no unit effect, O is Poisson-binomial with variance V = Σ pᵢ(1−pᵢ): z = (O − E)/√(φV), normal
approximation. φ ≥ 1 is the over-dispersion between units, the mean of the units' winsorised z²
(Spiegelhalter 2005, as detectors/stats.funnel), so ordinary differences among judges are not read
as favour. A judge is also compared with the level of his or her court, estimated from the court's
other judges as a shift of the log-odds shrunk toward the province by the between-court variance
(nested empirical Bayes); the larger of the two p-values counts (intersection–union), so a court
that grants probation freely as a whole is not charged to each of its judges. Benjamini–Hochberg at
`[stats] false_discovery_rate` across units, and a minimum effect (`probation_min_effect`, the
observed minus the expected probation rate).

No case is flagged: one binary outcome with a predicted probability of, say, 0.2 is not unusual on
its own; only a caseload can show a pattern.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from courtwatch import queries

from ..base import DETECTOR_COLUMNS, DetectContext, Detection, Detector, Settings, level_for
from ..stats import benjamini_hochberg, ridge_logistic, robust_scale, score_from_q, two_sided_p
from . import text
from .design import CIRCUMSTANCES, MULTI_GROUP, independent_design
from .fit import data_fingerprint, fit_sample, stage_features

POOLED = "少见罪名（合并）"
# §72: probation only for 拘役 or 有期徒刑 of at most three years
PROBATION_MAX_TERM = 36


@dataclass(frozen=True)
class ProbationSettings(Settings):
    """The [stats] keys of the probation model (config.toml says what each means)."""

    section = "stats"

    false_discovery_rate: float
    sentencing_min_not_recorded: int
    sentencing_fit_sample_max: int
    probation_min_rows: int
    probation_min_charge_rows: int
    probation_prior_sd: float
    probation_min_judge_cases: int
    probation_min_court_cases: int
    probation_min_effect: float
    penalty_kind_min_judge_cases: int
    penalty_kind_min_court_cases: int
    penalty_kind_min_effect: float


@dataclass
class ProbationModel:
    """Eligible sentences with their predicted probation probability, and what the fit rests on.

    rows: defendant_id, case_id, judge_id, court_id, charge, group, sentence_kind, term, granted (0/1),
    p (predicted), logit. status: fitted | abstained (note says why).
    """

    rows: pd.DataFrame
    status: str
    note: str
    skipped: dict[str, int] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    params: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_fit: int = 0
    # the caseload tests run on this model (probation_test), by unit, minimum caseload and reference
    tests: dict = field(default_factory=dict, repr=False)

    @property
    def rows_skipped(self) -> int:
        return int(sum(self.skipped.values()))

    def summary(self) -> dict:
        return {"n": int(len(self.rows)), "n_fit": self.n_fit,
                "probation_rate": round(float(self.rows["granted"].mean()), 4) if len(self.rows) else None,
                "coefficients": {c: round(float(b), 4) for c, b in zip(self.columns, self.params)}}


def eligible(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Which sentences §§72, 74 leave probation open for, as recorded (a mask over `frame`'s rows), each row's term
    (the 决定执行刑 where recorded), and the skip counts. The frame is not cut here: build_probation_design takes
    the rows it models once, and only the columns the model keeps."""
    skipped: dict[str, int] = {}
    combined = pd.to_numeric(frame["combined_term_months"], errors="coerce")
    term = pd.to_numeric(frame["term_months"], errors="coerce")
    term = combined.where(combined.notna(), term).to_numpy(dtype=float, na_value=np.nan)

    # each test counts only the rows the tests before it kept
    kept = np.ones(len(frame), dtype=bool)

    def drop(mask, reason: str | None) -> None:
        nonlocal kept
        mask = np.asarray(mask, dtype=bool) & kept
        if reason and mask.sum():
            skipped[reason] = skipped.get(reason, 0) + int(mask.sum())
        kept &= ~mask

    drop(np.isnan(term) | (term <= 0), "term unknown")
    # out of §72's reach: not a skip, simply not a sentence probation could follow
    drop((frame["sentence_kind"] == "fixed_term").to_numpy() & (term > PROBATION_MAX_TERM), None)
    drop(frame["recidivist"].isna(), "recidivism not recorded (§74 cannot be checked)")
    drop(frame["recidivist"].astype("boolean").fillna(False).astype(bool), None)  # §74: never a recidivist
    drop(frame["probation"].isna(), "probation not recorded")
    return kept, term, skipped


def drop_rare_blanks(frame: pd.DataFrame, kept: np.ndarray, min_blank: int, skipped: dict[str, int]
                     ) -> tuple[np.ndarray, list[str]]:
    """The circumstances left blank (not recorded) by at least `min_blank` of the kept rows, which get a "not
    recorded" indicator of their own, and `kept` less the rows with a blank too rare to model (counted in
    `skipped`), one circumstance after another as design.build_design does."""
    blank_cols: list[str] = []
    for c in CIRCUMSTANCES:
        blanks = frame[c].isna().to_numpy()
        count = int(np.count_nonzero(blanks & kept))
        if 0 < count < min_blank:
            skipped["circumstance not recorded (too rare to model)"] = \
                skipped.get("circumstance not recorded (too rare to model)", 0) + count
            kept = kept & ~blanks
        elif count >= min_blank:
            blank_cols.append(c)
    return kept, blank_cols


def circumstance_columns(frame: pd.DataFrame, positions: np.ndarray, blank_cols: list[str],
                         cols: dict[str, np.ndarray]) -> None:
    """The eleven circumstances of the rows at `positions` as 0/1 columns of `cols` (blank = 0), each followed by
    its "not recorded" indicator where it has one (`blank_cols`)."""
    for c in CIRCUMSTANCES:
        values = frame[c].iloc[positions].astype("boolean")
        cols[c] = values.fillna(False).astype(bool).to_numpy().astype(float)
        if c in blank_cols:
            cols[f"{c}_not_recorded"] = values.isna().to_numpy().astype(float)


def with_pooled_groups(groups: pd.Series, counted: np.ndarray, min_rows: int) -> np.ndarray:
    """Per row of `groups` (a peer group or charge), whether its value has at least `min_rows` rows among the rows
    `counted` (else the row belongs to the pooled group, POOLED); a blank value never does. By the values' codes:
    Series.map over Arrow strings converts every value to Python (0.5 s for the scale-100 probation rows)."""
    codes, values = pd.factorize(groups)
    counts = np.bincount(codes[counted & (codes >= 0)], minlength=max(len(values), 1))
    return (codes >= 0) & (counts[np.maximum(codes, 0)] >= min_rows)


ROW_COLUMNS = ["defendant_id", "case_id", "judge_id", "court_id", "charge"]


def modelled_rows(frame: pd.DataFrame, kept: np.ndarray, group_column: str, settings: ProbationSettings,
                  skipped: dict[str, int]) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """A choice model's rows (probation's and penalty_kind's): of those `kept`, the ones left once rare blank
    circumstances are dropped (counted in `skipped`), with ROW_COLUMNS, their group (`group_column`'s value, POOLED
    where it has under [stats] probation_min_charge_rows rows) and sentence kind; their positions in `frame`; and
    the circumstances whose blanks are modelled."""
    own_group = with_pooled_groups(frame[group_column], kept, int(settings.probation_min_charge_rows))
    kept, blank_cols = drop_rare_blanks(frame, kept, int(settings.sentencing_min_not_recorded), skipped)
    positions = np.flatnonzero(kept)
    rows = frame[ROW_COLUMNS].iloc[positions].reset_index(drop=True)
    rows["group"] = frame[group_column].iloc[positions].reset_index(drop=True).where(own_group[positions], POOLED)
    rows["sentence_kind"] = frame["sentence_kind"].iloc[positions].reset_index(drop=True)
    return rows, positions, blank_cols


def build_probation_design(frame: pd.DataFrame, kept: np.ndarray, term: np.ndarray, settings: ProbationSettings
                           ) -> tuple[pd.DataFrame, np.ndarray, list[str], dict[str, int]]:
    """The rows modelled (of those `kept` by `eligible`, with their `term`s): their ids, charge, group, sentence kind,
    term and whether probation was granted; their design matrix (legal factors, year, court level) and its column
    names; skip counts."""
    skipped: dict[str, int] = {}
    rows, positions, blank_cols = modelled_rows(frame, kept, "peer_group", settings, skipped)
    min_rows = int(settings.probation_min_charge_rows)
    min_blank = int(settings.sentencing_min_not_recorded)
    rows["term"] = term[positions]
    rows["granted"] = frame["probation"].iloc[positions].astype("boolean").astype(bool).to_numpy().astype(float)
    n = len(rows)
    cols: dict[str, np.ndarray] = {"const": np.ones(n)}
    log_term = np.log(rows["term"].to_numpy())
    centre = float(np.mean(log_term)) if n else 0.0
    cols["log_term"] = log_term - centre
    cols["detention"] = (rows["sentence_kind"] == "detention").to_numpy().astype(float)
    groups = rows["group"].value_counts()
    reference_group = groups.index[0] if len(groups) else None
    group_codes, group_names = pd.factorize(rows["group"])
    code_of = {g: k for k, g in enumerate(group_names)}
    tier = frame["tier"].iloc[positions].fillna(0).to_numpy()
    for g in sorted(groups.index):
        in_g = group_codes == code_of[g]
        if g != reference_group:
            cols[f"group_{g}"] = in_g.astype(float)
        cols[f"log_term_{g}"] = np.where(in_g, log_term - centre, 0.0)
        if g in (POOLED, MULTI_GROUP):
            continue
        levels, counts = np.unique(tier[in_g], return_counts=True)
        for t, k in zip(levels[1:], counts[1:]):
            if k >= min_blank:
                cols[f"tier_{g}_{int(t)}"] = (in_g & (tier == t)).astype(float)
    circumstance_columns(frame, positions, blank_cols, cols)
    # the judgment year: policy shifts (e.g. 醉驾 after 2023) move probation rates province-wide
    year = frame["judgment_year"].iloc[positions].reset_index(drop=True)
    years = year.value_counts()
    common_year = years.index[0] if len(years) else None
    for y in sorted(years.index):
        if y != common_year and years[y] >= min_rows:
            cols[f"year_{int(y)}"] = (year == y).to_numpy().astype(float)
    court_level = frame["court_level"].iloc[positions].reset_index(drop=True).fillna("unknown")
    levels = court_level.value_counts()
    for level in sorted(levels.index):
        if level != "basic" and levels[level] >= min_rows:
            cols[f"court_{level}"] = (court_level == level).to_numpy().astype(float)
    X, names = independent_design(cols, n)
    return rows, X, names, skipped


def fit_probation(frame: pd.DataFrame, settings: ProbationSettings) -> ProbationModel:
    """Eligibility, design and the ridge-penalised logistic fit (see the module docstring)."""
    if frame.empty or frame["probation"].notna().sum() == 0:
        return ProbationModel(frame.iloc[0:0], "abstained",
                              "probation (缓刑) is not recorded in this export: the probation model abstains")
    kept, term, skipped = eligible(frame)
    n_eligible = int(np.count_nonzero(kept))
    if n_eligible < int(settings.probation_min_rows):
        return ProbationModel(frame.iloc[0:0], "abstained",
                              f"{n_eligible} sentences eligible for probation with probation recorded, fewer than "
                              f"[stats] probation_min_rows = {settings.probation_min_rows}: abstains", skipped)
    rows, X, names, more = build_probation_design(frame, kept, term, settings)
    for k, v in more.items():
        skipped[k] = skipped.get(k, 0) + v
    y = rows["granted"].to_numpy()
    if len(rows) < int(settings.probation_min_rows) or y.min() == y.max():
        return ProbationModel(rows.iloc[0:0], "abstained",
                              "too few eligible sentences, or every one decided alike: the probation model abstains",
                              skipped)
    return fitted_choice_model(rows, X, names, y, settings, "probation", skipped,
                               f"{len(rows)} sentences eligible for probation modelled")


def fitted_choice_model(rows: pd.DataFrame, X: np.ndarray, names: list[str], y: np.ndarray,
                        settings: ProbationSettings, sample_name: str, skipped: dict[str, int],
                        note: str) -> ProbationModel:
    """The ridge-penalised logistic fit shared by the probation and the penalty-kind models: a normal prior of
    sd probation_prior_sd on every coefficient but the intercept, fitted on at most sentencing_fit_sample_max
    rows and applied to all of them."""
    idx = fit_sample(sample_name, np.arange(len(rows)), settings)  # type: ignore[arg-type]
    alpha = np.full(X.shape[1], 1.0 / (float(settings.probation_prior_sd) ** 2 * len(idx)))
    alpha[names.index("const")] = 0.0
    # the ridge-penalised maximum-likelihood fit statsmodels' fit_regularized(L1_wt=0) states, to convergence
    params = ridge_logistic(y[idx], X[idx], alpha)
    eta = X @ params
    out = rows[["defendant_id", "case_id", "judge_id", "court_id", "charge", "group", "sentence_kind", "term",
                "granted"]].copy()
    out["logit"] = eta
    out["p"] = np.clip(1.0 / (1.0 + np.exp(-eta)), 1e-6, 1 - 1e-6)
    return ProbationModel(out, "fitted", note, skipped, names, params, len(idx))


def model_key(ctx: DetectContext, settings: ProbationSettings) -> tuple:
    """What a choice model of one run depends on: the connection and as-of date, its settings, the provinces'
    amount standards (the tiers) and the data (fit.data_fingerprint: every defendant row, each factor and E7's drug
    type being an input, and each case's judge, court and closing day, the units tested and the judgment year)."""
    fingerprint = data_fingerprint(ctx)
    return (id(ctx.con), ctx.as_of, settings, fingerprint, ctx.config.province,
            repr(sorted(ctx.config.law_provinces.items())))


_CACHE: dict = {}


def probation_model(ctx: DetectContext) -> ProbationModel:
    """The run's probation model (fitted once, shared by the judge and court detectors of one run)."""
    settings = ProbationSettings.from_config(ctx.config)
    key = model_key(ctx, settings)
    if _CACHE.get("key") == key:
        return _CACHE["model"]
    stage_features(ctx)
    frame = queries.run(ctx.con, "sentencing_probation_features")
    model = fit_probation(frame, settings)
    _CACHE.clear()
    _CACHE.update(key=key, model=model)
    return model


# ----------------------------------------------------------------------------------------------
# caseload tests


def _overdispersion(z: np.ndarray, winsor: float = 0.1) -> float:
    """Mean winsorised z² across units, at least 1 (Spiegelhalter 2005)."""
    if z.size < 10:
        return 1.0
    lo, hi = np.quantile(z, [winsor, 1 - winsor])
    return max(1.0, float(np.mean(np.clip(z, lo, hi) ** 2)))


def _sums(rows: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    """Per unit (each row's code, -1 = none): eligible sentences n, observed, expected and var (Σ p(1−p)), indexed
    by the code, in code order. Codes, not ids: the units' figures are then found by position, not by merges and
    Series.map over Arrow strings (which converts every value to Python: 0.5 s on the scale-100 probation rows)."""
    return (rows.assign(v=rows["p"] * (1 - rows["p"]), unit_code=codes)[codes >= 0]
            .groupby("unit_code", sort=True)
            .agg(n=("granted", "size"), observed=("granted", "sum"), expected=("p", "sum"), var=("v", "sum")))


def _home_courts(unit_codes: np.ndarray, n_units: int, court_codes: np.ndarray, n_courts: int) -> np.ndarray:
    """Per unit code, the code of the court holding most of its rows (the first court in code order on a tie;
    -1 for a unit without a court)."""
    known = court_codes >= 0
    pairs, count = np.unique(unit_codes[known].astype(np.int64) * n_courts + court_codes[known], return_counts=True)
    unit, court = np.divmod(pairs, n_courts)
    order = np.lexsort((court, -count, unit))  # by unit, the most rows first, then the court
    first = order[np.r_[True, unit[order][1:] != unit[order][:-1]]] if len(order) else order
    home = np.full(n_units, -1, dtype=np.int64)
    home[unit[first]] = court[first]
    return home


def probation_test(model: ProbationModel, unit: str, min_cases: int, reference: str | None = None,
                   exclude: dict[str, set] | None = None) -> pd.DataFrame:
    """Per unit with at least `min_cases` eligible sentences: observed vs expected probations, z and p.

    `reference` (court_id for judges): the intersection–union test against the unit's court level too
    (module docstring). Columns: unit, n, observed, expected, var, z, p (and the court-level figures).
    A test without `exclude` is run once per model (model.tests: the court detectors exclude the judges the judge
    detectors' own test flags); the caller must not change the frame it gets.
    """
    memo = None if exclude else (unit, min_cases, reference)
    if memo in model.tests:
        return model.tests[memo]
    rows = model.rows.dropna(subset=[unit])
    for column, ids in (exclude or {}).items():
        rows = rows[~rows[column].isin(ids)]
    if rows.empty:
        return pd.DataFrame()
    # the units (and courts) by their codes in sorted order: the order a groupby by the ids gives
    unit_codes, units = pd.factorize(rows[unit], sort=True)
    g = _sums(rows, unit_codes)
    tested = g[g["n"] >= min_cases]
    codes = tested.index.to_numpy()
    tested = tested.reset_index(drop=True)
    tested.insert(0, unit, units.take(codes))
    if tested.empty:
        return tested
    z_raw = (tested["observed"] - tested["expected"]).to_numpy() / np.sqrt(np.maximum(tested["var"].to_numpy(), 1e-9))
    phi = _overdispersion(z_raw)
    tested["phi"] = phi
    tested["z_province"] = z_raw / math.sqrt(phi)
    tested["p_province"] = two_sided_p(tested["z_province"])
    tested["z"], tested["p"] = tested["z_province"], tested["p_province"]
    tested["reference_shift"] = 0.0
    tested["reference_expected"] = tested["expected"]
    if reference:
        # a judge belongs to the court holding most of his or her eligible sentences
        court_codes, court_ids = pd.factorize(rows[reference], sort=True)
        home = _home_courts(unit_codes, len(units), court_codes, len(court_ids))
        home_of_tested = home[codes]
        # (code -1, no court: the None appended last)
        tested[reference] = pd.Series(np.append(court_ids.to_numpy(dtype=object), None)[home_of_tested], dtype="str")
        courts = _sums(rows, home[unit_codes]).rename(columns={"n": "ref_n", "observed": "ref_o", "expected": "ref_e",
                                                               "var": "ref_v"})
        # between-court variance of the log-odds shift, robustly: MAD of the courts' one-step estimates
        # (O−E)/V minus their typical sampling variance 1/V
        big = courts[courts["ref_n"] >= min_cases]
        shift: np.ndarray = ((big["ref_o"] - big["ref_e"]) / np.maximum(big["ref_v"], 1e-9)).to_numpy()
        tau2 = (max(0.0, robust_scale(shift) ** 2 - float(np.median(1.0 / np.maximum(big["ref_v"], 1e-9))))
                if len(big) >= 10 else 0.0)
        for column in courts.columns:
            tested[column] = courts[column].reindex(home_of_tested).to_numpy()
        other_v = (tested["ref_v"] - tested["var"]).to_numpy()
        other_d = (tested["ref_o"] - tested["observed"] - tested["ref_e"] + tested["expected"]).to_numpy()
        has_other = other_v > 1e-6
        loo = np.where(has_other, other_d / np.maximum(other_v, 1e-9), 0.0)
        weight = np.where(has_other & (tau2 > 0), tau2 / (tau2 + 1.0 / np.maximum(other_v, 1e-9)), 0.0)
        delta = weight * loo
        delta_var = np.where(has_other, weight / np.maximum(other_v, 1e-9), 0.0)
        # each row's log-odds shifted by its unit's court level (0 for a unit not tested)
        unit_delta = np.zeros(len(units))
        unit_delta[codes] = delta
        shifted = 1.0 / (1.0 + np.exp(-(rows["logit"].to_numpy() + unit_delta[unit_codes])))
        sums = rows.assign(ps=shifted, vs=shifted * (1 - shifted), unit_code=unit_codes).groupby(
            "unit_code", sort=True).agg(es=("ps", "sum"), vs=("vs", "sum"))
        e_court = sums["es"].to_numpy()[codes]
        v_court = sums["vs"].to_numpy()[codes]
        # the court level is itself estimated: its variance, carried to the expected count (dE/dδ ≈ V);
        # over-dispersion of its own, what remains between judges once the courts' levels are taken out
        total_var = v_court + tested["var"].to_numpy() ** 2 * delta_var
        z_court = (tested["observed"].to_numpy() - e_court) / np.sqrt(np.maximum(total_var, 1e-9))
        phi_court = _overdispersion(z_court)
        z_court = z_court / math.sqrt(phi_court)
        tested["phi_court"] = phi_court
        p_court = two_sided_p(z_court)
        same_side = np.sign(z_court) == np.sign(tested["z_province"].to_numpy())
        tested["z_court"], tested["p_court"] = z_court, p_court
        tested["reference_shift"], tested["reference_weight"] = delta, weight
        tested["reference_expected"] = e_court
        tested["reference_n"] = (tested["ref_n"] - tested["n"]).to_numpy()
        tested["tau2_court"] = tau2
        tested["p"] = np.where(same_side, np.maximum(tested["p_province"], p_court), 1.0)
        tested["z"] = np.where(p_court > tested["p_province"], z_court, tested["z_province"])
    if memo is not None:
        model.tests[memo] = tested
    return tested


def flagged_units(tested: pd.DataFrame, fdr: float, min_effect: float) -> tuple[pd.DataFrame, np.ndarray]:
    """Benjamini–Hochberg across the units tested, then the minimum effect; (flagged rows with q, every q)."""
    reject, q = benjamini_hochberg(tested["p"].to_numpy(), fdr)
    tested = tested.assign(q=q)
    gap = (tested["observed"] - tested["reference_expected"]) / tested["n"]
    gap_province = (tested["observed"] - tested["expected"]) / tested["n"]
    large = (np.abs(gap) >= min_effect) & (np.abs(gap_province) >= min_effect)
    return tested.loc[reject & np.asarray(large, dtype=bool)], q


# ----------------------------------------------------------------------------------------------
# the detectors' shared body (judge_probation_deviation.py, court_probation_deviation.py)


def _quantiles(values: np.ndarray) -> dict:
    if values.size == 0:
        return {}
    q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])
    return {f"p{k}": round(float(v) * 100, 1) for k, v in zip((5, 25, 50, 75, 95), q)}


class ProbationDeviation(Detector):
    """A unit's (`unit`) probations against the model; `min_key` / `effect_key` the ProbationSettings fields of its
    minimum caseload and effect. The penalty-kind detectors (penalty_kind.py) share this body with another model
    (`model`), wording (`wording`) and evidence names (`counted`)."""

    category = "sentencing"
    needs = ("cases", "defendants")
    shared_model: ClassVar[str | None] = "probation"  # probation_model (penalty_kind.py: penalty_kind_model)
    kind = "statistical"
    legal_basis = text.BASIS_PROBATION
    unit: ClassVar[str]
    unit_zh: ClassVar[str]
    min_key: ClassVar[str]
    effect_key: ClassVar[str] = "probation_min_effect"
    judge_min_key: ClassVar[str] = "probation_min_judge_cases"
    reference: ClassVar[str | None] = None
    # evidence names: <counted>_observed / _expected, <rate>_observed / _expected
    counted: ClassVar[str] = "probations"
    rate: ClassVar[str] = "probation_rate"
    outcome_key: ClassVar[str] = "probation"

    def model(self, ctx: DetectContext) -> ProbationModel:
        return probation_model(ctx)

    def wording(self, n: int, observed: int, expected: float, reference_expected: float, fdr: float
                ) -> tuple[str, str]:
        return text.probation_text(self.unit_zh, self.unit.split("_")[0], n, observed, expected, reference_expected,
                                   fdr, bool(self.reference))

    def excluded(self, model: ProbationModel, settings: ProbationSettings) -> dict[str, set]:
        """A court is tested without the cases of the judges the judge-level twin flags (subclasses opt in)."""
        return {}

    def flagged_judges(self, model: ProbationModel, settings: ProbationSettings) -> dict[str, set]:
        judges = probation_test(model, "judge_id", int(getattr(settings, self.judge_min_key)), "court_id")
        if judges.empty:
            return {}
        flagged, _ = flagged_units(judges, float(settings.false_discovery_rate),
                                   float(getattr(settings, self.effect_key)))
        return {"judge_id": set(flagged["judge_id"])}

    def detect(self, ctx: DetectContext) -> Detection:
        settings = ProbationSettings.from_config(ctx.config)
        model = self.model(ctx)
        skip_note = "; ".join(f"{v} {k}" for k, v in sorted(model.skipped.items()) if v)
        if model.status != "fitted":
            return Detection(pd.DataFrame(columns=DETECTOR_COLUMNS), model.rows_skipped,
                             model.note + (f"; {skip_note}" if skip_note else ""), status="skipped")
        min_cases = int(getattr(settings, self.min_key))
        tested = probation_test(model, self.unit, min_cases, self.reference, self.excluded(model, settings))
        label = self.unit.split("_")[0]
        note = (f"{model.note}; {len(tested)} {label}s with at least {min_cases} tested"
                + (f"; {skip_note}" if skip_note else ""))
        if tested.empty:
            return Detection(pd.DataFrame(columns=DETECTOR_COLUMNS), model.rows_skipped, note)
        fdr = float(settings.false_discovery_rate)
        flagged, _ = flagged_units(tested, fdr, float(getattr(settings, self.effect_key)))
        gaps = ((tested["observed"] - tested["expected"]) / tested["n"]).to_numpy()
        # what every flag's evidence repeats, computed once
        province_rate = round(float(model.rows["granted"].mean()), 4)
        gap_quantiles = _quantiles(gaps)
        summary = model.summary()
        records = []
        # the flagged units' own rows, found in one pass (not one scan of every eligible sentence per unit)
        theirs = model.rows[model.rows[self.unit].isin(set(flagged[self.unit]))]
        rows_of = theirs.groupby(self.unit, sort=False).indices
        granted, predicted = theirs["granted"].to_numpy(), theirs["p"].to_numpy()
        # the columns a flag's cases are shown with, as arrays (a row's values by position, not a frame's take)
        shown = {c: theirs[c].to_numpy() for c in ("case_id", "defendant_id", "charge", "sentence_kind", "term")}
        for r in flagged.sort_values(self.unit).to_dict("records"):
            subject = str(r[self.unit])
            n, observed = int(r["n"]), int(round(r["observed"]))
            explanation, explanation_en = self.wording(n, observed, r["expected"], r["reference_expected"], fdr)
            score = float(score_from_q([r["q"]])[0])
            own = rows_of[r[self.unit]]
            more = r["observed"] > r["expected"]
            # the cases a reviewer reads first: granted where the model expected prison (or the reverse), the five
            # least (most) expected, the earlier row first on a tie — DataFrame.nsmallest / nlargest's choice, made
            # on the unit's positions (those calls on a frame of its rows took most of the detector's time)
            candidates = own[granted[own] == (1.0 if more else 0.0)]
            order = np.argsort(predicted[candidates] if more else -predicted[candidates], kind="stable")[:5]
            surprising = {c: values[candidates[order]].tolist() for c, values in
                          {**shown, "granted": granted, "p": predicted}.items()}
            evidence = {
                "explanation_en": explanation_en,
                "legal_basis": self.legal_basis,
                "method": self.method,
                "n_eligible_sentences": n,
                f"{self.counted}_observed": observed,
                f"{self.counted}_expected": round(float(r["expected"]), 2),
                f"{self.rate}_observed": round(observed / n, 4),
                f"{self.rate}_expected": round(float(r["expected"]) / n, 4),
                "z": round(float(r["z"]), 3), "p": float(r["p"]), "q": float(r["q"]),
                "false_discovery_rate": fdr,
                "overdispersion_phi": round(float(r["phi"]), 3),
                **({"overdispersion_phi_within_court": round(float(r["phi_court"]), 3)} if self.reference else {}),
                "peer_comparison": {
                    "reference": text.REFERENCE_PROBATION_COURT if self.reference else text.REFERENCE_PROVINCE,
                    f"province_{self.rate}": province_rate,
                    "units_tested": int(len(tested)),
                    "unit_rate_gap_pct_quantiles": gap_quantiles,
                    "against_province_z": round(float(r["z_province"]), 3),
                    "against_province_p": float(r["p_province"]),
                    **({f"court_level_{self.rate}_expected": round(float(r["reference_expected"]) / n, 4),
                        "court_level_shift_logodds": round(float(r["reference_shift"]), 4),
                        "court_level_weight": round(float(r["reference_weight"]), 3),
                        "court_other_eligible_sentences": int(r["reference_n"]),
                        "against_court_z": round(float(r["z_court"]), 3),
                        "against_court_p": float(r["p_court"]),
                        "test": text.INTERSECTION_UNION} if self.reference else {}),
                    "model": summary,
                },
                "charges": theirs["charge"].iloc[own].value_counts().head(8).to_dict(),
                "cases_to_read_first": [{"case_id": c, "defendant_id": d, "charge": ch,
                                         "sentence": text.penalty_zh(k, t), self.outcome_key: bool(g),
                                         f"predicted_{self.outcome_key}_probability": round(float(p), 3)}
                                        for c, d, ch, k, t, g, p in zip(surprising["case_id"],
                                                                        surprising["defendant_id"],
                                                                        surprising["charge"],
                                                                        surprising["sentence_kind"],
                                                                        surprising["term"], surprising["granted"],
                                                                        surprising["p"])],
                "notice": text.notice(),
            }
            judge_id = subject if self.unit == "judge_id" else None
            court_id = r.get("court_id") if self.unit == "judge_id" else subject
            records.append({"subject_type": self.subject_type, "subject_id": subject, "case_id": None,
                            "judge_id": judge_id, "court_id": court_id, "score": score, "level": level_for(score),
                            "explanation": explanation, "evidence": evidence})
        return Detection(pd.DataFrame(records, columns=DETECTOR_COLUMNS), model.rows_skipped,
                         note + f"; {len(records)} flagged")

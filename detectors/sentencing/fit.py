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
                + judgment year + court level (design.context_columns)

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

Year and court level (design.context_columns): a policy shift moves a charge's sentences in every
court at once (帮信 after 2021, 醉驾 after 2023), and an intermediate court tries a charge's graver
first-instance cases; each year and each non-basic level with at least `sentencing_min_not_recorded`
sentences of the group is a level of its own, so neither is read as one judge's deviation. On the real
judgments (docs/quality-real.md, ten seeds) the year levels took the untouched sentences flagged from
84 to 54 of 11,696 with the same 13/1000 planted sentences and 8/20 planted judges found (all courts
there are basic). In an incremental run a year the reference period has not seen takes the common level.

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
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.tools.sm_exceptions import SingularMatrixWarning
from threadpoolctl import threadpool_limits

from courtwatch import queries
from courtwatch.detectors import law

from ..base import DetectContext, Settings
from ..stats import robust_scale, two_sided_p
from .design import (
    ACROSS_CHARGES,
    CIRCUMSTANCES,
    MEASURES,
    MULTI_GROUP,
    POOLED_GROUP,
    build_design,
    leverage,
    leverage_against,
    outside_row_space,
)


@dataclass(frozen=True)
class SentencingSettings(Settings):
    """The [stats] keys the sentencing detectors and the review list read (config.toml says what each means)."""

    section = "stats"

    false_discovery_rate: float
    sentencing_min_peer_group: int
    sentencing_min_not_recorded: int
    sentencing_huber_t: float
    sentencing_fit_sample_max: int
    sentencing_clip_z: float
    sentencing_max_leverage: float
    sentencing_similar_cases: int
    sentencing_min_judge_cases: int
    sentencing_min_court_cases: int
    sentencing_min_judge_effect: float
    sentencing_min_court_effect: float
    plea_min_group: int
    disparity_min_court_cases: int
    disparity_min_group: int
    disparity_min_effect: float
    review_min_cell: int
    review_top_k: int


# The keys the fitted model depends on (the cache is keyed on them, not on thresholds applied later).
FIT_KEYS = ("sentencing_min_peer_group", "sentencing_min_not_recorded", "sentencing_huber_t",
            "sentencing_fit_sample_max", "sentencing_clip_z", "sentencing_max_leverage")


@dataclass(frozen=True)
class PeerDesign:
    """One peer group's usable rows (the columns a warning shows), their design matrix and severity measures."""

    rows: pd.DataFrame
    X: np.ndarray
    measures: list[str]


# the columns of a peer's row that similar.py shows (ids, sentence, legal factors)
DESIGN_ROW_COLUMNS = ["defendant_id", "case_id", "court_id", "sentence_kind", "term_months", "tier",
                      *MEASURES, *CIRCUMSTANCES]


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
    centre: float = 0.0         # median of the standardized residuals the spread rests on
    # X'X of every row scored in-sample (a full run): kept for incremental runs, whose new cases' leverage and
    # row-space check it gives without the rows (`in_sample_leverage`: the full run corrected for leverage,
    # i.e. the group had at most sentencing_fit_sample_max rows)
    gram: np.ndarray | None = field(default=None, repr=False, compare=False)
    in_sample_leverage: bool = True
    # the group's design as fitted (every row read, before an incremental run's selection), kept for
    # similar.py so that a warning's similar cases are found without reading and building it again
    design: PeerDesign | None = field(default=None, repr=False, compare=False)

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
    # an incremental run scored against the last full run's fits (`score_against_kept`): the p-values that run
    # gave every tested defendant of the peer groups not scored now (no new or changed case among them) and of
    # no case in the scope — the rest of the Benjamini–Hochberg family the new cases join
    family_p_elsewhere: np.ndarray = field(default_factory=lambda: np.zeros(0))

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
# fitting


def _members(ids: pd.Series, wanted: frozenset) -> np.ndarray:
    return np.fromiter((i in wanted for i in ids), dtype=bool, count=len(ids))


def fit_sample(group: str, candidates: np.ndarray, settings: SentencingSettings) -> np.ndarray:
    """The rows a group's coefficients are estimated on: all candidates, or a fixed random sample
    (seeded by the group's name) of `sentencing_fit_sample_max` of them."""
    if len(candidates) <= settings.sentencing_fit_sample_max:
        return candidates
    seed = int(hashlib.sha1(group.encode("utf-8")).hexdigest()[:8], 16)
    return np.sort(np.random.default_rng(seed).choice(candidates, settings.sentencing_fit_sample_max, replace=False))


def fit_group(group: str, frame: pd.DataFrame, frames: pd.DataFrame, settings: SentencingSettings,
              known: dict[str, set[str]] | None = None,
              scope: frozenset[str] | None = None,
              outside_reference: frozenset[str] | None = None) -> tuple[GroupFit, pd.DataFrame, np.ndarray]:
    """Fit one peer group; returns the fit, the usable rows with residual columns, and the design.

    An incremental run passes `scope` (the new or changed case ids, scored out of sample) and
    `outside_reference` (the cases new or changed since the last full run; the others, unchanged since
    then, are the only ones the model is fitted on); rows outside the reference and not in the scope are
    left out (cases scored by an earlier incremental run: their flags are carried).
    """
    fit = GroupFit(group, "empty", len(frame))
    rows, X, names, measures, skipped = build_design(group, frame, frames, settings.sentencing_min_not_recorded, known)
    fit.skipped, fit.severity, fit.columns = skipped, measures, names
    n = len(rows)
    if n == 0:
        return fit, rows, X
    design = PeerDesign(rows[DESIGN_ROW_COLUMNS].copy(), X, measures) if group != POOLED_GROUP else None
    if scope is None:
        reference = np.ones(n, dtype=bool)
    else:
        ids = rows["case_id"].astype(object)
        # set lookups, not Series.isin: isin copies the whole set into a hash table on every call
        # (7–190 s for a 200,000-row group against the 2.5 million reference ids of a scale-100 province)
        scored = _members(ids, scope)
        reference = ~_members(ids, outside_reference or frozenset()) & ~scored
        keep = reference | scored
        rows, X, reference = rows[keep].reset_index(drop=True), X[keep], reference[keep]
        n = len(rows)
    if scope is not None and reference.any():
        # A year (or court level) the reference period has no sentence of — the first cases of a new year in
        # an incremental run — takes the group's common level until the next full run refits the model.
        context = [j for j, c in enumerate(names) if c.startswith(("year_", "court_"))]
        unseen_level = [j for j in context if not X[reference, j].any()]
        if unseen_level:
            X = X.copy()
            X[:, unseen_level] = 0.0
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
    if n_ref < settings.sentencing_min_peer_group or n_ref < 3 * X.shape[1]:
        fit.status = "thin"
        fit.skipped[f"abstained: peer group under {settings.sentencing_min_peer_group}"] = n
        return fit, rows.iloc[0:0], X[:0]
    y = np.log(rows["term_months"].astype(float).to_numpy())
    fit_idx = fit_sample(group, np.flatnonzero(reference), settings)
    model = sm.RLM(y[fit_idx], X[fit_idx], M=sm.robust.norms.HuberT(t=settings.sentencing_huber_t))
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
        h = np.clip(leverage(X), 0.0, 0.99) if n <= settings.sentencing_fit_sample_max else np.zeros(n)
        spread = np.sqrt(1.0 - h)
    else:
        h = np.maximum(leverage_against(X, X[reference]), 0.0) if n_ref <= settings.sentencing_fit_sample_max \
            else np.zeros(n)
        # in-sample leverage is below 1 (clipped as in a full run); out of sample it is unbounded
        spread = np.where(reference, np.sqrt(1.0 - np.minimum(h, 0.99)), np.sqrt(1.0 + h))
    standardized = resid / spread
    scale = robust_scale(standardized[reference])
    if not scale > 0:
        scale = float(np.std(standardized[reference])) or 1e-6
    centre = float(np.median(standardized[reference]))
    fit.status, fit.n_scored, fit.n_fit, fit.scale, fit.params = "fitted", n_ref, len(fit_idx), scale, params
    fit.centre, fit.design = centre, design
    if scope is None:
        fit.gram, fit.in_sample_leverage = X.T @ X, n <= settings.sentencing_fit_sample_max
    out = _scored_rows(group, rows, y, fitted, spread, h, scale, centre, reference if scope is not None else None,
                       settings)
    fit.n_untestable = int((~out["testable"].to_numpy()).sum())
    return fit, out, X


def _scored_rows(group: str, rows: pd.DataFrame, y: np.ndarray, fitted: np.ndarray, spread: np.ndarray,
                 h: np.ndarray, scale: float, centre: float, in_sample: np.ndarray | None,
                 settings: SentencingSettings) -> pd.DataFrame:
    """A peer group's rows with their residual columns (SentencingModel.rows), from the fit: `fitted` log terms,
    the leverage `h` and the residuals' `spread` factor, the group's `scale` and `centre`; `in_sample` marks the
    rows the fit saw (None: all of them, a full run)."""
    n = len(rows)
    resid = y - fitted
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
    high_leverage = h > settings.sentencing_max_leverage
    testable &= ~high_leverage
    out = rows[["defendant_id", "case_id", "judge_id", "court_id", "charge", "sentence_kind", "term_months"]].copy()
    out["peer_group"] = group
    out["fitted_log"] = fitted
    out["resid"] = resid
    out["scale"] = scale
    out["z"] = z
    out["p"] = two_sided_p(z)
    out["testable"] = testable
    out["resid_clipped"] = np.clip(resid, -settings.sentencing_clip_z * scale, settings.sentencing_clip_z * scale)
    # The case's distance from a fit that did not see it (the deleted residual, exact for weighted least
    # squares at the final Huber weights): in-sample, e/(1−h) with variance σ²/(1−h); out of sample the
    # residual already is one, with variance σ²(1+h). Caseload tests use it, because in a small peer
    # group the fit absorbs a share h of every sentence, and so of a judge's whole deviation
    # (measured on the real judgments: about half of a ×1.6 judge's effect in groups of 40–130).
    in_sample = in_sample if in_sample is not None else np.ones(n, dtype=bool)
    h_in = np.minimum(h, 0.99)
    out["resid_deleted"] = np.where(in_sample, resid / (1.0 - h_in), resid)
    out["deleted_var_factor"] = np.where(in_sample, 1.0 / (1.0 - h_in), 1.0 + h)
    out["pooled"] = group == POOLED_GROUP
    out["high_leverage"] = high_leverage & (group != POOLED_GROUP)
    return out


def stage_features(ctx: DetectContext, peer_groups: tuple[str, ...] | None = None) -> None:
    """Every peer group's legal factors staged (queries/sentencing_features_stage.sql, a temporary table in
    DuckDB, so memory stays in the database) for `peer_group_features` to read one group at a time: the join
    behind them runs once, not once per group. Staged once per context (DetectContext.shared), since the
    sentencing model and the probation model (probation.py) of one run read it (once per connection: a run may
    fit them on two); the table then stays until the connection closes (a later context's staging replaces it).
    `peer_groups`: only those groups (an incremental run scored against kept fits); None: every group."""
    # per connection: a temporary table is seen only by the connection that made it
    staged = ctx.shared(("sentencing_features_staged", id(ctx.con)), dict)
    covered = "groups" in staged and (staged["groups"] is None
                                      or peer_groups is not None and set(peer_groups) <= set(staged["groups"]))
    if not covered:
        _stage_features(ctx, peer_groups)
        staged["groups"] = peer_groups


def _stage_features(ctx: DetectContext, peer_groups: tuple[str, ...] | None) -> None:
    with law_tables(ctx):
        queries.execute(ctx.con, "sentencing_features_stage", as_of=ctx.as_of, separator=law.MULTI_CHARGE_SEPARATOR,
                        peer_groups=None if peer_groups is None else list(peer_groups),
                        **law.frame_params_for(ctx.config))


@contextmanager
def law_tables(ctx: DetectContext):
    """The statutory frames (one set per configured province + the national lowest) and the drug scales
    (contract extension E7) registered as law_frames and law_drug_equivalents for the sentencing queries
    that join them; unregistered on leaving."""
    ctx.con.register("law_frames", law.frame_sets_for(ctx.config))
    ctx.con.register("law_drug_equivalents", law.drug_equivalents())
    try:
        yield
    finally:
        ctx.con.unregister("law_frames")
        ctx.con.unregister("law_drug_equivalents")


def peer_group_features(ctx: DetectContext, group: str) -> pd.DataFrame:
    """One peer group's rows of queries/sentencing_features.sql (its legal factors, the judgment date) and each
    row's court level (queries/sentencing_court_levels.sql), after `stage_features`."""
    features = queries.run(ctx.con, "sentencing_features", peer_group=group)
    levels = queries.run(ctx.con, "sentencing_court_levels")
    return features.merge(levels, on="court_id", how="left") if len(features) else features.assign(court_level=None)


def data_fingerprint(ctx: DetectContext) -> tuple:
    """A fingerprint of what the sentencing models read: every defendant row and each case's id, judge, court and
    closing day. Read once per run (DetectContext.shared): every sentencing detector, the review list and the
    choice models (probation.model_key) ask for it before their caches answer."""
    return ctx.shared(("sentencing_data_fingerprint",), lambda: ctx.con.execute(
        "SELECT (SELECT count(*) FROM defendants), (SELECT coalesce(sum(hash(d)::HUGEINT), 0) FROM defendants d), "
        "(SELECT coalesce(sum(hash(c.case_id, c.judge_id, c.court_id, c.closed_on)::HUGEINT), 0) FROM cases c)"
    ).fetchall()[0])


def _cache_key(ctx: DetectContext) -> tuple:
    """What the model depends on: the data (fingerprinted), the as-of date and the configuration."""
    fingerprint = data_fingerprint(ctx)
    settings = SentencingSettings.from_config(ctx.config)
    fit_settings = tuple(getattr(settings, k) for k in FIT_KEYS)
    thresholds = (ctx.config.province, repr(sorted(ctx.config.law_provinces.items())))
    return (id(ctx.con), ctx.as_of, thresholds, fit_settings, fingerprint, ctx.scope, ctx.outside_reference,
            ctx.state_run)


_CACHE: dict = {}


def fit_model(ctx: DetectContext) -> SentencingModel:
    """The sentencing model for this run (fitted once and shared by the detectors of one run).

    A full run fits every peer group and keeps each fit (`_keep_fits`); an incremental run scores its new and
    changed cases against those kept fits (`_score_against_kept`) and refits only a peer group whose design
    the new data changed, or every group when no fit was kept (a full run by an older version or on Spark).
    """
    if ctx.scope is not None:
        # an incremental run's model is read by sentence_deviation alone: cached for the run, without the data
        # fingerprint of the cross-run cache (a pass over every defendant, about 1 s at scale 100)
        return ctx.shared(("sentencing_model",), lambda: _model(ctx))
    key = _cache_key(ctx)
    if _CACHE.get("key") == key:
        return _CACHE["model"]
    model = _model(ctx)
    _CACHE.clear()
    _CACHE.update(key=key, model=model)
    return model


def _model(ctx: DetectContext) -> SentencingModel:
    settings = SentencingSettings.from_config(ctx.config)
    frames = law.frames(law.province_thresholds(ctx.config), ctx.config.province)  # charge → measure only
    kept = ctx.stored_states(KEPT_MODEL) if ctx.scope is not None else {}
    if kept:
        model = _score_against_kept(ctx, kept, frames, settings)
    else:
        model = _fit_every_group(ctx, frames, settings)
        if ctx.scope is None:
            _keep_fits(ctx, model)
    return model


def _fit_every_group(ctx: DetectContext, frames: pd.DataFrame, settings: SentencingSettings) -> SentencingModel:
    """Every peer group fitted (fit_group): on every sentence in a full run, on the reference period in an
    incremental run."""
    groups = queries.run(ctx.con, "sentencing_peer_groups", as_of=ctx.as_of, separator=law.MULTI_CHARGE_SEPARATOR)
    fits: dict[str, GroupFit] = {}
    parts: list[pd.DataFrame] = []
    skipped: dict[str, int] = {}
    known: dict[str, set[str]] = {}
    # single charges first: the multi-charge group borrows their severity measures; the pooled rare
    # charges come last, from the single charges that were too thin for a model of their own
    order = sorted(groups["peer_group"], key=lambda g: (g == MULTI_GROUP, g)) + [POOLED_GROUP]
    stage_features(ctx)
    _fit_groups(ctx, order, frames, settings, fits, parts, skipped, known)
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ROW_COLUMNS)
    return SentencingModel(rows, fits, skipped, settings.sentencing_clip_z, known)


# The name under which a full run keeps the fits (DetectContext.keep_state): one part per peer group.
KEPT_MODEL = "sentencing"


def _keep_fits(ctx: DetectContext, model: SentencingModel) -> None:
    """A full run keeps every peer group's fit (coefficients, spread, centre, X'X, design columns, severity
    measures) and its tested sentences' p-values, for the incremental runs after it. The pooled rare
    charges are not kept: their sentences are never tested one by one."""
    tested = model.rows.loc[model.rows["testable"], ["peer_group", "p"]]
    tested_p = {str(group): p.to_numpy(dtype=float) for group, p in tested.groupby("peer_group", sort=False)["p"]}
    for group, fit in model.groups.items():
        if group == POOLED_GROUP:
            continue
        fitted = fit.status == "fitted"
        ctx.keep_state(KEPT_MODEL, group,
                       {"params": fit.params, "gram": fit.gram if fit.gram is not None else np.zeros((0, 0)),
                        "tested_p": tested_p.get(group, np.zeros(0))},
                       {"status": fit.status, "columns": fit.columns, "severity": list(fit.severity),
                        "scale": fit.scale if fitted else None, "centre": fit.centre, "n_scored": fit.n_scored,
                        "n_fit": fit.n_fit, "in_sample_leverage": fit.in_sample_leverage})


def _score_against_kept(ctx: DetectContext, kept: dict, frames: pd.DataFrame,
                        settings: SentencingSettings) -> SentencingModel:
    """An incremental run's model: the peer groups that hold a new or changed sentence are scored against the
    last full run's fits (`kept`), the others not read at all.

    A group's design is built from its current rows as a full run builds it; when its columns are still the
    kept fit's, the fit's coefficients, spread and centre score the scope's sentences out of sample (leverage
    from the kept X'X) and the reference period's in sample, exactly as that full run scored them. When the new
    data changed the design (a year or court level, a blank circumstance, a severity measure now common enough)
    or the group was too thin then, the group is refitted on the reference period as before. The pooled rare
    charges are never tested one by one, so they are not scored. The tested sentences of every group not
    scored, with their p-values from the full run, complete the Benjamini–Hochberg family
    (SentencingModel.family_p_elsewhere): a group without a new or changed sentence is as the full run saw it,
    but for a sentence deleted since or moved to another charge, which stays in the family until the next
    full run (one p-value among hundreds of thousands: the bar moves by less than their share).
    """
    ctx.con.register("scope_cases", pa.table({"case_id": pa.array(sorted(ctx.scope or ()), pa.string())}))
    try:
        touched = set(queries.arrow(ctx.con, "sentencing_groups_of_scope", as_of=ctx.as_of,
                                    separator=law.MULTI_CHARGE_SEPARATOR).column("peer_group").to_pylist())
    finally:
        ctx.con.unregister("scope_cases")
    stage_features(ctx, tuple(sorted(touched - {POOLED_GROUP})))
    known = {group: set(meta["severity"]) for group, (_, meta) in kept.items() if group not in ACROSS_CHARGES}
    fits: dict[str, GroupFit] = {}
    parts: list[pd.DataFrame] = []
    skipped: dict[str, int] = {}
    with threadpool_limits(1, user_api="blas"):
        for group in sorted(touched - {POOLED_GROUP}, key=lambda g: (g == MULTI_GROUP, g)):
            features = peer_group_features(ctx, group)
            scored = _score_group_against_kept(group, features, frames, settings, known, kept[group], ctx.scope,
                                               ctx.outside_reference) if kept.get(group, ({}, {}))[1].get("status") \
                == "fitted" else None
            if scored is None:
                fit, rows, _ = fit_group(group, features, frames, settings, known if group in ACROSS_CHARGES else {},
                                         ctx.scope, ctx.outside_reference)
            else:
                fit, rows = scored
            fits[group] = fit
            _count_skips(skipped, group, fit)
            if len(rows):
                parts.append(rows)
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ROW_COLUMNS)
    elsewhere = [arrays["tested_p"] for group, (arrays, _) in kept.items() if group not in fits]
    return SentencingModel(rows, fits, skipped, settings.sentencing_clip_z, known,
                           family_p_elsewhere=np.concatenate(elsewhere) if elsewhere else np.zeros(0))


def _score_group_against_kept(group: str, frame: pd.DataFrame, frames: pd.DataFrame, settings: SentencingSettings,
                              known: dict[str, set[str]], state: tuple[dict, dict], scope: frozenset[str] | None,
                              outside_reference: frozenset[str] | None) -> tuple[GroupFit, pd.DataFrame] | None:
    """One peer group scored against its kept fit (`_score_against_kept`): the fit and its rows (those of the
    scope and of the reference period, as fit_group keeps in an incremental run), or None when the design
    built from the current rows no longer has the kept fit's columns."""
    arrays, meta = state
    rows, X, names, measures, skips = build_design(group, frame, frames, settings.sentencing_min_not_recorded,
                                                   known if group in ACROSS_CHARGES else {})
    if names != meta["columns"]:
        return None
    fit = GroupFit(group, "fitted", len(frame), n_scored=int(meta["n_scored"]), n_fit=int(meta["n_fit"]),
                   scale=float(meta["scale"]), columns=names, params=arrays["params"], skipped=skips,
                   severity=measures, centre=float(meta["centre"]), in_sample_leverage=bool(meta["in_sample_leverage"]))
    fit.design = PeerDesign(rows[DESIGN_ROW_COLUMNS].copy(), X, measures)
    ids = rows["case_id"].astype(object)
    scored = _members(ids, scope or frozenset())
    reference = ~_members(ids, outside_reference or frozenset()) & ~scored
    keep = reference | scored
    if not keep.all():  # (a selection copies every column, and on a quiet night it keeps every row)
        rows, X, reference = rows[keep].reset_index(drop=True), X[keep], reference[keep]
    # The kept design has full column rank over the rows the full run fitted (design.independent_design drops
    # collinear columns), so every new row lies in its row space: the refit's unseen-combination check has
    # nothing to find here; a new case far from every peer has a high leverage and abstains (max_leverage).
    fitted = X @ fit.params
    h = np.maximum(np.einsum("ij,jk,ik->i", X, np.linalg.pinv(arrays["gram"]), X), 0.0) \
        if fit.in_sample_leverage else np.zeros(len(rows))
    spread = np.where(reference, np.sqrt(1.0 - np.minimum(h, 0.99)), np.sqrt(1.0 + h))
    y = np.log(rows["term_months"].astype(float).to_numpy())
    out = _scored_rows(group, rows, y, fitted, spread, h, fit.scale, fit.centre, reference, settings)
    fit.n_untestable = int((~out["testable"].to_numpy()).sum())
    return fit, out


# SentencingModel.rows' columns
ROW_COLUMNS = ["defendant_id", "case_id", "judge_id", "court_id", "charge", "sentence_kind", "term_months",
               "peer_group", "fitted_log", "resid", "scale", "z", "p", "testable", "resid_clipped",
               "resid_deleted", "deleted_var_factor", "pooled", "high_leverage"]


# Peer groups fitted at once: the fits are LAPACK calls (SVDs of the weighted design) that release the
# GIL, so two threads use both cores of the machine kind this runs on (each BLAS single-threaded).
FIT_THREADS = 2


def _fit_groups(ctx: DetectContext, order: list[str], frames: pd.DataFrame, settings: SentencingSettings,
                fits: dict[str, GroupFit], parts: list[pd.DataFrame], skipped: dict[str, int],
                known: dict[str, set[str]]) -> None:
    """fit_model's loop: each group in `order` fitted (fills fits, parts, skipped and known in that order).

    The single charges are independent of one another (a single charge's design reads only its own
    measures, never `known`), so they are fitted FIT_THREADS at a time, their features read one at a
    time on this thread (one DuckDB connection) with at most FIT_THREADS groups in flight; the
    multi-charge group (which borrows their measures) and the pooled rare charges follow in turn.
    Results are taken in `order`, so the model is the same as a one-by-one loop's.
    """
    singles = [g for g in order if g not in ACROSS_CHARGES]
    results: dict[str, tuple[pd.DataFrame, GroupFit, pd.DataFrame]] = {}
    # Small dense problems (p ≤ ~30): a multi-threaded BLAS only spins; measured 50× slower on a busy 2-core host.
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max_workers=FIT_THREADS) as pool:
        running: dict = {}
        for group in singles:
            features = peer_group_features(ctx, group)
            running[pool.submit(fit_group, group, features, frames, settings, {}, ctx.scope, ctx.outside_reference)] = \
                (group, features)
            while len(running) >= FIT_THREADS:
                _collect(running, results, wait(running, return_when=FIRST_COMPLETED).done)
        _collect(running, results, list(running))
    rare: list[pd.DataFrame] = []
    for group in order:
        if group in results:
            features, fit, rows = results.pop(group)
        elif group == POOLED_GROUP:
            if not rare:
                break
            features = pd.concat(rare, ignore_index=True)
            with threadpool_limits(1, user_api="blas"):
                fit, rows, _ = fit_group(group, features, frames, settings, known, ctx.scope, ctx.outside_reference)
        else:
            features = peer_group_features(ctx, group)
            with threadpool_limits(1, user_api="blas"):
                fit, rows, _ = fit_group(group, features, frames, settings, known, ctx.scope, ctx.outside_reference)
        if group not in ACROSS_CHARGES:
            known[group] = set(fit.severity)
            if fit.status == "thin":
                rare.append(features)
        fits[group] = fit
        _count_skips(skipped, group, fit)
        if len(rows):
            parts.append(rows)


def _count_skips(skipped: dict[str, int], group: str, fit: GroupFit) -> None:
    """Add a group's skipped rows to the model's counts, by reason."""
    # the pooled rows were counted already, by the thin groups they come from
    for reason, count in (fit.skipped.items() if group != POOLED_GROUP else ()):
        key_reason = ("abstained (thin peer group)" if reason.startswith("abstained: peer group")
                      else reason.replace("abstained: ", "abstained (") + ")" if reason.startswith("abstained")
                      else reason)
        skipped[key_reason] = skipped.get(key_reason, 0) + count


def _collect(running: dict, results: dict, done) -> None:
    for future in done:
        group, features = running.pop(future)
        fit, rows, _ = future.result()
        results[group] = (features if fit.status == "thin" else None, fit, rows)

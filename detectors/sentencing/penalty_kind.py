"""The penalty-kind choice model shared by judge_penalty_kind_deviation and court_penalty_kind_deviation.

Flow: queries/sentencing_penalty_kind_features.sql reads the single-charge sentences whose statutory tier allows
both 拘役 and 有期徒刑 (a tier without a minimum term, not 危险驾驶's 拘役-only frame); this module fits one
logistic model of "a penalty lighter than 有期徒刑" (拘役, 管制, 单处罚金 or 免予刑事处罚) on the legal factors and
tests judges and courts with the caseload test of probation.py (observed vs expected counts, over-dispersion,
intersection–union against the own court, Benjamini–Hochberg).

Why: 有期徒刑 and 拘役 differ beyond their length — 拘役 is served near home with leave (刑法 §43), and only a
sentence of 有期徒刑 or more founds 累犯 (§65) — so favour can show as a lighter kind where peers give
有期徒刑. The term is not a covariate (it is chosen with the kind); the model reads the charge, the frame's
severity measure (log amount / grams, the injury level's order) with a slope and a level per quintile per
charge, the eleven
circumstances (blank = not recorded), the judgment year and the court's level; ridge-penalised as the
probation model (`probation_prior_sd`). A judge who gives every case a shorter term crosses the 6-month line
more often too: judge_sentencing_deviation sees the same judge through the terms.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from courtwatch import queries
from courtwatch.detectors import law

from ..base import DetectContext
from . import text
from .design import independent_design
from .fit import law_tables
from .probation import (
    ProbationDeviation,
    ProbationModel,
    ProbationSettings,
    circumstance_columns,
    fitted_choice_model,
    model_key,
    modelled_rows,
)

LIGHTER = ("detention", "control", "fine_only", "exempt")


def fit_penalty_kind(frame: pd.DataFrame, settings: ProbationSettings) -> ProbationModel:
    """Design and ridge-penalised logistic fit of "lighter than 有期徒刑" (module docstring)."""
    if len(frame) < int(settings.probation_min_rows):
        return ProbationModel(frame.iloc[0:0], "abstained",
                              f"{len(frame)} single-charge sentences in a tier allowing both 拘役 and 有期徒刑, fewer "
                              f"than [stats] probation_min_rows = {settings.probation_min_rows}: abstains")
    skipped: dict[str, int] = {}
    rows, positions, blank_cols = modelled_rows(frame, np.ones(len(frame), dtype=bool), "charge", settings, skipped)
    min_rows = int(settings.probation_min_charge_rows)
    min_blank = int(settings.sentencing_min_not_recorded)
    rows["term"] = pd.to_numeric(frame["term_months"], errors="coerce").iloc[positions].reset_index(drop=True)
    rows["granted"] = rows["sentence_kind"].isin(LIGHTER).to_numpy().astype(float)
    n = len(rows)
    cols: dict[str, np.ndarray] = {"const": np.ones(n)}
    severity = np.log1p(np.maximum(pd.to_numeric(frame["severity"], errors="coerce").fillna(0.0).to_numpy()[positions],
                                   0.0))
    groups = rows["group"].value_counts()
    reference_group = groups.index[0] if len(groups) else None
    group_codes, group_names = pd.factorize(rows["group"])
    code_of = {g: k for k, g in enumerate(group_names)}
    for g in sorted(groups.index):
        in_g = group_codes == code_of[g]
        if g != reference_group:
            cols[f"group_{g}"] = in_g.astype(float)
        centre = float(severity[in_g].mean()) if in_g.any() else 0.0
        cols[f"severity_{g}"] = np.where(in_g, severity - centre, 0.0)
        # the kind turns on a threshold of the term (有期徒刑 from 6 months), which is not linear in the severity:
        # a level per quintile of the group's severity as well (measured: a linear slope alone left courts with
        # a graver or lighter mix looking deviant)
        values = severity[in_g]
        edges = np.unique(np.quantile(values, [0.2, 0.4, 0.6, 0.8])) if in_g.sum() >= 5 * min_blank else []
        for k, edge in enumerate(edges):
            cols[f"severity_{g}_q{k + 1}"] = (in_g & (severity > edge)).astype(float)
    circumstance_columns(frame, positions, blank_cols, cols)
    year = frame["judgment_year"].iloc[positions].reset_index(drop=True)
    years = year.value_counts()
    common = years.index[0] if len(years) else None
    for y in sorted(years.index):
        if y != common and years[y] >= min_rows:
            cols[f"year_{int(y)}"] = (year == y).to_numpy().astype(float)
    level = frame["court_level"].iloc[positions].reset_index(drop=True).fillna("basic").astype(str)
    for name, k in level.value_counts().items():
        if name != "basic" and k >= min_rows:
            cols[f"court_{name}"] = (level == name).to_numpy().astype(float)
    X, names = independent_design(cols, n)
    y = rows["granted"].to_numpy()
    if n < int(settings.probation_min_rows) or y.min() == y.max():
        return ProbationModel(rows.iloc[0:0], "abstained",
                              "too few sentences, or every one of the same kind: the penalty-kind model abstains",
                              skipped)
    return fitted_choice_model(rows, X, names, y, settings, "penalty_kind", skipped,
                               f"{n} sentences in a tier allowing both 拘役 and 有期徒刑 modelled")


_CACHE: dict = {}


def penalty_kind_model(ctx: DetectContext) -> ProbationModel:
    """The run's penalty-kind model (fitted once, shared by the judge and court detectors of one run)."""
    settings = ProbationSettings.from_config(ctx.config)
    key = model_key(ctx, settings)
    if _CACHE.get("key") == key:
        return _CACHE["model"]
    with law_tables(ctx):
        frame = queries.run(ctx.con, "sentencing_penalty_kind_features", as_of=ctx.as_of,
                            separator=law.MULTI_CHARGE_SEPARATOR, **law.frame_params_for(ctx.config))
    model = fit_penalty_kind(frame, settings)
    _CACHE.clear()
    _CACHE.update(key=key, model=model)
    return model


class PenaltyKindDeviation(ProbationDeviation):
    """probation.ProbationDeviation's body with the penalty-kind model, wording and evidence names."""

    legal_basis = text.BASIS_PENALTY_KIND
    shared_model = "penalty_kind"  # penalty_kind_model
    effect_key = "penalty_kind_min_effect"
    judge_min_key = "penalty_kind_min_judge_cases"
    counted = "lighter_penalties"
    rate = "lighter_penalty_rate"
    outcome_key = "lighter_than_fixed_term"

    def model(self, ctx: DetectContext) -> ProbationModel:
        return penalty_kind_model(ctx)

    def wording(self, n: int, observed: int, expected: float, reference_expected: float, fdr: float
                ) -> tuple[str, str]:
        return text.penalty_kind_text(self.unit_zh, self.unit.split("_")[0], n, observed, expected,
                                      reference_expected, fdr, bool(self.reference))

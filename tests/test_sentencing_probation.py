"""The probation (缓刑) and penalty-kind choice models: no favour → no judge flag, a planted favour → flagged,
abstention without data; and sentence_deviation's year and court-level factor levels (design.context_columns).

Synthetic provinces (outcomes drawn from a known logistic model of the legal factors) test the false-alarm
control over several seeds, the court level and the judgment year; one generated sample (seed 11, scale 0.5)
tests the detectors end to end: its planted favour judges (sample_data/criminal.py) are found and no other
judge is flagged; with the probation column blanked, both detectors abstain and say so.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from courtwatch.core.config import load_config
from courtwatch.detectors.base import NOTICE_ZH, DetectContext, finish_flags
from courtwatch.detectors.sentencing import (
    CourtPenaltyKindDeviation,
    CourtProbationDeviation,
    JudgePenaltyKindDeviation,
    JudgeProbationDeviation,
)
from courtwatch.detectors.sentencing.design import CIRCUMSTANCES
from courtwatch.detectors.sentencing.probation import (
    ProbationSettings,
    fit_probation,
    flagged_units,
    probation_test,
)

AS_OF = dt.date(2024, 12, 31)
SETTINGS = ProbationSettings.from_config(load_config())
CHARGES = ["盗窃罪", "危险驾驶罪", "诈骗罪", "故意伤害罪"]


def synthetic(seed: int, judges: int = 120, per_judge: int = 40, favour: dict | None = None,
              court_shift: dict | None = None, year_shift: dict | None = None, judge_years: dict | None = None):
    """A province whose probations follow a known logistic model of legal factors (no judge effect unless `favour`:
    judge index → log-odds shift; `court_shift`: court index → shift for all its judges; `year_shift`: year → shift;
    `judge_years`: judge index → the one year that judge sat)."""
    rng = np.random.default_rng(seed)
    n = judges * per_judge
    judge = np.repeat(np.arange(judges), per_judge)
    court = judge // 6
    year = np.array([judge_years.get(int(j), None) if judge_years else None for j in judge], dtype=object)
    free = np.array([y is None for y in year])
    year[free] = rng.choice([2022, 2023, 2024], int(free.sum()))
    charge = rng.choice(CHARGES, n)
    circ = {c: rng.random(n) < 0.3 for c in CIRCUMSTANCES}
    circ["recidivist"] = rng.random(n) < 0.08
    term = np.clip(np.round(np.exp(rng.normal(2.0, 0.7, n))), 1, 48)
    kind = np.where(term <= 6, "detention", "fixed_term")
    eta = (-0.5 + 1.0 * circ["guilty_plea"] + 0.7 * circ["restitution"] - 0.8 * circ["prior_record"]
           - 0.06 * (term - 6) + np.where(charge == "危险驾驶罪", 0.8, 0.0))
    for shifts, key in ((favour, judge), (court_shift, court), (year_shift, year)):
        for k, v in (shifts or {}).items():
            eta = eta + np.where(key == k, v, 0.0)
    granted = rng.random(n) < 1 / (1 + np.exp(-eta))
    frame = pd.DataFrame({"defendant_id": [f"D{i:06d}" for i in range(n)], "case_id": [f"C{i:06d}" for i in range(n)],
                          "judge_id": [f"J{j:04d}" for j in judge], "court_id": [f"K{c:03d}" for c in court],
                          "charge": charge, "peer_group": charge, "tier": 1.0, "sentence_kind": kind,
                          "term_months": term, "combined_term_months": np.nan, "probation": granted,
                          "judgment_year": year.astype(int), "court_level": "basic",
                          **{c: v for c, v in circ.items()}})
    frame.loc[(frame["sentence_kind"] == "fixed_term") & (frame["term_months"] > 36), "probation"] = False
    frame.loc[frame["recidivist"], "probation"] = False
    return frame


def flagged_judges(frame: pd.DataFrame) -> set[str]:
    model = fit_probation(frame, SETTINGS)
    assert model.status == "fitted", model.note
    tested = probation_test(model, "judge_id", SETTINGS.probation_min_judge_cases, "court_id")
    flagged, _ = flagged_units(tested, SETTINGS.false_discovery_rate, SETTINGS.probation_min_effect)
    return set(flagged["judge_id"])


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_lawful_province_gives_no_judge_flag(seed):
    """False-alarm control: outcomes from the legal factors alone, 120 judges, five seeds — no flag."""
    assert flagged_judges(synthetic(seed)) == set()


def test_a_favour_judge_is_found():
    """Two judges whose cases' odds of probation are ×7.4 (log-odds +2), 50 cases each."""
    frame = synthetic(21, per_judge=50, favour={5: 2.0, 17: 2.0})
    assert flagged_judges(frame) == {"J0005", "J0017"}


def test_a_court_level_is_not_charged_to_its_judges():
    """Courts differ as wholes (log-odds sd 0.6 between courts, e.g. local practice): their judges are not flagged
    for it, and a judge favouring beyond the own court's level still is."""
    rng = np.random.default_rng(80)
    frame = synthetic(8, per_judge=50, court_shift=dict(enumerate(rng.normal(0, 0.6, 20))), favour={40: 2.0})
    assert flagged_judges(frame) == {"J0040"}


def test_a_province_wide_policy_shift_by_year_is_not_read_as_favour():
    """Probation rose province-wide in 2024 (e.g. a new policy): judges who sat only in 2024 are not flagged."""
    only_2024 = {j: 2024 for j in range(0, 120, 10)}
    frame = synthetic(9, year_shift={2024: 1.3}, judge_years=only_2024)
    assert flagged_judges(frame) == set()
    model = fit_probation(frame, SETTINGS)
    coefficient = dict(zip(model.columns, model.params))
    assert coefficient.get("year_2024", 0.0) - coefficient.get("year_2022", 0.0) > 0.8


def test_ineligible_sentences_are_left_out():
    """§72: over three years of 有期徒刑, and §74: recidivists, are not sentences probation could follow."""
    frame = synthetic(10)
    model = fit_probation(frame, SETTINGS)
    kept = frame.set_index("defendant_id").loc[model.rows["defendant_id"]]
    assert not kept["recidivist"].any()
    assert not ((kept["sentence_kind"] == "fixed_term") & (kept["term_months"] > 36)).any()
    assert len(kept) < len(frame)


def test_unknown_recidivism_is_skipped_not_read_as_false():
    frame = synthetic(11)
    frame["recidivist"] = frame["recidivist"].astype(object)
    within_72 = frame.index[(frame["sentence_kind"] == "detention") | (frame["term_months"] <= 36)][:50]
    frame.loc[within_72, "recidivist"] = None
    model = fit_probation(frame, SETTINGS)
    assert model.skipped.get("recidivism not recorded (§74 cannot be checked)") == 50
    assert not model.rows["defendant_id"].isin(frame.loc[within_72, "defendant_id"]).any()


def test_protected_attributes_are_not_inputs():
    """The model's columns are legal factors, year and court level only; attributes added to the input are ignored."""
    frame = synthetic(12)
    model = fit_probation(frame, SETTINGS)
    rng = np.random.default_rng(0)
    widened = frame.assign(gender=rng.choice(["男", "女"], len(frame)), ethnicity="汉族",
                           local_resident=rng.random(len(frame)) < 0.5)
    again = fit_probation(widened, SETTINGS)
    assert not any(w in c for c in model.columns for w in ("gender", "ethnicity", "local"))
    assert np.allclose(model.rows["p"], again.rows["p"])


# ----------------------------------------------------------------------------------------------
# end to end on a generated sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.sample_data import generate
    root = tmp_path_factory.mktemp("probation")
    generate(root / "import", scale=0.5, seed=11, noise=0.35)
    ingest(root / "import", db=root / "base.duckdb", export_date=AS_OF)
    truth = pd.read_csv(root / "import" / "ground_truth.csv", dtype=str, keep_default_na=False)
    return root, truth


def _detect(db, detector):
    con = duckdb.connect(str(db), read_only=True)
    try:
        ctx = DetectContext(con, AS_OF, load_config())
        result = detector.detect(ctx)
        return result, finish_flags(detector, result.flags, "test")
    finally:
        con.close()


def test_the_planted_favour_judge_is_found_and_no_other(sample):
    root, truth = sample
    planted = set(truth.loc[truth["kind"] == "judge_probation_favour", "subject_id"])
    assert planted
    result, flags = _detect(root / "base.duckdb", JudgeProbationDeviation())
    assert set(flags["subject_id"]) == planted, result.note
    flag = flags.iloc[0]
    assert "缓刑" in flag["explanation"] and "明显偏多" in flag["explanation"] and NOTICE_ZH in flag["evidence"]
    evidence = json.loads(flag["evidence"])
    assert evidence["probations_observed"] > evidence["probations_expected"]
    assert "第七十二条" in evidence["legal_basis"] and "第七十四条" in evidence["legal_basis"]
    assert evidence["explanation_en"].startswith("Of this judge's")
    assert 1 <= len(evidence["cases_to_read_first"]) <= 5
    assert flag["level"] in ("high", "medium", "low")


def test_no_court_is_flagged_but_for_planted_probations(sample):
    """A court flag is either a planted court or the court of a planted favour judge (its probations were altered)."""
    root, truth = sample
    _, flags = _detect(root / "base.duckdb", CourtProbationDeviation())
    favour = truth["kind"] == "judge_probation_favour"
    explained = set(truth.loc[truth["subject_type"] == "court", "subject_id"]) | set(truth.loc[favour, "court_id"])
    assert set(flags["subject_id"]) <= explained


def test_abstains_when_probation_is_not_recorded(sample, tmp_path):
    root, _ = sample
    db = tmp_path / "blank.duckdb"
    shutil.copy(root / "base.duckdb", db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE defendants SET probation = NULL")
    con.close()
    for detector in (JudgeProbationDeviation(), CourtProbationDeviation()):
        result, flags = _detect(db, detector)
        assert flags.empty
        assert result.status == "skipped" and "not recorded" in result.note


def test_the_planted_penalty_kind_favour_judge_is_found(sample):
    """拘役 where peers give 有期徒刑: the planted judge is found; any other flag is a judge whose terms were planted
    (judge_sentencing_bias: a shorter or longer term crosses the 6-month line too)."""
    root, truth = sample
    planted = set(truth.loc[truth["kind"] == "judge_penalty_kind_favour", "subject_id"])
    assert planted
    altered = planted | set(truth.loc[truth["kind"] == "judge_sentencing_bias", "subject_id"])
    result, flags = _detect(root / "base.duckdb", JudgePenaltyKindDeviation())
    assert planted <= set(flags["subject_id"]) <= altered, result.note
    flag = flags[flags["subject_id"].isin(planted)].iloc[0]
    evidence = json.loads(flag["evidence"])
    assert "较轻刑种明显偏多" in flag["explanation"]
    assert evidence["lighter_penalties_observed"] > evidence["lighter_penalties_expected"]
    assert "第六十五条" in evidence["legal_basis"]
    assert all(c["sentence"].startswith(("拘役", "管制", "单处罚金", "免予刑事处罚")) for c in evidence["cases_to_read_first"])
    _, courts = _detect(root / "base.duckdb", CourtPenaltyKindDeviation())
    explained = set(truth.loc[truth["subject_type"] == "court", "subject_id"]) | set(truth.loc[
        truth["kind"].isin(["judge_penalty_kind_favour", "judge_sentencing_bias"]), "court_id"])
    assert set(courts["subject_id"]) <= explained


# ----------------------------------------------------------------------------------------------
# sentence_deviation's peer groups: the judgment year and the court level (design.context_columns)


def test_context_columns_give_years_and_court_levels_with_enough_rows():
    from courtwatch.detectors.sentencing.design import context_columns
    frame = pd.DataFrame({"closed_on": pd.to_datetime(["2022-03-01"] * 30 + ["2023-05-01"] * 12 + ["2024-01-02"] * 3),
                          "court_level": ["basic"] * 40 + ["intermediate"] * 5})
    cols = context_columns(frame, 10)
    assert set(cols) == {"year_2023"}  # 2022 the reference, 2024 too rare (shares the reference), 5 intermediate too few
    assert cols["year_2023"].sum() == 12
    cols = context_columns(frame.assign(court_level=["basic"] * 30 + ["intermediate"] * 15), 10)
    assert cols["court_intermediate"].sum() == 15


def test_a_policy_shift_in_one_year_is_absorbed_not_flagged(sample, tmp_path):
    """Every 2024 term of the commonest charge doubled (a province-wide policy): the model gives 2024 its own level
    (≈ log 2) and no single sentence of that charge and year is flagged for it."""
    from courtwatch.detectors.sentencing import SentenceDeviation
    from courtwatch.detectors.sentencing.fit import fit_model
    root, _ = sample
    db = tmp_path / "policy.duckdb"
    shutil.copy(root / "base.duckdb", db)
    con = duckdb.connect(str(db))
    charge = con.execute("SELECT charge FROM defendants WHERE sentence_kind = 'fixed_term' GROUP BY charge "
                         "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    shifted = {r[0] for r in con.execute(
        "UPDATE defendants d SET term_months = d.term_months * 2, combined_term_months = d.term_months * 2 "
        "FROM cases c WHERE c.case_id = d.case_id AND year(c.closed_on) = 2024 AND d.charge = ? "
        "AND d.sentence_kind IN ('detention', 'fixed_term') RETURNING d.defendant_id", [charge]).fetchall()}
    con.close()
    assert len(shifted) > 50
    con = duckdb.connect(str(db), read_only=True)
    try:
        ctx = DetectContext(con, AS_OF, load_config())
        fit = fit_model(ctx).groups[charge]
        coefficients = dict(zip(fit.columns, fit.params))
        # each year's level against the group's reference year (absent = the reference itself, 0)
        level = {y: coefficients.get(f"year_{y}", 0.0) for y in (2022, 2023, 2024)}
        assert any(k.startswith("year_") for k in coefficients)
        assert abs(level[2024] - (level[2022] + level[2023]) / 2 - np.log(2)) < 0.25, level
        flags = SentenceDeviation().detect(ctx).flags
    finally:
        con.close()
    assert len(set(flags["subject_id"]) & shifted) <= 2


def test_the_ridge_logistic_fit_is_the_maximum_of_its_objective():
    """detectors/stats.ridge_logistic: without a penalty it is statsmodels' own IRLS fit; with one, its
    gradient vanishes and no other coefficients (statsmodels' BFGS ridge fit included) score higher."""
    import statsmodels.api as sm

    from courtwatch.detectors.stats import ridge_logistic

    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(2000), rng.normal(size=(2000, 4)), rng.integers(0, 2, size=(2000, 2))])
    y = (rng.random(2000) < 1 / (1 + np.exp(-(X @ np.array([-0.5, 1.0, -0.7, 0.3, 0.0, 1.5, -2.0]))))).astype(float)
    plain = sm.GLM(y, X, family=sm.families.Binomial()).fit().params
    assert np.allclose(ridge_logistic(y, X, np.zeros(X.shape[1])), plain, atol=1e-7)
    alpha = np.full(X.shape[1], 0.05)
    alpha[0] = 0.0
    beta = ridge_logistic(y, X, alpha)
    p = 1 / (1 + np.exp(-(X @ beta)))
    assert np.max(np.abs(X.T @ (y - p) / len(y) - alpha * beta)) < 1e-9

    def objective(b):
        eta = X @ b
        return np.sum(y * eta - np.logaddexp(0, eta)) / len(y) - 0.5 * np.sum(alpha * b * b)

    bfgs = sm.GLM(y, X, family=sm.families.Binomial()).fit_regularized(alpha=alpha, L1_wt=0.0).params
    assert objective(beta) >= objective(bfgs) - 1e-12

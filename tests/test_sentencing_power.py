"""What gives the sentencing caseload tests their power on real judgments, on small synthetic peer groups.

Each test builds the features frame the model reads (queries/sentencing_features.sql's columns) with a
fixed seed: deleted residuals keep a small group from absorbing a judge's deviation, rare charges are
pooled for caseloads but never tested one by one, a case far from every peer abstains, and a judge is
not flagged for a deviant colleague (the intersection–union test against court and province).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from courtwatch.core.config import load_config
from courtwatch.detectors import law
from courtwatch.detectors.sentencing.caseload import caseload_rows, caseload_test
from courtwatch.detectors.sentencing.design import CIRCUMSTANCES, POOLED_GROUP
from courtwatch.detectors.sentencing.fit import SentencingModel, SentencingSettings, fit_group

CFG = SentencingSettings.from_config(load_config())
FRAMES = law.frames(law.province_thresholds(load_config()))


def features(n: int, charge: str = "寻衅滋事罪", seed: int = 7, judges: int = 6, noise: float = 0.5,
             judge_factor: dict[str, float] | None = None, start: int = 0) -> pd.DataFrame:
    """n custodial sentences of one charge: log term = 2.5 − 0.3·surrender − 0.2·confession + noise."""
    rng = np.random.default_rng(seed)
    judge = [f"J{i % judges}" for i in range(n)]
    surrender = rng.random(n) < 0.3
    confession = rng.random(n) < 0.6
    log_term = 2.5 - 0.3 * surrender - 0.2 * confession + rng.normal(0, noise, n)
    factor = np.array([(judge_factor or {}).get(j, 1.0) for j in judge])
    frame = pd.DataFrame({
        "defendant_id": [f"D{start + i:05d}" for i in range(n)], "case_id": [f"C{start + i:05d}" for i in range(n)],
        "judge_id": judge, "court_id": [f"court{int(j[1:]) // 3}" for j in judge],
        "closed_on": pd.Timestamp("2024-06-30"), "charge": charge, "peer_group": charge,
        "amount_involved": np.nan, "injury_level": None, "drug_grams": np.nan, "blood_alcohol": np.nan,
        "sentence_kind": "fixed_term", "term_months": np.maximum(1, np.round(np.exp(log_term) * factor)),
        "tier": pd.array([pd.NA] * n, dtype="Int64"),
    })
    for c in CIRCUMSTANCES:
        frame[c] = False
    frame["surrender"], frame["confession"] = surrender, confession
    return frame


def test_deleted_residuals_recover_what_a_small_group_absorbs():
    # 45 sentences, one judge's 8 all ×1.6: the fit leans toward them, their deleted residuals do not
    frame = features(45, judge_factor={"J0": 1.6}, judges=6)
    _, rows, _ = fit_group("寻衅滋事罪", frame, FRAMES, CFG)
    judge = rows[rows["judge_id"] == "J0"]
    assert (judge["resid_deleted"].abs() > judge["resid"].abs()).all()
    assert judge["resid_deleted"].mean() > judge["resid"].mean() > 0


def test_rare_charges_are_pooled_for_caseloads_and_never_tested_one_by_one():
    rare = pd.concat([features(12, charge="非法拘禁罪", seed=1, start=0),
                      features(20, charge="聚众斗殴罪", seed=2, start=100),
                      features(15, charge="敲诈勒索罪", seed=3, start=200),
                      features(3, charge="重婚罪", seed=4, start=300)], ignore_index=True)
    fit, rows, _ = fit_group(POOLED_GROUP, rare, FRAMES, CFG)
    assert fit.status == "fitted"
    assert set(rows["charge"]) == {"非法拘禁罪", "聚众斗殴罪", "敲诈勒索罪"}   # 3 sentences: no peers at all
    assert fit.skipped["rare charge with under 5 sentences (no peers to compare with)"] == 3
    assert not rows["testable"].any() and rows["pooled"].all()
    # one intercept per charge: no charge's level is charged to its judges
    assert {"has_非法拘禁罪", "has_聚众斗殴罪", "has_敲诈勒索罪"} & set(fit.columns)


def test_a_case_far_from_every_peer_abstains_one_by_one():
    frame = features(60, seed=5)
    frame["amount_involved"] = np.exp(np.random.default_rng(5).normal(9, 0.5, 60))
    frame.loc[0, "amount_involved"] = 1e10          # a misread amount: far outside every peer's
    frame.loc[0, "term_months"] = 12
    fit, rows, _ = fit_group("寻衅滋事罪", frame, FRAMES, CFG)
    outlier = rows[rows["defendant_id"] == "D00000"].iloc[0]
    assert outlier["high_leverage"] and not outlier["testable"]
    assert rows.loc[rows["defendant_id"] != "D00000", "testable"].mean() > 0.9


def _model(rows: pd.DataFrame) -> SentencingModel:
    return SentencingModel(rows, {}, {}, CFG.sentencing_clip_z)


def _caseload_frame(effects: dict[str, float], courts: dict[str, str], n: int = 30, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for judge, effect in effects.items():
        resid = rng.normal(0, 0.5, n) + np.log(effect)
        parts.append(pd.DataFrame({"defendant_id": [f"{judge}-{i}" for i in range(n)], "judge_id": judge,
                                   "court_id": courts[judge], "peer_group": "g", "resid": resid,
                                   "resid_deleted": resid, "deleted_var_factor": 1.0, "scale": 0.5}))
    return pd.concat(parts, ignore_index=True)


def test_a_judge_is_not_tested_against_a_deviant_colleague_alone():
    # 20 courts of 3 judges whose levels differ (so the court reference carries weight); in court c0
    # one judge sentences ×3: against that court's level alone the other two look lenient
    rng = np.random.default_rng(11)
    level = {c: float(np.exp(rng.normal(0, 0.25))) for c in range(20)}
    level[0] = 1.0
    effects = {f"c{c}j{j}": level[c] for c in range(20) for j in range(3)}
    effects["c0j0"] = 3.0
    courts = {judge: judge[:judge.index("j")] for judge in effects}
    tested = caseload_test(_model(_caseload_frame(effects, courts)), "judge_id", 15, "court_id").set_index("judge_id")
    assert tested.loc["c0j0", "p"] < 1e-6
    assert tested.loc["c0j1", "reference_weight"] > 0.5
    for colleague in ("c0j1", "c0j2"):
        against_court = tested.loc[colleague, "deviation"] / np.sqrt(tested.loc[colleague, "sampling_var"]
                                                                    + tested.loc[colleague, "tau2_robust"])
        assert abs(against_court) > 3.5                      # what the court reference alone would say
        assert tested.loc[colleague, "p"] > 0.1              # deviant against the province: no


def test_caseload_weights_follow_the_deleted_residuals_variance():
    rows = _caseload_frame({"a": 1.0}, {"a": "c"}, n=4)
    rows["deleted_var_factor"] = [1.0, 2.0, 4.0, 1.0]
    out = caseload_rows(_model(rows))
    assert np.allclose(out["w_i"], 1.0 / out["deleted_var_factor"])
    # w·u is the raw residual where nothing is clipped
    unclipped = out["resid_deleted"].abs() < 2.5 * 0.5 * np.sqrt(out["deleted_var_factor"])
    assert np.allclose((out["u_weighted"])[unclipped], (out["resid_deleted"] / out["deleted_var_factor"])[unclipped])

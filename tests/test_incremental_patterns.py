"""Incremental runs score new 终本 cases and guilty-plea judgments against the last full run's kept models.

The province of tests/test_incremental.py: imported as it stood before 2024, detected in full (which
keeps termination_procedure_outlier's partition models and plea_recommendation_deviation's band spreads,
with every tested case's p-value), then imported complete. An incremental run scores the new cases
against the kept models, without refitting: a new case's ECOD score is the one PyOD gives it against the
full run's cases, its p-value ranks it against the full run's scores; a new plea is tested against the
full run's spread. Without kept models the run refits on the reference period, as before.
"""
from __future__ import annotations

import json
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest
from test_incremental import EXPORT_DATE, SINCE, _write_before

from courtwatch import queries
from courtwatch.core.config import load_config
from courtwatch.detectors.base import DetectContext
from courtwatch.detectors.patterns import termination_procedure_outlier as procedure
from courtwatch.detectors.patterns.common import PatternSettings, conformal_p
from courtwatch.detectors.sentencing import plea_recommendation_deviation as plea
from courtwatch.detectors.stats import benjamini_hochberg, robust_scale, two_sided_p


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """A full run's database (`at_full_run`: as it stood then) and the complete import on top (`db`)."""
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.pipeline.runs import detect
    from courtwatch.sample_data import generate

    root = tmp_path_factory.mktemp("incremental_patterns")
    generate(root / "full", scale=0.5, seed=2718)
    old_cases = _write_before(root / "full", root / "before", SINCE)
    db = root / "cw.duckdb"
    ingest(root / "before", db=db, export_date=EXPORT_DATE)
    full = detect(db)
    shutil.copy(db, root / "at_full_run.duckdb")
    ingest(root / "full", db=db, export_date=EXPORT_DATE)
    return {"root": root, "db": db, "at_full_run": root / "at_full_run.duckdb", "full": full, "old": old_cases}


def _incremental(province, tmp_path, prepare=None):
    db = tmp_path / "cw.duckdb"
    shutil.copy(province["db"], db)
    if prepare is not None:
        con = duckdb.connect(str(db))
        prepare(con)
        con.close()
    from courtwatch.pipeline.runs import detect

    return detect(db, since=SINCE)


def _new_flags(run, province, detector: str) -> pd.DataFrame:
    flags = run.flags[(run.flags["detector"] == detector) & ~run.flags["case_id"].isin(province["old"])]
    return flags.assign(evidence=flags["evidence"].map(json.loads))


def _kept_values(db, model: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT part, case_id, value FROM model_case_values WHERE model = ?", [model]).df()
    finally:
        con.close()


def test_a_full_run_keeps_the_models_and_every_tested_p_value(province):
    kept = _kept_values(province["at_full_run"], procedure.MODEL)
    flags = province["full"].flags
    flagged = flags[flags["detector"] == "termination_procedure_outlier"]
    p_of = dict(zip(kept["case_id"], kept["value"]))
    assert len(flagged) > 0 and len(kept) > 1000
    for case_id, evidence in zip(flagged["case_id"], map(json.loads, flagged["evidence"])):
        assert p_of[case_id] == evidence["p_value"]
    kept = _kept_values(province["at_full_run"], plea.MODEL)
    flagged = flags[flags["detector"] == "plea_recommendation_deviation"]
    pairs = set(zip(kept["case_id"], kept["value"]))
    assert len(flagged) > 0 and len(kept) > 1000
    assert all((c, json.loads(e)["p"]) in pairs for c, e in zip(flagged["case_id"], flagged["evidence"]))


def test_new_cases_are_scored_against_the_full_run_models_without_refitting(province, tmp_path, monkeypatch):
    from pyod.models.ecod import ECOD

    def no_refit(*args, **kwargs):
        raise AssertionError("an incremental run with kept models refitted ECOD")

    monkeypatch.setattr(procedure, "ecod_fit", no_refit)
    run = _incremental(province, tmp_path)
    report = run.detectors.set_index("detector")
    assert "against the last full run's model" in report.loc["termination_procedure_outlier", "note"]
    new = _new_flags(run, province, "termination_procedure_outlier").set_index("case_id")
    assert len(new) >= 3
    # the direct computation: PyOD's ECOD fitted on the full run's 终本 cases scores each new or changed case
    # alone, the p-value ranks that score against the full run's own (in-sample) scores, and the
    # Benjamini–Hochberg family is the scored cases' p-values with the full run's of every other case
    s = PatternSettings.from_config(load_config())
    kept = _kept_values(province["at_full_run"], procedure.MODEL)
    assert kept["part"].nunique() == 1  # one partition at this size
    con = duckdb.connect(str(province["at_full_run"]), read_only=True)
    try:
        courts = queries.run(con, "pattern_termination_procedure_courts", as_of=province["full"].as_of)
        reference = queries.run(con, "pattern_termination_procedure", as_of=province["full"].as_of,
                                court_ids=courts["court_id"].tolist())
    finally:
        con.close()
    con = duckdb.connect(str(province["db"]), read_only=True)
    try:
        rows = queries.run(con, "pattern_termination_procedure_of_cases", as_of=run.as_of,
                           case_ids=sorted(run.scope))
    finally:
        con.close()
    rows = rows[rows[procedure.FEATURES].notna().all(axis=1)].reset_index(drop=True)
    X = reference[procedure.FEATURES].dropna().to_numpy(dtype=float)
    in_sample = np.asarray(ECOD(contamination=0.01).fit(X).decision_scores_, dtype=float).copy()
    direct = np.array([ECOD(contamination=0.01).fit(X).decision_function(row[None, :])[0]
                       for row in rows[procedure.FEATURES].to_numpy(dtype=float)])
    p_direct = conformal_p(direct, in_sample, s.procedure_tail_quantile)
    family = kept.loc[~kept["case_id"].isin(run.scope), "value"].to_numpy()
    reject, q = benjamini_hochberg(np.concatenate([p_direct, family]), s.false_discovery_rate)
    expected = rows.assign(score=direct, p=p_direct, q=q[:len(rows)])[reject[:len(rows)]].set_index("case_id")
    flagged = run.flags[(run.flags["detector"] == "termination_procedure_outlier")
                        & run.flags["case_id"].isin(run.scope)]
    assert set(flagged["case_id"]) == set(expected.index)
    evidence = new["evidence"]
    assert np.allclose([e["ecod_score"] for e in evidence], expected.loc[new.index, "score"].round(4), atol=1e-4)
    assert np.allclose([e["p_value"] for e in evidence], expected.loc[new.index, "p"], rtol=1e-9, atol=0)
    assert np.allclose([e["q_value"] for e in evidence], expected.loc[new.index, "q"], rtol=1e-9, atol=0)


def test_new_pleas_are_tested_against_the_full_run_spread(province, tmp_path):
    run = _incremental(province, tmp_path)
    new = _new_flags(run, province, "plea_recommendation_deviation")
    assert len(new) >= 3
    # the direct computation: the spread of the full run's non-adopting judgments of the band
    con = duckdb.connect(str(province["at_full_run"]), read_only=True)
    try:
        frame, _ = plea._departures(DetectContext(con=con, as_of=province["full"].as_of, config=load_config()), None)
    finally:
        con.close()
    deviating = frame[frame["log_ratio"].abs() > 1e-9]
    scale = {band: robust_scale(g["log_departure"]) for band, g in deviating.groupby("band")}
    for evidence in new["evidence"]:
        term, recommended = float(evidence["term_months"]), float(evidence["recommended_months"])
        half = 0.5 if np.isclose(term, round(term)) else 0.0  # whole months, as the detector reads them
        departure = (max(0.0, np.log((term - half) / recommended)) if term > recommended
                     else min(0.0, np.log((term + half) / recommended)))
        expected = float(two_sided_p(np.array([departure / scale[evidence["sentence_kind"]]]))[0])
        assert evidence["p"] == pytest.approx(expected, rel=1e-12)
    # and the flagged ones are those Benjamini–Hochberg selects among the scope's p-values and the full run's
    # p-values of every other case
    con = duckdb.connect(str(province["db"]), read_only=True)
    try:
        scoped, _ = plea._departures(DetectContext(con=con, as_of=run.as_of, config=load_config()), sorted(run.scope))
    finally:
        con.close()
    p_scoped = two_sided_p((scoped["log_departure"] / scoped["band"].map(scale)).to_numpy(dtype=float))
    kept = _kept_values(province["at_full_run"], plea.MODEL)
    family = kept.loc[~kept["case_id"].isin(run.scope), "value"].to_numpy()
    reject, _ = benjamini_hochberg(np.concatenate([p_scoped, family]), load_config().values["stats"]["false_discovery_rate"])
    flagged = run.flags[(run.flags["detector"] == "plea_recommendation_deviation") & run.flags["case_id"].isin(run.scope)]
    assert set(flagged["subject_id"]) == set(scoped.loc[reject[:len(scoped)], "defendant_id"])


def test_without_kept_models_an_incremental_run_refits(province, tmp_path, monkeypatch):
    fits = []
    real = procedure.ecod_fit
    monkeypatch.setattr(procedure, "ecod_fit", lambda *a, **k: fits.append(1) or real(*a, **k))
    run = _incremental(province, tmp_path, lambda con: con.execute("DELETE FROM model_states"))
    report = run.detectors.set_index("detector")
    assert fits, "no kept model: ECOD is fitted on the reference period"
    assert "partition(s)" in report.loc["termination_procedure_outlier", "note"]
    assert "last full run" not in report.loc["termination_procedure_outlier", "note"]
    assert len(_new_flags(run, province, "termination_procedure_outlier")) >= 3
    assert len(_new_flags(run, province, "plea_recommendation_deviation")) >= 3


def test_a_court_the_full_run_kept_no_model_for_is_refitted(province, tmp_path, monkeypatch):
    fits = []
    real = procedure.ecod_fit
    monkeypatch.setattr(procedure, "ecod_fit", lambda *a, **k: fits.append(1) or real(*a, **k))

    def forget_a_court(con):
        part, meta = con.execute("SELECT part, meta::VARCHAR FROM model_states WHERE model = ?",
                                 [procedure.MODEL]).fetchall()[0]
        meta = json.loads(meta)
        meta["court_ids"] = meta["court_ids"][1:]
        con.execute("UPDATE model_states SET meta = ?::JSON WHERE model = ? AND part = ?",
                    [json.dumps(meta), procedure.MODEL, part])

    run = _incremental(province, tmp_path, forget_a_court)
    assert fits
    assert "last full run" not in run.detectors.set_index("detector").loc["termination_procedure_outlier", "note"]

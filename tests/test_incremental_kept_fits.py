"""Incremental runs score new sentences against the last full run's kept fits (detectors/sentencing/fit.py).

A full run keeps every peer group's fit and its tested sentences' p-values (model_states); an incremental
run reads only the peer groups its new or changed sentences fall in, scores them with the kept coefficients,
spread and centre, and refits nothing unless the design changed or no fit was kept.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import numpy as np
import pytest

from courtwatch.core.config import load_config
from courtwatch.detectors.base import DetectContext
from courtwatch.detectors.sentencing import fit as fit_module


@pytest.fixture(scope="module")
def full(province):
    """The session's scale-1 province (conftest.py), detected in full once: tests that write copy it first."""
    return {"db": province["db"], "run": province["run"]}


def _model(con, run, scope=None, state_run=None):
    fit_module._CACHE.clear()
    # nothing changed since the full run: every case outside the scope is in the reference period
    return fit_module.fit_model(DetectContext(con=con, as_of=run.as_of, config=load_config(), scope=scope,
                                              outside_reference=None if scope is None else frozenset(),
                                              state_run=state_run))


def _refits_forbidden(monkeypatch):
    def refit(*args, **kwargs):
        raise AssertionError("a peer group was refitted")
    monkeypatch.setattr(fit_module, "fit_group", refit)


def test_a_full_run_keeps_every_fit_and_every_tested_p_value(full):
    con = duckdb.connect(str(full["db"]), read_only=True)
    try:
        model = _model(con, full["run"])
        states = dict(con.execute("SELECT part, meta::VARCHAR FROM model_states WHERE run_id = ? "
                                  "AND model = 'sentencing'", [full["run"].run_id]).fetchall())
        ctx = DetectContext(con=con, as_of=full["run"].as_of, config=load_config(), scope=frozenset(),
                            state_run=full["run"].run_id)
        kept_p = sum(len(arrays["tested_p"]) for arrays, _ in ctx.stored_states("sentencing").values())
    finally:
        con.close()
    assert set(states) == set(model.groups) - {fit_module.POOLED_GROUP}
    fitted = [g for g, f in model.groups.items() if f.status == "fitted" and g != fit_module.POOLED_GROUP]
    assert len(fitted) >= 3
    for group in fitted:
        meta = json.loads(states[group])
        assert meta["columns"] == model.groups[group].columns
        assert meta["scale"] == model.groups[group].scale
    assert kept_p == int(model.rows["testable"].sum()) > 1000


def test_new_sentences_are_scored_with_the_kept_fit_and_nothing_is_refitted(full, monkeypatch):
    con = duckdb.connect(str(full["db"]), read_only=True)
    try:
        whole = _model(con, full["run"])
        rows = whole.rows[whole.rows["testable"]]
        group = rows["peer_group"].value_counts().index[0]
        scope = frozenset(rows.loc[rows["peer_group"] == group, "case_id"].head(25))
        _refits_forbidden(monkeypatch)
        night = _model(con, full["run"], scope, state_run=full["run"].run_id)
    finally:
        con.close()
    assert set(night.groups) == set(rows.loc[rows["case_id"].isin(scope), "peer_group"])
    both = night.rows.merge(whole.rows, on="defendant_id", suffixes=("", "_full"))
    assert len(both) == len(night.rows)
    np.testing.assert_allclose(both["fitted_log"], both["fitted_log_full"], rtol=0, atol=1e-12)
    # the reference period is scored in sample exactly as the full run scored it; the scope out of sample
    unchanged = ~both["case_id"].isin(scope)
    np.testing.assert_allclose(both.loc[unchanged, "p"], both.loc[unchanged, "p_full"], rtol=1e-8)
    new = both[~unchanged]
    assert len(new) >= 25 and (new["deleted_var_factor"] >= 1.0).all()
    assert (new["deleted_var_factor"] != new["deleted_var_factor_full"]).any()
    # the family is the full run's: the groups not read give their kept p-values, the scope's cases once
    assert len(night.family_p_elsewhere) + int(night.rows["testable"].sum()) == len(rows)


def test_a_changed_sentence_is_flagged_without_a_refit(full, tmp_path, monkeypatch):
    from courtwatch.pipeline.runs import detect

    db = tmp_path / "cw.duckdb"
    shutil.copy(full["db"], db)
    con = duckdb.connect(str(db))
    defendant, case = con.execute(
        "SELECT d.defendant_id, d.case_id FROM defendants d JOIN cases c USING (case_id) "
        "WHERE d.sentence_kind = 'fixed_term' AND d.charge = '盗窃罪' AND d.term_months BETWEEN 6 AND 12 "
        "AND c.closed_on IS NOT NULL ORDER BY d.defendant_id LIMIT 1").fetchall()[0]
    con.execute("UPDATE defendants SET term_months = term_months * 12 WHERE defendant_id = ?", [defendant])
    con.close()
    _refits_forbidden(monkeypatch)
    run = detect(db, since=dt.date(2025, 1, 1))
    flags = run.flags[run.flags["detector"] == "sentence_deviation"]
    assert defendant in set(flags["subject_id"]), "a twelvefold term is flagged"
    evidence = json.loads(flags.loc[flags["subject_id"] == defendant, "evidence"].iloc[0])
    assert evidence["peer_comparison"]["peer_group"] == "盗窃罪" and evidence["similar_cases"]
    assert run.scope == frozenset({case})


def test_without_kept_fits_an_incremental_run_refits(full, tmp_path, monkeypatch):
    from courtwatch.pipeline.runs import detect

    db = tmp_path / "cw.duckdb"
    shutil.copy(full["db"], db)
    con = duckdb.connect(str(db))
    defendant = con.execute(
        "SELECT d.defendant_id FROM defendants d JOIN cases c USING (case_id) WHERE d.sentence_kind = 'fixed_term' "
        "AND d.charge = '盗窃罪' AND d.term_months BETWEEN 6 AND 12 AND c.closed_on IS NOT NULL "
        "ORDER BY d.defendant_id LIMIT 1").fetchall()[0][0]
    con.execute("UPDATE defendants SET term_months = term_months * 12 WHERE defendant_id = ?", [defendant])
    con.execute("DELETE FROM model_states")  # as after a full run by an older version
    con.close()
    fit_module._CACHE.clear()  # (the run before this test's may have left the model of the same data)
    refitted = []
    original = fit_module.fit_group
    monkeypatch.setattr(fit_module, "fit_group", lambda group, *a, **k: refitted.append(group) or original(group, *a, **k))
    run = detect(db, since=dt.date(2025, 1, 1))
    assert "盗窃罪" in refitted and len(refitted) >= 3, "every peer group is refitted on the reference period"
    assert defendant in set(run.flags.loc[run.flags["detector"] == "sentence_deviation", "subject_id"])

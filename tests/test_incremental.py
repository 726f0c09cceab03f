"""Incremental runs (`courtwatch detect --since`, issue 7).

A province is imported as it stood before 2024-07-01 (cases filed before then) and detected in
full; then the complete export is imported and an incremental run scores what is new. Unchanged
cases keep their flags exactly (id, score, explanation, evidence); the planted anomalies among the
new cases are flagged; judge- and court-level flags wait for the next full run.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil

import pandas as pd
import pytest

from courtwatch.core.errors import UserError
from courtwatch.storage import store

SINCE = dt.date(2024, 1, 1)
EXPORT_DATE = dt.date(2024, 12, 31)
CHILD_TABLES = ("defendants", "enforcement", "events", "representations")


def _write_before(full, out, since: dt.date) -> set[str]:
    """The import folder as it stood before `since`: cases filed earlier and their rows."""
    out.mkdir(parents=True)
    cases = pd.read_csv(full / "cases.csv", dtype=str, keep_default_na=False)
    filed = pd.to_datetime(cases["filed_on"].str.replace("/", "-"), errors="coerce")
    old = cases[filed < pd.Timestamp(since)]
    old.to_csv(out / "cases.csv", index=False)
    keep = set(old["case_id"])
    for table in CHILD_TABLES:
        frame = pd.read_csv(full / f"{table}.csv", dtype=str, keep_default_na=False)
        frame[frame["case_id"].isin(keep)].to_csv(out / f"{table}.csv", index=False)
    for table in ("courts", "judges"):
        shutil.copy(full / f"{table}.csv", out / f"{table}.csv")
    return keep


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.pipeline.runs import detect
    from courtwatch.sample_data import generate

    root = tmp_path_factory.mktemp("incremental")
    generate(root / "full", scale=0.5, seed=2718)
    old_cases = _write_before(root / "full", root / "before", SINCE)
    db = root / "cw.duckdb"
    ingest(root / "before", db=db, export_date=EXPORT_DATE)
    reference = detect(db)
    ingest(root / "full", db=db, export_date=EXPORT_DATE)
    incremental = detect(db, since=SINCE)
    truth = pd.read_csv(root / "full" / "ground_truth.csv", dtype=str, keep_default_na=False)
    return {"root": root, "db": db, "reference": reference, "incremental": incremental, "old": old_cases,
            "truth": truth}


def _comparable(flags: pd.DataFrame) -> pd.DataFrame:
    out = flags.drop(columns=["run_id"]).astype(object).copy()
    out = out.where(out.notna(), None)
    out["score"] = out["score"].astype(float)
    out["evidence"] = out["evidence"].map(lambda e: json.loads(e) if isinstance(e, str) else e)
    out.index = pd.Index(out.pop("flag_id").astype(str).tolist(), dtype=object)
    return out.sort_index()


def test_only_the_new_cases_are_scored(runs):
    con = store.open_for_read(runs["db"])
    try:
        recorded = con.execute("SELECT mode, since, reference_run, scored_cases FROM runs WHERE run_id = ?",
                               [runs["incremental"].run_id]).fetchone()
        all_cases = {r[0] for r in con.execute("SELECT case_id FROM cases").fetchall()}
    finally:
        con.close()
    new_cases = all_cases - runs["old"]
    assert recorded == ("incremental", SINCE, runs["reference"].run_id, len(new_cases))
    assert len(new_cases) > 500


def test_unchanged_cases_keep_their_flags_exactly(runs):
    before = _comparable(runs["reference"].flags)
    after = _comparable(runs["incremental"].flags)
    unchanged_before = before[before["case_id"].isin(runs["old"]) | before["case_id"].isna()]
    unchanged_after = after[after["case_id"].isin(runs["old"]) | after["case_id"].isna()]
    assert len(unchanged_before) > 100
    pd.testing.assert_frame_equal(unchanged_before, unchanged_after, check_dtype=False)


def test_planted_anomalies_among_the_new_cases_are_flagged(runs):
    from courtwatch.detectors.registry import by_name

    detectors = by_name()
    truth = runs["truth"]
    new_plants = truth[(truth["case_id"] != "") & ~truth["case_id"].isin(runs["old"])
                       & truth["detector"].map(lambda d: detectors[d].incremental != "carry")]
    flags = runs["incremental"].flags
    raised = set(zip(flags["detector"], flags["subject_id"]))
    found = [(d, s) in raised for d, s in zip(new_plants["detector"], new_plants["subject_id"])]
    by_kind = new_plants.assign(found=found).groupby("kind")["found"].agg(["mean", "size"])
    assert len(by_kind) >= 10, by_kind
    rules = by_kind.loc[[k for k in by_kind.index if detectors[truth.loc[truth["kind"] == k, "detector"].iloc[0]].method.startswith("Deterministic")]]
    assert (rules["mean"] == 1.0).all(), rules
    assert by_kind.loc["termination_procedure_outlier", "mean"] >= 0.9, by_kind
    assert by_kind.loc["plea_recommendation_deviation", "mean"] >= 0.9, by_kind


def test_new_flags_cite_the_reference_period(runs):
    flags = runs["incremental"].flags
    new = flags[~flags["case_id"].isin(runs["old"]) & flags["case_id"].notna()]
    procedure = new[new["detector"] == "termination_procedure_outlier"]
    assert len(procedure) > 0
    for evidence in map(json.loads, procedure["evidence"]):
        # described against the partition's reference cases, not against the other new ones
        assert evidence["drivers"] and all(d["peer_median"] is not None for d in evidence["drivers"])
    report = runs["incremental"].detectors.set_index("detector")
    assert report.loc["judge_rate_outlier", "status"] == "carried"
    assert report.loc["termination_procedure_outlier", "status"] == "incremental"
    # a rule reading only its case's rows re-checks the new cases; one reading other cases' rows, every case
    assert "carried forward" in report.loc["zb_no_online_inquiry", "note"]
    assert report.loc["zb_no_inquiry_after_termination", "note"].startswith(
        "every case re-checked: its verdicts read other cases' rows")
    assert "carried forward" in report.loc["sentence_deviation", "note"]


def test_a_changed_old_case_is_rescored(runs, tmp_path):
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.pipeline.runs import detect

    db = tmp_path / "cw.duckdb"
    shutil.copy(runs["db"], db)
    cases = pd.read_csv(runs["root"] / "full" / "cases.csv", dtype=str, keep_default_na=False)
    target = sorted(runs["old"])[0]
    changed = cases[cases["case_id"] == target].copy()
    changed["extensions"] = "3"
    folder = tmp_path / "correction"
    folder.mkdir()
    changed.to_csv(folder / "cases.csv", index=False)
    ingest(folder, db=db, export_date=EXPORT_DATE)
    run = detect(db, since=dt.date(2025, 1, 1))
    con = store.open_for_read(db)
    try:
        scored = con.execute("SELECT scored_cases FROM runs WHERE run_id = ?", [run.run_id]).fetchone()[0]
    finally:
        con.close()
    assert scored == 1


def test_an_incremental_run_needs_a_previous_run(tmp_path):
    from helpers import small_import

    from courtwatch.pipeline.ingest import ingest
    from courtwatch.pipeline.runs import detect

    folder = small_import(tmp_path / "tiny")
    db = tmp_path / "cw.duckdb"
    ingest(folder, db=db, export_date=EXPORT_DATE)
    with pytest.raises(UserError, match="needs a previous run"):
        detect(db, since=SINCE)


def _copy(runs, tmp_path):
    db = tmp_path / "cw.duckdb"
    shutil.copy(runs["db"], db)
    return db


def test_changed_thresholds_need_a_full_run(runs, tmp_path):
    from courtwatch.core.config import load_config
    from courtwatch.pipeline.runs import detect

    db = _copy(runs, tmp_path)
    config = load_config()
    config.values["stats"]["false_discovery_rate"] = 0.10
    with pytest.raises(UserError, match="configuration differs"):
        detect(db, since=SINCE, config=config)


def test_a_database_from_before_incremental_runs_needs_a_full_run(runs, tmp_path):
    import duckdb

    from courtwatch.pipeline.runs import detect

    db = _copy(runs, tmp_path)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM case_fingerprints")
    con.close()
    with pytest.raises(UserError, match="no case fingerprints"):
        detect(db, since=SINCE)


def test_a_deleted_case_takes_its_flags_with_it(runs, tmp_path):
    import duckdb

    from courtwatch.pipeline.runs import detect

    db = _copy(runs, tmp_path)
    flags = runs["incremental"].flags
    carried = flags[flags["detector"] == "termination_procedure_outlier"]["case_id"]
    target = sorted(set(carried) & runs["old"])[0]
    con = duckdb.connect(str(db))
    for table in ("defendants", "enforcement", "events", "representations", "cases"):
        con.execute(f"DELETE FROM {table} WHERE case_id = ?", [target])
    con.close()
    run = detect(db, since=dt.date(2025, 1, 1))
    assert target not in set(run.flags["case_id"].dropna())


def test_a_new_case_outside_the_reference_factors_abstains():
    import numpy as np

    from courtwatch.detectors.sentencing.design import outside_row_space

    reference = np.array([[1.0, 0.0, 2.0], [1.0, 0.0, 3.0], [1.0, 0.0, 5.0]])  # the middle level never seen
    rows = np.array([[1.0, 0.0, 4.0], [1.0, 1.0, 4.0]])
    assert outside_row_space(rows, reference).tolist() == [False, True]


def test_the_models_stay_those_of_the_last_full_run(runs, tmp_path):
    """A second incremental run fits on the cases unchanged since the full run, not on the first one's new cases."""
    import duckdb

    from courtwatch.pipeline.runs import detect

    db = _copy(runs, tmp_path)
    run = detect(db, since=dt.date(2025, 1, 1))  # nothing new: every flag is carried or re-checked
    con = duckdb.connect(str(db), read_only=True)
    try:
        reference_run = con.execute("SELECT DISTINCT run_id FROM reference_fingerprints").fetchall()
        scored = con.execute("SELECT scored_cases FROM runs WHERE run_id = ?", [run.run_id]).fetchone()[0]
    finally:
        con.close()
    assert reference_run == [(runs["reference"].run_id,)], "only a full run moves the reference period"
    assert scored == 0
    before = _comparable(runs["incremental"].flags)
    after = _comparable(run.flags)
    pd.testing.assert_frame_equal(before, after, check_dtype=False)


def test_a_briefing_after_an_incremental_run_reports_what_each_detector_did(runs, tmp_path):
    from courtwatch.reporting.briefing import write_brief

    out = write_brief(runs["db"], "2024", None, "html", tmp_path / "brief.html", lang="en")[0]
    text = out.read_text(encoding="utf-8")
    assert "carried from the last full run" in text, "judge-level detectors say their flags are the full run's"
    assert "ran on new or changed cases (incremental run)" in text
    assert "status_" not in text, "every run status has words"


def test_no_unchanged_case_means_a_full_run(runs, tmp_path):
    """If every fingerprint differs (e.g. after an upgrade that hashes rows differently), nothing is carried blindly."""
    import duckdb

    from courtwatch.pipeline.runs import detect

    db = _copy(runs, tmp_path)
    con = duckdb.connect(str(db))
    con.execute("UPDATE reference_fingerprints SET fingerprint = fingerprint + 1")
    con.close()
    with pytest.raises(UserError, match="no reference period"):
        detect(db, since=SINCE)


def test_a_scope_with_no_closed_case_refits_no_model_and_changes_no_flag(runs, tmp_path, monkeypatch):
    """The case-by-case models score closed cases only: when every new case is still pending the run carries their
    flags without refitting, and the flags are exactly those a refit gives."""
    from courtwatch.detectors.base import DetectContext
    from courtwatch.pipeline import runs as runs_module
    from courtwatch.pipeline.runs import detect

    cases = pd.read_csv(runs["root"] / "full" / "cases.csv", dtype=str, keep_default_na=False)
    filed = pd.to_datetime(cases["filed_on"].str.replace("/", "-"), errors="coerce")
    pending = cases["closed_on"].str.strip() == ""
    # the latest filing day from which on every case filed is still pending
    days = sorted(filed.dropna().dt.date.unique(), reverse=True)
    since = None
    for day in days:
        if pending[filed.dt.date >= day].all():
            since = day
        else:
            break
    assert since is not None and (filed.dt.date >= since).sum() >= 1

    shortcut_db, refit_db = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    shutil.copy(runs["db"], shortcut_db)
    shutil.copy(runs["db"], refit_db)
    shortcut = detect(shortcut_db, since=since)
    report = shortcut.detectors.set_index("detector")
    for name in ("sentence_deviation", "termination_procedure_outlier", "plea_recommendation_deviation"):
        assert "not refitted" in report.loc[name, "note"], report.loc[name, "note"]
    # the same run with the models refitted as before
    monkeypatch.setattr(runs_module, "DetectContext", lambda **kw: DetectContext(**{**kw, "scope_closed": None}))
    refit = detect(refit_db, since=since)
    assert "not refitted" not in refit.detectors.set_index("detector").loc["sentence_deviation", "note"]
    pd.testing.assert_frame_equal(_comparable(shortcut.flags), _comparable(refit.flags), check_dtype=False)

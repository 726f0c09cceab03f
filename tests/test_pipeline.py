"""End to end: sample → ingest → detect → flags, on generated provinces.

The legal rules are deterministic, so on sample data from a seed the tests do
not otherwise use they must find every planted violation and nothing else.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys

import duckdb

from courtwatch.detectors.base import FLAG_COLUMNS
from courtwatch.detectors.rules import RULES
from courtwatch.pipeline.runs import detect, load_flags

EXPORT = dt.date(2024, 12, 31)
RULE_NAMES = {rule.name for rule in RULES}


def test_every_row_of_the_sample_loads(province):
    con = duckdb.connect(str(province["db"]), read_only=True)
    quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    con.close()
    assert quarantined == 0


def test_rules_find_every_planted_violation_and_nothing_else(province):
    flags = province["run"].flags
    truth = province["truth"]
    planted = set(map(tuple, truth[truth["kind"].isin(RULE_NAMES)][["detector", "subject_id"]].to_numpy()))
    assert {rule for rule, _ in planted} == RULE_NAMES, "the sample must plant every rule"
    raised = set(map(tuple, flags[flags["detector"].isin(RULE_NAMES)][["detector", "subject_id"]].to_numpy()))
    missed = planted - raised
    false_alarms = raised - planted
    assert not missed, f"recall < 1: {sorted(missed)[:5]}"
    assert not false_alarms, f"rule flags without a planted violation: {sorted(false_alarms)[:5]}"


def test_flags_carry_explanation_evidence_and_legal_basis(province):
    flags = province["run"].flags
    assert list(flags.columns) == FLAG_COLUMNS
    rule_flags = flags[flags["detector"].isin(RULE_NAMES)]
    for row in rule_flags.itertuples():
        evidence = json.loads(row.evidence)
        assert evidence["legal_basis"] and evidence["explanation_en"] and evidence["observed"]
        assert "not a finding" in evidence["notice"]
        assert row.explanation.endswith("。")
        assert 0 <= row.score <= 1 and row.level in ("low", "medium", "high")


def test_runs_are_recorded_and_flag_ids_are_stable_across_runs(province, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(province["db"].read_bytes())
    second = detect(db)
    first = province["run"].flags
    assert second.run_id != province["run"].run_id
    assert set(first["flag_id"]) == set(second.flags["flag_id"])
    con = duckdb.connect(str(db), read_only=True)
    runs = con.execute("SELECT run_id, as_of, code_version, config, data_fingerprint FROM runs").df()
    con.close()
    assert len(runs) == 2 and runs["data_fingerprint"].nunique() == 1
    assert str(runs["as_of"].iloc[0])[:10] == "2024-12-31"  # the latest date in the data, not today
    assert "false_discovery_rate" in runs["config"].iloc[0]


def test_as_of_date_changes_what_is_overdue(province, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(province["db"].read_bytes())
    early = detect(db, as_of=dt.date(2023, 6, 30)).flags
    late = province["run"].flags
    overdue = lambda f: set(f[f["detector"] == "zb_no_inquiry_after_termination"]["subject_id"])
    assert overdue(early) != overdue(late)


def test_cli_flags_export_matches_the_interface(province):
    env_db = str(province["db"])
    out = subprocess.run([sys.executable, "-m", "courtwatch.cli", "flags", "--db", env_db, "--format", "csv",
                          "--category", "enforcement"], capture_output=True, text=True, check=True).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == FLAG_COLUMNS
    assert len(rows) > 1 and all(r[2] == "enforcement" for r in rows[1:])
    as_json = json.loads(subprocess.run([sys.executable, "-m", "courtwatch.cli", "flags", "--db", env_db,
                                         "--format", "json"], capture_output=True, text=True, check=True).stdout)
    assert list(as_json[0].keys()) == FLAG_COLUMNS and isinstance(as_json[0]["evidence"], dict)
    assert len(as_json) == len(load_flags(province["db"]))


def test_detect_without_a_database_says_what_to_do(tmp_path):
    done = subprocess.run([sys.executable, "-m", "courtwatch.cli", "detect", "--db", str(tmp_path / "none.duckdb")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "run `courtwatch ingest FOLDER` first" in done.stderr


def test_flags_before_any_run_says_what_to_do(tmp_path):
    from helpers import small_import

    from courtwatch.pipeline.ingest import ingest

    db = tmp_path / "cw.duckdb"
    ingest(small_import(tmp_path / "import"), db=db, export_date=dt.date(2024, 12, 31))
    done = subprocess.run([sys.executable, "-m", "courtwatch.cli", "flags", "--db", str(db)],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == "courtwatch flags: no detection run yet; run `courtwatch detect` first"


def test_a_database_imported_before_a_contract_extension_is_migrated_and_detects(tmp_path):
    """A database an older courtwatch imported lacks later extensions' columns (E7 defendants.drug_type);
    the schema adds them when the database is next opened for writing, and detection runs on it. (On a
    small import this also caught an unfinished DuckDB result left by fetchone(), which made the first
    detector that registers a view fail.)"""
    import shutil

    from helpers import small_import

    from courtwatch.pipeline.ingest import ingest

    db = tmp_path / "cw.duckdb"
    ingest(small_import(tmp_path / "import"), db=db)
    old = tmp_path / "old.duckdb"
    shutil.copy(db, old)
    con = duckdb.connect(str(old))
    con.execute("ALTER TABLE defendants DROP COLUMN drug_type")
    con.close()
    detect(old)
    con = duckdb.connect(str(old), read_only=True)
    try:
        columns = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns "
                                             "WHERE table_name = 'defendants'").fetchall()}
        reports = con.execute("SELECT status, count(*) FROM run_detectors GROUP BY ALL").fetchall()
    finally:
        con.close()
    assert "drug_type" in columns
    assert "failed" not in dict(reports), reports

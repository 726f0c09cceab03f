"""Gender, ethnicity and residence are audit-only: no detector but the disparity audit may depend on them.

The import contract allows defendants.gender, .ethnicity and .local_resident "for disparity
audits only, never a detector input". The proof here is behavioural: the whole registry runs on a
small generated sample, then again after those three columns are shuffled among defendants, and
again after they are blanked; every flag of every other detector must be identical — same
subjects, scores, levels, explanations and evidence.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from helpers import assert_same_flags

from courtwatch.pipeline.runs import detect

AUDIT = "sentencing_disparity_audit"
PROTECTED = ("gender", "ethnicity", "local_resident")
COMPARED = ["detector", "subject_type", "subject_id", "case_id", "judge_id", "court_id", "score", "level",
            "explanation", "evidence"]
ROOT = Path(__file__).resolve().parent.parent


def _comparable(flags: pd.DataFrame) -> pd.DataFrame:
    flags = flags[flags["detector"] != AUDIT][COMPARED].astype(str)
    return flags.sort_values(["detector", "subject_id"]).reset_index(drop=True)


def _attributes(db: Path) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT defendant_id, gender, ethnicity, local_resident FROM defendants "
                           "ORDER BY defendant_id").df()
    finally:
        con.close()


def _edit(db: Path, sql: str) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute(sql)
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Flags of the full registry on the original, shuffled and blanked attributes."""
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.sample_data import generate
    root = tmp_path_factory.mktemp("fairness")
    generate(root / "import", scale=0.3, seed=12, noise=0.35)
    db = root / "fair.duckdb"
    ingest(root / "import", db=db, export_date=dt.date(2024, 12, 31))
    as_of = dt.date(2024, 12, 31)
    out = {"original": detect(db, as_of=as_of).flags, "attributes_original": _attributes(db)}
    # a permutation of the three columns together, deterministic (ordered by a hash of the id)
    _edit(db, """
        CREATE TEMP TABLE shuffled AS
        WITH a AS (SELECT defendant_id, gender, ethnicity, local_resident,
                          row_number() OVER (ORDER BY defendant_id) AS i FROM defendants),
             b AS (SELECT gender, ethnicity, local_resident,
                          row_number() OVER (ORDER BY hash(defendant_id || 'fairness')) AS i FROM defendants)
        SELECT a.defendant_id, b.gender, b.ethnicity, b.local_resident FROM a JOIN b USING (i);
        UPDATE defendants d SET gender = s.gender, ethnicity = s.ethnicity, local_resident = s.local_resident
        FROM shuffled s WHERE d.defendant_id = s.defendant_id;
    """)
    out["attributes_shuffled"] = _attributes(db)
    out["shuffled"] = detect(db, as_of=as_of).flags
    _edit(db, "UPDATE defendants SET gender = NULL, ethnicity = NULL, local_resident = NULL")
    out["attributes_blanked"] = _attributes(db)
    out["blanked"] = detect(db, as_of=as_of).flags
    return out


def test_the_edits_really_changed_the_attributes(runs):
    before, after = runs["attributes_original"], runs["attributes_shuffled"]
    assert (before["defendant_id"] == after["defendant_id"]).all()
    for column in PROTECTED:
        old, new = before[column].map(repr), after[column].map(repr)
        assert (old != new).mean() > 0.05, column
        # a permutation: the same values, in other rows
        assert sorted(old) == sorted(new)
    assert runs["attributes_blanked"][list(PROTECTED)].isna().all().all()


def test_the_audit_reads_them(runs):
    """The audit, and only the audit, sees the change (otherwise this test could not fail)."""
    original = runs["original"][runs["original"]["detector"] == AUDIT]
    blanked = runs["blanked"][runs["blanked"]["detector"] == AUDIT]
    assert blanked.empty
    shuffled = runs["shuffled"][runs["shuffled"]["detector"] == AUDIT]
    assert (len(original), list(original["evidence"].astype(str))) != (len(shuffled), list(shuffled["evidence"].astype(str))) \
        or len(original) == 0


@pytest.mark.parametrize("variant", ["shuffled", "blanked"])
def test_no_other_detector_changes(runs, variant):
    original, changed = _comparable(runs["original"]), _comparable(runs[variant])
    assert len(original) > 50  # the sample raises warnings of many detectors
    assert original["detector"].nunique() >= 10
    assert_same_flags(original, changed)


def test_only_the_audit_query_selects_protected_columns():
    """The sentencing queries never mention them, save the audit's own query."""
    pattern = re.compile(r"\b(gender|ethnicity|local_resident)\b")
    for path in sorted((ROOT / "queries").glob("sentencing_*.sql")):
        body = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith("--"))
        if path.name == "sentencing_audit_attributes.sql":
            assert pattern.search(body)
        else:
            assert not pattern.search(body), path.name
            assert not re.search(r"\bd\.\*|SELECT \*\s+FROM defendants", body), path.name


def test_evidence_is_standard_json():
    """The flags export is read by other tools: no NaN or Infinity tokens, whatever a model computed."""
    import json

    import numpy as np

    from detectors.base import evidence_json
    text = evidence_json({"a": float("nan"), "b": [np.float64("inf"), 1.5], "c": {"d": np.nan}})
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"a": None, "b": [None, 1.5], "c": {"d": None}}

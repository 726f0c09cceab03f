"""The written rules in incremental runs (issue 16): a rule whose verdict on a case reads only that case's rows
re-checks only the run's scope and carries the previous run's flags of every other case, and the flags are exactly
those a re-check of every case gives (ids, scores, explanation, evidence).

A small province is detected in full; then, directly in the database, some cases change (a flag appears, another
goes), some are deleted, a case is added; an incremental run follows, as of the same date and as of a later one.
Each written rule's flags are compared with the rule run over every case of the database as it then stands.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import duckdb
import pandas as pd
import pytest

from courtwatch import queries
from courtwatch.core.config import load_config
from courtwatch.detectors.base import DetectContext, finish_flags
from courtwatch.detectors.registry import DETECTORS
from courtwatch.detectors.rules.common import VERDICT_READS, RuleDetector
from courtwatch.pipeline.runner import SCOPABLE_READS

CASE_TABLES = ("defendants", "enforcement", "events", "representations", "cases")
WRITTEN_RULES = [d for d in DETECTORS if d.incremental == "all"]
# after every filing date of the province: the scope is what changed, not what was filed lately
SINCE = dt.date(2030, 1, 1)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.pipeline.runs import detect
    from courtwatch.sample_data import generate

    root = tmp_path_factory.mktemp("incremental_rules")
    generate(root / "import", scale=0.3, seed=1618)
    db = root / "cw.duckdb"
    ingest(root / "import", db=db, export_date=dt.date(2024, 12, 31))
    return {"db": db, "run": detect(db)}


def _flagged(flags: pd.DataFrame, detector: str, n: int, besides: frozenset[str] = frozenset()) -> list[str]:
    cases = sorted(set(flags.loc[flags["detector"] == detector, "case_id"].dropna()) - besides)
    assert len(cases) >= n, f"too few {detector} flags in the province"
    return cases[:n]


def _change(db, flags: pd.DataFrame) -> dict[str, list[str]]:
    """Cases changed, deleted and added after the full run, each touching the written rules' flags."""
    gone = _flagged(flags, "zb_no_restriction_order", 3)
    cleared = _flagged(flags, "zb_no_restriction_order", 3, frozenset(gone))
    recidivists = _flagged(flags, "probation_for_recidivist", 2)
    copied = _flagged(flags, "zb_no_notice_or_report_order", 1, frozenset(gone))[0]
    unlogged_court = _flagged(flags, "zb_no_inquiry_after_termination", 1, frozenset(gone))[0]
    framed = _flagged(flags, "term_above_statutory_max", 1, frozenset(gone))[0]
    added = copied.replace("号", "之一号")
    con = duckdb.connect(str(db))
    try:
        for case in gone:
            for table in CASE_TABLES:
                con.execute(f"DELETE FROM {table} WHERE case_id = ?", [case])
        # an order no longer recorded: a flag appears on cases that had none
        raised = [r[0] for r in con.execute(
            "SELECT e.case_id FROM enforcement e JOIN cases c USING (case_id) WHERE c.close_method = "
            "'terminated_this_round' AND e.restriction_order_on < c.closed_on ORDER BY e.case_id LIMIT 3").fetchall()]
        con.execute("UPDATE enforcement SET restriction_order_on = NULL WHERE case_id IN (SELECT unnest(?))", [raised])
        # an order made before termination: the case's flag goes
        con.execute("UPDATE enforcement e SET restriction_order_on = c.closed_on - 1 FROM cases c "
                    "WHERE c.case_id = e.case_id AND e.case_id IN (SELECT unnest(?))", [cleared])
        # no longer recidivists: their probation is lawful
        con.execute("UPDATE defendants SET recidivist = FALSE WHERE case_id IN (SELECT unnest(?))", [recidivists])
        # a funds receipt with no payout: a late receipt appears (a rule that reads the as-of date)
        late = con.execute("SELECT case_id FROM events WHERE event = 'funds_disbursed' ORDER BY case_id LIMIT 1"
                           ).fetchall()[0][0]
        con.execute("DELETE FROM events WHERE case_id = ? AND event = 'funds_disbursed'", [late])
        # the inquiry log of a court emptied but for one flagged case, which does not change: the court's log is
        # now evidently incomplete, so that case's warning goes too (a rule that reads other cases' rows)
        unlogged = [r[0] for r in con.execute(
            "SELECT DISTINCT case_id FROM events WHERE event = 'post_termination_inquiry' AND case_id <> $kept AND "
            "case_id IN (SELECT case_id FROM cases WHERE court_id = (SELECT court_id FROM cases WHERE case_id = $kept))",
            {"kept": unlogged_court}).fetchall()]
        con.execute("DELETE FROM events WHERE event = 'post_termination_inquiry' AND case_id IN (SELECT unnest(?))",
                    [unlogged])
        # a court's province no longer recorded (rules that read the case's court row pick the frames by it): every
        # case of the court is rescored
        moved_court = con.execute("SELECT court_id FROM cases WHERE case_id = ?", [framed]).fetchall()[0][0]
        con.execute("UPDATE courts SET province = NULL WHERE court_id = ?", [moved_court])
        of_court = [r[0] for r in con.execute("SELECT case_id FROM cases WHERE court_id = ?", [moved_court]).fetchall()]
        # a new case: a copy of a flagged one under a new number
        for table in CASE_TABLES[::-1]:
            renamed = "? AS case_id, defendant_id || '-1' AS defendant_id" if table == "defendants" else "? AS case_id"
            con.execute(f"INSERT INTO {table} SELECT * REPLACE ({renamed}) FROM {table} WHERE case_id = ?", [added, copied])
    finally:
        con.close()
    return {"deleted": gone, "changed": cleared + raised + recidivists + [late] + unlogged + of_court, "added": [added],
            "unchanged_moved": [unlogged_court]}


def _comparable(flags: pd.DataFrame) -> pd.DataFrame:
    out = flags.drop(columns=["run_id"]).astype(object)
    out = out.where(out.notna(), None)
    out["score"] = out["score"].astype(float)
    out["evidence"] = out["evidence"].map(lambda e: json.loads(e) if isinstance(e, str) else e)
    return out.sort_values(["detector", "flag_id"]).reset_index(drop=True)


def _rechecked(db, as_of: dt.date) -> pd.DataFrame:
    """Every written rule over every case of `db`, as of `as_of`: what a re-check of every case gives."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        ctx = DetectContext(con=con, as_of=as_of, config=load_config())
        found = [finish_flags(d, d.detect(ctx).flags, "recheck") for d in WRITTEN_RULES]
    finally:
        con.close()
    return pd.concat([f for f in found if len(f)], ignore_index=True)


def _incremental(full, tmp_path, as_of: dt.date | None):
    from courtwatch.pipeline.runs import detect

    db = tmp_path / "cw.duckdb"
    shutil.copy(full["db"], db)
    touched = _change(db, full["run"].flags)
    run = detect(db, as_of=as_of, since=SINCE)
    return db, run, touched


@pytest.mark.parametrize("later", [0, 45], ids=["same_as_of", "later_as_of"])
def test_scoped_rules_flag_exactly_what_a_recheck_of_every_case_flags(full, tmp_path, later):
    as_of = full["run"].as_of + dt.timedelta(days=later)
    db, run, touched = _incremental(full, tmp_path, as_of if later else None)
    assert run.as_of == as_of
    assert run.scope == frozenset(touched["changed"] + touched["added"])
    names = {d.name for d in WRITTEN_RULES}
    rules = run.flags[run.flags["detector"].isin(names)]
    pd.testing.assert_frame_equal(_comparable(rules), _comparable(_rechecked(db, as_of)), check_dtype=False)

    report = run.detectors.set_index("detector")
    scoped = {d.name for d in WRITTEN_RULES if report.at[d.name, "status"] == "incremental"}
    dated = {d.name for d in WRITTEN_RULES if "as_of" in d.verdict_reads}
    local = {d.name for d in WRITTEN_RULES if d.verdict_reads <= SCOPABLE_READS}
    assert scoped == (local - dated if later else local)
    for name in names - scoped:
        assert report.at[name, "note"].startswith("every case re-checked: "), name
    # the changes reached the rules' flags: the test compares something that moved
    before = full["run"].flags
    moved = before[(before["detector"] == "zb_no_inquiry_after_termination")
                   & before["case_id"].isin(touched["unchanged_moved"])]
    assert len(moved) and not set(moved["flag_id"]) & set(rules["flag_id"])
    for detector in ("zb_no_restriction_order", "probation_for_recidivist", "zb_no_notice_or_report_order"):
        assert detector in scoped
        assert _findings(before, detector) != _findings(rules, detector), detector


def _findings(flags: pd.DataFrame, detector: str) -> set[tuple[str, str]]:
    """A detector's flags as (id, evidence) pairs: a flag that stays but reads otherwise counts as changed."""
    own = flags[flags["detector"] == detector]
    return set(zip(own["flag_id"], own["evidence"].map(lambda e: json.dumps(json.loads(e), sort_keys=True))))


def _sql(name: str) -> str:
    return re.sub(r"--[^\n]*", "", queries.sql_text(name))


def test_every_written_rule_says_what_its_verdicts_read():
    """The audit (detectors/rules/common.py VERDICT_READS) covers every rule and agrees with each query's text:
    the as-of date and the courts table are read exactly where it says (other cases' rows it alone can say)."""
    rules = {d.name: d for d in DETECTORS if isinstance(d, RuleDetector)}
    assert set(VERDICT_READS) == set(rules)
    for name, detector in rules.items():
        assert detector.verdict_reads == VERDICT_READS[name]
        sql = _sql(name)
        assert ("$as_of" in sql) == ("as_of" in detector.verdict_reads), name
        assert bool(re.search(r"\bcourts\b", sql)) == ("court" in detector.verdict_reads), name
        assert "case" in detector.verdict_reads, name

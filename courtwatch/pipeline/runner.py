"""Running one detector: the one loop body every run uses (full, incremental, Spark).

`run_detector` checks the detector's tables, runs it, validates its flags
(detectors/base.finish_flags) and times it; it returns the flags and a
`DetectorReport`, the row `run_detectors` keeps for the run. What differs
between runs is only the mode:

- "full": the detector over everything loaded (also what a Spark executor does
  for one province's partition);
- "incremental": as the detector's `incremental` attribute says — re-check
  every case ("all"), carry the previous run's flags ("carry"), or score the
  new and changed cases and carry the rest ("scope"). A written rule ("all")
  whose verdict on a case reads only that case's rows (and the as-of date, when
  it is the previous run's) re-checks only the run's scope and carries the
  rest: the same flags as re-checking every case (`_recheck_reason`);
- "spark_sql": a detector whose engine path is "sql", its query run by Spark
  SQL (`rows` gives the query's rows).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import asdict, dataclass, fields
from typing import Callable

import duckdb
import pandas as pd
import pyarrow as pa

from courtwatch.detectors.base import FLAG_COLUMNS, DetectContext, Detector, SqlDetector, finish_flags
from courtwatch.queries import run as run_query

MODES = ("full", "incremental", "spark_sql")


@dataclass(frozen=True)
class DetectorReport:
    """What one detector did in one run (a row of the run_detectors table)."""

    run_id: str
    detector: str
    category: str
    status: str         # ok, skipped, carried, incremental, or the detector's own (e.g. "insufficient_data")
    flag_count: int
    rows_skipped: int   # rows the detector could not judge for unknown fields
    seconds: float
    note: str


REPORT_COLUMNS = [f.name for f in fields(DetectorReport)]


def report_frame(reports: list[DetectorReport]) -> pd.DataFrame:
    """The reports as the run_detectors table's rows."""
    return pd.DataFrame([asdict(r) for r in reports], columns=REPORT_COLUMNS)


def missing_tables(detector: Detector, table_rows: dict[str, int]) -> list[str]:
    """The tables a detector needs that the import left empty."""
    return [t for t in detector.needs if table_rows.get(t, 0) == 0]


# The contract tables a case's fingerprint covers (queries/case_fingerprints.sql): each of their rows is one case's.
CASE_TABLES = ("cases", "defendants", "enforcement", "events", "representations")
# What a written rule's verdicts may read (detectors/rules/common.py VERDICT_READS) for it to re-check only the scope
SCOPABLE_READS = frozenset({"case", "court", "as_of"})
_READ_REASONS = {"other_cases": "its verdicts read other cases' rows"}


def _recheck_reason(detector: Detector, ctx: DetectContext, previous: str | None) -> str | None:
    """Why a written rule must re-check every case in this incremental run; None when it may re-check only the scope.

    A case outside the scope is unchanged since the previous run (its fingerprint: its rows and its court's) and the
    configuration and code are the previous run's (runs._incremental_reference), so a verdict that reads only them is the
    previous run's verdict, and so is its flag (id, explanation, evidence) — provided that run checked every case
    with the rule (not skipped for an empty table) and, if the verdict depends on the as-of date, ran as of the same
    date. A case deleted since takes its flags with it (flags_carried.sql)."""
    reads = getattr(detector, "verdict_reads", None)
    if reads is None:
        return "what its verdicts read is not audited"
    beyond = sorted(reads - SCOPABLE_READS)
    if beyond:
        return "; ".join(_READ_REASONS.get(r, f"its verdicts read {r}") for r in beyond)
    checked = ctx.shared(("run_detector_statuses", previous),
                         lambda: run_query(ctx.con, "run_detector_statuses", run_id=previous).set_index("detector"))
    if detector.name not in checked.index or checked.at[detector.name, "status"] not in ("ok", "incremental"):
        status = checked.at[detector.name, "status"] if detector.name in checked.index else "not run"
        return f"run {previous} did not check every case with it ({status})"
    previous_as_of = pd.Timestamp(checked.at[detector.name, "as_of"]).date()
    if "as_of" in reads and previous_as_of != ctx.as_of:
        return f"its verdicts depend on the as-of date, which was {previous_as_of} in run {previous}"
    return None


def _scope_connection(ctx: DetectContext) -> duckdb.DuckDBPyConnection:
    """The scoped rules' own connection on `ctx.con`: a cursor of it (closed with it, so with the run's lane) on which
    each table of CASE_TABLES is a temp table of the scope's rows only, under the table's own name. A rule's query,
    unchanged, then reads the scope alone (as storage/store.py open_for_read scopes a user's courts), while the run's
    other detectors, on other connections, still see every row (a temp object belongs to one connection). Made once
    per run and connection (DetectContext.shared): the scope's rows are copied once, not scanned for by every rule.
    DuckDB resolves a name to the temp table first, `main.cases` too (DuckDB 2.0.1), so the copies name the tables
    by their catalog."""
    def make() -> duckdb.DuckDBPyConnection:
        cursor = ctx.con.cursor()
        catalog = '"' + cursor.execute("SELECT current_database()").fetchall()[0][0].replace('"', '""') + '"'
        cursor.register("scope_ids", pa.table({"case_id": pa.array(sorted(ctx.scope or ()), pa.string())}))
        cursor.execute("CREATE TEMP TABLE rule_scope AS SELECT case_id FROM scope_ids")
        cursor.unregister("scope_ids")
        for table in CASE_TABLES:
            cursor.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {catalog}.main.{table} "
                           "WHERE case_id IN (SELECT case_id FROM rule_scope)")
        return cursor
    return ctx.shared(("scope_connection", ctx.con), make)


def run_detector(detector: Detector, ctx: DetectContext, mode: str = "full", *, run_id: str,
                 table_rows: dict[str, int], carried: pd.DataFrame | None = None, previous: str | None = None,
                 rows: Callable[[Detector], pd.DataFrame] | None = None,
                 progress: Callable[[str], None] = lambda message: None) -> tuple[pd.DataFrame, DetectorReport]:
    """Run one detector in `mode`: its validated flags (export columns) and its report.

    Incremental mode needs `carried` (the previous run's flags of this detector) and `previous` (that
    run's id); an incremental run's `ctx.scope` holds the new or changed cases. Spark SQL mode needs
    `rows`, which runs the detector's query on Spark.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    if mode == "incremental" and carried is None:
        raise ValueError("an incremental run needs the previous run's flags of the detector (carried)")
    if mode == "spark_sql" and rows is None:
        raise ValueError("a Spark SQL run needs `rows`, which runs the detector's query on Spark")
    carried = carried if carried is not None else pd.DataFrame(columns=FLAG_COLUMNS)
    began = time.perf_counter()

    def report(status: str, flags: pd.DataFrame, rows_skipped: int, note: str) -> DetectorReport:
        return DetectorReport(run_id, detector.name, detector.category, status, len(flags), int(rows_skipped),
                              round(time.perf_counter() - began, 3), note)

    if mode == "incremental" and detector.incremental == "carry":
        return carried, report("carried", carried, 0, f"{len(carried)} flag(s) carried forward from run {previous}; "
                               "a judge-, court- or pair-level model is refitted only by a full run")
    if mode == "incremental" and detector.incremental == "scope" and ctx.scope_closed == 0:
        # Every case-by-case model scores closed cases only (a judgment, a termination): with none in the scope
        # its fresh verdicts are empty whatever a refit gives, so the flags are the carried ones of the other cases.
        kept = carried[~carried["case_id"].isin(ctx.scope or frozenset())]
        return kept, report("incremental", kept, 0,
                            f"none of the {len(ctx.scope or ())} new or changed case(s) was closed by {ctx.as_of}, so "
                            f"none has a verdict to score and the model is not refitted; {len(kept)} flag(s) carried "
                            f"forward from run {previous}")
    recheck = None
    if mode == "incremental" and detector.incremental == "all":
        recheck = _recheck_reason(detector, ctx, previous)
        if recheck is not None:  # it re-checks every case as in a full run
            ctx = DetectContext(con=ctx.con, as_of=ctx.as_of, config=ctx.config)
    absent = missing_tables(detector, table_rows)
    if absent:
        progress(f"{detector.name}: skipped (no {', '.join(absent)})")
        none = pd.DataFrame(columns=FLAG_COLUMNS)
        return none, report("skipped", none, 0, f"needs table(s) {', '.join(absent)}, which the import did not provide")
    if mode == "spark_sql":
        if detector.engine_path != "sql":
            raise ValueError(f"{detector.name} is not a SQL detector; Spark runs it per province partition")
        assert rows is not None and isinstance(detector, SqlDetector)
        result = detector.flags_from_rows(rows(detector))
    elif mode == "incremental" and detector.incremental == "all" and recheck is None:
        result = detector.detect(dataclasses.replace(ctx, con=_scope_connection(ctx)))
    else:
        result = detector.detect(ctx)
    flags = finish_flags(detector, result.flags, run_id)
    if recheck is not None:
        done = report(result.status, flags, result.rows_skipped, f"every case re-checked: {recheck}; " + result.note)
    elif mode == "incremental":
        scope = ctx.scope or frozenset()
        fresh = flags[flags["case_id"].astype(object).isin(scope)]  # only the scope's verdicts are new
        kept = carried[~carried["case_id"].isin(scope)]
        flags = pd.concat([f for f in (kept, fresh) if len(f)], ignore_index=True) if len(kept) or len(fresh) \
            else fresh
        done = report("incremental", flags, result.rows_skipped,
                      f"{len(fresh)} flag(s) on {len(scope)} new or changed case(s), {len(kept)} carried forward "
                      f"from run {previous}; " + result.note)
        progress(f"{detector.name}: {len(fresh)} new flag(s), {len(kept)} carried, in {done.seconds:.1f}s")
        return flags, done
    else:
        done = report(result.status, flags, result.rows_skipped, result.note)
    progress(f"{detector.name}: {len(flags)} flag(s) in {done.seconds:.1f}s"
             + (f", {result.rows_skipped} row(s) skipped for unknown fields" if result.rows_skipped else ""))
    return flags, done

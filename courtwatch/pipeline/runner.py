"""Running one detector: the one loop body every run uses (full, incremental, Spark).

`run_detector` checks the detector's tables, runs it, validates its flags
(detectors/base.finish_flags) and times it; it returns the flags and a
`DetectorReport`, the row `run_detectors` keeps for the run. What differs
between runs is only the mode:

- "full": the detector over everything loaded (also what a Spark executor does
  for one province's partition);
- "incremental": as the detector's `incremental` attribute says — re-check
  every case ("all"), carry the previous run's flags ("carry"), or score the
  new and changed cases and carry the rest ("scope");
- "spark_sql": a detector whose engine path is "sql", its query run by Spark
  SQL (`rows` gives the query's rows).
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, fields
from typing import Callable

import pandas as pd

from courtwatch.detectors.base import FLAG_COLUMNS, DetectContext, Detector, SqlDetector, finish_flags

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
    if mode == "incremental" and detector.incremental == "all":
        # a written rule: cheap and needing no model, it re-checks every case as in a full run
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
    else:
        result = detector.detect(ctx)
    flags = finish_flags(detector, result.flags, run_id)
    if mode == "incremental" and detector.incremental == "all":
        done = report(result.status, flags, result.rows_skipped, "every case re-checked; " + result.note)
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

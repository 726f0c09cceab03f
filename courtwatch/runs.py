"""A detection run: every registered detector over what is loaded, as of one date.

The run is recorded (id, times, code version, config, data fingerprint) with
what each detector did, and its flags are stored beside earlier runs' flags.
Flag ids depend only on detector and subject, so a disposition recorded
against a flag follows it into later runs.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from . import __version__, queries, store
from .config import Config, load_config
from .contract import LOAD_ORDER
from .errors import UserError
from courtwatch.detectors.base import DetectContext, FLAG_COLUMNS, finish_flags
from courtwatch.detectors.registry import DETECTORS
from courtwatch.detectors.sentencing_fit import fit_model
from courtwatch.detectors.sentencing_review import review_list


@dataclass
class RunResult:
    run_id: str
    as_of: dt.date
    flags: pd.DataFrame
    detectors: pd.DataFrame = field(default_factory=pd.DataFrame)
    scope: frozenset[str] | None = None  # an incremental run's new or changed cases (None: a full run)


def code_version() -> str:
    """Package version plus the git commit when running from a checkout."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).parent,
                                capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{__version__}+{commit}" if commit else __version__


def data_fingerprint(con) -> str:
    """A hash of every loaded row: equal data, equal fingerprint (row order does not matter)."""
    parts = []
    for table in LOAD_ORDER:
        count, total = con.execute(f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {table} t").fetchall()[0]
        parts.append(f"{table}:{count}:{total}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def default_as_of(con) -> dt.date:
    """The latest date in the data: detection never looks at the wall clock."""
    latest = queries.run(con, "latest_data_date")["latest"].iloc[0]
    if latest is None or pd.isna(latest):
        raise UserError("no cases are loaded; run `courtwatch ingest FOLDER` first")
    return pd.Timestamp(latest).date()


def detect(db=None, as_of: dt.date | None = None, config: Config | None = None,
           progress: Callable[[str], None] = lambda message: None, since: dt.date | None = None,
           engine: str = "duckdb", parquet: str | Path | None = None) -> RunResult:
    """Run every detector and record the run.

    Full run (default): every detector over everything loaded; models are refitted.
    Incremental run (`since`): only the new or changed cases (queries/incremental_scope.sql) are
    scored, by the detectors that judge cases one by one, against models fitted on the cases
    unchanged since the last full run; the rules re-check every case; every other flag — of unchanged cases, and of the judge-, court- and pair-level
    detectors, which wait for the next full run — is carried forward from the previous run
    unchanged, id and all.
    Engine "spark": the same detectors on Apache Spark over the Parquet layout of `parquet`
    (courtwatch/spark_engine.py); the run is recorded here all the same.
    """
    config = config or load_config()
    if engine not in ("duckdb", "spark"):
        raise UserError(f"unknown engine {engine!r}; use duckdb or spark")
    if engine == "spark" and since is not None:
        raise UserError("--since runs on the duckdb engine only; the Spark engine does full runs")
    if engine != "spark" and parquet is not None:
        raise UserError("--parquet is read by --engine spark only; the default engine reads the database")
    if not store.db_path(db).exists():
        raise UserError(f"no database at {store.db_path(db)}; run `courtwatch ingest FOLDER` first")
    with store.open_for_write(db) as con:
        as_of = as_of or default_as_of(con)
        run_id = f"R{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        started = dt.datetime.now()
        con.execute("CREATE OR REPLACE TEMP TABLE current_fingerprints AS " + queries.sql_text("case_fingerprints"))
        previous, scope, reference = None, None, None
        if since is not None:
            previous = _incremental_reference(con, config)
            scope = frozenset(queries.run(con, "incremental_scope", since=since)["case_id"].astype(object))
            reference = frozenset(queries.run(con, "incremental_reference")["case_id"].astype(object)) - scope
            if not reference:
                # e.g. a DuckDB upgrade that hashes rows differently: every case would look changed and
                # the case-level models would have nothing to be fitted on
                raise UserError("no case is unchanged since the last full run, so an incremental run has no "
                                "reference period; run a full `courtwatch detect`")
            progress(f"incremental: {len(scope)} new or changed case(s) since {since} or run {previous}, scored "
                     f"against models fitted on {len(reference)} case(s) unchanged since the last full run")
        ctx = DetectContext(con=con, as_of=as_of, config=config, scope=scope, reference=reference)
        if engine == "spark":
            flags, report_frame = _run_on_spark(con, parquet, as_of, config, run_id, progress)
        elif previous is None:
            flags, report_frame = _run_detectors(ctx, run_id, progress)
        else:
            flags, report_frame = _run_incremental(ctx, run_id, previous, progress)
        con.register("new_flags", flags)
        con.execute("INSERT INTO flags BY NAME SELECT * EXCLUDE (evidence), evidence::JSON AS evidence FROM new_flags")
        con.unregister("new_flags")
        con.register("new_report", report_frame)
        con.execute("INSERT INTO run_detectors BY NAME SELECT * FROM new_report")
        con.unregister("new_report")
        _record_review(ctx, run_id, previous, progress)
        con.execute("INSERT INTO runs (run_id, started_at, finished_at, as_of, code_version, config, data_fingerprint, "
                    "flag_count, mode, since, reference_run, scored_cases, engine) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, started, dt.datetime.now(), as_of, code_version(), config.to_json(),
                     data_fingerprint(con), len(flags), "full" if previous is None else "incremental", since,
                     previous, None if scope is None else len(scope), engine])
        queries.execute(con, "record_case_fingerprints", run_id=run_id)
        if previous is None:  # a full run moves the reference period of the incremental runs after it
            queries.execute(con, "record_reference_fingerprints", run_id=run_id)
    return RunResult(run_id, as_of, flags, report_frame, scope)


def _record_review(ctx: DetectContext, run_id: str, previous: str | None, progress) -> None:
    """Store the run's sentencing review list (detectors/sentencing_review.py): a ranked aid, not flags.

    A full run ranks the sentencing model's residuals on this database (the DuckDB engine's detectors
    have just fitted that model, so it comes from their cache; after the Spark engine, whose partitions
    return flags only, it is fitted here once more on the same data). An incremental run carries the
    list of the run it builds on: the list ranks whole peer cells, so it moves with a full run, like
    the judge- and court-level models.
    """
    if previous is not None:
        queries.execute(ctx.con, "sentencing_review_carry", run_id=run_id, previous=previous)
        return
    if not ctx.con.execute("SELECT count(*) FROM defendants").fetchall()[0][0]:
        return
    review = review_list(ctx, fit_model(ctx)).assign(run_id=run_id)
    ctx.con.register("new_review", review)
    try:
        queries.execute(ctx.con, "sentencing_review_record")
    finally:
        ctx.con.unregister("new_review")
    progress(f"sentencing review list: {len(review)} sentence(s) ranked in "
             f"{review.groupby(['court_id', 'period'], dropna=False).ngroups if len(review) else 0} court-year(s)")


REPORT_COLUMNS = ["run_id", "detector", "category", "status", "flag_count", "rows_skipped", "seconds", "note"]


def _incremental_reference(con, config: Config) -> str:
    """The run an incremental run builds on (the latest), after checking it can be built on."""
    runs = queries.run(con, "previous_runs")
    if runs.empty:
        raise UserError("an incremental run (--since) needs a previous run; run `courtwatch detect` first")
    last = runs.iloc[0]
    # Without the last run's case fingerprints every case would look new and the models would have
    # no reference period (a database from before incremental runs, or a run by another version).
    if not con.execute("SELECT count(*) FROM case_fingerprints WHERE run_id = ?", [last["run_id"]]).fetchone()[0] \
            or not con.execute("SELECT count(*) FROM reference_fingerprints").fetchone()[0]:
        raise UserError(f"run {last['run_id']} recorded no case fingerprints (made before incremental runs "
                        "existed); run a full `courtwatch detect` first")
    # Carried flags must mean what new ones mean: same thresholds, same detector code.
    if json.loads(last["config"] or "null") != json.loads(config.to_json()):
        raise UserError(f"the configuration differs from run {last['run_id']}'s; thresholds changed, so run a "
                        "full `courtwatch detect` to refit every detector")
    if last["code_version"] != code_version():
        raise UserError(f"courtwatch {code_version()} differs from run {last['run_id']}'s {last['code_version']}; "
                        "run a full `courtwatch detect` after an upgrade")
    return str(last["run_id"])


def _run_on_spark(con, parquet, as_of: dt.date, config: Config, run_id: str, progress) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Spark engine over the exported store, which must hold exactly the data of this database."""
    from .spark_engine import detect_flags_spark, read_manifest, stop_created_session

    if parquet is None:
        raise UserError("--engine spark needs --parquet DIR (written by `courtwatch export-parquet`)")
    exported = read_manifest(parquet).get("data_fingerprint")
    if exported != data_fingerprint(con):
        raise UserError(f"{parquet} does not hold this database's current data (exported before the last import, "
                        "or from another database); run `courtwatch export-parquet` again")
    try:
        return detect_flags_spark(Path(parquet), as_of, config, run_id, progress)
    finally:
        stop_created_session()


def skipped_report(run_id: str, detector, table_rows: dict, progress=lambda message: None) -> tuple | None:
    """The report row of a detector whose tables the import did not provide (None when it can run)."""
    missing = [t for t in detector.needs if table_rows.get(t, 0) == 0]
    if not missing:
        return None
    progress(f"{detector.name}: skipped (no {', '.join(missing)})")
    return (run_id, detector.name, detector.category, "skipped", 0, 0, 0.0,
            f"needs table(s) {', '.join(missing)}, which the import did not provide")


def _run_detectors(ctx: DetectContext, run_id: str, progress) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every registered detector over everything loaded: (flags, per-detector report)."""
    table_rows = {t: ctx.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in LOAD_ORDER}
    all_flags, report = [], []
    for detector in DETECTORS:
        began = time.perf_counter()
        skipped = skipped_report(run_id, detector, table_rows, progress)
        if skipped:
            report.append(skipped)
            continue
        result = detector.detect(ctx)
        flags = finish_flags(detector, result.flags, run_id)
        all_flags.append(flags)
        seconds = time.perf_counter() - began
        report.append((run_id, detector.name, detector.category, result.status, len(flags),
                       result.rows_skipped, round(seconds, 3), result.note))
        progress(f"{detector.name}: {len(flags)} flag(s) in {seconds:.1f}s"
                 + (f", {result.rows_skipped} row(s) skipped for unknown fields" if result.rows_skipped else ""))
    flags = pd.concat(all_flags, ignore_index=True) if all_flags else pd.DataFrame(columns=FLAG_COLUMNS)
    return flags, pd.DataFrame(report, columns=REPORT_COLUMNS)


def _run_incremental(ctx: DetectContext, run_id: str, previous: str, progress) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score the scope with the case-by-case detectors; carry every other flag of `previous` forward."""
    scope = ctx.scope or frozenset()
    carried_all = queries.run(ctx.con, "flags_of_run", run_id=previous, category=None)
    carried_all = carried_all.assign(run_id=run_id)[FLAG_COLUMNS]
    # a case deleted since (a withdrawn record) takes its flags with it
    existing = set(ctx.con.execute("SELECT case_id FROM current_fingerprints").df()["case_id"].astype(object))
    # (object, not Arrow strings: pandas' Arrow isin converts every value of the set one by one)
    carried_all = carried_all.astype({"case_id": object})
    carried_all = carried_all[carried_all["case_id"].isna() | carried_all["case_id"].isin(existing)]
    table_rows = {t: ctx.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in LOAD_ORDER}
    all_flags, report = [], []
    everything = DetectContext(con=ctx.con, as_of=ctx.as_of, config=ctx.config)
    for detector in DETECTORS:
        began = time.perf_counter()
        carried = carried_all[carried_all["detector"] == detector.name]
        if detector.incremental == "all":  # a rule: re-checked on every case, as in a full run
            result = detector.detect(everything)
            flags = finish_flags(detector, result.flags, run_id)
            all_flags.append(flags)
            report.append((run_id, detector.name, detector.category, result.status, len(flags), result.rows_skipped,
                           round(time.perf_counter() - began, 3), "every case re-checked; " + result.note))
            continue
        if detector.incremental == "carry":
            all_flags.append(carried)
            report.append((run_id, detector.name, detector.category, "carried", len(carried), 0, 0.0,
                           f"{len(carried)} flag(s) carried forward from run {previous}; a judge-, court- or "
                           f"pair-level model is refitted only by a full run"))
            continue
        skipped = skipped_report(run_id, detector, table_rows)
        if skipped:
            report.append(skipped)
            continue
        result = detector.detect(ctx)
        fresh = finish_flags(detector, result.flags, run_id)
        # a rule checks every case; only the scope's verdicts are new
        fresh = fresh[fresh["case_id"].astype(object).isin(scope)]
        kept = carried[~carried["case_id"].isin(scope)]
        all_flags += [kept, fresh]
        seconds = time.perf_counter() - began
        report.append((run_id, detector.name, detector.category, "incremental", len(kept) + len(fresh),
                       result.rows_skipped, round(seconds, 3),
                       f"{len(fresh)} flag(s) on {len(scope)} new or changed case(s), {len(kept)} carried forward "
                       f"from run {previous}; " + result.note))
        progress(f"{detector.name}: {len(fresh)} new flag(s), {len(kept)} carried, in {seconds:.1f}s")
    flags = pd.concat([f for f in all_flags if len(f)], ignore_index=True) if any(len(f) for f in all_flags) \
        else pd.DataFrame(columns=FLAG_COLUMNS)
    return flags, pd.DataFrame(report, columns=REPORT_COLUMNS)


def load_flags(db=None, run_id: str | None = None, category: str | None = None,
               court_ids: list[str] | None = None) -> pd.DataFrame:
    """Flags of the latest (or given) run, in export order; only `court_ids` when given (a user's scope)."""
    con = store.open_for_read(db, court_ids=court_ids)
    try:
        runs = queries.run(con, "runs")
        if runs.empty:
            raise UserError("no detection run yet; run `courtwatch detect` first")
        if run_id is None:
            run_id = runs["run_id"].iloc[0]
        elif run_id not in set(runs["run_id"]):
            raise UserError(f"no run {run_id}; `courtwatch flags` without --run shows the latest")
        return queries.run(con, "flags_of_run", run_id=run_id, category=category)
    finally:
        con.close()

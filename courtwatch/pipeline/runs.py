"""A detection run: every registered detector over what is loaded, as of one date.

The run is recorded (id, times, code version, config, data fingerprint) with
what each detector did, and its flags are stored beside earlier runs' flags.
Flag ids depend only on detector and subject, so a disposition recorded
against a flag follows it into later runs.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import json
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import pyarrow as pa
from threadpoolctl import threadpool_limits

from courtwatch import __version__, queries
from courtwatch.core.config import Config, load_config
from courtwatch.core.contract import LOAD_ORDER
from courtwatch.core.errors import UserError
from courtwatch.detectors.base import FLAG_COLUMNS, DetectContext, Detector
from courtwatch.detectors.registry import DETECTORS
from courtwatch.detectors.sentencing.fit import fit_model
from courtwatch.detectors.sentencing.review import review_list
from courtwatch.pipeline.runner import DetectorReport, report_frame, run_detector
from courtwatch.storage import store


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
    scored, by the detectors that judge cases one by one, against the models the last full run kept
    (or, where it kept none, models fitted on the cases unchanged since then); a written rule re-checks
    the scope where its verdicts cannot have changed elsewhere, else every case (pipeline/runner.py);
    every other flag — of unchanged cases, and of the judge-, court- and pair-level detectors, which
    wait for the next full run — is carried forward from the previous run unchanged, id and all
    (docs/architecture.md, "Incremental runs").
    Engine "spark": the same detectors on Apache Spark over the Parquet layout of `parquet`
    (courtwatch/pipeline/spark_engine.py); the run is recorded here all the same.
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
    with store.open_for_write(db) as con, contextlib.ExitStack() as background:
        # DuckDB keeps what it has read cached up to its memory limit (80% of the machine by default), beside
        # the models' own memory: bounded here ([general] detect_duckdb_memory_mb), a run at scale 100 peaks at
        # 3.5 GB instead of 4.0 GB (measured with the two lanes of `_run_each`), for ~3 s more
        con.execute(f"SET memory_limit = '{int(config.detect_duckdb_memory_mb)}MB'")
        as_of = as_of or default_as_of(con)
        run_id = f"R{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        started = dt.datetime.now()
        previous, scope, outside_reference, scope_closed = None, None, None, None
        fingerprinting = None
        if since is None:
            # a full run needs the case fingerprints only to record them for the incremental runs after it:
            # hashed and recorded on a second connection while the detectors run
            fingerprinting = background.enter_context(_Fingerprinting(con, run_id))
        else:
            con.execute("CREATE OR REPLACE TEMP TABLE current_fingerprints AS " + queries.sql_text("case_fingerprints"))
            previous = _incremental_reference(con, config)
            scoped = queries.arrow(con, "incremental_scope", since=since)
            scope = frozenset(scoped.column("case_id").to_pylist())
            # the case-by-case models score closed cases only (judgments, terminations): none closed, nothing to score
            scope_closed = sum(1 for day in scoped.column("closed_on").to_pylist() if day is not None and day <= as_of)
            outside_reference = frozenset(
                queries.arrow(con, "incremental_outside_reference").column("case_id").to_pylist())
            unchanged = con.execute("SELECT count(*) FROM current_fingerprints").fetchall()[0][0] \
                - len(outside_reference | scope)
            if unchanged <= 0:
                # e.g. a DuckDB upgrade that hashes rows differently: every case would look changed and
                # the case-level models would have nothing to be fitted on
                raise UserError("no case is unchanged since the last full run, so an incremental run has no "
                                "reference period; run a full `courtwatch detect`")
            progress(f"incremental: {len(scope)} new or changed case(s) since {since} or run {previous}, scored "
                     f"against models fitted on {unchanged} case(s) unchanged since the last full run")
        state_run = None
        if previous is not None:
            latest_full = queries.arrow(con, "latest_full_run_with_states").column("run_id").to_pylist()
            state_run = latest_full[0] if latest_full else None
        ctx = DetectContext(con=con, as_of=as_of, config=config, scope=scope, outside_reference=outside_reference,
                            scope_closed=scope_closed, state_run=state_run)
        fingerprint = None  # store.data_fingerprint, computed while the detectors work
        if engine == "spark":
            flags, report_frame = _run_on_spark(con, parquet, as_of, config, run_id, progress)
        elif previous is None:  # records the review list itself, from its first lane (`_run_detectors`)
            flags, report_frame = _run_detectors(ctx, run_id, progress)
        else:  # records the carried review list and the case fingerprints itself, from its first lane
            flags, report_frame, fingerprint = _run_incremental(ctx, run_id, previous, progress)
        con.register("new_flags", flags)
        con.execute("INSERT INTO flags BY NAME SELECT * EXCLUDE (evidence), evidence::JSON AS evidence FROM new_flags")
        con.unregister("new_flags")
        con.register("new_report", report_frame)
        con.execute("INSERT INTO run_detectors BY NAME SELECT * FROM new_report")
        con.unregister("new_report")
        if engine == "spark":
            _record_review(ctx, run_id, progress)
        if engine != "spark" and previous is None:
            _record_kept_states(ctx, run_id)
        if fingerprinting is not None:
            fingerprint = fingerprinting.wait()
        # an incremental run shows the review list of the full run it builds on, by reference (a copy of it
        # took 1.6 s and a million rows a night at scale 100)
        review_run = run_id if previous is None else queries.arrow(
            con, "review_run_of", run_id=previous).column("review_run").to_pylist()[0]
        con.execute("INSERT INTO runs (run_id, started_at, finished_at, as_of, code_version, config, data_fingerprint, "
                    "flag_count, mode, since, reference_run, scored_cases, engine, review_run) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, started, dt.datetime.now(), as_of, code_version(), config.to_json(),
                     fingerprint, len(flags),
                     "full" if previous is None else "incremental", since,
                     previous, None if scope is None else len(scope), engine, review_run])
    return RunResult(run_id, as_of, flags, report_frame, scope)


class _Fingerprinting:
    """A full run's case fingerprints (queries/case_fingerprints.sql) recorded as the last case fingerprints and the
    reference period of the incremental runs after it, and the data fingerprint the run is recorded with
    (store.data_fingerprint), on a second connection (`con.cursor()`) in a thread of its own: hashes over every
    loaded row, which no detector needs. `wait()` gives the data fingerprint and re-raises what went wrong there;
    leaving the context waits for the thread too (a failed run must not close the database under it)."""

    def __init__(self, con, run_id: str):
        self._cursor = con.cursor()
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._done = self._pool.submit(self._record, run_id)

    def _record(self, run_id: str) -> str:
        self._cursor.execute("CREATE OR REPLACE TEMP TABLE current_fingerprints AS "
                             + queries.sql_text("case_fingerprints"))
        queries.execute(self._cursor, "record_case_fingerprints", run_id=run_id)
        # a full run moves the reference period of the incremental runs after it
        queries.execute(self._cursor, "record_reference_fingerprints", run_id=run_id)
        return store.data_fingerprint(self._cursor)

    def wait(self) -> str:
        return self._done.result()

    def __enter__(self) -> _Fingerprinting:
        return self

    def __exit__(self, *failure) -> None:
        concurrent.futures.wait([self._done])
        self._pool.shutdown()
        self._cursor.close()


def _review_list(ctx: DetectContext) -> pd.DataFrame:
    """The run's review list, ranked once (DetectContext.shared): in a full run on the DuckDB engine the first
    lane ranks it as soon as its detectors are done (`_run_each`), while the second lane is still at work."""
    return ctx.shared(("sentencing_review_list",), lambda: review_list(ctx, fit_model(ctx)))


def _record_review(ctx: DetectContext, run_id: str, progress) -> None:
    """Store a full run's sentencing review list (detectors/sentencing/review.py): a ranked aid, not flags.

    A full run ranks the sentencing model's residuals on this database (the DuckDB engine's detectors
    have just fitted that model, so it comes from their cache; after the Spark engine, whose partitions
    return flags only, it is fitted here once more on the same data). An incremental run records none: it
    shows the list of the full run it builds on (runs.review_run, queries/sentencing_review_of_run.sql), since
    the list ranks whole peer cells and so moves with a full run, like the judge- and court-level models.
    """
    if not ctx.con.execute("SELECT count(*) FROM defendants").fetchall()[0][0]:
        return
    review = _review_list(ctx).assign(run_id=run_id)
    ctx.con.register("new_review", review)
    try:
        queries.execute(ctx.con, "sentencing_review_record")
    finally:
        ctx.con.unregister("new_review")
    progress(f"sentencing review list: {len(review)} sentence(s) ranked in "
             f"{review.groupby(['court_id', 'period'], dropna=False).ngroups if len(review) else 0} court-year(s)")


def _record_kept_states(ctx: DetectContext, run_id: str) -> None:
    """A full run's kept model states (DetectContext.keep_state) replace the earlier runs': the incremental runs
    after it score new cases against them."""
    states, case_values = ctx.kept()
    for name, kept in (("model_states", states.assign(run_id=run_id)),
                       ("model_case_values", case_values.append_column("run_id", pa.repeat(run_id, len(case_values))
                                                                      .cast(pa.string())))):
        ctx.con.register(f"new_{name}", kept)
        try:
            queries.execute(ctx.con, f"record_{name}")
        finally:
            ctx.con.unregister(f"new_{name}")


def _incremental_reference(con, config: Config) -> str:
    """The run an incremental run builds on (the latest), after checking it can be built on."""
    runs = queries.run(con, "previous_runs")
    if runs.empty:
        raise UserError("an incremental run (--since) needs a previous run; run `courtwatch detect` first")
    last = runs.iloc[0]
    # Without the last run's case fingerprints every case would look new and the models would have
    # no reference period (a database from before incremental runs, or a run by another version).
    if not con.execute("SELECT count(*) FROM case_fingerprints WHERE run_id = ?", [last["run_id"]]).fetchall()[0][0] \
            or not con.execute("SELECT count(*) FROM reference_fingerprints").fetchall()[0][0]:
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
    from courtwatch.pipeline.spark_engine import detect_flags_spark, read_manifest, stop_created_session

    if parquet is None:
        raise UserError("--engine spark needs --parquet DIR (written by `courtwatch export-parquet`)")
    exported = read_manifest(parquet).get("data_fingerprint")
    if exported != store.data_fingerprint(con):
        raise UserError(f"{parquet} does not hold this database's current data (exported before the last import, "
                        "or from another database); run `courtwatch export-parquet` again")
    try:
        return detect_flags_spark(Path(parquet), as_of, config, run_id, progress)
    finally:
        stop_created_session()


def table_rows(con) -> dict[str, int]:
    """Rows loaded per contract table (a detector whose tables are empty is skipped)."""
    # fetchall, not fetchone: DuckDB 2.0 keeps a result unfinished until a fetch returns no rows, and an
    # unfinished result makes the next register() on the connection fail (../shared/stack-notes.md)
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in LOAD_ORDER}


def _run_detectors(ctx: DetectContext, run_id: str, progress) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every registered detector over everything loaded: (flags, per-detector report). The first lane ranks and
    records the review list as soon as its detectors are done, while the second lane is still at work (1.3 s at
    scale 100 that no longer wait for the end of the run)."""
    rows = table_rows(ctx.con)
    has_sentences = rows.get("defendants", 0) > 0
    return _combined(_run_each(ctx, lambda d, c: run_detector(d, c, "full", run_id=run_id, table_rows=rows,
                                                              progress=progress),
                               after_first_lane=(lambda: _record_review(ctx, run_id, progress))
                               if has_sentences else None))


def _run_incremental(ctx: DetectContext, run_id: str, previous: str, progress
                     ) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Score the scope with the case-by-case detectors; carry every other flag of `previous` forward: (flags,
    per-detector report, the data fingerprint).

    What does not wait for the flags is done on the first lane once its detectors are done, while the second
    lane is still at work (its rules and patterns take longer, at scale 100, than the sentencing model scored
    against kept fits): this run's case fingerprints recorded for the next incremental run, and the data
    fingerprint the run is recorded with (store.data_fingerprint; the data do not change during a run)."""
    # the previous run's flags, less those of cases deleted since (a withdrawn record takes its flags with it)
    carried_all = queries.run(ctx.con, "flags_carried", run_id=previous)
    # (case_id as object, not Arrow strings: pandas' Arrow isin converts every value of the set one by one)
    carried_all = carried_all.assign(run_id=run_id)[FLAG_COLUMNS].astype({"case_id": object})
    rows = table_rows(ctx.con)
    fingerprint: list[str] = []

    def after_first_lane() -> None:
        queries.execute(ctx.con, "record_case_fingerprints", run_id=run_id)
        fingerprint.append(store.data_fingerprint(ctx.con))

    flags, report = _combined(_run_each(ctx, lambda d, c: run_detector(
        d, c, "incremental", run_id=run_id, table_rows=rows, previous=previous,
        carried=carried_all[carried_all["detector"] == d.name], progress=progress), after_first_lane=after_first_lane))
    return flags, report, fingerprint[0]


# The models whose detectors run on the run's own thread (the first lane, `_run_each`): the sentencing model,
# which the review list reads after them. (Scale 100, quiet machine, 1 GB DuckDB limit: 59 s of detectors and
# the review list in the first lane, 58 s in the second, 75 s in all; with the penalty-kind model moved to the
# first lane, 61 s and 67 s, 78 s in all: the lanes share two cores, so the run's CPU, not the split, bounds it.)
FIRST_LANE_MODELS = ("sentencing",)


def first_lane(detector: Detector) -> bool:
    """Whether a detector runs on the run's own thread and connection (FIRST_LANE_MODELS)."""
    return detector.shared_model in FIRST_LANE_MODELS


def _run_each(ctx: DetectContext, run_one: Callable[[Detector, DetectContext], tuple[pd.DataFrame, DetectorReport]],
              after_first_lane: Callable[[], object] | None = None) -> list[tuple[pd.DataFrame, DetectorReport]]:
    """`run_one` for every registered detector, the results in registry order.

    Two lanes, one a core. The detectors of the sentencing model (`first_lane`) run on this thread, one after
    another, so the model is fitted once. Every other detector runs, in registry order, in a thread of its own
    on a second connection to the same database (`con.cursor()`, the one way DuckDB shares a database between
    threads, ../shared/stack-notes.md): the written rules (one DuckDB query each), the 终本 and integrity
    patterns, and the probation and penalty-kind models, whose two detectors each follow one another there as
    well (Detector.shared_model), so each of those models is also fitted once. DuckDB and much of NumPy work
    outside the GIL. The flags are what one detector after another gives; only each report's seconds include
    the other lane's competition. `after_first_lane` runs on this thread once its detectors are done (a full
    run ranks and records its review list there, from the same model).
    (The first lane's sentencing model fits its peer groups on two threads of its own: fit._fit_groups.)
    """
    second = [d for d in DETECTORS if not first_lane(d)]
    results: dict[str, tuple[pd.DataFrame, DetectorReport]] = {}
    cursor = ctx.con.cursor()
    try:
        second_ctx = dataclasses.replace(ctx, con=cursor)
        # the lanes are the cores: a BLAS of two threads per lane only spins (the models' products are small)
        with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max_workers=1) as pool:
            others = pool.submit(lambda: [(d.name, run_one(d, second_ctx)) for d in second])
            for detector in DETECTORS:
                if first_lane(detector):
                    results[detector.name] = run_one(detector, ctx)
            if after_first_lane is not None:
                after_first_lane()
            results.update(others.result())
    finally:
        cursor.close()
    return [results[d.name] for d in DETECTORS]


def _combined(results: list[tuple[pd.DataFrame, DetectorReport]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(all flags, report frame) from each detector's (flags, report)."""
    found = [flags for flags, _ in results if len(flags)]
    flags = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=FLAG_COLUMNS)
    return flags, report_frame([report for _, report in results])


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

"""The distributed path (issue #7): the same detectors on Apache Spark over Parquet.

`export_parquet` lays the loaded tables out as a national deployment stores
them (table/province=…/filed_month=…); `detect_flags_spark` runs the written
rules as Spark SQL over the whole layout, and every model detector once per
province partition on the executors, each over an in-memory DuckDB of that
province, through the unchanged detector code. docs/distributed.md.
"""
from __future__ import annotations

import copy
import datetime as dt
import glob
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

from courtwatch import queries
from courtwatch.core.config import Config
from courtwatch.core.contract import LOAD_ORDER
from courtwatch.core.errors import UserError
from courtwatch.detectors.base import FLAG_COLUMNS, DetectContext
from courtwatch.pipeline.runner import DetectorReport, report_frame, run_detector
from courtwatch.storage import store

# The national layout: court-level tables by province; case-level tables by the
# province of the case's court and the month the case was filed, so one case's
# rows sit in one directory per table and a reader of a period reads only its months.
PROVINCE_ONLY = ("courts", "judges")
MANIFEST = "manifest.json"  # written last by export_parquet: what was exported, from which data
MONTH_OF_FILING = "filed_month"  # 'YYYY-MM' of cases.filed_on; unknown → __HIVE_DEFAULT_PARTITION__


# What one province partition returns from the executors: its flags and a report row per model detector.
_PARTITION_SCHEMA = ("record string, province string, seq long, " + ", ".join(
    f"{c} {'double' if c == 'score' else 'string'}" for c in FLAG_COLUMNS)
    + ", status string, flag_count long, rows_skipped long, seconds double, note string")

# How schema.sql's DuckDB types read in Spark (DuckDB's TIMESTAMP has no time zone).
_SPARK_TYPES = {"VARCHAR": "string", "INTEGER": "int", "BIGINT": "bigint", "DOUBLE": "double",
                "DATE": "date", "TIMESTAMP": "timestamp_ntz", "BOOLEAN": "boolean"}


def _rows_of(table: str) -> str:
    """The rows of `table` in one province ($province), with the layout columns."""
    if table == "courts":
        # province is the directory, as Hive and Spark write partition columns
        return "SELECT * EXCLUDE (province) FROM courts WHERE province = $province"
    if table == "judges":
        return ("SELECT j.* FROM judges j JOIN courts ct ON ct.court_id = j.court_id "
                "WHERE ct.province = $province")
    if table == "cases":
        return (f"SELECT c.*, strftime(c.filed_on, '%Y-%m') AS {MONTH_OF_FILING} FROM cases c "
                "JOIN courts ct ON ct.court_id = c.court_id WHERE ct.province = $province")
    return (f"SELECT t.*, strftime(c.filed_on, '%Y-%m') AS {MONTH_OF_FILING} FROM {table} t "
            "JOIN cases c ON c.case_id = t.case_id JOIN courts ct ON ct.court_id = c.court_id "
            "WHERE ct.province = $province")


def province_dir(province: str) -> str:
    """`province=<name>` escaped as Hive and Spark escape partition values (so Spark reads the name back)."""
    special = set('"#%\'*/:=?\\{[]^') | {"\x7f"}
    return "province=" + "".join(f"%{ord(ch):02X}" if ch in special or ord(ch) < 0x20 else ch for ch in province)


def export_parquet(db_path, out_dir) -> dict:
    """Write every loaded table of the database as Parquet in the national layout; rows written per table.

    out_dir/<table>/province=<p>/[filed_month=<YYYY-MM>/]data_0.parquet. The
    folder must be new or empty: a national store is written per export, never merged into.
    """

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file; export Parquet into a new folder")
    if out.exists() and any(out.iterdir()):
        raise UserError(f"{out} is not empty; export Parquet into a new folder")
    # Written beside the target and renamed into place when complete: a failed export leaves no
    # half-written store behind (and nothing that blocks the retry).
    final, out = out, out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(out, ignore_errors=True)
    con = store.open_for_read(db_path)
    try:
        unplaced = con.execute("SELECT count(*) FROM courts WHERE coalesce(trim(province), '') = ''").fetchall()[0][0]
        if unplaced:
            raise UserError(f"{unplaced} court(s) have no province, so their rows cannot be placed in the "
                            "province layout; fill courts.province in the export and import again")
        provinces = [r[0] for r in con.execute("SELECT DISTINCT province FROM courts ORDER BY province").fetchall()]
        out.mkdir(parents=True, exist_ok=True)
        written = {}
        for table in LOAD_ORDER:
            expected = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            written[table] = 0
            for province in provinces:
                target = out / table / province_dir(province)
                target.parent.mkdir(parents=True, exist_ok=True)
                if table in PROVINCE_ONLY:
                    target.mkdir(exist_ok=True)
                    options = f"TO '{_quoted(target / 'data_0.parquet')}' (FORMAT parquet)"
                else:
                    options = f"TO '{_quoted(target)}' (FORMAT parquet, PARTITION_BY ({MONTH_OF_FILING}))"
                count = con.execute(f"COPY ({_rows_of(table)}) {options}", {"province": province}).fetchall()[0][0]
                if count == 0:
                    shutil.rmtree(target, ignore_errors=True)  # no empty files: a province without such rows has no directory
                written[table] += count
            if written[table] != expected:
                raise UserError(f"{table}: {expected - written[table]} row(s) have no court with a province "
                                "and were not exported; check the import's references")
        # What was exported: `detect --engine spark` refuses a store that no longer matches the database
        # it records the run in (its case fingerprints would describe data the run did not see).
        manifest = {"data_fingerprint": store.data_fingerprint(con), "rows": written, "provinces": provinces,
                    "exported_at": dt.datetime.now().isoformat(timespec="seconds"), "database": str(db_path)}
        (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        con.close()
    if final.exists():
        final.rmdir()  # checked empty above
    os.replace(out, final)
    return written


def read_manifest(parquet_root) -> dict:
    """The export's manifest (data fingerprint, rows, provinces); {} for a store written without one."""
    path = Path(parquet_root) / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def schema_columns() -> dict[str, list[tuple[str, str]]]:
    """Each loaded table's columns and DuckDB types, from queries/schema.sql (the one place they are written)."""
    con = duckdb.connect(":memory:", config=store.DUCKDB_CONFIG)
    try:
        queries.execute(con, "schema")
        rows = con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                           "ORDER BY table_name, ordinal_position").fetchall()
    finally:
        con.close()
    columns: dict[str, list[tuple[str, str]]] = {t: [] for t in LOAD_ORDER}
    for table, column, kind in rows:
        if table in columns:
            columns[table].append((column, kind))
    return columns


def spark_session(master: str = "local[2]"):
    """A local-mode SparkSession bound to 127.0.0.1: no UI, nothing fetched, small shuffles.

    On a cluster the session comes from spark-submit; `detect_flags_spark` uses
    the active session when there is one.
    """
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and (Path(java_home) / "bin" / "java").exists()):
        raise UserError("--engine spark needs Java 17: install openjdk-17-jre-headless "
                        "(`make system-deps` does, as root) or set JAVA_HOME")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UserError("--engine spark needs PySpark: pip install 'courtwatch[spark]'") from None
    # Executors' Python workers must import courtwatch from this environment.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    scratch = Path(tempfile.gettempdir()) / f"courtwatch-spark-{os.getuid()}"
    spark = (SparkSession.builder.master(master).appName("courtwatch")
             .config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.default.parallelism", "2")
             .config("spark.sql.session.timeZone", "UTC")
             # partition values stay text ('2024-05' is a month, not a number to infer)
             .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
             .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


_CREATED: list = []  # the session _active_session started itself (stopped by stop_created_session)


def _active_session():
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UserError("--engine spark needs PySpark: pip install 'courtwatch[spark]'") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    _CREATED.append(spark_session())
    return _CREATED[-1]


def stop_created_session() -> None:
    """Stop the local session this module started (a caller's own session is left running)."""
    while _CREATED:
        _CREATED.pop().stop()


def _parquet_files(folder: Path) -> list[str]:
    return sorted(glob.glob(str(folder / "**" / "*.parquet"), recursive=True))


def _register_tables(spark, root: Path, columns: dict) -> None:
    """Each loaded table as a temp view with exactly schema.sql's columns and types (layout columns dropped)."""
    from pyspark.sql import functions as F

    for table in LOAD_ORDER:
        typed = [(name, _SPARK_TYPES[kind]) for name, kind in columns[table]]
        schema = ", ".join(f"{name} {kind}" for name, kind in typed)
        if _parquet_files(root / table):
            # the layout's columns are known: no schema inference over every file's footer
            layout = "" if table in PROVINCE_ONLY else f", province string, {MONTH_OF_FILING} string"
            frame = spark.read.schema(schema + layout).parquet(str(root / table))
            frame = frame.select(*[F.col(name) for name, _ in typed])
        else:
            frame = spark.createDataFrame([], schema)
        # every rule reads these tables again: one Parquet scan, then memory (spilling to disk when large)
        frame.cache().createOrReplaceTempView(table)


def province_config(config: Config, province: str) -> Config:
    """The configuration as it applies to one province: that province's sentencing thresholds."""
    values = copy.deepcopy(config.values)
    values.setdefault("general", {})["province"] = province
    return Config(values, source=config.source)


def detect_flags_spark(parquet_root, as_of: dt.date, config: Config, run_id: str,
                       progress: Callable[[str], None] = lambda message: None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every registered detector over the Parquet layout: (flags in FLAG_COLUMNS order, per-detector report).

    Written rules run as Spark SQL across all provinces; model detectors, which
    compare peers within a province, run once per province partition on the
    executors. The report's note says where each detector ran.
    """
    from courtwatch.detectors.registry import DETECTORS

    root = Path(parquet_root).resolve()
    if not (root / "cases").is_dir():
        raise UserError(f"no Parquet layout at {root}; write one with `courtwatch export-parquet`")
    spark = _active_session()
    try:
        _register_tables(spark, root, schema_columns())
        table_rows = {r["table_name"]: r["n"] for r in spark.sql(" UNION ALL ".join(
            f"SELECT '{t}' AS table_name, count(*) AS n FROM {t}" for t in LOAD_ORDER)).collect()}
        provinces = sorted(r["province"] for r in spark.sql("SELECT DISTINCT province FROM courts").collect())
        # a province without [law.provinces] thresholds is held to the national lowest (detectors/law.py)

        all_flags, report = [], []
        sql_detectors = [d for d in DETECTORS if d.engine_path == "sql"]
        models = [d for d in DETECTORS if d.engine_path != "sql"]
        ctx = DetectContext(con=None, as_of=as_of, config=config)  # a SQL detector's inputs read only as_of and config
        for detector in sql_detectors:
            flags, done = run_detector(detector, ctx, "spark_sql", run_id=run_id, table_rows=table_rows,
                                       rows=lambda d: _rule_rows(spark, d, ctx))
            all_flags.append(flags)
            if done.status != "skipped":
                _, source = queries.spark_sql_text(detector.name)
                done = replace(done, note=f"[Spark SQL {source}] {done.note}" if done.note else f"[Spark SQL {source}]")
                progress(f"{detector.name}: {len(flags)} flag(s) in {done.seconds:.1f}s (Spark SQL)")
            else:
                progress(f"{detector.name}: skipped ({done.note})")
            report.append(done)

        began = time.perf_counter()
        partitions = _model_partitions(spark, root, provinces, as_of, config, run_id, [d.name for d in models])
        progress(f"model detectors: {len(provinces)} province partition(s) in {time.perf_counter() - began:.1f}s")
        for detector in models:
            mine = partitions[partitions["detector"] == detector.name]
            flags = mine[mine["record"] == "flag"].sort_values(["province", "seq"])[FLAG_COLUMNS].reset_index(drop=True)
            all_flags.append(flags)
            report.append(_merged_report(run_id, detector, mine[mine["record"] == "report"]))
    finally:
        for table in LOAD_ORDER:
            if spark.catalog.tableExists(table):
                spark.catalog.uncacheTable(table)
    found = [f for f in all_flags if not f.empty]
    flags = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=FLAG_COLUMNS)
    for column in FLAG_COLUMNS:  # as finish_flags leaves them: Python objects, None for absent ids
        flags[column] = flags[column].astype(float if column == "score" else object)
    for column in ("case_id", "judge_id", "court_id"):
        flags[column] = flags[column].where(flags[column].notna(), None)
    return flags[FLAG_COLUMNS], report_frame(report)


def _rule_rows(spark, detector, ctx: DetectContext) -> pd.DataFrame:
    """A SQL detector's rows from Spark SQL. A frame the detector registers comes from configuration:
    law_frames already holds one frame set per configured province plus the national lowest (a `province`
    column), and the rule's Spark SQL joins it on each court's province
    (queries/spark/term_above_statutory_max.sql)."""
    views, params = detector.query_inputs(ctx)
    for view, frame in views.items():
        spark.createDataFrame(frame).createOrReplaceTempView(view)
    try:
        return queries.run_spark(spark, detector.name, **params)
    finally:
        for view in views:
            spark.catalog.dropTempView(view)


def _model_partitions(spark, root: Path, provinces: list[str], as_of: dt.date, config: Config,
                      run_id: str, names: list[str]) -> pd.DataFrame:
    """Run the model detectors on the executors, one task per province; their flags and report rows."""
    values, source, root_text = config.values, config.source, str(root)

    def one_province(key, frame):  # (province,), that province's key row → its flags and report rows
        return detect_province(root_text, key[0], as_of, Config(values, source=source), run_id, names)

    keys = spark.createDataFrame([(p,) for p in provinces], "province string")
    # hash-partitioned on province already, so groupBy adds no shuffle: a task per province
    # (two provinces that hash alike share a task and run one after the other)
    return keys.repartition(max(1, len(provinces)), "province").groupBy("province").applyInPandas(
        one_province, schema=_PARTITION_SCHEMA).toArrow().to_pandas()


def detect_province(parquet_root: str, province: str, as_of: dt.date, config: Config, run_id: str,
                    names: list[str]) -> pd.DataFrame:
    """The model detectors over one province's Parquet, as the DuckDB engine runs them (executor side).

    The province's files are loaded into an in-memory DuckDB with schema.sql's
    tables, so each detector's own queries and code run unchanged.
    """
    from courtwatch.detectors.registry import by_name

    root = Path(parquet_root)
    config = province_config(config, province)
    con = duckdb.connect(":memory:", config=store.DUCKDB_CONFIG)
    out = []
    try:
        queries.execute(con, "schema")
        for table in LOAD_ORDER:
            files = _parquet_files(root / table / province_dir(province))
            if not files:
                continue
            extra = ", $province AS province" if table == "courts" else ""
            con.execute(f"INSERT INTO {table} BY NAME SELECT *{extra} FROM read_parquet($files, hive_partitioning = false)",
                        {"files": files, **({"province": province} if extra else {})})
        table_rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in LOAD_ORDER}
        ctx = DetectContext(con=con, as_of=as_of, config=config)
        detectors = by_name()
        for name in names:
            flags, done = run_detector(detectors[name], ctx, "full", run_id=run_id, table_rows=table_rows)
            for seq, row in enumerate(flags.to_dict("records")):
                out.append({**row, "record": "flag", "province": province, "seq": seq})
            out.append({**asdict(done), "record": "report", "province": province, "seq": 0})
    finally:
        con.close()
    columns = [c.split(" ")[0] for c in _PARTITION_SCHEMA.split(", ")]
    return pd.DataFrame(out, columns=columns)


def _merged_report(run_id: str, detector, rows: pd.DataFrame) -> DetectorReport:
    """One report row for a model detector from its province partitions."""
    ran = rows[rows["status"] != "skipped"]
    status = "skipped" if ran.empty else ("ok" if (ran["status"] == "ok").all() else ran["status"].iloc[0])
    where = f"[Spark partitions by province ({len(rows)}), DuckDB on the executor]"
    if len(rows) == 1:
        note = rows["note"].iloc[0] or ""
    else:
        note = "; ".join(f"{p}: {n}" for p, n in zip(rows["province"], rows["note"]) if n)
    return DetectorReport(run_id, detector.name, detector.category, status, int(rows["flag_count"].sum()),
                          int(rows["rows_skipped"].sum()), round(float(rows["seconds"].sum()), 3),
                          f"{where} {note}" if note else where)

"""The distributed path (issue #7): --engine spark gives the default engine's flags on the same data.

One local-mode SparkSession for the module (PySpark from the registry, the
machine's Java 17, bound to 127.0.0.1). The sample is imported and detected
with the DuckDB engine once, exported as Parquet, and detected again on Spark.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from importlib import resources

import duckdb
import pandas as pd
import pytest

from courtwatch import queries
from courtwatch.core.config import Config, load_config
from courtwatch.core.contract import LOAD_ORDER
from courtwatch.core.errors import UserError
from courtwatch.detectors.registry import DETECTORS
from courtwatch.detectors.rules import RULE_DETECTORS
from courtwatch.pipeline import spark_engine

pytestmark = [pytest.mark.spark,
              pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")]

EXPORT_DATE = dt.date(2024, 12, 31)
COMPARED = ["category", "detector", "subject_type", "subject_id", "case_id", "judge_id", "court_id",
            "score", "level", "explanation"]


@pytest.fixture(scope="module")
def spark():
    session = spark_engine.spark_session()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def engines(tmp_path_factory, spark):
    """The sample (scale 0.2, seed 31) detected by the DuckDB engine, then by Spark over its Parquet export."""
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.pipeline.runs import detect
    from courtwatch.sample_data import generate

    root = tmp_path_factory.mktemp("spark_engine")
    generate(root / "import", scale=0.2, seed=31)
    db = root / "cw.duckdb"
    ingest(root / "import", db=db, export_date=EXPORT_DATE)
    run = detect(db)
    counts = spark_engine.export_parquet(db, root / "parquet")

    spark_calls = []
    real_run_spark = queries.run_spark

    def recorded_run_spark(session, name, **params):
        spark_calls.append(name)
        return real_run_spark(session, name, **params)

    def no_duckdb(*args, **kwargs):
        raise AssertionError("the Spark engine ran a query on DuckDB in the driver")

    with pytest.MonkeyPatch.context() as mp:  # rules must go through Spark SQL, never DuckDB
        mp.setattr(queries, "run_spark", recorded_run_spark)
        mp.setattr(queries, "run", no_duckdb)
        flags, report = spark_engine.detect_flags_spark(root / "parquet", run.as_of, load_config(), "RSPARK")
    return {"root": root, "db": db, "run": run, "counts": counts, "flags": flags, "report": report,
            "spark_calls": spark_calls}


def _assert_same_flags(expected, actual):
    assert set(actual["flag_id"]) == set(expected["flag_id"])
    assert not actual["flag_id"].duplicated().any()
    mine = actual.set_index("flag_id")
    for flag in expected.to_dict("records"):
        other = mine.loc[flag["flag_id"]]
        for column in COMPARED:
            assert other[column] == flag[column], (flag["flag_id"], flag["detector"], column)
        assert json.loads(other["evidence"]) == json.loads(flag["evidence"]), (flag["flag_id"], flag["detector"])
        assert other["evidence"] == flag["evidence"]  # byte for byte, as the dashboard shows it


def test_spark_and_default_engine_give_identical_flags(engines):
    expected, actual = engines["run"].flags, engines["flags"]
    assert len(expected) > 50 and set(expected["detector"]) & {d.name for d in RULE_DETECTORS}
    assert list(actual.columns) == list(expected.columns)
    _assert_same_flags(expected, actual)
    assert (actual["run_id"] == "RSPARK").all()


def test_every_detector_reports_what_it_did_and_where(engines):
    report = engines["report"].set_index("detector")
    duckdb_report = engines["run"].detectors.set_index("detector")
    assert list(report.index) == [d.name for d in DETECTORS]
    for column in ("status", "flag_count", "rows_skipped"):
        assert report[column].to_dict() == duckdb_report[column].to_dict(), column
    twins = {f.name.removesuffix(".sql") for f in resources.files("courtwatch.queries").joinpath("spark").iterdir()
             if f.name.endswith(".sql")}
    for rule in RULE_DETECTORS:
        source = f"queries/spark/{rule.name}.sql" if rule.name in twins else f"queries/{rule.name}.sql"
        assert report.loc[rule.name, "note"].startswith(f"[Spark SQL {source}]")
    for detector in DETECTORS:
        if detector not in RULE_DETECTORS:
            note = report.loc[detector.name, "note"]
            assert note.startswith("[Spark partitions by province (1)")
            assert note.endswith(duckdb_report.loc[detector.name, "note"])  # the detector's own words


def test_rules_ran_as_spark_sql_not_duckdb(engines):
    assert engines["spark_calls"] == [rule.name for rule in RULE_DETECTORS]


def test_every_spark_twin_belongs_to_a_rule_and_says_what_it_is():
    rules = {rule.name for rule in RULE_DETECTORS}
    folder = resources.files("courtwatch.queries").joinpath("spark")
    twins = [f for f in folder.iterdir() if f.name.endswith(".sql")]
    assert twins
    for twin in twins:
        name = twin.name.removesuffix(".sql")
        text = twin.read_text(encoding="utf-8")
        assert name in rules, twin.name
        assert text.startswith(f"-- {name} (Spark SQL)"), twin.name
        assert "Params:" in text and "Read by:" in text, twin.name
        assert "$" not in "\n".join(line for line in text.splitlines() if not line.startswith("--")), twin.name


def test_export_writes_every_row_in_the_province_layout(engines):
    con = duckdb.connect(str(engines["db"]), read_only=True)
    try:
        in_db = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in LOAD_ORDER}
        months = {r[0] for r in con.execute("SELECT DISTINCT strftime(filed_on, '%Y-%m') FROM cases").fetchall()}
    finally:
        con.close()
    assert engines["counts"] == in_db
    parquet = engines["root"] / "parquet"
    assert [p.name for p in (parquet / "courts").iterdir()] == ["province=浙江"]
    assert {p.name for p in (parquet / "cases" / "province=浙江").iterdir()} == {f"filed_month={m}" for m in months}
    on_disk = duckdb.sql(f"SELECT count(*) FROM read_parquet('{parquet}/events/**/*.parquet')").fetchall()[0][0]
    assert on_disk == in_db["events"]


def test_export_refuses_a_folder_that_is_not_empty(engines, tmp_path):
    (tmp_path / "old.parquet").write_bytes(b"")
    with pytest.raises(UserError, match="not empty"):
        spark_engine.export_parquet(engines["db"], tmp_path)


def test_province_directory_is_escaped_as_spark_reads_it():
    assert spark_engine.province_dir("浙江") == "province=浙江"
    assert spark_engine.province_dir("a/b=c") == "province=a%2Fb%3Dc"


@pytest.mark.slow
def test_two_provinces_partition_like_two_provincial_runs(engines, tmp_path):
    """Nationally, each province is detected against its own peers and its own thresholds: Spark over a
    two-province layout gives exactly the flags of two separate DuckDB runs, one per province."""
    from courtwatch.pipeline.runs import detect

    national = tmp_path / "national.duckdb"
    shutil.copyfile(engines["db"], national)
    con = duckdb.connect(str(national))
    con.execute("""UPDATE courts SET province = '江苏'
                   WHERE court_id IN ('浙01', '浙02') OR parent_id IN ('浙01', '浙02')""")
    con.close()
    base = load_config()
    values = json.loads(base.to_json())
    values["law"]["provinces"]["江苏"] = {**values["law"]["provinces"]["浙江"],
                                          "theft_large": 2000, "theft_huge": 50000, "fraud_large": 5000}
    config = Config(values)

    expected = []
    for province in ("浙江", "江苏"):
        one = tmp_path / f"{province}.duckdb"
        shutil.copyfile(national, one)
        con = duckdb.connect(str(one))
        con.execute("DELETE FROM courts WHERE province <> ?", [province])
        con.execute("DELETE FROM judges WHERE court_id NOT IN (SELECT court_id FROM courts)")
        con.execute("DELETE FROM cases WHERE court_id NOT IN (SELECT court_id FROM courts)")
        for table in ("defendants", "enforcement", "events", "representations"):
            con.execute(f"DELETE FROM {table} WHERE case_id NOT IN (SELECT case_id FROM cases)")
        con.close()
        expected.append(detect(one, as_of=engines["run"].as_of,
                               config=spark_engine.province_config(config, province)).flags)

    counts = spark_engine.export_parquet(national, tmp_path / "parquet")
    assert counts == engines["counts"]
    assert sorted(p.name for p in (tmp_path / "parquet" / "cases").iterdir()) == ["province=江苏", "province=浙江"]
    flags, report = spark_engine.detect_flags_spark(tmp_path / "parquet", engines["run"].as_of, config, "RSPARK2")

    _assert_same_flags(pd.concat(expected, ignore_index=True), flags)
    assert all(len(f) > 5 for f in expected)  # both provinces have flags of their own
    models = report[~report["detector"].isin([r.name for r in RULE_DETECTORS])]
    assert models["note"].str.startswith("[Spark partitions by province (2)").all()


def test_spark_run_refuses_a_store_older_than_the_database(engines, tmp_path):
    """The run is recorded in the database, so the store must hold that database's data."""
    import shutil

    from courtwatch.pipeline.runs import detect

    db = tmp_path / "cw.duckdb"
    shutil.copy(engines["db"], db)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM events WHERE rowid IN (SELECT rowid FROM events LIMIT 1)")
    con.close()
    with pytest.raises(UserError, match="export-parquet` again"):
        detect(db, engine="spark", parquet=engines["root"] / "parquet")
    manifest = spark_engine.read_manifest(engines["root"] / "parquet")
    assert manifest["rows"] == engines["counts"] and manifest["provinces"] == ["浙江"]


def test_export_into_a_file_is_a_clear_error(engines, tmp_path):
    target = tmp_path / "store"
    target.write_text("not a folder")
    with pytest.raises(UserError, match="is a file"):
        spark_engine.export_parquet(engines["db"], target)
    assert not list(tmp_path.glob(".store.partial-*")), "no half-written store is left behind"

"""The only way Python reaches SQL: `run(con, "name", **params)` executes queries/name.sql.

Each .sql file holds one query with a header comment saying what one row is,
its parameters ($as_of, $court_ids, …) and who reads it. Parameters are bound,
never pasted into SQL. Keeping one entry point gives one place for timing and
(issue 5) scope enforcement.

The distributed engine (courtwatch/pipeline/spark_engine.py) runs the rule queries as
Spark SQL through `run_spark`: a query whose DuckDB text does not run
unchanged on Spark has a hand-written twin in queries/spark/<name>.sql.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import duckdb
import pandas as pd

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Spark's named parameter marker is :name; a `::` cast or a time literal ('10:00') is not one.
_SPARK_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    """The text of queries/<name>.sql."""
    return resources.files(__name__).joinpath(f"{name}.sql").read_text(encoding="utf-8")


def _bound(sql: str, params: dict, marker: re.Pattern = _PARAM) -> dict:
    wanted = set(marker.findall(re.sub(r"--[^\n]*", "", sql)))
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"query needs parameters {sorted(missing)}")
    return {key: params[key] for key in wanted}


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters; return its rows as a DataFrame."""
    sql = sql_text(name)
    return con.execute(sql, _bound(sql, params)).df()


def execute(con: duckdb.DuckDBPyConnection, name: str, **params) -> None:
    """Run a statement file (DDL or DML) that returns no rows of interest."""
    sql = sql_text(name)
    bound = _bound(sql, params)
    if bound:
        con.execute(sql, bound)
    else:
        con.execute(sql)


def spark_sql_text(name: str) -> tuple[str, str]:
    """The Spark SQL for queries/<name>.sql, and the file it comes from.

    queries/spark/<name>.sql when there is one (written by hand for Spark's
    dialect, never machine-translated); else the DuckDB file itself, which must
    then bind no parameters, since `$name` is DuckDB's marker and `:name` Spark's.
    """
    twin = resources.files(__name__).joinpath("spark", f"{name}.sql")
    if twin.is_file():
        return twin.read_text(encoding="utf-8"), f"queries/spark/{name}.sql"
    sql = sql_text(name)
    if _PARAM.search(re.sub(r"--[^\n]*", "", sql)):
        raise ValueError(f"queries/{name}.sql binds DuckDB parameters; write its Spark twin queries/spark/{name}.sql")
    return sql, f"queries/{name}.sql"


def run_spark(spark, name: str, **params) -> pd.DataFrame:
    """Run the Spark SQL of `name` with bound parameters; rows as `run` would give them.

    The rows cross from Spark as Arrow and DuckDB turns them into pandas, so
    dates, decimals, booleans and integers reach the detector code as the same
    Python values the DuckDB engine gives it (Spark's own toPandas would give
    datetime.date and Decimal objects, and the evidence text would differ).
    """
    from courtwatch.core.duckdb_settings import DUCKDB_CONFIG

    sql, _ = spark_sql_text(name)
    rows = spark.sql(sql, args=_bound(sql, params, _SPARK_PARAM)).toArrow()
    con = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
    try:
        con.register("spark_rows", rows)
        return con.sql("SELECT * FROM spark_rows").df()
    finally:
        con.close()

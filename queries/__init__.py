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
import warnings
from functools import lru_cache
from importlib import resources

import duckdb
import pandas as pd
import pyarrow as pa

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Spark's named parameter marker is :name; a `::` cast or a time literal ('10:00') is not one.
_SPARK_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")


# A line `-- include: NAME` in a query stands for the common table expressions of queries/stages/NAME.sql
# (queries/spark/stages/NAME.sql in a Spark twin): the staging that several rules share is written once.
_INCLUDE = re.compile(r"^[ \t]*-- include: ([a-z0-9_]+)[ \t]*$", re.MULTILINE)


def _with_stages(text: str, folder) -> str:
    """`text` with each include line replaced by the stage it names (stages include no stages)."""
    def stage(match: re.Match) -> str:
        return folder.joinpath("stages", f"{match.group(1)}.sql").read_text(encoding="utf-8").rstrip()
    return _INCLUDE.sub(stage, text)


@lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    """The text of queries/<name>.sql, its shared stages included."""
    folder = resources.files(__name__)
    return _with_stages(folder.joinpath(f"{name}.sql").read_text(encoding="utf-8"), folder)


def _bound(sql: str, params: dict, marker: re.Pattern = _PARAM) -> dict:
    wanted = set(marker.findall(re.sub(r"--[^\n]*", "", sql)))
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"query needs parameters {sorted(missing)}")
    return {key: params[key] for key in wanted}


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters; return its rows as a DataFrame.

    The same frame as DuckDB's `.df()` (dtypes included), built faster: the rows cross as Arrow, and
    only the columns whose Arrow-to-pandas conversion is the same as `.df()`'s are converted by
    pyarrow (text above all: `.df()` took 3.7 s for 54,542 flags, Arrow 0.6 s). Every other column
    (dates, decimals, nullable integers and booleans, lists, …) is converted by DuckDB itself, from
    the same Arrow rows, as `.df()` would.
    """
    return frame(arrow(con, name, **params), con)


def arrow(con: duckdb.DuckDBPyConnection, name: str, **params) -> pa.Table:
    """Run queries/<name>.sql with bound parameters; return its rows as an Arrow table."""
    sql = sql_text(name)
    bound = _bound(sql, params)
    try:
        return con.sql(sql, params=bound).to_arrow_table()
    except duckdb.ResourceInUseException:
        # a caller left an unfinished execute() result on the connection: it blocks a relation but not
        # another execute(), which discards it (as `.df()` after execute() always did). DuckDB warns
        # that Arrow output of execute() copies the rows once more; that copy is cheap next to `.df()`.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)
            return con.execute(sql, bound).to_arrow_table()


def _same_in_pandas(column: pa.ChunkedArray) -> bool:
    """Whether pyarrow's to_pandas gives this column exactly as DuckDB's `.df()` does."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column.null_count < len(column)  # `.df()` leaves text without a value (or rows) as object
    if pa.types.is_floating(kind) or pa.types.is_timestamp(kind):
        return True
    # integers and booleans: the same only without nulls (`.df()` makes them nullable, pyarrow float/object)
    return (pa.types.is_signed_integer(kind) or pa.types.is_boolean(kind)) and column.null_count == 0


def frame(table: pa.Table, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """An Arrow table of query rows as the DataFrame `.df()` gives for the same rows (see `run`)."""
    names = table.column_names
    if len(set(names)) != len(names):
        return con.from_arrow(table).df()
    fast = [n for n in names if _same_in_pandas(table.column(n))]
    if len(fast) == len(names):
        return table.to_pandas()
    slow = [n for n in names if n not in set(fast)]
    converted = con.from_arrow(table.select(slow)).df()
    if not fast:
        return converted
    direct = table.select(fast).to_pandas()
    return pd.concat([direct, converted], axis=1)[names]


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
        return _with_stages(twin.read_text(encoding="utf-8"), resources.files(__name__).joinpath("spark")), \
            f"queries/spark/{name}.sql"
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

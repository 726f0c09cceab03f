"""The only way Python reaches SQL: `run(con, "name", **params)` executes queries/name.sql.

Each .sql file holds one query with a header comment saying what one row is,
its parameters ($as_of, $court_ids, …) and who reads it. Parameters are bound,
never pasted into SQL. Keeping one entry point gives one place for timing and
(issue 5) scope enforcement.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import duckdb
import pandas as pd

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    """The text of queries/<name>.sql."""
    return resources.files(__name__).joinpath(f"{name}.sql").read_text(encoding="utf-8")


def _bound(sql: str, params: dict) -> dict:
    wanted = set(_PARAM.findall(re.sub(r"--[^\n]*", "", sql)))
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

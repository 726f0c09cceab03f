"""Cached data access for the pages: the only module that opens the database.

Each load opens the published file read-only and closes it again, so a batch
job's atomic swap is picked up on the next load (the cache key includes the
file's identity) and no reader ever holds a stale file open.
"""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from courtwatch import queries, store
from courtwatch.errors import UserError


def db_version() -> tuple[int, int] | None:
    return store.version_token(None)


def _query(name: str, **params) -> pd.DataFrame:
    con = store.open_for_read(None)
    try:
        return queries.run(con, name, **params)
    finally:
        con.close()


@st.cache_data(max_entries=64, show_spinner=False)
def _cached(version, name: str, params_json: str) -> pd.DataFrame:
    return _query(name, **json.loads(params_json))


def load(name: str, **params) -> pd.DataFrame:
    """Run a query against the published database, cached until a new one is published."""
    version = db_version()
    if version is None:
        raise UserError("no database")
    return _cached(version, name, json.dumps(params, sort_keys=True, default=str))


def freshness() -> dict | None:
    """The latest run and import, or None when no database exists."""
    if db_version() is None:
        return None
    row = load("data_freshness").iloc[0].to_dict()
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}


def latest_flags(category: str | None = None) -> pd.DataFrame:
    info = freshness()
    if not info or not info.get("run_id"):
        return pd.DataFrame()
    return load("flags_of_run", run_id=info["run_id"], category=category)

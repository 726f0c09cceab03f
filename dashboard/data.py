"""Cached access to the published database for the pages: loading, the user's scope, courts and months.

Each load opens the published DuckDB file read-only and closes it again, so a
batch job's atomic swap is picked up on the next load (the cache key holds the
file's inode and mtime) and no reader keeps a stale file open. SQL lives in
queries/dash_*.sql; every query runs inside the signed-in user's courts. The
data_* modules load what one part of the dashboard shows (flags, people, the
operational store, model cards, the review list) through this module, and
courtwatch/reporting/figures.py counts it, so a figure on screen and in a
briefing come from the same function.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json

import duckdb
import pandas as pd
import streamlit as st

from courtwatch import queries
from courtwatch.core.errors import UserError
from courtwatch.storage import store

# ---------------------------------------------------------------- the published database

def db_version() -> tuple[int, int] | None:
    return store.version_token(None)


def user_scope() -> list[str] | None:
    """The signed-in user's courts (None = every court). Every query runs inside this scope."""
    user = st.session_state.get("signed_in")
    if user is None:
        raise UserError("not signed in")
    return user["scope"]


def scope_key() -> tuple | None:
    """The user's scope as a cache key (a tuple of court ids, or None for every court)."""
    scope = user_scope()
    return tuple(scope) if scope is not None else None


def query_in_scope(name: str, scope=None, **params) -> pd.DataFrame:
    """Run queries/<name>.sql against the published database inside `scope` (court ids; None = every court),
    uncached: for the cached loaders of the data_* modules, and for what must never be cached."""
    con = store.open_for_read(None, court_ids=list(scope) if scope is not None else None)
    try:
        return queries.run(con, name, **params)
    except duckdb.CatalogException as exc:
        raise UserError(f"the database at {store.db_path(None)} lacks a courtwatch table ({exc.__class__.__name__}); "
                        "run `courtwatch ingest FOLDER` to create it") from None
    finally:
        con.close()


@st.cache_data(max_entries=256, show_spinner=False)
def _cached(version, scope: tuple | None, name: str, params_json: str) -> pd.DataFrame:
    return query_in_scope(name, scope=scope, **json.loads(params_json))


def load(name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql against the published database, cached until a new file is published."""
    version = db_version()
    if version is None:
        raise UserError(f"no database at {store.db_path(None)}; run `courtwatch ingest FOLDER` first")
    return _cached(version, scope_key(), name, json.dumps(params, sort_keys=True, default=str))


# Queries run over the whole database whatever the user's scope, because their rows name nothing outside it:
# a court's or an officer's figures against its peers, the others as numbers without an identifier (the
# queries' headers say so; courtwatch/reporting/figures.py numbers them by rank). Every other query runs in scope.
PEER_QUERIES = frozenset({"peer_court_flag_rates", "peer_court_sentencing_by_charge", "peer_officer_termination",
                          "dash_unit_rates"})


def peer_load(name: str, **params) -> pd.DataFrame:
    """Run one of PEER_QUERIES over the whole database, cached until a new file is published."""
    if name not in PEER_QUERIES:
        raise ValueError(f"{name} is not an anonymised peer query; run it with load() inside the user's scope")
    version = db_version()
    if version is None:
        raise UserError(f"no database at {store.db_path(None)}; run `courtwatch ingest FOLDER` first")
    user_scope()  # signed in, or UserError
    return _cached(version, None, name, json.dumps(params, sort_keys=True, default=str))


def freshness() -> dict | None:
    """The latest run and import (None values when absent), or None when no database exists."""
    if db_version() is None:
        return None
    frame = load("data_freshness")
    if frame.empty:
        return {}
    return {k: (None if v is None or (not isinstance(v, (list, dict)) and pd.isna(v)) else v)
            for k, v in frame.iloc[0].to_dict().items()}


def latest_run_id() -> str | None:
    info = freshness()
    return info.get("run_id") if info else None


# ---------------------------------------------------------------- courts, scope and period

@st.cache_data(max_entries=8, show_spinner=False)
def _courts(version, scope) -> pd.DataFrame:
    frame = query_in_scope("dash_courts", scope=scope)
    frame["ancestors"] = frame["ancestors"].map(lambda a: tuple(a) if a is not None else ())
    frame["label"] = frame["court_id"] + " " + frame["name"].fillna("")
    return frame


def courts() -> pd.DataFrame:
    version = db_version()
    if version is None:
        return pd.DataFrame(columns=["court_id", "name", "level", "parent_id", "ancestors", "label"])
    return _courts(version, scope_key())


def expand_scope(court_ids) -> list[str] | None:
    """The chosen courts and every court under them; None = no restriction (all courts)."""
    if not court_ids:
        return None
    chosen = set(court_ids)
    table = courts()
    inside = table[[c in chosen or bool(chosen.intersection(a)) for c, a in zip(table["court_id"], table["ancestors"])]]
    return sorted(set(inside["court_id"]) | chosen)


def single_court(court_ids=()) -> str | None:
    """The one court in view — the user's only court, or a chosen court with no court under it — else None.
    Pages then show that court against the other courts of its level instead of a one-column chart."""
    chosen = expand_scope(court_ids)
    in_view = chosen if chosen is not None else courts()["court_id"].tolist()
    return in_view[0] if len(in_view) == 1 else None


def court_label(court_id: str) -> str:
    """A court by its name (its id when the name is unknown)."""
    names = courts().set_index("court_id")["name"]
    name = names.get(court_id)
    return name if isinstance(name, str) and name else court_id


def months() -> list[str]:
    """Every month from the first to the last date in the loaded cases ('YYYY-MM')."""
    if db_version() is None:
        return []
    row = load("dash_data_range").iloc[0]
    if pd.isna(row["first_day"]) or pd.isna(row["last_day"]):
        return []
    return [p.strftime("%Y-%m") for p in pd.period_range(pd.Timestamp(row["first_day"]), pd.Timestamp(row["last_day"]), freq="M")]


def period_dates(period) -> tuple[dt.date, dt.date]:
    """('2024-01', '2024-06') → (2024-01-01, 2024-06-30); None → the widest range."""
    if not period:
        return dt.date(1900, 1, 1), dt.date(2999, 12, 31)
    start, end = period
    y1, m1 = map(int, start.split("-"))
    y2, m2 = map(int, end.split("-"))
    return dt.date(y1, m1, 1), dt.date(y2, m2, calendar.monthrange(y2, m2)[1])


# ---------------------------------------------------------------- data quality (import records)

def import_files() -> pd.DataFrame:
    return load("dash_import_files")


def quarantine(limit: int = 5000) -> pd.DataFrame:
    return load("dash_quarantine", limit=int(limit))


# ---------------------------------------------------------------- briefings

def briefing_courts() -> list[str | None]:
    """Courts the user may brief on: None (the whole database) only for unrestricted users."""
    scope = user_scope()
    if scope is None:
        return [None] + courts()["court_id"].tolist()
    return list(scope)


def briefing_file(period: str, court_id: str | None, fmt: str, lang: str, actor: str) -> bytes:
    """The briefing, generated when the user clicks download; refused outside the user's courts; audited."""
    from courtwatch.reporting.briefing import brief_bytes
    if court_id not in briefing_courts():
        raise UserError("that court is outside your scope")
    content, _name = brief_bytes(None, period, court_id, fmt, lang, actor=actor)
    return content

"""Judges, officers and courts: plain case data, no flags — caseload by month, rates against peers, and
officers' 终本 shares for the funnel plot. Names stay masked (张**).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from courtwatch.reporting import figures

from .data import courts, db_version, expand_scope, load, peer_load, period_dates, query_in_scope, scope_key, user_scope
from .state import lang


@st.cache_data(max_entries=8, show_spinner=False)
def _judges(version, scope, language: str) -> pd.DataFrame:
    frame = query_in_scope("dash_judges", scope=scope)
    frame["label"] = [judge_label(j, m, language) for j, m in zip(frame["judge_id"], frame["name_masked"])]
    return frame


def judges() -> pd.DataFrame:
    version = db_version()
    if version is None:
        return pd.DataFrame(columns=["judge_id", "court_id", "court_name", "role", "name_masked", "cases", "label"])
    return _judges(version, scope_key(), lang())


def judge_label(judge_id, masked_name, language: str = "zh") -> str | None:
    """A judge as the dashboard names them: pseudonymous id, then the masked name — J000123（张**） in
    Chinese, J000123 (张**) in English (full-width brackets belong to Chinese text)."""
    if judge_id is None or (isinstance(judge_id, float) and np.isnan(judge_id)):
        return None
    if isinstance(masked_name, str) and masked_name:
        return f"{judge_id}（{masked_name}）" if language == "zh" else f"{judge_id} ({masked_name})"
    return str(judge_id)


def unit_rates(unit: str, unit_id: str, period=None) -> pd.DataFrame:
    """A judge's (unit='judge') or court's (unit='court') rates against its peers across the whole database
    (same role at courts of the same level; courts of the same level) — see dash_unit_rates.sql, whose rows
    are the unit's own measures and the peers' median and range, nothing that names a peer. Empty for a
    unit outside the user's courts."""
    visible = judges()["judge_id"] if unit == "judge" else courts()["court_id"]
    if unit_id not in set(visible):
        return pd.DataFrame(columns=["metric", "value", "n", "peer_median", "peer_p10", "peer_p90", "percentile", "peers"])
    start, end = period_dates(period)
    return peer_load("dash_unit_rates", unit=unit, unit_id=unit_id, start=start, end=end)


def caseload(court_ids=(), period=None, judge_id: str | None = None, subordinate: bool = True) -> pd.DataFrame:
    """Cases filed and closed per month and case kind (plain case data); courts include those under them."""
    start, end = period_dates(period)
    scope = expand_scope(court_ids) if subordinate else (sorted(court_ids) or None)
    frame = load("dash_caseload_by_month", start=start, end=end, court_ids=scope, judge_id=judge_id)
    frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    return frame


def termination_funnel(court_ids=(), period=None, judge_id: str | None = None) -> tuple[pd.DataFrame, dict]:
    """Officers' crude 终本 share against their number of closed enforcement cases, with funnel limits.

    Limits are placed over every officer of the province (courtwatch/reporting/figures.py,
    termination_funnel), so neither the user's courts nor the chosen ones move them: for a user with
    limited courts the officers of other courts come anonymised (queries/peer_officer_termination.sql:
    no id, no court). `in_scope` marks the officers of the chosen courts, `highlight` the given judge.
    """
    start, end = period_dates(period)
    scope = user_scope()
    if scope is None:
        rows = load("dash_termination_by_officer", start=start, end=end)
    else:
        rows = peer_load("peer_officer_termination", start=start, end=end, scope_courts=sorted(scope))
    officers, summary = figures.termination_funnel(rows.drop(columns=["in_scope"], errors="ignore"))
    if officers.empty:
        return officers, summary
    chosen = expand_scope(court_ids)
    officers["in_scope"] = officers["court_id"].notna() & (True if chosen is None else officers["court_id"].isin(chosen))
    officers["highlight"] = officers["judge_id"].eq(judge_id) if judge_id else False
    labels = judges().set_index("judge_id")["label"] if not judges().empty else pd.Series(dtype=str)
    officers["judge_label"] = officers["judge_id"].map(labels).fillna(officers["judge_id"])
    return officers.sort_values("closed").reset_index(drop=True), summary

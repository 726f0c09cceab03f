"""Judges, officers and courts: plain case data, no flags — caseload by month, rates against peers, and
officers' 终本 shares for the funnel plot. Names stay masked (张**).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from courtwatch.reporting import figures

from .data import db_version, expand_scope, load, period_dates, query_in_scope, scope_key
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
    """A judge's (unit='judge') or court's (unit='court') rates against peers; see dash_unit_rates.sql."""
    start, end = period_dates(period)
    return load("dash_unit_rates", unit=unit, unit_id=unit_id, start=start, end=end)


def caseload(court_ids=(), period=None, judge_id: str | None = None, subordinate: bool = True) -> pd.DataFrame:
    """Cases filed and closed per month and case kind (plain case data); courts include those under them."""
    start, end = period_dates(period)
    scope = expand_scope(court_ids) if subordinate else (sorted(court_ids) or None)
    frame = load("dash_caseload_by_month", start=start, end=end, court_ids=scope, judge_id=judge_id)
    frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    return frame


def termination_funnel(court_ids=(), period=None, judge_id: str | None = None) -> tuple[pd.DataFrame, dict]:
    """Officers' crude 终本 share against their number of closed enforcement cases, with funnel limits.

    Limits are placed over every officer the user may see — the province for an unrestricted user —
    (courtwatch/reporting/figures.py, termination_funnel), so choosing a court does not move them;
    `in_scope` marks the officers of the chosen courts, `highlight` the given judge.
    """
    start, end = period_dates(period)
    officers, summary = figures.termination_funnel(load("dash_termination_by_officer", start=start, end=end))
    if officers.empty:
        return officers, summary
    scope = expand_scope(court_ids)
    officers["in_scope"] = True if scope is None else officers["court_id"].isin(scope)
    officers["highlight"] = officers["judge_id"].eq(judge_id) if judge_id else False
    labels = judges().set_index("judge_id")["label"] if not judges().empty else pd.Series(dtype=str)
    officers["judge_label"] = officers["judge_id"].map(labels).fillna(officers["judge_id"])
    return officers.sort_values("closed").reset_index(drop=True), summary

"""The sentencing review list for its page (a review aid, not flags): the latest run's list in the user's
courts, the settings that made it, and the similar cases stored with a listed sentence.
"""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from .data import db_version, expand_scope, latest_run_id, load, period_dates, query_in_scope, scope_key
from .data_people import judge_label

REVIEW_COLUMNS = ["run_id", "defendant_id", "case_id", "court_id", "judge_id", "period", "rank_in_court_period",
                  "p_calibrated", "z", "ratio_to_expected", "expected_months", "term_months", "peer_group", "peer_n",
                  "peer_median_months", "peer_q25_months", "peer_q75_months", "peer_spread_log", "factors",
                  "similar_cases", "court_name", "charge", "sentence_kind", "judge_name_masked", "judge_label"]


@st.cache_resource(max_entries=8, show_spinner=False)
def _review_list(version, scope, run_id: str) -> pd.DataFrame:
    """One frame per published file, scope and run, shared by every session without a copy (a cache_data frame
    is unpickled on every rerun, and the list ranks every tested sentence). Callers never modify it."""
    frame = query_in_scope("sentencing_review_of_run", scope=scope, run_id=run_id)
    frame["judge_label"] = [judge_label(j, m) for j, m in zip(frame["judge_id"], frame["judge_name_masked"])]
    return frame


def review_list(run_id: str | None = None) -> pd.DataFrame:
    """The latest (or given) run's sentencing review list in the user's courts, ranked per court and year.

    detectors/sentencing/review.py makes it; other courts' similar cases arrive without case number or
    court (the scoped view, courtwatch/storage/store.py). Empty without a run.
    """
    run_id = run_id or latest_run_id()
    if not run_id:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    return _review_list(db_version(), scope_key(), run_id)


def review_settings(run_id: str | None = None) -> dict:
    """min_cell, top_k, mode and reference_run of the run that made the list (queries/sentencing_review_settings.sql)."""
    run_id = run_id or latest_run_id()
    frame = load("sentencing_review_settings", run_id=run_id) if run_id else pd.DataFrame()
    if frame.empty:
        return {"min_cell": 30, "top_k": 20, "mode": "full", "reference_run": None}
    return {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in frame.iloc[0].to_dict().items()}


def filter_review(frame: pd.DataFrame, court_ids=(), period=None, top: int | None = None) -> pd.DataFrame:
    """The chosen courts (with the courts under them), the years the period touches, the top `top` of each court and year."""
    out = frame
    scope = expand_scope(court_ids)
    if scope is not None:
        out = out[out["court_id"].isin(scope)]
    if period:
        start, end = period_dates(period)
        out = out[out["period"].between(start.year, end.year)]
    if top:
        out = out[out["rank_in_court_period"] <= top]
    return out.reset_index(drop=True)


def review_similar_cases(row: dict) -> pd.DataFrame:
    """The similar cases stored with one listed sentence, then the sentence itself (is_this); other courts' cases
    have no case_id (other_court)."""
    columns = ["case_id", "other_court", "sentence", "term_months", "expected_months", "factors", "factor_distance",
               "is_this"]
    try:
        peers = json.loads(row.get("similar_cases") or "null") or []
    except (TypeError, ValueError):
        peers = []
    rows = [{"case_id": p.get("case_id"), "other_court": bool(p.get("other_court")), "sentence": p.get("sentence"),
             "term_months": p.get("term_months"), "expected_months": p.get("expected_months"),
             "factors": p.get("factors"), "factor_distance": p.get("factor_distance"), "is_this": False}
            for p in peers if isinstance(p, dict)]
    if not rows:
        return pd.DataFrame(columns=columns)
    rows.append({"case_id": row.get("case_id"), "other_court": False, "sentence": None,
                 "term_months": row.get("term_months"), "expected_months": row.get("expected_months"),
                 "factors": row.get("factors"), "factor_distance": 0.0, "is_this": True})
    return pd.DataFrame(rows, columns=columns)

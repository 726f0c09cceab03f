"""The flags of a run for the pages: filtered to the user's choice with their review status, one flag with
its evidence, and the comparisons the flag page draws. Counting them is courtwatch/reporting/figures.py's.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from courtwatch.core import vocabulary
from courtwatch.detectors import law
from courtwatch.reporting import figures

from .data import (
    courts,
    db_version,
    expand_scope,
    latest_run_id,
    load,
    peer_load,
    period_dates,
    query_in_scope,
    scope_key,
)
from .data_ops import current_dispositions
from .data_people import judge_label
from .labels import EXPLANATION_CHARS, clip, explanation_en
from .state import lang

# ---------------------------------------------------------------- flags

@dataclass(frozen=True)
class FlagFilter:
    """What the user chose to see; empty means 'all'."""

    court_ids: tuple[str, ...] = ()       # chosen courts; their subordinate courts are included
    period: tuple[str, str] | None = None  # ('YYYY-MM', 'YYYY-MM') on the flag's date (see dash_flags.sql)
    categories: tuple[str, ...] = ()
    detectors: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    judge_ids: tuple[str, ...] = ()
    review: tuple[str, ...] = ()           # 'unreviewed' and/or decisions
    text: str = ""


@st.cache_resource(max_entries=8, show_spinner=False)
def _run_flags(version, scope, run_id: str, language: str) -> pd.DataFrame:
    """One frame per published file, scope, run and language, shared by every session without a copy (a
    cache_data frame is unpickled on every rerun: 0.15 s for 40,000 flags). Callers never modify it: they
    filter it into new frames (filter_flags)."""
    frame = query_in_scope("dash_flags", scope=scope, run_id=run_id)
    frame["flag_date"] = pd.to_datetime(frame["flag_date"])
    frame["month"] = frame["flag_date"].dt.strftime("%Y-%m")
    frame["judge_label"] = [judge_label(j, m, language) for j, m in zip(frame["judge_id"], frame["judge_name_masked"])]
    # the start of the explanation the flags list shows (in full on the flag page), made once per run
    if language == "en":
        sentences = [explanation_en(e, z) for e, z in zip(frame["explanation_en"], frame["explanation"])]
    else:
        sentences = frame["explanation"].fillna("").tolist()
    frame["list_sentence"] = [clip(text, EXPLANATION_CHARS[language]) for text in sentences]
    return frame


def run_flags(run_id: str | None = None) -> pd.DataFrame:
    """Every flag of the latest (or given) run, with court, masked judge, dates; empty without a run."""
    run_id = run_id or latest_run_id()
    if not run_id:
        return pd.DataFrame(columns=["flag_id", "category", "detector", "level", "score", "court_id", "judge_id",
                                     "month", "flag_date", "explanation", "explanation_en"])
    return _run_flags(db_version(), scope_key(), run_id, lang())


def filter_flags(frame: pd.DataFrame, choice: FlagFilter, reviews: dict | None = None) -> pd.DataFrame:
    """The flags matching the user's choice, with their review status."""
    out = frame
    scope = expand_scope(choice.court_ids)
    if scope is not None:
        out = out[out["court_id"].isin(scope)]
    if choice.period:
        start, end = period_dates(choice.period)
        out = out[(out["flag_date"] >= pd.Timestamp(start)) & (out["flag_date"] <= pd.Timestamp(end))]
    for column, chosen in (("category", choice.categories), ("detector", choice.detectors),
                           ("level", choice.levels), ("judge_id", choice.judge_ids)):
        if chosen:
            out = out[out[column].isin(chosen)]
    out = with_review(out, reviews)
    if choice.review:
        out = out[out["review"].isin(choice.review)]
    text = choice.text.strip()
    if text:
        hay = (out["explanation"].fillna("") + " " + out["explanation_en"].fillna("") + " " + out["subject_id"].fillna("")
               + " " + out["case_id"].fillna("") + " " + out["judge_id"].fillna("") + " " + out["court_name"].fillna(""))
        out = out[hay.str.contains(text, case=False, regex=False)]
    return out.reset_index(drop=True)


def with_review(frame: pd.DataFrame, reviews: dict | None = None) -> pd.DataFrame:
    """Add review, reviewed_by, reviewed_at from the latest disposition of each flag (flag ids are stable)."""
    reviews = current_dispositions() if reviews is None else reviews
    ids = frame["flag_id"].astype(object)
    if not reviews:
        return frame.assign(review=vocabulary.UNREVIEWED, reviewed_by=None, reviewed_at=None)
    # dictionary lookups by Series.map (a hash join), not a Python loop over every flag of the run
    return frame.assign(review=ids.map({f: r["decision"] for f, r in reviews.items()}).fillna(vocabulary.UNREVIEWED),
                        reviewed_by=ids.map({f: r["decided_by"] for f, r in reviews.items()}),
                        reviewed_at=ids.map({f: r["decided_at"] for f, r in reviews.items()}))


# ---------------------------------------------------------------- the overview's counts

def reviews_token(reviews: dict) -> str:
    """A short key for the state of the dispositions: which flag has which latest decision."""
    from .state import digest
    return digest(sorted((f, r["decision"]) for f, r in reviews.items()))


@st.cache_data(max_entries=64, show_spinner=False)
def _overview_counts(version, scope, run_id: str, language: str, court_ids: tuple, period, token: str,
                     _reviews: dict) -> dict | None:
    flags = filter_flags(_run_flags(version, scope, run_id, language), FlagFilter(court_ids=court_ids, period=period),
                         reviews=_reviews)
    if flags.empty:
        return None
    return {"outcomes": figures.review_outcomes(flags),
            "totals": figures.flag_totals(flags, reviewed=flags["review"] != vocabulary.UNREVIEWED),
            "by_category_level": figures.counts_by_category_level(flags),
            "by_month": figures.counts_by_month(flags),
            "by_court": figures.counts_by_court(flags),
            "by_judge": figures.counts_by_judge(flags)}


def overview_counts(court_ids=(), period=None) -> dict | None:
    """The overview's counts of the latest run's flags in the chosen courts and period (courtwatch/reporting/
    figures.py counts them): outcomes, totals, by_category_level, by_month, by_court, by_judge; None when no
    flag matches. Counted once per published file, scope, choice, language and state of the dispositions."""
    run_id = latest_run_id()
    if not run_id:
        return None
    reviews = current_dispositions()
    return _overview_counts(db_version(), scope_key(), run_id, lang(), tuple(court_ids), tuple(period) if period else None,
                            reviews_token(reviews), reviews)


# ---------------------------------------------------------------- sentencing across courts (the overview's heat map)

def sentencing_heatmap(court_ids=(), period=None, max_courts: int = 30) -> pd.DataFrame:
    """Per charge × court: sentenced defendants, flagged ones, flags per 100 defendants, median ratio to expected."""
    run_id = latest_run_id()
    if not run_id:
        return pd.DataFrame()
    start, end = period_dates(period)
    frame = load("dash_sentencing_by_charge_court", run_id=run_id, start=start, end=end,
                 separator=law.MULTI_CHARGE_SEPARATOR)
    scope = expand_scope(court_ids)
    if scope is not None:
        frame = frame[frame["court_id"].isin(scope)]
    if frame.empty:
        return frame
    frame = figures.sentencing_by_charge_court(frame, max_courts)
    names = courts().set_index("court_id")["name"]
    frame["court_name"] = frame["court_id"].map(names).fillna(frame["court_id"])
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------- one court against its peers (anonymised)

def flags_against_peers(court_id: str, period=None) -> tuple[pd.DataFrame, dict]:
    """The court's flags per 100 closed cases against the other courts of its level (figures.peer_courts)."""
    run_id = latest_run_id()
    if not run_id or court_id not in set(courts()["court_id"]):
        return figures.peer_courts(pd.DataFrame())
    start, end = period_dates(period)
    return figures.peer_courts(peer_load("peer_court_flag_rates", run_id=run_id, court_id=court_id, start=start,
                                         end=end))


def sentencing_against_peers(court_id: str, period=None) -> pd.DataFrame:
    """Per charge the court's sentencing warnings per 100 defendants against the other courts of its level."""
    run_id = latest_run_id()
    if not run_id or court_id not in set(courts()["court_id"]):
        return figures.peer_sentencing_by_charge(pd.DataFrame())
    start, end = period_dates(period)
    return figures.peer_sentencing_by_charge(peer_load(
        "peer_court_sentencing_by_charge", run_id=run_id, court_id=court_id, start=start, end=end,
        separator=law.MULTI_CHARGE_SEPARATOR))


# ---------------------------------------------------------------- one flag

def _evidence(text) -> dict:
    if isinstance(text, dict):
        return text
    try:
        value = json.loads(text) if text else {}
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def flag(flag_id: str) -> dict | None:
    """One flag (from the newest run that raised it) with its evidence parsed, or None."""
    if not flag_id or db_version() is None:
        return None
    frame = load("dash_flag", flag_id=str(flag_id))
    if frame.empty:
        return None
    record = {k: (None if not isinstance(v, (list, dict, str)) and pd.isna(v) else v)
              for k, v in frame.iloc[0].to_dict().items()}
    record["evidence"] = _evidence(record.get("evidence"))
    record["explanation_en"] = record["evidence"].get("explanation_en") or record["explanation"]
    record["judge_label"] = judge_label(record.get("judge_id"), record.get("judge_name_masked"), lang())
    return record


def related_flags(record: dict) -> pd.DataFrame:
    """Other flags of the same run on the same case, judge or lawyer, with their English sentence."""
    related = load("dash_related_flags", run_id=record["run_id"], flag_id=record["flag_id"],
                   case_id=record.get("case_id"), judge_id=record.get("judge_id"), lawyer_id=record.get("lawyer_id"))
    if related.empty:
        return related.assign(explanation_en=pd.Series(dtype=object))
    english = run_flags(record["run_id"]).set_index("flag_id")["explanation_en"]
    return related.assign(explanation_en=related["flag_id"].map(english))


def case_timeline(case_id: str | None) -> pd.DataFrame:
    if not case_id:
        return pd.DataFrame(columns=["occurred_at", "event", "source", "actor_id", "amount", "note"])
    return load("dash_case_timeline", case_id=case_id)


def similar_cases(record: dict) -> pd.DataFrame:
    """The legally similar cases a sentencing flag's evidence holds, plus the flagged sentence itself (is_this)."""
    evidence = record.get("evidence") or {}
    peers = evidence.get("similar_cases") or []
    # precedence / judgment_year / recent: the 类案检索 order the peers were chosen in (similar.py); absent in
    # evidence of runs before it, then shown as nothing
    rows = [{"case_id": p.get("case_id"), "term_months": p.get("term_months"), "expected_months": p.get("expected_months"),
             "factors": p.get("factors"), "precedence": p.get("precedence"), "judgment_year": p.get("judgment_year"),
             "recent": p.get("recent"), "is_this": False}
            for p in peers if isinstance(p, dict) and p.get("term_months") is not None]
    observed = evidence.get("observed_term_months")
    if observed is None and isinstance(evidence.get("observed"), dict):
        observed = evidence["observed"].get("term_months")
    if not rows or observed is None:
        return pd.DataFrame(columns=["case_id", "term_months", "expected_months", "factors", "precedence",
                                     "judgment_year", "recent", "is_this"])
    rows.append({"case_id": record.get("case_id"), "term_months": float(observed),
                 "expected_months": evidence.get("expected_term_months"),
                 "factors": (evidence.get("factors") or {}).get("factors_zh"), "precedence": None,
                 "judgment_year": None, "recent": None, "is_this": True})
    return pd.DataFrame(rows)


def similar_cases_basis(record: dict) -> dict:
    """Why a sentencing flag's similar cases were chosen and how their sentences spread: the evidence's
    similar_rule(_en) and similar_spread (detectors/sentencing/similar.py; sentence_deviation keeps them
    beside the defendant's factors), the spread counted from the listed peers for a run before them."""
    evidence = record.get("evidence") or {}
    holder = evidence if "similar_spread" in evidence else (evidence.get("factors") or {})
    spread = holder.get("similar_spread")
    if spread is None:
        terms = sorted(float(p["term_months"]) for p in evidence.get("similar_cases") or []
                       if isinstance(p, dict) and p.get("term_months") is not None)
        if terms:
            q = pd.Series(terms).quantile([0.25, 0.5, 0.75]).round(1).tolist()
            spread = {"n": len(terms), "min_months": round(terms[0], 1), "q25_months": q[0], "median_months": q[1],
                      "q75_months": q[2], "max_months": round(terms[-1], 1)}
    # similar_deviant_left_out: cases within reach left out because they deviate themselves (None before it)
    return {"spread": spread, "rule_zh": holder.get("similar_rule"), "rule_en": holder.get("similar_rule_en"),
            "deviant_left_out": holder.get("similar_deviant_left_out")}


def judge_lawyer_comparison(judge_id: str | None, lawyer_id: str | None) -> pd.DataFrame:
    """The pair's civil cases against the judge's other civil cases: cases, designated share, side-won share.

    See courtwatch/reporting/figures.py (judge_lawyer_comparison) for what the shares are.
    """
    if not judge_id or not lawyer_id:
        return pd.DataFrame()
    return figures.judge_lawyer_comparison(load("dash_judge_lawyer_cases", judge_id=judge_id, lawyer_id=lawyer_id))

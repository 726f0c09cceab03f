"""Cached data access for the pages: the only module that opens the databases.

Each load opens the published DuckDB file read-only and closes it again, so a
batch job's atomic swap is picked up on the next load (the cache key holds the
file's inode and mtime) and no reader keeps a stale file open. SQL lives in
queries/dash_*.sql; this module shapes the results into the frames the pages
draw, so a figure on screen and in a briefing come from the same function.
Dispositions and the audit trail come from the operational store, uncached:
they change when a reviewer acts.
"""
from __future__ import annotations

import calendar
import datetime as dt
import inspect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import duckdb
import numpy as np
import pandas as pd
import streamlit as st

from courtwatch import queries
from courtwatch.core import vocabulary
from courtwatch.core.errors import UserError
from courtwatch.detectors import law
from courtwatch.storage import store

# the vocabulary's orders, under the names the pages use
REVIEW_STATES = vocabulary.REVIEW_STATES
LEVEL_ORDER = vocabulary.LEVELS_STRONGEST_FIRST
UNREVIEWED = vocabulary.UNREVIEWED
CATEGORY_ORDER = vocabulary.CATEGORIES
RATE_METRICS = ("closed", "days_to_close", "extension_rate", "reversal_rate", "zb_share", "designated_share")


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


def _query(name: str, scope=None, **params) -> pd.DataFrame:
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
    return _query(name, scope=scope, **json.loads(params_json))


def load(name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql against the published database, cached until a new file is published."""
    version = db_version()
    if version is None:
        raise UserError(f"no database at {store.db_path(None)}; run `courtwatch ingest FOLDER` first")
    return _cached(version, scope_key(), name, json.dumps(params, sort_keys=True, default=str))


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
    frame = _query("dash_courts", scope=scope)
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


@st.cache_data(max_entries=8, show_spinner=False)
def _run_flags(version, scope, run_id: str) -> pd.DataFrame:
    frame = _query("dash_flags", scope=scope, run_id=run_id)
    frame["flag_date"] = pd.to_datetime(frame["flag_date"])
    frame["month"] = frame["flag_date"].dt.strftime("%Y-%m")
    frame["judge_label"] = [judge_label(j, m) for j, m in zip(frame["judge_id"], frame["judge_name_masked"])]
    return frame


def run_flags(run_id: str | None = None) -> pd.DataFrame:
    """Every flag of the latest (or given) run, with court, masked judge, dates; empty without a run."""
    run_id = run_id or latest_run_id()
    if not run_id:
        return pd.DataFrame(columns=["flag_id", "category", "detector", "level", "score", "court_id", "judge_id",
                                     "month", "flag_date", "explanation", "explanation_en"])
    return _run_flags(db_version(), scope_key(), run_id)


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
    latest = [reviews.get(f) for f in frame["flag_id"]]
    return frame.assign(review=[r["decision"] if r else vocabulary.UNREVIEWED for r in latest],
                        reviewed_by=[r["decided_by"] if r else None for r in latest],
                        reviewed_at=[r["decided_at"] if r else None for r in latest])


# ---------------------------------------------------------------- overview figures (also for briefings)

def counts_by_category_level(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per (category, level) with at least one flag: n."""
    if flags.empty:
        return pd.DataFrame(columns=["category", "level", "n"])
    return flags.groupby(["category", "level"]).size().reset_index(name="n")


def counts_by_month(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per (month, category): n — months by the flag's date (case closed, else filed, else run as-of)."""
    if flags.empty:
        return pd.DataFrame(columns=["month", "category", "n"])
    return flags.groupby(["month", "category"]).size().reset_index(name="n").sort_values("month")


def counts_by_court(flags: pd.DataFrame, top: int = 20) -> pd.DataFrame:
    """The `top` courts by number of flags: court_id, court_name, n, high."""
    if flags.empty:
        return pd.DataFrame(columns=["court_id", "court_name", "n", "high"])
    g = flags.assign(high=flags["level"].eq("high")).groupby(["court_id"], dropna=True) \
        .agg(court_name=("court_name", "first"), n=("flag_id", "size"), high=("high", "sum")).reset_index()
    return g.sort_values(["n", "court_id"], ascending=[False, True]).head(top).reset_index(drop=True)


def counts_by_judge(flags: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """The `top` judges by number of flags: judge_id, judge_label, court_id, n, high."""
    judged = flags.dropna(subset=["judge_id"]) if not flags.empty else flags
    if judged.empty:
        return pd.DataFrame(columns=["judge_id", "judge_label", "court_id", "n", "high"])
    g = judged.assign(high=judged["level"].eq("high")).groupby("judge_id") \
        .agg(judge_label=("judge_label", "first"), court_id=("court_id", "first"), n=("flag_id", "size"),
             high=("high", "sum")).reset_index()
    return g.sort_values(["n", "judge_id"], ascending=[False, True]).head(top).reset_index(drop=True)


def review_outcomes(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per review state (unreviewed and each decision): n, share."""
    if flags.empty or "review" not in flags:
        return pd.DataFrame(columns=["review", "n", "share"])
    g = flags["review"].value_counts().reindex(list(REVIEW_STATES), fill_value=0).rename_axis("review").reset_index(name="n")
    g["share"] = g["n"] / max(int(g["n"].sum()), 1)
    return g


def termination_funnel(court_ids=(), period=None, judge_id: str | None = None) -> tuple[pd.DataFrame, dict]:
    """Officers' crude 终本 share against their number of closed enforcement cases, with funnel limits.

    Limits come from detectors.stats.funnel over every officer in the province (the target is the
    province share, over-dispersion estimated from the officers), so choosing a court does not move
    them; `in_scope` marks the officers of the chosen courts, `highlight` the given judge.
    """
    from courtwatch.detectors.stats import funnel

    start, end = period_dates(period)
    officers = load("dash_termination_by_officer", start=start, end=end)
    officers = officers[officers["closed"] > 0].reset_index(drop=True)
    if officers.empty:
        return officers, {}
    result = funnel(officers["terminated"].to_numpy(), officers["closed"].to_numpy())
    officers = officers.assign(share=officers["terminated"] / officers["closed"], z=result.z, p=result.p,
                               lower95=result.lower95, upper95=result.upper95,
                               lower998=result.lower998, upper998=result.upper998)
    officers["position"] = np.select(
        [officers["share"] > officers["upper998"], officers["share"] > officers["upper95"],
         officers["share"] < officers["lower998"], officers["share"] < officers["lower95"]],
        ["above_998", "above_95", "below_998", "below_95"], default="within")
    scope = expand_scope(court_ids)
    officers["in_scope"] = True if scope is None else officers["court_id"].isin(scope)
    officers["highlight"] = officers["judge_id"].eq(judge_id) if judge_id else False
    labels = judges().set_index("judge_id")["label"] if not judges().empty else pd.Series(dtype=str)
    officers["judge_label"] = officers["judge_id"].map(labels).fillna(officers["judge_id"])
    return officers.sort_values("closed").reset_index(drop=True), {
        "target": float(result.target), "phi": float(result.phi), "officers": int(len(officers))}


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
    busiest = frame.groupby("court_id")["defendants"].sum().sort_values(ascending=False).head(max_courts).index
    frame = frame[frame["court_id"].isin(busiest)].copy()
    frame["per_100"] = 100.0 * frame["flagged"] / frame["defendants"].clip(lower=1)
    names = courts().set_index("court_id")["name"]
    frame["court_name"] = frame["court_id"].map(names).fillna(frame["court_id"])
    return frame.reset_index(drop=True)


def caseload(court_ids=(), period=None, judge_id: str | None = None, subordinate: bool = True) -> pd.DataFrame:
    """Cases filed and closed per month and case kind (plain case data); courts include those under them."""
    start, end = period_dates(period)
    scope = expand_scope(court_ids) if subordinate else (sorted(court_ids) or None)
    frame = load("dash_caseload_by_month", start=start, end=end, court_ids=scope, judge_id=judge_id)
    frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    return frame


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
    record["judge_label"] = judge_label(record.get("judge_id"), record.get("judge_name_masked"))
    return record


def related_flags(record: dict) -> pd.DataFrame:
    """Other flags of the same run on the same case, judge or lawyer."""
    return load("dash_related_flags", run_id=record["run_id"], flag_id=record["flag_id"],
                case_id=record.get("case_id"), judge_id=record.get("judge_id"), lawyer_id=record.get("lawyer_id"))


def case_timeline(case_id: str | None) -> pd.DataFrame:
    if not case_id:
        return pd.DataFrame(columns=["occurred_at", "event", "source", "actor_id", "amount", "note"])
    return load("dash_case_timeline", case_id=case_id)


def similar_cases(record: dict) -> pd.DataFrame:
    """The legally similar cases a sentencing flag's evidence holds, plus the flagged sentence itself (is_this)."""
    evidence = record.get("evidence") or {}
    peers = evidence.get("similar_cases") or []
    rows = [{"case_id": p.get("case_id"), "term_months": p.get("term_months"), "expected_months": p.get("expected_months"),
             "factors": p.get("factors"), "is_this": False} for p in peers if isinstance(p, dict) and p.get("term_months") is not None]
    observed = evidence.get("observed_term_months")
    if observed is None and isinstance(evidence.get("observed"), dict):
        observed = evidence["observed"].get("term_months")
    if not rows or observed is None:
        return pd.DataFrame(columns=["case_id", "term_months", "expected_months", "factors", "is_this"])
    rows.append({"case_id": record.get("case_id"), "term_months": float(observed),
                 "expected_months": evidence.get("expected_term_months"),
                 "factors": (evidence.get("factors") or {}).get("factors_zh"), "is_this": True})
    return pd.DataFrame(rows)


def judge_lawyer_comparison(judge_id: str | None, lawyer_id: str | None) -> pd.DataFrame:
    """The pair's civil cases against the judge's other civil cases: cases, designated share, side-won share.

    For the judge's other cases, 'side won' is the share won by the side the lawyer took most often
    in the pair's cases, so the two bars answer the same question.
    """
    if not judge_id or not lawyer_id:
        return pd.DataFrame()
    cases = load("dash_judge_lawyer_cases", judge_id=judge_id, lawyer_id=lawyer_id)
    if cases.empty or not cases["with_lawyer"].any():
        return pd.DataFrame()
    pair = cases[cases["with_lawyer"]]
    others = cases[~cases["with_lawyer"]]
    side = pair["lawyer_side"].mode().iloc[0] if pair["lawyer_side"].notna().any() else "plaintiff"

    def summary(group: pd.DataFrame, won: pd.Series) -> dict:
        assigned = group["assignment"].dropna()
        return {"cases": int(len(group)), "decided": int(won.notna().sum()),
                "side_won_share": float(won.dropna().astype(float).mean()) if won.notna().any() else None,
                "designated_share": float((assigned == "designated").mean()) if len(assigned) else None}

    decided_others = others["prevailing_side"].where(others["prevailing_side"].isin(["plaintiff", "defendant", "partial"]))
    other_won = decided_others.map(lambda s: None if pd.isna(s) else s == side)
    rows = [dict(group="pair", **summary(pair, pair["lawyer_won"])), dict(group="others", **summary(others, other_won))]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- people and courts (plain case data)

@st.cache_data(max_entries=8, show_spinner=False)
def _judges(version, scope) -> pd.DataFrame:
    frame = _query("dash_judges", scope=scope)
    frame["label"] = [judge_label(j, m) for j, m in zip(frame["judge_id"], frame["name_masked"])]
    return frame


def judges() -> pd.DataFrame:
    version = db_version()
    if version is None:
        return pd.DataFrame(columns=["judge_id", "court_id", "court_name", "role", "name_masked", "cases", "label"])
    return _judges(version, scope_key())


def judge_label(judge_id, masked_name) -> str | None:
    """A judge as the dashboard names them: pseudonymous id, then the masked name (张**)."""
    if judge_id is None or (isinstance(judge_id, float) and np.isnan(judge_id)):
        return None
    if isinstance(masked_name, str) and masked_name:
        return f"{judge_id}（{masked_name}）"
    return str(judge_id)


def unit_rates(unit: str, unit_id: str, period=None) -> pd.DataFrame:
    """A judge's (unit='judge') or court's (unit='court') rates against peers; see dash_unit_rates.sql."""
    start, end = period_dates(period)
    return load("dash_unit_rates", unit=unit, unit_id=unit_id, start=start, end=end)


# ---------------------------------------------------------------- data quality

def quarantine(limit: int = 5000) -> pd.DataFrame:
    return load("dash_quarantine", limit=int(limit))


def import_files() -> pd.DataFrame:
    return load("dash_import_files")


# ---------------------------------------------------------------- model cards

REPO_DOCS = Path(__file__).resolve().parent.parent / "docs"


def _cards_from_registry() -> list[dict]:
    try:
        from courtwatch.reporting.modelcards import cards
        return cards()
    except ImportError:  # the generator of docs/detectors.md; the registry says the same
        from courtwatch.detectors.registry import DETECTORS
        return [{"name": d.name, "category": d.category, "subject_type": d.subject_type, "title_zh": d.title_zh,
                 "title_en": d.title_en, "needs": ", ".join(d.needs), "method": d.method,
                 "legal_basis": d.legal_basis, "false_alarm_control": d.false_alarm_control,
                 "limitations": d.limitations} for d in DETECTORS]


def _flatten(values: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def detector_thresholds(detector, config) -> dict:
    """The configuration values a detector reads, as the run used them.

    A rule's own parameters are asked from the rule; a statistical detector's are the [stats] and
    [patterns] keys its class (or, failing that, its module) names in its source, plus the
    false-discovery target every statistical detector shares.
    """
    rule = getattr(detector, "rule", None)
    if rule is not None:
        try:
            params = rule.params(SimpleNamespace(config=config, as_of=dt.date.today(), con=None))
        except Exception:  # a rule whose parameters need more than config: show none rather than fail the page
            params = {}
        return {k: v for k, v in params.items() if isinstance(v, (int, float)) and k != "as_of"}
    sections = {k: v for section in ("stats", "patterns") for k, v in _flatten(config.section(section)).items()}
    module = inspect.getmodule(type(detector))
    settings = getattr(module, "settings", None)  # a detector family's [stats] keys with documented defaults
    if callable(settings):
        try:
            sections = {**settings(SimpleNamespace(config=config, as_of=dt.date.today(), con=None)), **sections}
        except Exception:  # defaults unavailable: the configured values alone are still right
            pass
    try:
        source = inspect.getsource(type(detector))
        module_source = inspect.getsource(inspect.getmodule(type(detector)))
    except (OSError, TypeError):
        source = module_source = ""
    named = {k: v for k, v in sections.items() if re.search(rf"\b{re.escape(k)}\b", source)}
    if not set(named) - {"false_discovery_rate"}:
        named.update({k: v for k, v in sections.items() if re.search(rf"\b{re.escape(k)}\b", module_source)})
    if "false_discovery_rate" in sections:
        named.setdefault("false_discovery_rate", sections["false_discovery_rate"])
    return named


def quality_section(name: str) -> str | None:
    """The part of docs/quality.md about one detector (its headed sections naming it), if the file exists."""
    path = REPO_DOCS / "quality.md"
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    sections = re.split(r"(?m)^(?=#{1,4} )", text)
    hits = [s.strip() for s in sections if re.search(rf"\b{re.escape(name)}\b", s)]
    return "\n\n".join(hits) if hits else None


def quality_json(name: str) -> object | None:
    """The entry for one detector in docs/quality.json, if that file exists and has one."""
    path = REPO_DOCS / "quality.json"
    if not path.exists():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    if isinstance(content, dict):
        if name in content:
            return content[name]
        detectors = content.get("detectors")
        if isinstance(detectors, dict):
            return detectors.get(name)
        content = detectors if isinstance(detectors, list) else []
    if isinstance(content, list):
        hits = [e for e in content if isinstance(e, dict) and e.get("detector") == name]
        return hits or None
    return None


def model_cards() -> list[dict]:
    """Per registered detector: its card, the thresholds the latest run used, what it did in that run, quality."""
    stamps = tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in (REPO_DOCS / "quality.md", REPO_DOCS / "quality.json"))
    return _model_cards(db_version(), stamps)


@st.cache_data(max_entries=4, show_spinner=False)
def _model_cards(version, quality_stamps) -> list[dict]:
    from courtwatch.core.config import Config, load_config
    from courtwatch.detectors.registry import DETECTORS

    run_id = latest_run_id() if db_version() is not None else None
    report = load("dash_run_detectors", run_id=run_id) if run_id else pd.DataFrame()
    config = load_config()
    if not report.empty and report["config"].iloc[0]:
        try:
            config = Config(json.loads(report["config"].iloc[0]), source=f"run {run_id}")
        except ValueError:
            pass
    by_name = {d.name: d for d in DETECTORS}
    runs = {r["detector"]: r for r in report.drop(columns=["config"], errors="ignore").to_dict("records")} if not report.empty else {}
    cards = []
    for card in _cards_from_registry():
        detector = by_name.get(card["name"])
        cards.append({**card,
                      "kind": "rule" if getattr(detector, "rule", None) is not None else "statistical",
                      "thresholds": detector_thresholds(detector, config) if detector is not None else {},
                      "config_source": config.source,
                      "run": runs.get(card["name"]),
                      "quality_md": quality_section(card["name"]),
                      "quality_json": quality_json(card["name"])})
    return cards


# ---------------------------------------------------------------- the operational store

@st.cache_resource(show_spinner=False)
def _ops(url: str):
    from courtwatch.storage.opsstore import OpsStore
    return OpsStore.open(url=url)


def ops():
    """The operational store (dispositions, audit trail): COURTWATCH_OPS_URL, else SQLite beside the database."""
    from courtwatch.storage.opsstore import default_url
    return _ops(default_url(None))


def current_dispositions() -> dict:
    try:
        return ops().current()
    except UserError:
        return {}


def current_review(flag_id: str) -> str:
    """The latest decision on a flag, or 'unreviewed'."""
    latest = current_dispositions().get(flag_id)
    return latest["decision"] if latest else vocabulary.UNREVIEWED


def disposition_history(flag_id: str) -> pd.DataFrame:
    rows = ops().history(flag_id)
    return pd.DataFrame(rows, columns=["id", "flag_id", "decision", "reason", "decided_by", "decided_at", "run_id",
                                       "detector", "subject_id", "court_id"])


def record_disposition(record: dict, decision: str, reason: str, reviewer: str) -> int:
    """Store a reviewer's decision on a flag (UserError without a decision, a reason or a reviewer)."""
    if not reviewer or not reviewer.strip():
        raise UserError("a disposition needs the reviewer's name")
    return ops().record_disposition(record["flag_id"], decision, reason, reviewer, run_id=record.get("run_id"),
                                    detector=record.get("detector"), subject_id=record.get("subject_id"),
                                    court_id=record.get("court_id"))


def audit_view(actor: str, flag_id: str) -> None:
    ops().audit(actor, "view_flag", flag_id)


def audit(actor: str, action: str, target: str | None = None, detail: dict | None = None) -> None:
    ops().audit(actor, action, target, detail)


def reveal_judge_name(judge_id: str, actor: str) -> str | None:
    """A judge's real name, for a user whose role allows it; the reveal is written to the audit trail."""
    frame = _query("judge_name", scope=user_scope(), judge_id=judge_id)  # never cached: every reveal is audited
    name = frame["name"].iloc[0] if not frame.empty else None
    ops().audit(actor, "reveal_name", judge_id, {"found": name is not None})
    return name


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


# ---------------------------------------------------------------- the sentencing review list (a review aid, not flags)

REVIEW_COLUMNS = ["run_id", "defendant_id", "case_id", "court_id", "judge_id", "period", "rank_in_court_period",
                  "p_calibrated", "z", "ratio_to_expected", "expected_months", "term_months", "peer_group", "peer_n",
                  "peer_median_months", "peer_q25_months", "peer_q75_months", "peer_spread_log", "factors",
                  "similar_cases", "court_name", "charge", "sentence_kind", "judge_name_masked", "judge_label"]


@st.cache_data(max_entries=8, show_spinner=False)
def _review_list(version, scope, run_id: str) -> pd.DataFrame:
    frame = _query("sentencing_review_of_run", scope=scope, run_id=run_id)
    frame["judge_label"] = [judge_label(j, m) for j, m in zip(frame["judge_id"], frame["judge_name_masked"])]
    return frame


def review_list(run_id: str | None = None) -> pd.DataFrame:
    """The latest (or given) run's sentencing review list in the user's courts, ranked per court and year.

    detectors/sentencing_review.py makes it; other courts' similar cases arrive without case number or
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

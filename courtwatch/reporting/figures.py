"""Period- and scope-bound figures: the single source of every number in a briefing.

Flow: published database (flags of a run, cases, quarantine) + dispositions from the operational store
→ `Figures(con, period, court_id)` → small DataFrames / dicts → briefings (courtwatch/reporting/briefing).
The dashboard filters a run's flags to what a user picks and counts them with the module functions at the
end (`counts_by_*`, `flag_totals`, `review_outcomes`; its funnel, heat map and pair comparison too); the
headline and the category × level table of a briefing count with the same functions, so the same flags
make the same numbers on screen and in a PDF. The dashboard never computes a figure itself.

Which flags belong to a period (docs/briefings.md): the flags of one run (the latest unless given) whose
case's *flag date* — its closing date, else its filing date — falls in the period. Flags about a judge,
a court or a judge–lawyer pair have no case date: they are *standing warnings* as of the run and are
never counted in a period. Scope: a court and every court under it (courts.parent_id); nothing outside
the scope is read into a Figures object.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cached_property

import duckdb
import numpy as np
import pandas as pd

from courtwatch import queries
from courtwatch.core.errors import UserError
from courtwatch.core.vocabulary import CATEGORIES, DECISIONS, LEVELS_STRONGEST_FIRST, PENDING, REVIEW_STATES

DISPARITY_DETECTOR = "sentencing_disparity_audit"
TERMINATION_TREND_MONTHS = 12
# what sentencing_disparity_audit notes when no court had enough sentences to be tested
_NOTHING_TESTED = "no court with enough data to test"

_PERIOD = re.compile(r"^\s*(\d{4})(?:-(?:(0[1-9]|1[0-2])|[Qq]([1-4])))?\s*$")


# ----------------------------------------------------------------------------------------------- periods

@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year: `2024-06`, `2024-Q2`, `2024`."""

    kind: str  # month | quarter | year
    year: int
    number: int  # month 1–12, quarter 1–4, or 0 for a year

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = _PERIOD.match(str(text))
        if not match:
            raise UserError(f"period {text!r} is not a month (2024-06), a quarter (2024-Q2) or a year (2024)")
        year, month, quarter = match.groups()
        if month:
            return cls("month", int(year), int(month))
        if quarter:
            return cls("quarter", int(year), int(quarter))
        return cls("year", int(year), 0)

    @property
    def start(self) -> dt.date:
        if self.kind == "month":
            return dt.date(self.year, self.number, 1)
        if self.kind == "quarter":
            return dt.date(self.year, 3 * self.number - 2, 1)
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        last_month = {"month": self.number, "quarter": 3 * self.number, "year": 12}[self.kind]
        return dt.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        if self.kind == "month":
            return Period("month", self.year - (self.number == 1), 12 if self.number == 1 else self.number - 1)
        if self.kind == "quarter":
            return Period("quarter", self.year - (self.number == 1), 4 if self.number == 1 else self.number - 1)
        return Period("year", self.year - 1, 0)

    @property
    def code(self) -> str:
        return {"month": f"{self.year}-{self.number:02d}", "quarter": f"{self.year}-Q{self.number}",
                "year": f"{self.year}"}[self.kind]

    def label(self, lang: str = "zh") -> str:
        """2024年6月 / 2024年第二季度 / 2024年; June 2024 / Q2 2024 / 2024."""
        if self.kind == "month":
            return f"{self.year}年{self.number}月" if lang == "zh" else f"{calendar.month_name[self.number]} {self.year}"
        if self.kind == "quarter":
            return f"{self.year}年第{'一二三四'[self.number - 1]}季度" if lang == "zh" else f"Q{self.number} {self.year}"
        return f"{self.year}年" if lang == "zh" else str(self.year)

    def contains(self, dates: pd.Series) -> pd.Series:
        values = pd.to_datetime(dates)
        return (values >= pd.Timestamp(self.start)) & (values <= pd.Timestamp(self.end))

    def __str__(self) -> str:
        return self.code


def parse_period(text: str | Period) -> Period:
    return text if isinstance(text, Period) else Period.parse(text)


# ----------------------------------------------------------------------------------------------- scope

@dataclass(frozen=True)
class Scope:
    """The courts a briefing covers. `court_id` None = every court in the database."""

    court_id: str | None
    courts: pd.DataFrame  # court_id, name, level, parent_id, depth

    @property
    def court_ids(self) -> list[str]:
        return self.courts["court_id"].tolist()

    @property
    def all_courts(self) -> bool:
        return self.court_id is None

    @property
    def name(self) -> str | None:
        if self.court_id is None:
            return None
        return self.names.get(self.court_id)

    @property
    def names(self) -> dict[str, str]:
        return dict(zip(self.courts["court_id"], self.courts["name"].fillna("")))


def scope(con: duckdb.DuckDBPyConnection, court_id: str | None) -> Scope:
    courts = queries.run(con, "brief_scope_courts", court_id=court_id)
    if court_id is not None and courts.empty:
        raise UserError(f"no court {court_id!r} in the database; give a court_id from the courts table")
    return Scope(court_id, courts)


# ----------------------------------------------------------------------------------------------- figures

class Figures:
    """Every figure of one period and scope, from one run, with the dispositions recorded so far.

    `dispositions` is `OpsStore.current()` (flag_id → latest disposition); None counts every flag as
    not yet reviewed. All frames are restricted to the scope; nothing else is ever loaded.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, period: str | Period, court_id: str | None = None,
                 run_id: str | None = None, dispositions: dict[str, dict] | None = None):
        self.con = con
        self.period = parse_period(period)
        self.scope = scope(con, court_id)
        run = queries.run(con, "brief_run", run_id=run_id)
        if run.empty:
            raise UserError(f"no detection run {run_id}" if run_id else
                            "no detection run yet; run `courtwatch detect` first")
        self.run = {k: (None if _isna(v) else v) for k, v in run.iloc[0].to_dict().items()}
        self.run["as_of"] = pd.Timestamp(self.run["as_of"]).date()
        if self.period.start > self.run["as_of"]:
            raise UserError(f"period {self.period} begins after the data: run {self.run['run_id']} looks at data "
                            f"as of {self.run['as_of']}; choose an earlier period or import newer data")
        self.dispositions = dispositions or {}

    # ---------------------------------------------------------------- flags
    @cached_property
    def _scoped_flags(self) -> pd.DataFrame:
        flags = queries.run(self.con, "brief_flags", run_id=self.run["run_id"], court_ids=self.scope.court_ids,
                            all_courts=self.scope.all_courts)
        flags["decision"] = [self.dispositions.get(f, {}).get("decision") or PENDING for f in flags["flag_id"]]
        flags["decided_at"] = pd.to_datetime(
            [self.dispositions.get(f, {}).get("decided_at") for f in flags["flag_id"]])
        flags["reviewed"] = flags["decision"] != PENDING
        for column in ("filed_on", "closed_on", "flag_date"):
            flags[column] = pd.to_datetime(flags[column])
        flags["standing"] = flags["standing"].astype(bool)
        return flags

    def period_flags(self, period: str | Period | None = None, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
        """Case-bearing flags whose flag date (closing, else filing date of the case) is in the period
        (only `columns` of them when given: a count over a period need not copy twenty columns)."""
        period = parse_period(period) if period is not None else self.period
        cache = self.__dict__.setdefault("_period_cache", {})
        key = (period.code, columns)
        if key not in cache:  # a briefing asks for the same period a dozen times (0.5 s at scale 100)
            flags = self._scoped_flags
            chosen = ~flags["standing"] & period.contains(flags["flag_date"])
            cache[key] = (flags if columns is None else flags[list(columns)])[chosen].reset_index(drop=True)
        return cache[key].copy(deep=False)  # copy-on-write: a caller's change never reaches the cache

    def standing_flags(self) -> pd.DataFrame:
        """Flags about a judge, a court or a judge–lawyer pair, as of the run (not tied to a period)."""
        if "_standing_cache" not in self.__dict__:
            flags = self._scoped_flags
            self.__dict__["_standing_cache"] = flags[flags["standing"]].reset_index(drop=True)
        return self.__dict__["_standing_cache"].copy(deep=False)

    # ---------------------------------------------------------------- headline
    def headline(self) -> pd.DataFrame:
        """One row per indicator: indicator, current, previous, change (current − previous).

        Indicators: flags, flags_<category>, flags_high, cases, reviewed, reviewed_share (0–1),
        standing (as of the run; no previous value).
        """
        now, before = self.period_flags(), self.period_flags(self.period.previous())
        rows = []

        def add(indicator, current, previous):
            change = None if previous is None or current is None else current - previous
            rows.append({"indicator": indicator, "current": current, "previous": previous, "change": change})

        totals_now, totals_before = flag_totals(now, now["reviewed"]), flag_totals(before, before["reviewed"])
        for indicator in totals_now:
            add(indicator, totals_now[indicator], totals_before[indicator])
        add("standing", len(self.standing_flags()), None)
        return pd.DataFrame(rows, dtype=object)

    def headline_dict(self) -> dict[str, dict]:
        return {r["indicator"]: r for r in self.headline().to_dict("records")}

    # ---------------------------------------------------------------- distributions
    def by_category_level(self) -> pd.DataFrame:
        """One row per category: category, high, medium, low, total (period flags)."""
        counts = counts_by_category_level(self.period_flags())
        table = counts.pivot(index="category", columns="level", values="n") if not counts.empty else pd.DataFrame()
        table = table.reindex(index=list(CATEGORIES), columns=list(LEVELS_STRONGEST_FIRST), fill_value=0).fillna(0).astype(int)
        table["total"] = table.sum(axis=1)
        return table.rename_axis(None, axis=1).reset_index(names="category")

    def by_detector(self) -> pd.DataFrame:
        """One row per detector with period flags: category, detector, flags, high, cases."""
        flags = self.period_flags()
        if flags.empty:
            return pd.DataFrame(columns=["category", "detector", "flags", "high", "cases"])
        out = flags.assign(high=flags["level"] == "high").groupby(["category", "detector"]).agg(
            flags=("flag_id", "size"), high=("high", "sum"), cases=("case_id", "nunique")).reset_index()
        out["high"] = out["high"].astype(int)
        return out.sort_values(["flags", "detector"], ascending=[False, True]).reset_index(drop=True)

    def by_court(self) -> pd.DataFrame:
        """One row per court of the scope: court_id, name, level, flags, per category, high, cases, reviewed,
        standing (standing warnings about the court or its judges)."""
        flags, standing = self.period_flags(), self.standing_flags()
        courts = self.scope.courts[["court_id", "name", "level"]].copy()
        unlisted = sorted(set(flags["court_id"].dropna()) - set(courts["court_id"]))  # whole database only
        if unlisted:
            courts = pd.concat([courts, pd.DataFrame({"court_id": unlisted, "name": None, "level": None})],
                               ignore_index=True)
        grouped = flags.groupby("court_id")
        courts["flags"] = courts["court_id"].map(grouped.size()).fillna(0).astype(int)
        for category in CATEGORIES:
            counts = flags[flags["category"] == category].groupby("court_id").size()
            courts[category] = courts["court_id"].map(counts).fillna(0).astype(int)
        courts["high"] = courts["court_id"].map(flags[flags["level"] == "high"].groupby("court_id").size()) \
            .fillna(0).astype(int)
        courts["cases"] = courts["court_id"].map(grouped["case_id"].nunique()).fillna(0).astype(int)
        courts["reviewed"] = courts["court_id"].map(grouped["reviewed"].sum()).fillna(0).astype(int)
        courts["standing"] = courts["court_id"].map(standing.groupby("court_id").size()).fillna(0).astype(int)
        return courts.sort_values(["flags", "court_id"], ascending=[False, True]).reset_index(drop=True)

    def by_judge(self) -> pd.DataFrame:
        """One row per judge (pseudonymous judge_id; names are never read) with period flags:
        judge_id, court_id, flags, per category, high, cases, standing (standing warnings on the judge)."""
        flags, standing = self.period_flags(), self.standing_flags()
        flags = flags[flags["judge_id"].notna()]
        columns = ["judge_id", "court_id", "flags", *CATEGORIES, "high", "cases", "standing"]
        if flags.empty:
            return pd.DataFrame(columns=columns)
        out = flags.assign(high=flags["level"] == "high").groupby("judge_id").agg(
            court_id=("court_id", "first"), flags=("flag_id", "size"), high=("high", "sum"),
            cases=("case_id", "nunique"))
        for category in CATEGORIES:
            out[category] = flags[flags["category"] == category].groupby("judge_id").size()
        judge_standing = standing[standing["judge_id"].notna()].groupby("judge_id").size()
        out["standing"] = out.index.map(judge_standing)
        out = out.fillna(0).reset_index()
        for column in ("flags", *CATEGORIES, "high", "cases", "standing"):
            out[column] = out[column].astype(int)
        return out[columns].sort_values(["flags", "high", "judge_id"], ascending=[False, False, True]) \
            .reset_index(drop=True)

    def by_month(self) -> pd.DataFrame:
        """Period flags per calendar month of their flag date: month, flags, per category."""
        flags = self.period_flags()
        months = pd.date_range(self.period.start, self.period.end, freq="MS")
        month = flags["flag_date"].dt.to_period("M").dt.to_timestamp()
        out = pd.DataFrame({"month": months})
        out["flags"] = out["month"].map(month.value_counts()).fillna(0).astype(int)
        for category in CATEGORIES:
            out[category] = out["month"].map(month[flags["category"] == category].value_counts()).fillna(0).astype(int)
        return out

    def sentencing_by_charge(self) -> pd.DataFrame:
        """Sentencing flags on defendants in the period, per charge: charge, flags, high, per detector count."""
        flags = self.period_flags()
        flags = flags[(flags["category"] == "sentencing") & (flags["subject_type"] == "defendant")]
        if flags.empty:
            return pd.DataFrame(columns=["charge", "flags", "high"])
        charge = flags["charge"].fillna("").replace("", None)
        out = flags.assign(charge=charge.fillna("?"), high=flags["level"] == "high").groupby("charge").agg(
            flags=("flag_id", "size"), high=("high", "sum")).reset_index()
        out["high"] = out["high"].astype(int)
        return out.sort_values(["flags", "charge"], ascending=[False, True]).reset_index(drop=True)

    # ---------------------------------------------------------------- serious flags and review
    def top_flags(self, n: int = 10) -> pd.DataFrame:
        """The n strongest period flags: highest level, then score, then detector and subject (stable)."""
        flags = self.period_flags()
        strength = {level: rank for rank, level in enumerate(LEVELS_STRONGEST_FIRST)}
        rank = flags["level"].map(strength).fillna(len(strength))
        return flags.assign(_rank=rank).sort_values(["_rank", "score", "detector", "subject_id"],
                                                    ascending=[True, False, True, True]) \
            .drop(columns="_rank").head(n).reset_index(drop=True)

    def review(self) -> pd.DataFrame:
        """Review progress: one row per decision (four decisions, then pending) with counts for the period's
        flags, the previous period's and the standing warnings; share = of the period's flags."""
        now, before, standing = self.period_flags(), self.period_flags(self.period.previous()), self.standing_flags()
        rows = []
        for decision in (*DECISIONS, PENDING):
            current = int((now["decision"] == decision).sum())
            rows.append({"decision": decision, "flags": current, "share": _share(current, len(now)),
                         "previous": int((before["decision"] == decision).sum()),
                         "standing": int((standing["decision"] == decision).sum())})
        return pd.DataFrame(rows)

    # ---------------------------------------------------------------- 终本
    @cached_property
    def _termination_months(self) -> pd.DataFrame:
        start = min(self.period.start, _months_back(self.period.end, TERMINATION_TREND_MONTHS))
        out = queries.run(self.con, "brief_termination_by_court_month", start=start, end=self.period.end,
                          court_ids=self.scope.court_ids, all_courts=self.scope.all_courts)
        out["month"] = pd.to_datetime(out["month"])
        return out

    def termination_share_by_court(self) -> pd.DataFrame:
        """终本 share of enforcement cases (执/执恢) closed in the period, per court of the scope with any:
        court_id, name, closed_cases, terminated_this_round, terminated_share."""
        months = self._termination_months
        months = months[self.period.contains(months["month"])]
        out = months.groupby("court_id")[["closed_cases", "terminated_this_round"]].sum().reset_index()
        out["terminated_share"] = out["terminated_this_round"] / out["closed_cases"]
        out.insert(1, "name", out["court_id"].map(self.scope.names))
        return out.sort_values(["terminated_share", "court_id"], ascending=[False, True]).reset_index(drop=True)

    def termination_share_total(self) -> dict:
        by_court = self.termination_share_by_court()
        closed, terminated = int(by_court["closed_cases"].sum()), int(by_court["terminated_this_round"].sum())
        return {"closed_cases": closed, "terminated_this_round": terminated, "terminated_share": _share(terminated, closed)}

    def termination_share_by_month(self) -> pd.DataFrame:
        """终本 share over the whole scope per month, for the 12 months up to the period's end (a trend)
        or the period's own months when it is longer: month, closed_cases, terminated_this_round, share."""
        months = self._termination_months
        first = min(pd.Timestamp(self.period.start), pd.Timestamp(_months_back(self.period.end, TERMINATION_TREND_MONTHS)))
        frame = pd.DataFrame({"month": pd.date_range(first, self.period.end, freq="MS")})
        sums = months.groupby("month")[["closed_cases", "terminated_this_round"]].sum()
        frame = frame.join(sums, on="month").fillna(0)
        frame["closed_cases"] = frame["closed_cases"].astype(int)
        frame["terminated_this_round"] = frame["terminated_this_round"].astype(int)
        frame["terminated_share"] = [_share(t, c) for t, c in zip(frame["terminated_this_round"], frame["closed_cases"])]
        frame["in_period"] = self.period.contains(frame["month"])
        return frame

    # ---------------------------------------------------------------- disparity audit
    def disparity_audit(self, registered: set[str] | None = None) -> dict:
        """The sentencing_disparity_audit's result in scope.

        {"status": "not_registered" | "not_run" | "skipped" | "failed" | "flags" | "none_found" | "not_tested",
         "note": run note (whole-database briefings only), "flags": DataFrame of its flags in scope}.
        """
        if registered is None:
            from courtwatch.reporting import detector_info
            registered = detector_info.names()
        flags = self._scoped_flags
        flags = flags[flags["detector"] == DISPARITY_DETECTOR].reset_index(drop=True)
        status_rows = self.detector_status()
        row = status_rows[status_rows["detector"] == DISPARITY_DETECTOR]
        note = None
        if row.empty:
            status = "not_registered" if DISPARITY_DETECTOR not in registered else "not_run"
        else:
            status = row["status"].iloc[0]
            run_note = row["note"].iloc[0] if isinstance(row["note"].iloc[0], str) else ""
            note = run_note if self.scope.all_courts else None
            if status in ("ok", "carried"):  # carried: the last full run's result, kept by an incremental run
                status = "flags" if not flags.empty else "none_found"
                if flags.empty and _NOTHING_TESTED in run_note:
                    status = "not_tested"  # no court had enough sentences: "none found" would overstate it
        return {"status": status, "note": note if isinstance(note, str) and note else None, "flags": flags}

    # ---------------------------------------------------------------- data quality and method
    def data_quality(self) -> pd.DataFrame:
        """Quarantined rows held now (all imports), attributed to the scope's courts:
        table_name, column_name, reason, problems, rows."""
        out = queries.run(self.con, "brief_quarantine_by_reason", court_ids=self.scope.court_ids,
                          all_courts=self.scope.all_courts)
        if out.empty:
            return pd.DataFrame(columns=["table_name", "column_name", "reason", "problems", "rows"])
        out = out.groupby(["table_name", "column_name", "reason"], dropna=False)[["problems", "rows"]].sum() \
            .reset_index()
        out["problems"] = out["problems"].astype(int)
        out["rows"] = out["rows"].astype(int)
        return out.sort_values(["table_name", "rows", "reason"], ascending=[True, False, True]).reset_index(drop=True)

    @cached_property
    def _detector_status(self) -> pd.DataFrame:
        return queries.run(self.con, "brief_run_detectors", run_id=self.run["run_id"])

    def detector_status(self) -> pd.DataFrame:
        """What each detector did in the run: detector, category, status, rows_skipped, note,
        period_flags and standing_flags (in scope). Whole-run counts and notes only for whole-database scope."""
        out = self._detector_status.copy()
        period, standing = self.period_flags(), self.standing_flags()
        out["period_flags"] = out["detector"].map(period.groupby("detector").size()).fillna(0).astype(int)
        out["standing_flags"] = out["detector"].map(standing.groupby("detector").size()).fillna(0).astype(int)
        if not self.scope.all_courts:
            # whole-run counts and notes describe other courts too: not part of a one-court briefing
            out["flag_count"] = None
            out["rows_skipped"] = None
            out["note"] = out["note"].where(out["status"] != "ok", None)
        return out


# ----------------------------------------------------------------------------------------------- counts of any flags
# The dashboard counts the flags a user filtered (dashboard/data_flags.py: a run's flags with `month` 'YYYY-MM'
# and `review`, the latest decision or 'unreviewed'); a briefing counts its period's flags with the same functions.

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


def flag_totals(flags: pd.DataFrame, reviewed: pd.Series) -> dict[str, int | float | None]:
    """The headline counts of a set of flags: flags, flags_<category> (every category), flags_high, cases,
    reviewed and reviewed_share (0–1, None without flags); `reviewed` marks the flags a reviewer decided on."""
    totals = {"flags": len(flags)}
    for category in CATEGORIES:
        totals[f"flags_{category}"] = int((flags["category"] == category).sum())
    totals["flags_high"] = int((flags["level"] == "high").sum())
    totals["cases"] = int(flags["case_id"].nunique())
    totals["reviewed"] = int(reviewed.sum())
    totals["reviewed_share"] = _share(totals["reviewed"], len(flags))
    return totals


# ----------------------------------------------------------------------------------------------- the dashboard's comparisons
# Figures drawn from the dashboard's own queries (queries/dash_*.sql), for any courts and months a user picks.

def termination_funnel(officers: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Officers' crude 终本 share (terminated / closed, queries/dash_termination_by_officer.sql) placed against
    funnel limits, with the limits' target, over-dispersion and number of officers.

    Limits come from detectors.stats.funnel over every officer given (the target is their pooled share,
    over-dispersion estimated from them): pass every officer, not only the chosen courts', so choosing a
    court does not move the limits.
    `position` says which limit an officer's share passes: above_998, above_95, below_998, below_95 or within.
    """
    from courtwatch.detectors.stats import funnel

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
    return officers, {"target": float(result.target), "phi": float(result.phi), "officers": int(len(officers))}


def sentencing_by_charge_court(cells: pd.DataFrame, max_courts: int = 30) -> pd.DataFrame:
    """Sentenced and flagged defendants per charge × court (queries/dash_sentencing_by_charge_court.sql) for the
    `max_courts` courts with the most sentenced defendants, with flagged ones per 100 defendants (per_100)."""
    busiest = cells.groupby("court_id")["defendants"].sum().sort_values(ascending=False).head(max_courts).index
    cells = cells[cells["court_id"].isin(busiest)].copy()
    cells["per_100"] = 100.0 * cells["flagged"] / cells["defendants"].clip(lower=1)
    return cells


def judge_lawyer_comparison(cases: pd.DataFrame) -> pd.DataFrame:
    """A judge–lawyer pair's civil cases against the judge's other civil cases (queries/dash_judge_lawyer_cases.sql):
    one row per group (pair, others) with cases, decided, side_won_share and designated_share; empty when the
    lawyer appears in none of the judge's cases.

    For the judge's other cases, 'side won' is the share won by the side the lawyer took most often
    in the pair's cases, so the two bars answer the same question.
    """
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


# ----------------------------------------------------------------------------------------------- one court against its peers
# A user who sees one court compares it with the other courts of its level (queries/peer_*.sql, run over the
# whole database): the rows of other courts arrive as numbers without any identifier, and these functions
# number them by rank, so "peer court 3" names a position in one chart, never a court.

PEER_MIN_DEFENDANTS = 5  # a court with fewer sentenced defendants of a charge gives no rate worth comparing


def peer_courts(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Flags per 100 closed cases of one court and of the other courts of its level
    (queries/peer_court_flag_rates.sql: is_this, flags, high, closed_cases).

    One row per court with closed cases, highest rate first: is_this, per_100, high_per_100, peer_number
    (1…n among the other courts by rank, None for the court itself). Summary: rank (1 = most flags per
    closed case, None when the court closed no case), courts (compared), per_100 (the court's), peer_median,
    without_cases (courts of the level that closed none in the period, left out).
    """
    columns = ["is_this", "per_100", "high_per_100", "peer_number"]
    if rows.empty:
        return pd.DataFrame(columns=columns), {"rank": None, "courts": 0, "per_100": None, "peer_median": None,
                                               "without_cases": 0}
    compared = rows[rows["closed_cases"] > 0].copy()
    compared["per_100"] = 100.0 * compared["flags"] / compared["closed_cases"]
    compared["high_per_100"] = 100.0 * compared["high"] / compared["closed_cases"]
    # ties: the court itself after its equals, so its rank is never flattered
    compared = compared.sort_values(["per_100", "is_this"], ascending=[False, True]).reset_index(drop=True)
    peers = ~compared["is_this"].astype(bool)
    compared["peer_number"] = pd.Series(np.where(peers, peers.cumsum(), 0), dtype="Int64").where(peers)
    this = compared[compared["is_this"].astype(bool)]
    summary = {"rank": int(this.index[0]) + 1 if not this.empty else None, "courts": int(len(compared)),
               "per_100": float(this["per_100"].iloc[0]) if not this.empty else None,
               "peer_median": float(compared.loc[peers, "per_100"].median()) if peers.any() else None,
               "without_cases": int((rows["closed_cases"] <= 0).sum())}
    return compared[columns], summary


def peer_sentencing_by_charge(rows: pd.DataFrame, min_defendants: int = PEER_MIN_DEFENDANTS) -> pd.DataFrame:
    """Per charge the court sentenced in the period: its sentenced defendants with a sentencing flag per 100
    against the other courts of its level (queries/peer_court_sentencing_by_charge.sql).

    One row per (charge, court) for the charges of the court itself: charge, is_this, per_100, peer_number
    (rank within the charge, highest first; None for the court itself), for the court itself only
    defendants and flagged, and peers (the other courts compared on the charge). Other courts with fewer
    than `min_defendants` of a charge are left out.
    """
    columns = ["charge", "is_this", "per_100", "peer_number", "defendants", "flagged"]
    if rows.empty:
        return pd.DataFrame(columns=columns + ["peers"])
    own = rows[rows["is_this"].astype(bool)]
    cells = rows[rows["charge"].isin(set(own["charge"]))
                 & (rows["is_this"].astype(bool) | (rows["defendants"] >= min_defendants))].copy()
    cells["per_100"] = 100.0 * cells["flagged"] / cells["defendants"].clip(lower=1)
    cells = cells.sort_values(["charge", "per_100", "is_this"], ascending=[True, False, True]).reset_index(drop=True)
    peers = ~cells["is_this"].astype(bool)
    cells["peer_number"] = pd.Series(peers.astype(int).groupby(cells["charge"]).cumsum(), dtype="Int64").where(peers)
    cells.loc[peers, ["defendants", "flagged"]] = None  # another court's counts are not shown, only its rate
    cells["peers"] = cells["charge"].map(peers.groupby(cells["charge"]).sum()).astype(int)
    return cells[columns + ["peers"]]


# ----------------------------------------------------------------------------------------------- helpers

def explanation(flag: dict | pd.Series, lang: str = "zh") -> str:
    """A flag's plain explanation in the language asked for (English from evidence.explanation_en)."""
    if lang == "en":
        text = flag.get("explanation_en")
        if not isinstance(text, str) or not text:
            try:
                text = json.loads(flag.get("evidence") or "{}").get("explanation_en")
            except (TypeError, ValueError):
                text = None
        if isinstance(text, str) and text:
            return text
    return str(flag.get("explanation") or "")


def _share(part, whole) -> float | None:
    return None if not whole else float(part) / float(whole)


def _isna(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _months_back(end: dt.date, months: int) -> dt.date:
    """First day of the month `months - 1` months before `end`'s month (a window of `months` months)."""
    index = end.year * 12 + end.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


__all__ = ["Period", "parse_period", "Scope", "scope", "Figures", "explanation", "counts_by_category_level",
           "counts_by_month", "counts_by_court", "counts_by_judge", "review_outcomes", "flag_totals",
           "termination_funnel", "sentencing_by_charge_court", "judge_lawyer_comparison", "peer_courts",
           "peer_sentencing_by_charge"]

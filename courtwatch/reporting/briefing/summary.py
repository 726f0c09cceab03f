"""A briefing's first page (通报首页) as counts and rules: 主要问题和建议, the quarterly trend, and the
warnings still waiting for review by responsible court. No words and no layout here.

Flow: courtwatch.reporting.figures.Figures (the period's and the standing flags, with their dispositions)
+ queries/brief_flag_first_seen.sql (when each warning first appeared) + the [briefing] settings of
config.toml → `first_page(figures, today)` → FirstPage → content.build words it (labels.py) → renderers.

Definitions (docs/briefings.md, "First page"):

- **unreviewed**: no disposition recorded in the operational store when the briefing is generated
  (the same moment as "reviewed" in figures.py);
- **overdue**: unreviewed, and the briefing's date is past the review deadline = the date the warning
  first appeared (the earliest run holding its flag_id) + `[briefing] review_deadline_days`;
- **responsible court**: the flag's court (else its case's court), as everywhere in the briefing;
- **quarterly trend**: the four calendar quarters ending with the quarter that holds the period's last day,
  each counted by the period rule of figures.py (a case-bearing flag belongs to its case's closing date,
  else its filing date), from the same run; a quarter that ends after the run's as-of date is partial.

The rules of 主要问题 — each yields a Point only when its condition holds, with the figures it rests on:

| rule | condition | figures |
|---|---|---|
| volume | always | warnings, previous period, change, high-level warnings and their share |
| rise | warnings rose by ≥ rise_min and ≥ rise_share of the previous count (or from none) | both counts, the change and its share, the category that rose most |
| category_rise | no overall rise, but a category rose by those thresholds (the largest such) | the category's two counts |
| high_category | any high-level warning | the category with most high-level warnings, its count and share, its most frequent rule or model |
| high_courts | several courts in scope and a court with two or more high-level warnings | up to three such courts, most first |
| review_share | warnings this period and share reviewed < review_share_target | reviewed, warnings, share, target, the previous share |
| overdue | any overdue warning (this period's or standing) | total, period, standing, of them high-level, the courts with most |
| standing | any unreviewed standing warning | standing warnings, unreviewed, overdue |
| quiet | warnings this period, none of rise, category_rise, review_share, overdue | the target |

Suggestions (建议) follow from the points that hold, one each, in a fixed order, and are actions for people
(review, read the files, record the reasons, explain a rise); they never say that a warning is a
finding. The last one always says that a warning must be reviewed by a person before anyone relies on it.
Levels are used as stored in the flags (detectors/triage.py sets them).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from courtwatch import queries
from courtwatch.core.config import Config, load_config
from courtwatch.core.vocabulary import CATEGORIES
from courtwatch.detectors.base import Settings
from courtwatch.reporting.figures import Figures, Period, flag_totals

FIRST_PAGE_COURTS = 10  # rows of the by-court table on the first page (the appendix and XLSX list every court)
NAMED_COURTS = 3  # courts named in one sentence


@dataclass(frozen=True)
class BriefingSettings(Settings):
    """The `[briefing]` table of config.toml: the review deadline and the thresholds of 主要问题."""

    section = "briefing"

    review_deadline_days: int
    rise_share: float
    rise_min: int
    review_share_target: float

    @classmethod
    def load(cls, config: Config | None = None) -> "BriefingSettings":
        return cls.from_config(config or load_config())


@dataclass(frozen=True)
class Point:
    """One rule that holds (a problem, or the suggestion that follows from it), with the figures behind it."""

    rule: str
    values: dict = field(default_factory=dict)


@dataclass
class FirstPage:
    settings: BriefingSettings
    today: dt.date  # the date overdue is judged on: the briefing's generation date
    points: list[Point]
    actions: list[Point]
    trend: pd.DataFrame  # one row per quarter, oldest first
    backlog: pd.DataFrame  # one row per responsible court with anything to review or reviewed this period
    backlog_total: dict  # the same columns summed over the scope


# ----------------------------------------------------------------------------------------------- counts

def first_seen(figures: Figures) -> pd.Series:
    """flag_id → when the warning first appeared (Timestamp), for every flag of the run in scope."""
    seen = queries.run(figures.con, "brief_flag_first_seen", run_id=figures.run["run_id"],
                       court_ids=figures.scope.court_ids, all_courts=figures.scope.all_courts)
    return pd.Series(pd.to_datetime(seen["first_seen_at"]).to_numpy(), index=seen["flag_id"].to_numpy())


def review_state(flags: pd.DataFrame, seen: pd.Series, deadline_days: int, today: dt.date) -> pd.DataFrame:
    """`flags` (with their `reviewed` column) plus first_seen_at, deadline (a date) and overdue.

    overdue = not reviewed and `today` is after the deadline (first appearance's date + deadline_days).
    A flag whose first appearance is unknown is never called overdue.
    """
    out = flags.copy()
    # a vectorised lookup: a dict of `seen` per call cost 0.2 s for 38,894 flags at scale 100, six calls a briefing
    unique = seen[~seen.index.duplicated()]
    first = pd.Series(unique.reindex(out["flag_id"].to_numpy()).to_numpy(), index=out.index).astype("datetime64[ns]")
    out["first_seen_at"] = first
    out["deadline"] = first.dt.normalize() + pd.Timedelta(days=int(deadline_days))
    out["overdue"] = (~out["reviewed"].astype(bool)) & out["deadline"].notna() & \
        (out["deadline"] < pd.Timestamp(today))
    return out


def trend_quarters(period: Period) -> list[Period]:
    """The four quarters ending with the quarter that holds the period's last day."""
    end = period.end
    quarters = [Period("quarter", end.year, (end.month - 1) // 3 + 1)]
    while len(quarters) < 4:
        quarters.insert(0, quarters[0].previous())
    return quarters


TREND_COLUMNS = ("flag_id", "category", "level", "case_id", "reviewed")  # what flag_totals and review_state read


def quarterly_trend(figures: Figures, seen: pd.Series, settings: BriefingSettings, today: dt.date) -> pd.DataFrame:
    """One row per quarter: quarter (code), start, end, flags, high, reviewed, reviewed_share, unreviewed,
    overdue, in_period (the quarter overlaps the briefing's period), partial (ends after the run's as-of date)."""
    rows = []
    for quarter in trend_quarters(figures.period):
        flags = review_state(figures.period_flags(quarter, TREND_COLUMNS), seen, settings.review_deadline_days, today)
        totals = flag_totals(flags, flags["reviewed"])
        rows.append({
            "quarter": quarter.code, "start": quarter.start, "end": quarter.end, "flags": totals["flags"],
            "high": totals["flags_high"], "reviewed": totals["reviewed"], "reviewed_share": totals["reviewed_share"],
            "unreviewed": totals["flags"] - totals["reviewed"], "overdue": int(flags["overdue"].sum()),
            "in_period": quarter.start <= figures.period.end and quarter.end >= figures.period.start,
            "partial": quarter.end > figures.run["as_of"]})
    return pd.DataFrame(rows)


BACKLOG_COUNTS = ("flags", "high", "reviewed", "unreviewed", "overdue", "standing", "standing_unreviewed",
                  "standing_overdue")


def backlog_by_court(now: pd.DataFrame, standing: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """One row per responsible court with a period warning or an unreviewed standing warning:
    court_id, name, flags, high, reviewed, unreviewed, overdue (this period's warnings), standing,
    standing_unreviewed, standing_overdue. Most overdue first, then most unreviewed."""
    def per_court(frame: pd.DataFrame, mask=None) -> pd.Series:
        frame = frame if mask is None else frame[mask]
        return frame.groupby(frame["court_id"].fillna("")).size()

    parts = {
        "flags": per_court(now), "high": per_court(now, now["level"] == "high"),
        "reviewed": per_court(now, now["reviewed"].astype(bool)),
        "unreviewed": per_court(now, ~now["reviewed"].astype(bool)), "overdue": per_court(now, now["overdue"]),
        "standing": per_court(standing),
        "standing_unreviewed": per_court(standing, ~standing["reviewed"].astype(bool)),
        "standing_overdue": per_court(standing, standing["overdue"]),
    }
    out = pd.DataFrame(parts).fillna(0).astype(int).rename_axis("court_id").reset_index()
    out = out[(out["flags"] > 0) | (out["standing_unreviewed"] > 0)]  # a court with nothing to show is left out
    out["court_id"] = out["court_id"].replace("", None)
    out.insert(1, "name", [names.get(c) or c for c in out["court_id"]])
    out = out.assign(_due=out["overdue"] + out["standing_overdue"], _open=out["unreviewed"] + out["standing_unreviewed"])
    out = out.sort_values(["_due", "_open", "flags", "court_id"], ascending=[False, False, False, True])
    return out.drop(columns=["_due", "_open"]).reset_index(drop=True)[["court_id", "name", *BACKLOG_COUNTS]]


# ----------------------------------------------------------------------------------------------- rules

def _rises(now: int, before: int, settings: BriefingSettings) -> bool:
    change = now - before
    return change >= settings.rise_min and (before == 0 or change / before >= settings.rise_share)


def _share(part, whole) -> float | None:
    return None if not whole else float(part) / float(whole)


def _top_courts(counts: pd.Series, names: dict[str, str], k: int = NAMED_COURTS) -> list[dict]:
    counts = counts[counts > 0]
    if counts.empty:
        return []
    frame = counts.rename("n").rename_axis("court_id").reset_index()
    frame = frame.sort_values(["n", "court_id"], ascending=[False, True]).head(k)
    return [{"court_id": c, "name": names.get(c) or c, "n": int(n)} for c, n in zip(frame["court_id"], frame["n"])]


def main_points(now: pd.DataFrame, before: pd.DataFrame, standing: pd.DataFrame, settings: BriefingSettings,
                names: dict[str, str], several_courts: bool) -> list[Point]:
    """The rules of the module docstring, in order, applied to this period's (`now`, with `overdue`), the
    previous period's and the standing (with `overdue`) flags."""
    totals, previous = flag_totals(now, now["reviewed"]), flag_totals(before, before["reviewed"])
    n, prev, high = totals["flags"], previous["flags"], totals["flags_high"]
    points = [Point("volume", {"flags": n, "previous": prev, "change": n - prev, "high": high,
                               "high_share": _share(high, n)})]

    changes = {c: (totals[f"flags_{c}"], previous[f"flags_{c}"]) for c in CATEGORIES}
    rising = sorted((c for c in CATEGORIES if changes[c][0] > changes[c][1]),
                    key=lambda c: (-(changes[c][0] - changes[c][1]), CATEGORIES.index(c)))
    if _rises(n, prev, settings):
        values = {"flags": n, "previous": prev, "change": n - prev, "share": _share(n - prev, prev)}
        if rising:
            c = rising[0]
            values.update(category=c, category_flags=changes[c][0], category_previous=changes[c][1])
        points.append(Point("rise", values))
    else:
        qualifying = [c for c in rising if _rises(*changes[c], settings)]
        if qualifying:
            c = qualifying[0]
            points.append(Point("category_rise", {
                "category": c, "flags": changes[c][0], "previous": changes[c][1],
                "change": changes[c][0] - changes[c][1], "share": _share(changes[c][0] - changes[c][1], changes[c][1])}))

    strong = now[now["level"] == "high"]
    if high:
        per_category = strong.groupby("category").size()
        top = sorted(per_category.index, key=lambda c: (-per_category[c], CATEGORIES.index(c) if c in CATEGORIES else 99))[0]
        in_top = strong[strong["category"] == top]
        detectors = in_top.groupby("detector").size().sort_index().sort_values(ascending=False, kind="stable")
        points.append(Point("high_category", {
            "high": high, "category": top, "n": int(per_category[top]), "share": _share(per_category[top], high),
            "detector": detectors.index[0], "detector_n": int(detectors.iloc[0])}))
        if several_courts:
            # named only where a court holds two or more: "the most" among courts with one each says nothing
            per_court = strong.groupby(strong["court_id"].fillna("")).size()
            courts = _top_courts(per_court[per_court >= 2], names)
            if courts:
                points.append(Point("high_courts", {"high": high, "courts": courts}))

    if n and (totals["reviewed_share"] or 0.0) < settings.review_share_target:
        points.append(Point("review_share", {
            "reviewed": totals["reviewed"], "flags": n, "share": totals["reviewed_share"],
            "target": settings.review_share_target, "previous_share": previous["reviewed_share"]}))

    overdue_now, overdue_standing = int(now["overdue"].sum()), int(standing["overdue"].sum())
    if overdue_now + overdue_standing:
        due = pd.concat([now[now["overdue"]], standing[standing["overdue"]]], ignore_index=True)
        points.append(Point("overdue", {
            "total": overdue_now + overdue_standing, "period": overdue_now, "standing": overdue_standing,
            "high": int((due["level"] == "high").sum()), "days": settings.review_deadline_days,
            "courts": _top_courts(due.groupby(due["court_id"].fillna("")).size(), names) if several_courts else []}))

    standing_open = int((~standing["reviewed"].astype(bool)).sum())
    if standing_open:
        points.append(Point("standing", {"standing": len(standing), "unreviewed": standing_open,
                                         "overdue": overdue_standing}))

    if n and not {p.rule for p in points} & {"rise", "category_rise", "review_share", "overdue"}:
        points.append(Point("quiet", {"target": settings.review_share_target, "days": settings.review_deadline_days}))
    return points


ACTION_ORDER = ("overdue", "high_category", "rise", "category_rise", "review_share", "standing", "quiet")


def actions_for(points: list[Point]) -> list[Point]:
    """One suggestion per point that asks for action, in ACTION_ORDER, then the closing caution."""
    by_rule = {p.rule: p for p in points}
    actions = []
    for rule in ACTION_ORDER:
        point = by_rule.get(rule)
        if point is None:
            continue
        actions.append(Point(rule, dict(point.values)))  # high_courts needs no step of its own: the point names them
    actions.append(Point("caution"))
    return actions


# ----------------------------------------------------------------------------------------------- the page

def first_page(figures: Figures, today: dt.date, settings: BriefingSettings | None = None) -> FirstPage:
    """Everything the first page shows, for `figures`' period and scope, judged on `today`."""
    settings = settings or BriefingSettings.load()
    seen = first_seen(figures)
    deadline = settings.review_deadline_days
    now = review_state(figures.period_flags(), seen, deadline, today)
    before = figures.period_flags(figures.period.previous())
    standing = review_state(figures.standing_flags(), seen, deadline, today)
    names = figures.scope.names
    several = len(figures.scope.court_ids) > 1
    points = main_points(now, before, standing, settings, names, several)
    backlog = backlog_by_court(now, standing, names)
    everything = backlog_by_court(now.assign(court_id="*"), standing.assign(court_id="*"), {})
    total = {k: int(everything[k].sum()) for k in BACKLOG_COUNTS}  # courts left out of the table included
    return FirstPage(settings=settings, today=today, points=points, actions=actions_for(points),
                     trend=quarterly_trend(figures, seen, settings, today), backlog=backlog, backlog_total=total)


__all__ = ["BriefingSettings", "Point", "FirstPage", "first_page", "first_seen", "review_state", "trend_quarters",
           "quarterly_trend", "backlog_by_court", "main_points", "actions_for", "BACKLOG_COUNTS", "FIRST_PAGE_COURTS"]

"""The plotly charts of the pages, and drawing them: a chart's title above it, a click on a point returned once.

Each figure function takes a frame from the data_* modules (counted by courtwatch/reporting/figures.py)
and only draws it; colours are keyed by the vocabulary's codes (courtwatch/core/vocabulary.py).
"""
from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from courtwatch.core.vocabulary import CATEGORIES, LEVELS_STRONGEST_FIRST, UNREVIEWED

from .labels import category_label, event_label, level_label, review_label, tr
from .state import digest, lang

LEVEL_COLOURS = {"high": "#c0392b", "medium": "#e67e22", "low": "#f1c40f"}
CATEGORY_COLOURS = {"sentencing": "#2e86c1", "enforcement": "#8e44ad", "integrity": "#16a085",
                    "data_quality": "#7f8c8d"}
# one colour per review state (vocabulary.REVIEW_STATES)
REVIEW_COLOURS = {UNREVIEWED: "#bdc3c7", "confirm_concern": "#c0392b", "dismiss": "#27ae60", "escalate": "#8e44ad",
                  "needs_information": "#f39c12"}
CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _layout(fig: go.Figure, height: int = 320, **kwargs) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), font=dict(family=CJK_FONT),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0), **kwargs)
    return fig


# ---------------------------------------------------------------- built once, drawn on every rerun

_BUILDERS: dict[str, Callable[..., go.Figure]] = {}


@st.cache_resource(max_entries=128, show_spinner=False)
def _built(name: str, language: str, args: tuple, kwargs: dict) -> go.Figure:
    """A figure built from its inputs (hashed by value) in one language, kept without its title (chart() writes
    the title above it). Shared by every session and never modified: st.plotly_chart only reads it."""
    fig = _BUILDERS[name](*args, **kwargs)
    fig._courtwatch_title = fig.layout.title.text
    fig.update_layout(title=None)
    return fig


def cached(build: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """Build a figure once per distinct input and language: plotly's validation of every property costs
    20-300 ms a figure, which a rerun with the same data would pay again."""
    _BUILDERS[build.__name__] = build

    @functools.wraps(build)
    def wrapper(*args, **kwargs) -> go.Figure:
        return _built(build.__name__, lang(), args, kwargs)
    return wrapper


def chart(fig: go.Figure, key: str, clickable: bool = True) -> dict | None:
    """Draw a plotly figure under its title; a clickable chart returns the point just clicked (or None)."""
    if hasattr(fig, "_courtwatch_title"):  # a cached figure: its title was taken off when it was built
        title = fig._courtwatch_title
    else:
        title = fig.layout.title.text
        fig.update_layout(title=None)
    if title:
        st.markdown(f"**{title}**")
    if clickable:
        event = st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points", width="stretch",
                                config={"displayModeBar": False})
        return clicked(event, key)
    st.plotly_chart(fig, key=key, width="stretch", config={"displayModeBar": False})
    return None


def selected_point(event) -> dict | None:
    """The first point a user clicked in a plotly chart (with its customdata), or None."""
    try:
        points = event.selection.points if event and event.selection else []
    except AttributeError:
        return None
    return points[0] if points else None


def clicked(event, key: str) -> dict | None:
    """A point newly clicked in chart `key`; a selection kept from before (on returning to the page) is not new."""
    point = selected_point(event)
    memory = f"choice_clicked_{key}"
    if not point:
        st.session_state.pop(memory, None)
        return None
    signature = digest(point.get("customdata"), point.get("x"), point.get("y"))
    if st.session_state.get(memory) == signature:
        return None
    st.session_state[memory] = signature
    return point


def custom(point: dict, index: int = 0):
    value = point.get("customdata")
    if isinstance(value, (list, tuple)):
        return value[index] if len(value) > index else None
    return value if index == 0 else None


# ---------------------------------------------------------------- the figures

@cached
def category_level_figure(counts: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for level in LEVELS_STRONGEST_FIRST:
        part = counts.loc[counts["level"] == level, ["category", "n"]].set_index("category") \
            .reindex(list(CATEGORIES)).fillna({"n": 0})
        fig.add_bar(name=level_label(level), x=[category_label(c) for c in part.index], y=part["n"],
                    marker_color=LEVEL_COLOURS[level], customdata=[[c, level] for c in part.index],
                    hovertemplate="%{x} · " + level_label(level) + ": %{y}<extra></extra>")
    return _layout(fig, barmode="stack", title=tr("chart_by_category"), xaxis=dict(tickangle=0))


def month_axis(months) -> dict:
    """A readable month axis: dates shown as 2024-03, horizontal, one tick every 1, 3, 6 or 12 months so that
    at most about eight ticks show across the months' range (category ticks of 36 months stood upright)."""
    dates = _month_dates(pd.Series(list(months), dtype=str))
    if dates.empty:
        return dict(type="date", tickformat="%Y-%m", tickangle=0)
    first, last = dates.min(), dates.max()
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if span / s <= 8)
    return dict(type="date", tickformat="%Y-%m", dtick=f"M{step}", tickangle=0, hoverformat="%Y-%m",
                range=[first - pd.Timedelta(days=20), last + pd.offsets.MonthEnd(0) + pd.Timedelta(days=20)])


def _month_dates(months: pd.Series) -> pd.Series:
    return pd.to_datetime(months.astype(str) + "-01")


MONTH_BAR_MS = 24 * 86_400_000  # a month's bar: 24 days wide, drawn from the middle of its month


def _mid_month(months: pd.Series) -> pd.Series:
    return _month_dates(months) + pd.Timedelta(days=14)


@cached
def month_figure(counts: pd.DataFrame, title_key: str = "chart_by_month") -> go.Figure:
    fig = go.Figure()
    for category in CATEGORIES:
        part = counts[counts["category"] == category]
        if part.empty:
            continue
        fig.add_bar(name=category_label(category), x=_mid_month(part["month"]), y=part["n"], width=MONTH_BAR_MS,
                    marker_color=CATEGORY_COLOURS[category], customdata=[[category, m] for m in part["month"]])
    return _layout(fig, barmode="stack", title=tr(title_key), xaxis=month_axis(counts["month"]))


@cached
def ranking_figure(frame: pd.DataFrame, label: str, key_column: str, title: str) -> go.Figure:
    frame = frame.iloc[::-1]
    fig = go.Figure(go.Bar(x=frame["n"], y=frame[label], orientation="h", marker_color="#5d6d7e",
                           customdata=frame[[key_column]].to_numpy(), text=frame["n"], textposition="auto",
                           hovertemplate="%{y}: %{x}<extra></extra>"))
    return _layout(fig, height=max(260, 24 * len(frame) + 80), title=title, yaxis=dict(type="category"))


@cached
def outcomes_figure(outcomes: pd.DataFrame) -> go.Figure:
    colours = REVIEW_COLOURS
    shown = outcomes[outcomes["n"] > 0]
    fig = go.Figure(go.Pie(labels=[review_label(r) for r in shown["review"]], values=shown["n"], hole=0.5,
                           marker_colors=[colours[r] for r in shown["review"]], customdata=shown["review"],
                           sort=False))
    return _layout(fig, title=tr("chart_outcomes"))


@cached
def funnel_figure(officers: pd.DataFrame, summary: dict, title: str | None = None) -> go.Figure:
    """Officers' 终本 share against closed cases; limits from detectors.stats.funnel, sorted by size."""
    fig = go.Figure()
    for column, dash, name in (("upper998", "dot", tr("limit_998")), ("upper95", "dash", tr("limit_95")),
                               ("lower95", "dash", None), ("lower998", "dot", None)):
        fig.add_scatter(x=officers["closed"], y=officers[column].clip(0, 1), mode="lines", line=dict(color="#7f8c8d", dash=dash, width=1),
                        name=name or column, showlegend=name is not None, hoverinfo="skip")
    fig.add_hline(y=summary.get("target", 0), line=dict(color="#34495e", width=1),
                  annotation_text=tr("funnel_target", target=f"{summary.get('target', 0):.1%}"))
    context = officers[~officers["in_scope"]]
    if not context.empty:  # the limits' other officers: anonymous where the user may not see their court
        fig.add_scatter(x=context["closed"], y=context["share"], mode="markers", name=tr("other_officers"),
                        marker=dict(color="#d5d8dc", size=5, line=dict(width=0)), hoverinfo="skip")
    shown = officers[officers["in_scope"]]
    colours = shown["position"].map({"above_998": "#c0392b", "above_95": "#e67e22", "below_998": "#2471a3",
                                     "below_95": "#5dade2", "within": "#566573"})
    few = len(shown) <= 12 and not context.empty  # a handful of the user's officers among many: name them
    fig.add_scatter(x=shown["closed"], y=shown["share"], mode="markers+text" if few else "markers", name=tr("officers"),
                    marker=dict(color=colours, size=10 if few else 8, line=dict(color="white", width=1)),
                    textposition="top center", textfont=dict(size=11),
                    customdata=shown[["judge_id", "court_id", "terminated"]].to_numpy(),
                    # the highlighted officer is named once, under its star
                    text=shown["judge_label"].where(~shown["highlight"].astype(bool), ""),
                    hovertemplate="%{text} · %{customdata[1]}<br>" + tr("funnel_hover") + "<extra></extra>")
    mark = officers[officers["highlight"]]
    if not mark.empty:
        fig.add_scatter(x=mark["closed"], y=mark["share"], mode="markers+text", name=tr("this_judge"),
                        text=mark["judge_label"], textposition="bottom center",
                        marker=dict(color="#c0392b", size=16, symbol="star", line=dict(color="black", width=1)))
    return _layout(fig, height=380, title=title or tr("chart_funnel"), xaxis_title=tr("axis_closed_enforcement"),
                   yaxis_title=tr("axis_zb_share"), yaxis=dict(tickformat=".0%"))


@cached
def heatmap_figure(frame: pd.DataFrame) -> go.Figure:
    grid = frame.pivot_table(index="charge", columns="court_name", values="per_100", aggfunc="sum")
    counts = frame.pivot_table(index="charge", columns="court_name", values="defendants", aggfunc="sum").reindex_like(grid)
    flagged = frame.pivot_table(index="charge", columns="court_name", values="flagged", aggfunc="sum").reindex_like(grid)
    ids = frame.drop_duplicates("court_name").set_index("court_name")["court_id"]
    custom = [[[ids.get(col), charge] for col in grid.columns] for charge in grid.index]
    text = [[("" if pd.isna(counts.loc[r, c]) else f"{int(flagged.loc[r, c])}/{int(counts.loc[r, c])}")
             for c in grid.columns] for r in grid.index]
    rows = [tr("multi_charge") if charge == "数罪并罚" else charge for charge in grid.index]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=list(grid.columns), y=rows, colorscale="OrRd",
                               customdata=custom, text=text, zmin=0,
                               hovertemplate="%{y} · %{x}<br>" + tr("heat_hover") + "<extra></extra>",
                               colorbar=dict(title=tr("heat_colour"))))
    return _layout(fig, height=max(300, 34 * len(grid.index) + 140), title=tr("chart_heatmap"),
                   xaxis=dict(tickangle=-45, type="category"), yaxis=dict(type="category"))


@cached
def peer_ranking_figure(peers: pd.DataFrame, court_label: str) -> go.Figure:
    """A court's flags per 100 closed cases among the courts of its level, highest first; the others
    anonymous (同级法院 k: the k-th highest of them), the court itself in red and named."""
    labels = [court_label if this else tr("peer_court", n=int(n)) for this, n in
              zip(peers["is_this"], peers["peer_number"].fillna(0))]
    colours = ["#c0392b" if this else "#aeb6bf" for this in peers["is_this"]]
    fig = go.Figure(go.Bar(x=list(range(1, len(peers) + 1)), y=peers["per_100"], marker_color=colours,
                           text=labels, customdata=peers["high_per_100"],
                           hovertemplate="%{text}: %{y:.1f}<br>" + tr("peer_high_hover") + "<extra></extra>"))
    this = peers.index[peers["is_this"].astype(bool)]
    if len(this):
        position = int(this[0]) + 1
        fig.add_annotation(x=position, y=float(peers["per_100"].iloc[this[0]]), text=court_label, showarrow=True,
                           arrowhead=2, ax=0, ay=-30, font=dict(color="#c0392b"))
    return _layout(fig, title=tr("chart_court_vs_peers"), xaxis=dict(title=tr("axis_peer_rank"), showticklabels=False),
                   yaxis=dict(title=tr("axis_flags_per_100_closed"), rangemode="tozero"), showlegend=False)


@cached
def peer_sentencing_figure(cells: pd.DataFrame, court_label: str) -> go.Figure:
    """Per charge: the court's sentencing warnings per 100 defendants (red) among the courts of its level
    (grey: box of their spread, each court a dot, anonymous)."""
    compared = cells.groupby("charge")["peers"].first()

    def charge_name(c):
        return tr("charge_with_peers", charge=tr("multi_charge") if c == "数罪并罚" else c, n=int(compared[c]))
    peers = cells[~cells["is_this"].astype(bool)]
    this = cells[cells["is_this"].astype(bool)]
    fig = go.Figure()
    fig.add_box(x=peers["per_100"], y=peers["charge"].map(charge_name), orientation="h", name=tr("peer_courts"),
                boxpoints="all", jitter=0.6, pointpos=0, marker=dict(color="#aeb6bf", size=5),
                line=dict(color="#aeb6bf"), fillcolor="rgba(174,182,191,0.15)",
                text=[tr("peer_court", n=int(n)) for n in peers["peer_number"].fillna(0)],
                hovertemplate="%{text}: %{x:.1f}<extra></extra>")
    fig.add_scatter(x=this["per_100"], y=this["charge"].map(charge_name), mode="markers", name=court_label,
                    marker=dict(color="#c0392b", size=14, symbol="diamond-open", line=dict(color="#c0392b", width=2.5)),
                    customdata=this[["flagged", "defendants"]].to_numpy(),
                    hovertemplate=court_label + ": %{x:.1f}<br>" + tr("heat_hover_this") + "<extra></extra>")
    top = max([float(v) for v in cells["per_100"]] + [1.0])
    return _layout(fig, height=max(300, 40 * this["charge"].nunique() + 120), title=tr("chart_sentencing_vs_peers"),
                   xaxis=dict(title=tr("heat_colour"), range=[-0.04 * top, top * 1.06]), yaxis=dict(type="category"))


@cached
def caseload_figure(frame: pd.DataFrame, title: str) -> go.Figure:
    g = frame.groupby("month")[["filed", "closed"]].sum().reset_index()
    fig = go.Figure()
    fig.add_bar(name=tr("filed"), x=_mid_month(g["month"]), y=g["filed"], width=MONTH_BAR_MS, marker_color="#85c1e9")
    fig.add_scatter(name=tr("closed"), x=_mid_month(g["month"]), y=g["closed"], mode="lines+markers",
                    line=dict(color="#1f618d"))
    return _layout(fig, title=title, xaxis=month_axis(g["month"]))


def similar_cases_figure(peers: pd.DataFrame, evidence: dict) -> go.Figure:
    """The flagged sentence against the legally similar cases the evidence names, with the expected range."""
    others = peers[~peers["is_this"]]
    this = peers[peers["is_this"]]
    fig = go.Figure()
    low_high = evidence.get("expected_range_95_months")
    if isinstance(low_high, list) and len(low_high) == 2 and None not in low_high:
        fig.add_vrect(x0=low_high[0], x1=low_high[1], fillcolor="#d5f5e3", opacity=0.6, line_width=0,
                      annotation_text=tr("expected_range"), annotation_position="top left")
    if evidence.get("expected_term_months"):
        fig.add_vline(x=evidence["expected_term_months"], line=dict(color="#27ae60", dash="dash"),
                      annotation_text=tr("expected_term", months=evidence["expected_term_months"]),
                      annotation_position="bottom right")
    fig.add_scatter(x=others["term_months"], y=[tr("similar_cases")] * len(others), mode="markers",
                    name=tr("similar_cases"), marker=dict(size=12, color="#5d6d7e", opacity=0.8),
                    text=others["case_id"], hovertemplate="%{text}: %{x} " + tr("months") + "<extra></extra>")
    fig.add_scatter(x=this["term_months"], y=[tr("this_case")] * len(this), mode="markers+text", name=tr("this_case"),
                    marker=dict(size=18, color="#c0392b", symbol="diamond"), text=this["case_id"],
                    textposition="top center", hovertemplate="%{text}: %{x} " + tr("months") + "<extra></extra>")
    upper = max([float(v) for v in peers["term_months"]] + [float(low_high[1]) if isinstance(low_high, list) and len(low_high) == 2 and low_high[1] else 0])
    return _layout(fig, height=280, title=tr("chart_similar"),
                   xaxis=dict(title=tr("term_months_axis"), range=[0, upper * 1.1], rangemode="tozero"),
                   yaxis=dict(type="category", range=[-0.6, 1.8]))


@cached
def pair_figure(comparison: pd.DataFrame) -> go.Figure:
    names = {"pair": tr("pair_cases"), "others": tr("judge_other_cases")}
    fig = go.Figure()
    fig.add_bar(name=tr("side_won_share"), x=[names[g] for g in comparison["group"]],
                y=comparison["side_won_share"], marker_color="#8e44ad",
                text=[f"{v:.0%}" if v is not None and not pd.isna(v) else "—" for v in comparison["side_won_share"]])
    fig.add_bar(name=tr("designated_share"), x=[names[g] for g in comparison["group"]],
                y=comparison["designated_share"], marker_color="#f39c12",
                text=[f"{v:.0%}" if v is not None and not pd.isna(v) else "—" for v in comparison["designated_share"]])
    return _layout(fig, height=300, title=tr("chart_pair"), barmode="group", yaxis=dict(tickformat=".0%", range=[0, 1]))


@cached
def timeline_figure(timeline: pd.DataFrame) -> go.Figure:
    frame = timeline.dropna(subset=["occurred_at"])
    labels = [event_label(e) for e in frame["event"]]
    colours = frame["source"].map({"case": "#1f618d", "enforcement": "#8e44ad", "events": "#e67e22"})
    fig = go.Figure(go.Scatter(x=frame["occurred_at"], y=labels, mode="markers", marker=dict(size=11, color=colours),
                               text=frame["note"].fillna(""), hovertemplate="%{y}<br>%{x}<br>%{text}<extra></extra>"))
    return _layout(fig, height=max(200, 30 * len(set(labels)) + 80), yaxis=dict(type="category"),
                   xaxis=dict(tickformat="%Y-%m-%d"))

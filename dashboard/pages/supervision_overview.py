"""Overview for a court president: warnings in the chosen courts and period, by category, month, court and
judge; how many were reviewed and with what outcome; the 终本 funnel plot; the sentencing heat map; data freshness.
Clicking a bar, a point or a cell opens the flags list filtered to it. With one court in view, the court chart and
the heat map show that court against the other courts of its level, anonymised (a one-bar chart says nothing).
"""
from __future__ import annotations

import streamlit as st

from courtwatch.core.vocabulary import CATEGORIES
from courtwatch.dashboard import charts, data, data_flags, data_people, labels, navigation, state, widgets
from courtwatch.dashboard.labels import tr
from courtwatch.reporting import figures

info = widgets.page_header("page_overview")
if info is None:
    st.stop()
courts, period = widgets.scope_picker()

as_of = labels.short(info.get("as_of") or info.get("export_date"))
cols = st.columns(4)
cols[0].metric(tr("as_of"), as_of, help=tr("as_of_help"))
cols[1].metric(tr("last_run"), labels.short(info.get("run_finished_at")),
               help=tr("last_run_help", finished=labels.short(info.get("run_finished_at"), 16),
                       run_id=info.get("run_id") or "—", as_of=as_of))
cols[2].metric(tr("last_import"), labels.short(info.get("imported_at")))
cols[3].metric(tr("quarantined_rows"), f"{int(info.get('quarantined_rows') or 0):,}")
if info.get("run_mode") == "incremental":
    st.caption(tr("incremental_run").format(since=labels.short(info.get("run_since")),
                                            full=labels.short(info.get("full_run_finished_at"))))

if not state.assistance_on():
    widgets.assistance_off_note()
    caseload = data_people.caseload(courts, period)
    if caseload.empty:
        st.info(tr("no_cases"))
    else:
        charts.chart(charts.caseload_figure(caseload, tr("chart_caseload")), "ov_caseload", clickable=False)
    st.stop()

widgets.notice()
if not widgets.need_run(info):
    st.stop()

counts = data_flags.overview_counts(courts, period)  # counted by courtwatch/reporting/figures.py, cached
st.caption(tr("month_rule"))
if counts is None:
    st.info(tr("no_match"))
    st.stop()

outcomes = counts["outcomes"]
totals = counts["totals"]
cols = st.columns(4)
cols[0].metric(tr("flags_total"), f"{totals['flags']:,}")
cols[1].metric(tr("flags_high"), f"{totals['flags_high']:,}",
               help=tr("flags_high_help", share=f"{totals['flags_high'] / totals['flags']:.0%}" if totals["flags"] else "—"))
cols[2].metric(tr("share_reviewed"), f"{totals['reviewed_share']:.0%}")
cols[3].metric(tr("confirmed"), f"{int(outcomes.loc[outcomes['review'] == 'confirm_concern', 'n'].sum()):,}")
# one count per category, data quality included (a wrong record is not a legal warning: it has its own)
cols = st.columns(len(CATEGORIES))
for col, category in zip(cols, CATEGORIES):
    col.metric(tr("flags_of_category").format(category=labels.category_label(category)),
               f"{totals[f'flags_{category}']:,}")

left, right = st.columns(2)
with left:
    point = charts.chart(charts.category_level_figure(counts["by_category_level"]), "ov_category")
    if point:
        navigation.go_to_flags(categories=[charts.custom(point, 0)], levels=[charts.custom(point, 1)],
                               courts=list(courts))
with right:
    point = charts.chart(charts.month_figure(counts["by_month"]), "ov_month")
    if point:
        month = charts.custom(point, 1)
        navigation.go_to_flags(categories=[charts.custom(point, 0)], courts=list(courts), period=(month, month))

# One court in view: a bar, a column or four dots say nothing, so the court is shown against the other courts
# of its level (anonymised) instead.
only = data.single_court(courts)
only_label = data.court_label(only) if only else None
left, right = st.columns(2)
with left:
    if only:
        peers, summary = data_flags.flags_against_peers(only, period)
        if summary["rank"] is None:
            st.info(tr("peers_none"))
        else:
            charts.chart(charts.peer_ranking_figure(peers, only_label), "ov_court_peers", clickable=False)
            st.caption(tr("peers_note", rank=summary["rank"], courts=summary["courts"], this=f"{summary['per_100']:.1f}",
                          median=f"{summary['peer_median']:.1f}" if summary["peer_median"] is not None else "—"))
    else:
        by_court = counts["by_court"]
        by_court = by_court.assign(label=by_court["court_name"].fillna(by_court["court_id"]))
        point = charts.chart(charts.ranking_figure(by_court, "label", "court_id", tr("chart_by_court")), "ov_court")
        if point:
            navigation.go_to_flags(courts=[charts.custom(point)])
with right:
    by_judge = counts["by_judge"]
    if by_judge.empty:
        st.info(tr("no_judge_flags"))
    else:
        point = charts.chart(charts.ranking_figure(by_judge, "judge_label", "judge_id", tr("chart_by_judge")), "ov_judge")
        if point:
            navigation.go_to_flags(judges=[charts.custom(point)], courts=list(courts))

left, right = st.columns([1, 2])
with left:
    point = charts.chart(charts.outcomes_figure(outcomes), "ov_outcomes")
    if point:
        navigation.go_to_flags(review=[charts.custom(point)], courts=list(courts))
with right:
    officers, summary = data_people.termination_funnel(courts, period)
    if officers.empty or not officers["in_scope"].any():
        st.info(tr("no_enforcement"))
    else:
        point = charts.chart(charts.funnel_figure(officers, summary), "ov_funnel")
        st.caption(tr("funnel_note", phi=f"{summary['phi']:.2f}", n=summary["officers"]) + " " + tr("funnel_click"))
        if point and charts.custom(point):
            navigation.go_to_judge(charts.custom(point))

if only:
    cells = data_flags.sentencing_against_peers(only, period)
    if cells.empty:
        st.info(tr("no_sentencing"))
    else:
        charts.chart(charts.peer_sentencing_figure(cells, only_label), "ov_heat_peers", clickable=False)
        st.caption(tr("sentencing_peers_note", min=figures.PEER_MIN_DEFENDANTS))
else:
    heat = data_flags.sentencing_heatmap(courts, period)
    if heat.empty:
        st.info(tr("no_sentencing"))
    else:
        point = charts.chart(charts.heatmap_figure(heat), "ov_heat")
        st.caption(tr("heat_note"))
        if point and charts.custom(point):
            navigation.go_to_flags(categories=["sentencing"], courts=[charts.custom(point)])

widgets.briefing_download()

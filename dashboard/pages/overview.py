"""Overview for a court president: warnings in the chosen courts and period, by category, month, court and
judge; how many were reviewed and with what outcome; the 终本 funnel plot; the sentencing heat map; data freshness.
Clicking a bar, a point or a cell opens the flags list filtered to it.
"""
from __future__ import annotations

import streamlit as st

from courtwatch.dashboard import data, widgets
from courtwatch.dashboard.widgets import tr

info = widgets.page_header("page_overview")
if info is None:
    st.stop()
courts, period = widgets.scope_picker()

cols = st.columns(4)
cols[0].metric(tr("as_of"), widgets.short(info.get("as_of") or info.get("export_date")))
cols[1].metric(tr("last_run"), widgets.short(info.get("run_finished_at")), help=str(info.get("run_id") or "—"))
cols[2].metric(tr("last_import"), widgets.short(info.get("imported_at")))
cols[3].metric(tr("quarantined_rows"), f"{int(info.get('quarantined_rows') or 0):,}")
if info.get("run_mode") == "incremental":
    st.caption(tr("incremental_run").format(since=widgets.short(info.get("run_since")),
                                            full=widgets.short(info.get("full_run_finished_at"))))

if not widgets.assistance_on():
    widgets.assistance_off_note()
    caseload = data.caseload(courts, period)
    if caseload.empty:
        st.info(tr("no_cases"))
    else:
        widgets.chart(widgets.caseload_figure(caseload, tr("chart_caseload")), "ov_caseload", clickable=False)
    st.stop()

widgets.notice()
if not widgets.need_run(info):
    st.stop()

flags = data.filter_flags(data.run_flags(), data.FlagFilter(court_ids=courts, period=period))
st.caption(tr("month_rule"))
if flags.empty:
    st.info(tr("no_match"))
    st.stop()

outcomes = data.review_outcomes(flags)
reviewed = int(outcomes.loc[outcomes["review"] != data.UNREVIEWED, "n"].sum())
cols = st.columns(4)
cols[0].metric(tr("flags_total"), f"{len(flags):,}")
cols[1].metric(tr("flags_high"), f"{int(flags['level'].eq('high').sum()):,}")
cols[2].metric(tr("share_reviewed"), f"{reviewed / len(flags):.0%}")
cols[3].metric(tr("confirmed"), f"{int(outcomes.loc[outcomes['review'] == 'confirm_concern', 'n'].sum()):,}")
# one count per category, data quality included (a wrong record is not a legal warning: it has its own)
cols = st.columns(len(data.CATEGORY_ORDER))
for col, category in zip(cols, data.CATEGORY_ORDER):
    col.metric(tr("flags_of_category").format(category=widgets.category_label(category)),
               f"{int(flags['category'].eq(category).sum()):,}")

left, right = st.columns(2)
with left:
    point = widgets.chart(widgets.category_level_figure(data.counts_by_category_level(flags)), "ov_category")
    if point:
        widgets.go_to_flags(categories=[widgets.custom(point, 0)], levels=[widgets.custom(point, 1)],
                            courts=list(courts))
with right:
    point = widgets.chart(widgets.month_figure(data.counts_by_month(flags)), "ov_month")
    if point:
        month = widgets.custom(point, 1)
        widgets.go_to_flags(categories=[widgets.custom(point, 0)], courts=list(courts), period=(month, month))

left, right = st.columns(2)
with left:
    by_court = data.counts_by_court(flags)
    by_court["label"] = by_court["court_name"].fillna(by_court["court_id"])
    point = widgets.chart(widgets.ranking_figure(by_court, "label", "court_id", tr("chart_by_court")), "ov_court")
    if point:
        widgets.go_to_flags(courts=[widgets.custom(point)])
with right:
    by_judge = data.counts_by_judge(flags)
    if by_judge.empty:
        st.info(tr("no_judge_flags"))
    else:
        point = widgets.chart(widgets.ranking_figure(by_judge, "judge_label", "judge_id", tr("chart_by_judge")), "ov_judge")
        if point:
            widgets.go_to_flags(judges=[widgets.custom(point)], courts=list(courts))

left, right = st.columns([1, 2])
with left:
    point = widgets.chart(widgets.outcomes_figure(outcomes), "ov_outcomes")
    if point:
        widgets.go_to_flags(review=[widgets.custom(point)], courts=list(courts))
with right:
    officers, summary = data.termination_funnel(courts, period)
    if officers.empty or not officers["in_scope"].any():
        st.info(tr("no_enforcement"))
    else:
        point = widgets.chart(widgets.funnel_figure(officers, summary), "ov_funnel")
        st.caption(tr("funnel_note", phi=f"{summary['phi']:.2f}", n=summary["officers"]) + " " + tr("funnel_click"))
        if point and widgets.custom(point):
            widgets.go_to_judge(widgets.custom(point))

heat = data.sentencing_heatmap(courts, period)
if heat.empty:
    st.info(tr("no_sentencing"))
else:
    point = widgets.chart(widgets.heatmap_figure(heat), "ov_heat")
    st.caption(tr("heat_note"))
    if point and widgets.custom(point):
        widgets.go_to_flags(categories=["sentencing"], courts=[widgets.custom(point)])

widgets.briefing_download()

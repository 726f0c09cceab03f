"""A court's profile (`?court=<court_id>`): caseload by month (the court and the courts under it), rates
against courts of the same level and, with AI assistance on, its warnings over time and by category.
"""
from __future__ import annotations

import streamlit as st

from courtwatch.dashboard import charts, data, data_flags, data_people, navigation, state, widgets
from courtwatch.dashboard.labels import tr
from courtwatch.reporting import figures

info = widgets.page_header("page_court")
if info is None:
    st.stop()
courts = data.courts()
if courts.empty:
    st.info(tr("no_courts"))
    st.stop()
_, period = widgets.scope_picker()

options = list(courts["court_id"])
wanted = st.query_params.get("court")  # a link (?court=…) chooses, once; the picker chooses after that
if wanted != state.remembered("court_param", None) and wanted in options:
    state.set_choice("court", wanted)
labels = dict(zip(courts["court_id"], courts["label"]))
court_id = widgets.selectbox(tr("court"), options, "court", format_func=lambda c: labels.get(c, c))
state.remember("court_param", court_id)
if st.query_params.get("court") != court_id:
    st.query_params["court"] = court_id
include_sub = st.toggle(tr("include_subordinate"), value=True, key="court_include_sub")
row = courts.set_index("court_id").loc[court_id]
st.caption(tr("court_caption", level=tr(f"courtlevel_{row['level']}") if row["level"] else "—",
              courts=len(data.expand_scope([court_id]) or [])))

widgets.profile_caseload_and_rates(data_people.caseload(court_ids=(court_id,), period=period, subordinate=include_sub),
                                   data_people.unit_rates("court", court_id, period), "rates_note_court", "cp_caseload")
widgets.profile_flags_header(info)
flags = data_flags.filter_flags(data_flags.run_flags(),
                                data_flags.FlagFilter(court_ids=(court_id,) if include_sub else (), period=period))
if not include_sub:
    flags = flags[flags["court_id"] == court_id]
if flags.empty:
    st.info(tr("no_flags_subject"))
    st.stop()
left, right = st.columns(2)
with left:
    point = charts.chart(charts.category_level_figure(figures.counts_by_category_level(flags)), "cp_category")
    if point:
        navigation.go_to_flags(categories=[charts.custom(point, 0)], levels=[charts.custom(point, 1)],
                               courts=[court_id])
with right:
    charts.chart(charts.month_figure(figures.counts_by_month(flags), "chart_flags_by_month"), "cp_months",
                 clickable=False)
if st.button(tr("open_in_flags"), key="cp_open_flags"):
    navigation.go_to_flags(courts=[court_id])

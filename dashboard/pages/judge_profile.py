"""A judge's or enforcement officer's profile (`?judge=<judge_id>`): caseload by month, rates against peers
(same role, courts of the same level) and, with AI assistance on, the warnings about their cases over time.
Names are masked: the pseudonymous staff code and 张** only.
"""
from __future__ import annotations

import streamlit as st

from courtwatch.dashboard import charts, data_flags, data_people, session, state, widgets
from courtwatch.dashboard.labels import tr
from courtwatch.reporting import figures

info = widgets.page_header("page_judge")
session.aggregates_only_stop()  # analysts never see a case or a named subject
if info is None:
    st.stop()
judges = data_people.judges()
if judges.empty:
    st.info(tr("no_judges"))
    st.stop()
_, period = widgets.scope_picker()

wanted = st.query_params.get("judge")  # a link (?judge=…) chooses, once; the picker chooses after that
if wanted != state.remembered("judge_param", None) and wanted in set(judges["judge_id"]):
    state.set_choice("judge", wanted)
labels = dict(zip(judges["judge_id"], judges["label"] + " · " + judges["court_name"].fillna(judges["court_id"])))
options = list(judges["judge_id"])
busiest = judges.sort_values(["cases", "judge_id"], ascending=[False, True])["judge_id"].iloc[0]
judge_id = widgets.selectbox(tr("judge"), options, "judge", format_func=lambda j: labels.get(j, j), default=busiest)
state.remember("judge_param", judge_id)
if st.query_params.get("judge") != judge_id:
    st.query_params["judge"] = judge_id
row = judges.set_index("judge_id").loc[judge_id]
st.caption(tr("judge_caption", role=tr(f"role_{row['role']}") if row["role"] else "—",
              court=row["court_name"] or row["court_id"], cases=int(row["cases"])))

widgets.profile_caseload_and_rates(data_people.caseload(period=period, judge_id=judge_id),
                                   data_people.unit_rates("judge", judge_id, period), "rates_note_judge", "jp_caseload")
widgets.profile_flags_header(info)
flags = data_flags.filter_flags(data_flags.run_flags(), data_flags.FlagFilter(period=period, judge_ids=(judge_id,)))
if flags.empty:
    st.info(tr("no_flags_subject"))
    st.stop()
charts.chart(charts.month_figure(figures.counts_by_month(flags), "chart_flags_by_month"), "jp_months", clickable=False)
chosen = widgets.flag_table(flags, key=f"judge_flags_{judge_id}_{state.digest(period)}")
widgets.open_clicked_flag(chosen, "choice_opened_from_judge")

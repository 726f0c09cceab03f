"""Sentencing review list: per court and year, the sentences furthest from their peers, ranked for a review budget.

Not flags (detectors/sentencing/review.py): hidden like flags when AI assistance is off; a click shows the
similar cases stored with the sentence.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from courtwatch.dashboard import charts, data_review_list, state, widgets
from courtwatch.dashboard.labels import tr

widgets.flag_page_header("page_review")
st.warning(tr("review_label"), icon=":material/format_list_numbered:")
settings = data_review_list.review_settings()
st.caption(tr("review_caption", min_cell=settings["min_cell"], top_k=settings["top_k"]))
if settings["mode"] == "incremental" and settings["reference_run"]:
    st.caption(tr("review_carried", run=settings["reference_run"]))

courts, period = widgets.scope_picker()
top = st.number_input(tr("review_top"), min_value=1, max_value=500, step=1,
                      **state.bound("review_top", int(state.remembered("review_top", 5))))
shown = data_review_list.filter_review(data_review_list.review_list(), courts, period, int(top))
if shown.empty:
    st.info(tr("review_empty", min_cell=settings["min_cell"]))
    st.stop()
cells = shown.groupby(["court_id", "period"], dropna=False).ngroups
st.markdown(f"{tr('review_count', n=len(shown), cells=cells)}&emsp;<small>{tr('review_select_hint')}</small>",
            unsafe_allow_html=True)

table = {
    tr("col_court"): shown["court_name"].fillna(shown["court_id"]),
    tr("col_year"): shown["period"].astype("string"),
    tr("col_rank"): shown["rank_in_court_period"],
    tr("col_case"): shown["case_id"],
    tr("col_judge"): shown["judge_label"],
    tr("col_charge"): shown["charge"],
    tr("col_term_vs_expected"): [f"{t:g} / {e:.1f}" for t, e in zip(shown["term_months"], shown["expected_months"])],
    tr("col_ratio"): shown["ratio_to_expected"].round(2),
    tr("col_p_calibrated"): shown["p_calibrated"].round(4),
    tr("col_peer_n"): shown["peer_n"],
    tr("col_peer_median"): shown["peer_median_months"],
    tr("col_peer_iqr"): [f"{a:g}–{b:g}" for a, b in zip(shown["peer_q25_months"], shown["peer_q75_months"])],
}
key = "review_table_" + state.digest(courts, period, int(top))
# a click on any cell shows that sentence's similar cases (single-cell selection: row checkboxes would
# suggest a multi-select that does not exist, as on the flags list)
event = st.dataframe(widgets.arrow(pd.DataFrame(table)), hide_index=True, width="stretch", on_select="rerun",
                     selection_mode="single-cell", key=key, height=min(560, 38 + 35 * len(shown)))
clicked = widgets.clicked_row(event, len(shown))
if clicked is None:
    st.stop()

row = shown.iloc[clicked].to_dict()
st.subheader(tr("review_similar_title", case=row["case_id"]))
if row.get("factors"):
    st.caption(tr("review_factors", factors=row["factors"]))
peers = data_review_list.review_similar_cases(row)
if peers.empty:
    st.info(tr("review_no_similar", top_k=settings["top_k"]))
    st.stop()
charts.chart(charts.similar_cases_figure(peers.assign(case_id=peers["case_id"].fillna(tr("review_other_court"))),
                                         {"expected_term_months": round(float(row["expected_months"]), 1)}),
             "rl_similar", clickable=False)
others = peers[~peers["is_this"]]
st.dataframe({
    tr("col_case"): others["case_id"].fillna(tr("review_other_court")),
    tr("col_sentence"): others["sentence"],
    tr("col_expected"): others["expected_months"],
    tr("col_factors"): others["factors"],
    tr("col_factor_distance"): others["factor_distance"],
}, hide_index=True, width="stretch")

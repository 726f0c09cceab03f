"""Flags for an inspector: the latest run's warnings, filterable and sortable; a click opens the flag."""
from __future__ import annotations

import streamlit as st

from courtwatch.core.vocabulary import CATEGORIES, LEVELS_STRONGEST_FIRST, REVIEW_STATES
from courtwatch.dashboard import data_flags, data_people, labels, state, widgets
from courtwatch.dashboard.labels import tr

widgets.flag_page_header("page_flags")

courts, period = widgets.scope_picker()
flags = data_flags.run_flags()
judges = data_people.judges()
judge_labels = dict(zip(judges["judge_id"], judges["label"]))

present = set(flags["category"].unique())
cols = st.columns(4)
categories = widgets.multiselect(tr("category"), [c for c in CATEGORIES if c in present],
                                 "categories", format_func=labels.fixed(labels.category_label), container=cols[0])
detectors = widgets.multiselect(tr("detector"), sorted(flags["detector"].unique()), "detectors",
                                format_func=labels.fixed(labels.detector_title), container=cols[1])
levels = widgets.multiselect(tr("level"), list(LEVELS_STRONGEST_FIRST), "levels",
                             format_func=labels.fixed(labels.level_label), container=cols[2])
review = widgets.multiselect(tr("review_status"), list(REVIEW_STATES), "review",
                             format_func=labels.fixed(labels.review_label), container=cols[3])
cols = st.columns([1, 2])
flagged_judges = sorted(flags["judge_id"].dropna().unique())
chosen_judges = widgets.multiselect(tr("judge"), flagged_judges, "judges",
                                    format_func=lambda j: judge_labels.get(j, j), container=cols[0])
text = widgets.text_input(tr("search"), "text", container=cols[1])

choice = data_flags.FlagFilter(court_ids=courts, period=period, categories=tuple(categories), detectors=tuple(detectors),
                               levels=tuple(levels), judge_ids=tuple(chosen_judges), review=tuple(review), text=text)
shown = data_flags.filter_flags(flags, choice)
if shown.empty:
    st.info(tr("no_match"))
    st.stop()
st.markdown(f"{tr('count', n=len(shown), total=len(flags))}&emsp;<small>{tr('select_hint')}</small>", unsafe_allow_html=True)
# The table's key follows the filters, so a row index never survives into a different list.
table_key = "flags_table_" + state.digest(courts, period, categories, detectors, levels, review, chosen_judges, text)
chosen = widgets.flag_table(shown, key=table_key, height=640)
widgets.open_clicked_flag(chosen, "choice_opened_flag")

"""Flags for an inspector: the latest run's warnings, filterable and sortable; a click opens the flag."""
from __future__ import annotations

import streamlit as st

from courtwatch.dashboard import data, widgets
from courtwatch.dashboard.widgets import tr

widgets.flag_page_header("page_flags")

courts, period = widgets.scope_picker()
flags = data.run_flags()
judges = data.judges()
judge_labels = dict(zip(judges["judge_id"], judges["label"]))

cols = st.columns(4)
categories = widgets.multiselect(tr("category"), [c for c in data.CATEGORY_ORDER if c in set(flags["category"])],
                                 "categories", format_func=widgets.fixed(widgets.category_label), container=cols[0])
detectors = widgets.multiselect(tr("detector"), sorted(flags["detector"].unique()), "detectors",
                                format_func=widgets.fixed(widgets.detector_title), container=cols[1])
levels = widgets.multiselect(tr("level"), list(data.LEVEL_ORDER), "levels", format_func=widgets.fixed(widgets.level_label),
                             container=cols[2])
review = widgets.multiselect(tr("review_status"), list(data.REVIEW_STATES), "review", format_func=widgets.fixed(widgets.review_label),
                             container=cols[3])
cols = st.columns([1, 2])
flagged_judges = sorted(flags["judge_id"].dropna().unique())
chosen_judges = widgets.multiselect(tr("judge"), flagged_judges, "judges",
                                    format_func=lambda j: judge_labels.get(j, j), container=cols[0])
text = widgets.text_input(tr("search"), "text", container=cols[1])

shown = data.filter_flags(flags, data.FlagFilter(court_ids=courts, period=period, categories=tuple(categories),
                                                 detectors=tuple(detectors), levels=tuple(levels),
                                                 judge_ids=tuple(chosen_judges), review=tuple(review), text=text))
if shown.empty:
    st.info(tr("no_match"))
    st.stop()
st.markdown(f"{tr('count', n=len(shown), total=len(flags))}　<small>{tr('select_hint')}</small>", unsafe_allow_html=True)
# The table's key follows the filters, so a row index never survives into a different list.
table_key = "flags_table_" + widgets.digest(courts, period, categories, detectors, levels, review, chosen_judges, text)
chosen = widgets.flag_table(shown, key=table_key, height=560)
if chosen and chosen != st.session_state.get("choice_opened_flag"):
    st.session_state["choice_opened_flag"] = chosen  # a kept selection does not reopen the flag on return
    widgets.go_to_flag(chosen)

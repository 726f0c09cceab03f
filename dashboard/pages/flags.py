"""Flags page: the latest run's warnings, filterable, each with its explanation and evidence."""
from __future__ import annotations

import json

import streamlit as st

from courtwatch.dashboard import data, widgets
from courtwatch.dashboard.i18n import t

lang = widgets.lang()
st.title(t("page_flags", lang))
info = widgets.freshness_line()
if not widgets.assistance_on():
    st.info(t("assistance_off", lang))
    st.stop()
widgets.notice()
if not info or not info.get("run_id"):
    st.stop()

flags = data.latest_flags()
if flags.empty:
    st.success(t("no_match", lang))
    st.stop()

cols = st.columns(4)
categories = cols[0].multiselect(t("category", lang), sorted(flags["category"].unique()),
                                 format_func=lambda c: t(c, lang))
levels = cols[1].multiselect(t("level", lang), ["high", "medium", "low"], format_func=lambda c: t(c, lang))
detectors = cols[2].multiselect(t("detector", lang), sorted(flags["detector"].unique()))
courts = cols[3].multiselect(t("court", lang), sorted(flags["court_id"].dropna().unique()))
text = st.text_input(t("search", lang))

shown = flags
if categories:
    shown = shown[shown["category"].isin(categories)]
if levels:
    shown = shown[shown["level"].isin(levels)]
if detectors:
    shown = shown[shown["detector"].isin(detectors)]
if courts:
    shown = shown[shown["court_id"].isin(courts)]
if text:
    hit = shown["explanation"].str.contains(text, regex=False, na=False) | shown["subject_id"].str.contains(text, regex=False, na=False) \
        | shown["case_id"].fillna("").str.contains(text, regex=False)
    shown = shown[hit]

st.write(t("count", lang, n=len(shown)))
if shown.empty:
    st.info(t("no_match", lang))
    st.stop()

if lang == "en":
    shown = shown.assign(explanation=[json.loads(e).get("explanation_en", x) for e, x in zip(shown["evidence"], shown["explanation"])])
table = shown[["level", "category", "detector", "court_id", "subject_id", "score", "explanation"]].reset_index(drop=True)
event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                     key="flags_table", column_config={"score": st.column_config.ProgressColumn(t("score", lang), min_value=0, max_value=1)})
selected = event.selection.rows if event and event.selection else []
if not selected:
    st.caption(t("select_hint", lang))
    st.stop()

flag = shown.iloc[selected[0]]
evidence = json.loads(flag["evidence"])
st.subheader(f"{flag['subject_id']} · {flag['detector']}")
st.markdown(f"**{t('explanation', lang)}**: {flag['explanation'] if lang == 'zh' else evidence.get('explanation_en', flag['explanation'])}")
st.markdown(f"**{t('legal_basis', lang)}**: {evidence.get('legal_basis', '—')}")
st.markdown(f"**{t('evidence', lang)}**")
st.json(evidence)

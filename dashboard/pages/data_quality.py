"""Data quality: what each import read, loaded and held back, and every quarantined row with its reason.
Plain import records, no warnings: browsable with AI assistance off.
"""
from __future__ import annotations

import streamlit as st

from courtwatch.dashboard import data, session, widgets
from courtwatch.dashboard.labels import tr

info = widgets.page_header("page_quality")
if info is None:
    st.stop()
st.caption(tr("quality_intro"))

files = data.import_files()
st.markdown(f"#### {tr('imports')}")
if files.empty:
    st.info(tr("no_imports"))
    st.stop()
st.dataframe(files.rename(columns={
    "imported_at": tr("col_imported_at"), "import_id": tr("col_import"), "export_date": tr("col_export_date"),
    "table_name": tr("col_table"), "file": tr("col_file"), "encoding": tr("col_encoding"),
    "rows_read": tr("col_read"), "rows_loaded": tr("col_loaded"), "rows_quarantined": tr("col_quarantined")}),
    hide_index=True, width="stretch")

st.markdown(f"#### {tr('quarantine')}")
session.aggregates_only_stop()  # quarantined rows are raw case records
held = data.quarantine()
if held.empty:
    st.success(tr("no_quarantine"))
    st.stop()
cols = st.columns([1, 2])
tables = widgets.multiselect(tr("col_table"), sorted(held["table_name"].dropna().unique()), "dq_tables", container=cols[0])
text = widgets.text_input(tr("search_quarantine"), "dq_text", container=cols[1])
shown = held
if tables:
    shown = shown[shown["table_name"].isin(tables)]
if text:
    hay = shown["reason"].fillna("") + " " + shown["value"].fillna("") + " " + shown["column_name"].fillna("") \
        + " " + shown["file"].fillna("")
    shown = shown[hay.str.contains(text, case=False, regex=False)]
st.write(tr("quarantine_count", n=len(shown), total=len(held)))
if shown.empty:
    st.info(tr("no_match_rows"))
    st.stop()
st.dataframe(shown.rename(columns={
    "imported_at": tr("col_imported_at"), "import_id": tr("col_import"), "table_name": tr("col_table"),
    "file": tr("col_file"), "row_number": tr("col_row"), "column_name": tr("col_column"), "value": tr("col_value"),
    "reason": tr("col_reason_problem")}), hide_index=True, width="stretch", height=480)

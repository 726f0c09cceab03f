"""Shared page furniture: the header with data freshness and the warning notice, the sidebar switches, inputs
that remember the user's choice, the court/period picker, the flag table, the briefing download and the
parts of the judge and court profiles. Pages call these; nothing here runs SQL (data.py and the data_* modules do).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

from courtwatch.core.vocabulary import LEVELS_STRONGEST_FIRST

from . import data
from .charts import caseload_figure, chart
from .labels import (
    EXPLANATION_CHARS,
    TITLE_CHARS,
    clip,
    detector_title,
    explanation_en,
    level_label,
    rates_table,
    review_label,
    short,
    tr,
)
from .session import aggregates_only_stop, require_signed_in, reviewer, sees_cases
from .state import assistance_on, bound, lang, remember, remembered

# ---------------------------------------------------------------- the header of a page

def compact_layout() -> None:
    """Less empty space above the title, so a page's substance shows without scrolling."""
    st.markdown("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>", unsafe_allow_html=True)


def sidebar_settings() -> None:
    """Language and AI assistance: rendered on every page (from app.py), before and after sign-in."""
    st.sidebar.radio(tr("language"), ["中文", "English"], horizontal=True,
                     **bound("language", remembered("language", "中文")))
    st.sidebar.toggle(tr("assistance"), help=tr("assistance_help"), **bound("assistance", assistance_on()))


def notice() -> None:
    st.info(tr("notice"), icon=":material/warning:")


def assistance_off_note() -> None:
    st.info(tr("assistance_off"), icon=":material/notifications_off:")


def page_header(title_key: str) -> dict | None:
    """Title and data freshness. Returns the freshness record; None when there is no database."""
    require_signed_in()
    st.title(tr(title_key))
    info = data.freshness()
    if info is None:
        st.warning(tr("no_db"))
        return None
    if not info.get("run_id"):
        st.caption(tr("freshness_no_run", imported=short(info.get("imported_at")),
                      quarantined=int(info.get("quarantined_rows") or 0)))
    else:
        st.caption(tr("freshness", as_of=short(info.get("as_of")), run_id=info["run_id"],
                      finished=short(info.get("run_finished_at"), 16),
                      quarantined=int(info.get("quarantined_rows") or 0)))
    return info


def need_run(info: dict | None) -> bool:
    """True when flags can be shown; otherwise says why (no database / no run) and returns False."""
    if info is None:
        return False
    if not info.get("run_id"):
        st.warning(tr("no_run"))
        return False
    return True


def flag_page_header(title_key: str) -> dict:
    """The header of a page that shows flags on cases: title and freshness, then stops the page for an
    analyst (aggregates only), without a database, with assistance switched off, or before any run;
    otherwise shows the warning notice and returns the freshness record."""
    info = page_header(title_key)
    aggregates_only_stop()  # analysts never see a case or a named subject
    if info is None:
        st.stop()
    if not assistance_on():
        assistance_off_note()
        st.stop()
    notice()
    if not need_run(info):
        st.stop()
    return info


# ---------------------------------------------------------------- inputs bound to remembered choices (state.py)

def multiselect(label: str, options: list, key: str, format_func=str, container=st, **kwargs) -> list:
    kwargs.setdefault("placeholder", tr("all"))
    current = [v for v in remembered(key, []) if v in options]
    value = container.multiselect(label, options, format_func=format_func, **bound(key, current), **kwargs)
    remember(key, value)
    return value


def selectbox(label: str, options: list, key: str, format_func=str, container=st, default=None, **kwargs):
    current = remembered(key, None)
    if current not in options:
        current = default if default in options else (options[0] if options else None)
    value = container.selectbox(label, options, format_func=format_func, **bound(key, current), **kwargs)
    remember(key, value)
    return value


def text_input(label: str, key: str, container=st, **kwargs) -> str:
    value = container.text_input(label, **bound(key, remembered(key, "")), **kwargs)
    remember(key, value)
    return value


def scope_picker(container=None) -> tuple[tuple[str, ...], tuple[str, str] | None]:
    """Courts (a court includes the courts under it) and a period of months; both remembered across pages."""
    container = container or st.sidebar
    table = data.courts()
    labels = dict(zip(table["court_id"], table["label"]))
    chosen = multiselect(tr("courts"), list(table["court_id"]), "courts", format_func=lambda c: labels.get(c, c),
                         container=container, help=tr("courts_help"), placeholder=tr("all_courts"))
    months = data.months()
    period = None
    if months:
        left, right = container.columns(2)
        first = selectbox(tr("period_from"), months, "period_from", container=left, help=tr("period_help"), default=months[0])
        last = selectbox(tr("period_to"), months, "period_to", container=right, default=months[-1])
        period = (min(first, last), max(first, last))
    return tuple(chosen), period


# ---------------------------------------------------------------- the flag table

# Widths in pixels that fit the main area beside the sidebar at 1400 px (≈ 920 px): no horizontal scroll.
# Rows are tall enough for three lines, so Streamlit wraps long cells instead of cutting them off.
FLAG_TABLE_WIDTHS = {"col_level": 70, "col_detector": 150, "col_court": 104, "col_judge": 100,
                     "col_case_or_subject": 125, "col_month": 64, "col_review": 76, "col_explanation": 220}
FLAG_TABLE_ROW_HEIGHT = 68
def flag_table(flags: pd.DataFrame, key: str, height: int | None = None) -> str | None:
    """The flags a president reads in a list — level, what raised it, court, judge, case, month, review status
    and the start of the explanation — sorted by priority (a header click re-sorts). A click on any cell of a
    row opens that flag (single-cell selection: no checkbox column suggesting a multi-select); returns the
    clicked row's flag_id, or None."""
    def labelled(column: str, label_fn) -> pd.Series:
        # one label per distinct code, not per row: the list can hold tens of thousands of flags
        return flags[column].map({code: label_fn(code) for code in flags[column].dropna().unique()})

    if "list_sentence" not in flags:  # made once per run by data_flags.run_flags
        if lang() == "en" and "explanation_en" in flags:
            sentences = [explanation_en(e, z) for e, z in zip(flags["explanation_en"], flags["explanation"])]
        else:
            sentences = flags["explanation"].fillna("").tolist()
        flags = flags.assign(list_sentence=[clip(text, EXPLANATION_CHARS[lang()]) for text in sentences])
    case = flags["case_id"] if "case_id" in flags else pd.Series(None, index=flags.index, dtype=object)
    columns = {
        "col_level": labelled("level", level_label),
        "col_detector": labelled("detector", lambda code: clip(detector_title(code), TITLE_CHARS[lang()])),
        "col_court": (flags["court_name"].fillna(flags["court_id"]) if "court_name" in flags else flags["court_id"]).fillna("—"),
        "col_judge": (flags["judge_label"] if "judge_label" in flags else flags["judge_id"]).fillna("—"),
        "col_case_or_subject": case.fillna(flags["subject_id"]).fillna("—"),  # the case number; else what the flag is on
        "col_month": flags["month"].fillna("—") if "month" in flags else "—",
        "col_review": labelled("review", review_label) if "review" in flags else "—",
        "col_explanation": flags["list_sentence"],
    }
    table = pd.DataFrame({"flag_id": flags["flag_id"], **{tr(k): v for k, v in columns.items()}})
    # priority first (detectors/triage.py: level, then statistical strength); the stable order of the shown
    # columns alone (sorting the whole run's frame moved every column of it)
    priority = flags["level"].map({lv: i for i, lv in enumerate(LEVELS_STRONGEST_FIRST)}).fillna(len(LEVELS_STRONGEST_FIRST))
    order = np.lexsort((-flags["score"].astype(float).fillna(0).to_numpy(), priority.to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    config: dict = {"flag_id": None}
    config.update({tr(k): st.column_config.TextColumn(tr(k), width=w) for k, w in FLAG_TABLE_WIDTHS.items()})
    for name in ("col_case_or_subject", "col_explanation"):
        config[tr(name)] = st.column_config.TextColumn(tr(name), width=FLAG_TABLE_WIDTHS[name], help=tr(f"{name}_help"))
    event = st.dataframe(arrow(table), hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-cell", key=key, height=height or "auto",
                         row_height=FLAG_TABLE_ROW_HEIGHT, column_config=config)
    return clicked_flag(event, table)


def arrow(frame: pd.DataFrame):
    """A table as Arrow for st.dataframe: Streamlit's own conversion of a pandas frame with text columns took
    0.93 s for 41,000 flags, of an Arrow table 0.11 s (both to the same bytes)."""
    import pyarrow as pa
    return pa.Table.from_pandas(frame, preserve_index=False)


# The flag page's table of other flags on the same case, judge or lawyer: fits beside the sidebar at 1400 px.
RELATED_TABLE_WIDTHS = {"col_relation": 90, "col_level": 70, "col_detector": 190, "col_subject": 150,
                        "col_explanation": 390}
RELATED_EXPLANATION_CHARS = {"zh": 78, "en": 150}


def related_flags_table(related: pd.DataFrame, key: str) -> str | None:
    """Other flags on the same case, judge or lawyer (data_flags.related_flags, one row per flag): relation,
    level, rule/model, subject and the start of the explanation; a click on any cell opens that flag.
    Returns the clicked row's flag_id, or None."""
    from .labels import explanation
    limit = RELATED_EXPLANATION_CHARS[lang()]
    table = pd.DataFrame({"flag_id": related["flag_id"],
                          tr("col_relation"): related["relation"].map(lambda r: tr(f"rel_{r}")),
                          tr("col_level"): related["level"].map(level_label),
                          tr("col_detector"): related["detector"].map(detector_title),
                          tr("col_subject"): related["subject_id"].fillna("—"),
                          tr("col_explanation"): [clip(explanation(r), limit) for r in related.to_dict("records")]})
    config: dict = {"flag_id": None}
    config.update({tr(k): st.column_config.TextColumn(tr(k), width=w) for k, w in RELATED_TABLE_WIDTHS.items()})
    event = st.dataframe(arrow(table), hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-cell", key=key, row_height=FLAG_TABLE_ROW_HEIGHT, column_config=config)
    return clicked_flag(event, table)


def clicked_row(event, n_rows: int) -> int | None:
    """The position of the row holding the clicked cell of an st.dataframe event (a row click where rows are
    selected), or None."""
    selection = event.selection if event else None
    if not selection:
        return None
    cells = list(selection.get("cells") or [])
    rows = [cell[0] for cell in cells] or list(selection.get("rows") or [])
    return rows[0] if rows and 0 <= rows[0] < n_rows else None


def clicked_flag(event, table: pd.DataFrame) -> str | None:
    """The flag_id of the row holding the clicked cell, or None."""
    row = clicked_row(event, len(table))
    return None if row is None else str(table["flag_id"].iloc[row])


def open_clicked_flag(chosen: str | None, memory_key: str) -> None:
    """Open the clicked flag; a selection kept from before (returning to the page) does not reopen it, while
    the same flag clicked again after the selection was cleared does."""
    from .navigation import go_to_flag
    if not chosen:
        st.session_state.pop(memory_key, None)
        return
    if chosen != st.session_state.get(memory_key):
        st.session_state[memory_key] = chosen
        go_to_flag(chosen)


def json_block(value) -> None:
    st.json(value if isinstance(value, (dict, list)) else json.loads(value or "{}"), expanded=False)


# ---------------------------------------------------------------- the briefing download

def briefing_download() -> None:
    """Choose period, court and format; the file is generated only when the button is clicked."""
    if not sees_cases():
        return  # a briefing lists flagged cases: not for aggregate-only accounts
    from courtwatch.reporting.briefing import file_name
    months = data.months()
    if not months:
        return
    with st.expander(tr("brief_download"), icon=":material/download:"):
        cols = st.columns(4)
        language = lang()  # labels change with the language, so each language keeps its own widgets
        kinds = {tr("brief_month"): "month", tr("brief_quarter"): "quarter", tr("brief_year"): "year"}
        kind = kinds[cols[0].selectbox(tr("brief_period_kind"), list(kinds), key=f"brief_kind_{language}")]
        last = months[-1]
        choices = {"month": sorted(months, reverse=True),
                   "quarter": sorted({f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}" for m in months}, reverse=True),
                   "year": sorted({m[:4] for m in months}, reverse=True)}[kind]
        period = cols[1].selectbox(tr("brief_period"), choices, key=f"brief_period_{kind}")
        labels = {tr("brief_all_courts") if c is None else c: c for c in data.briefing_courts()}
        court = labels[cols[2].selectbox(tr("court"), list(labels), key=f"brief_court_{language}")]
        fmt = cols[3].selectbox(tr("brief_format"), ["pdf", "docx", "xlsx", "html"], key="brief_format")
        st.download_button(tr("brief_generate"), icon=":material/description:",
                           data=lambda: data.briefing_file(period, court, fmt, language, reviewer()),
                           file_name=file_name(period, court, fmt), key="brief_button", on_click="ignore")
        st.caption(tr("brief_note", last=last))


# ---------------------------------------------------------------- judge and court profiles

def profile_caseload_and_rates(caseload: pd.DataFrame, rates: pd.DataFrame, note_key: str, chart_key: str) -> None:
    """The plain case data of a profile: monthly caseload and rates against peers (shown even with AI off)."""
    if caseload.empty:
        st.info(tr("no_cases"))
    else:
        chart(caseload_figure(caseload, tr("chart_caseload")), chart_key, clickable=False)
    st.markdown(f"#### {tr('rates_vs_peers')}")
    if rates.empty:
        st.info(tr("no_rates"))
    else:
        st.dataframe(rates_table(rates), hide_index=True, width="stretch")
        st.caption(tr(note_key))


def profile_flags_header(info: dict | None) -> None:
    """Heading of a profile's flags; stops the page when AI assistance is off or there is no run."""
    if not assistance_on():
        assistance_off_note()
        st.stop()
    st.markdown(f"#### {tr('flags_over_time')}")
    notice()
    if not need_run(info):
        st.stop()


# ---------------------------------------------------------------- the disposition of a flag

def disposition_form(record: dict, view_is_new: bool) -> None:
    """The reviewer's decision on a flag: no decision chosen beforehand (people decide, not a default), a
    reason required, and one disposition per view of the flag — a second submission in the same view
    (a double click, a resent form) is refused until the reviewer deliberately starts another one."""
    import uuid

    from courtwatch.core.errors import UserError
    from courtwatch.core.vocabulary import DECISIONS

    from . import data_ops
    from .labels import fixed
    flag_id = record["flag_id"]
    view = st.session_state.get("disposition_view")
    if view_is_new or not view or view["flag_id"] != flag_id:
        view = st.session_state["disposition_view"] = {"flag_id": flag_id, "nonce": uuid.uuid4().hex, "used": False}
    st.caption(tr("disposition_help"))
    with st.form(f"dispose_{flag_id}", clear_on_submit=True):
        decision = st.radio(tr("decision"), list(DECISIONS), index=None, format_func=fixed(review_label),
                            horizontal=True, key="decision")
        reason = st.text_area(tr("reason"), key="reason", placeholder=tr("reason_placeholder"), max_chars=4000)
        submitted = st.form_submit_button(tr("record"), type="primary")
    if submitted:
        if view["used"]:
            st.error(tr("already_recorded"))
        elif not reviewer():
            st.error(tr("need_reviewer"))
        elif decision is None:
            st.error(tr("need_decision"))
        elif not (reason or "").strip():
            st.error(tr("need_reason"))
        else:
            view["used"] = True  # consumed before the write: a rerun racing this one finds it spent
            try:
                data_ops.record_disposition(record, decision, reason, reviewer())
                st.success(tr("recorded", decision=review_label(decision)))
            except UserError as exc:
                view["used"] = False
                st.error(str(exc))
    if view["used"] and st.button(tr("record_another"), key="record_another", icon=":material/add:"):
        st.session_state["disposition_view"] = {"flag_id": flag_id, "nonce": uuid.uuid4().hex, "used": False}
        st.rerun()


def disposition_history(flag_id: str) -> None:
    """Every disposition of the flag, newest first, with the reviewer's name (not the login)."""
    from . import data_ops
    history = data_ops.disposition_history(flag_id)
    if history.empty:
        st.caption(tr("no_history"))
        return
    names = data_ops.display_names()
    st.dataframe(pd.DataFrame({
        tr("col_when"): pd.to_datetime(history["decided_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        tr("col_who"): history["decided_by"].map(lambda login: names.get(login, login)),
        tr("col_decision"): history["decision"].map(review_label),
        tr("col_reason"): history["reason"],
        tr("col_run"): history["run_id"].fillna("—"),
    }).iloc[::-1], hide_index=True, width="stretch",
        column_config={tr("col_reason"): st.column_config.TextColumn(tr("col_reason"), width="large")})

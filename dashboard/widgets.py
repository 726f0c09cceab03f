"""Shared page furniture: the warning notice, the freshness line, the language and assistance switches."""
from __future__ import annotations

import streamlit as st

from . import data
from .i18n import t


def lang() -> str:
    return st.session_state.get("lang", "zh")


def sidebar_settings() -> None:
    choice = st.sidebar.radio(t("language", lang()), ["中文", "English"], horizontal=True,
                              index=0 if lang() == "zh" else 1, key="lang_choice")
    st.session_state["lang"] = "zh" if choice == "中文" else "en"
    st.sidebar.toggle(t("assistance", lang()), value=st.session_state.get("assistance", True), key="assistance")


def assistance_on() -> bool:
    return bool(st.session_state.get("assistance", True))


def notice() -> None:
    st.info(t("notice", lang()), icon="⚠️")


def freshness_line() -> dict | None:
    info = data.freshness()
    if info is None:
        st.warning(t("no_db", lang()))
        return None
    if not info.get("run_id"):
        st.warning(t("no_run", lang()))
        return info
    st.caption(t("freshness", lang(), as_of=str(info["as_of"])[:10], run_id=info["run_id"],
                 quarantined=int(info["quarantined_rows"] or 0)))
    return info

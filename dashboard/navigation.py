"""The pages one page links to, and the jumps a click makes: to a flag, a judge, or the flags list filtered
to what was clicked. The list of pages itself is in app.py.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from .state import set_choice

PAGES_DIR = Path(__file__).parent / "pages"
FLAGS_PAGE = PAGES_DIR / "flag_list.py"
FLAG_PAGE = PAGES_DIR / "flag_detail.py"
JUDGE_PAGE = PAGES_DIR / "judge_profile.py"
COURT_PAGE = PAGES_DIR / "court_profile.py"


def arrive(url_path: str) -> None:
    """Note the page this run shows (app.py, before running it), so a page can tell a new visit from a rerun."""
    st.session_state["nav_previous_page"] = st.session_state.get("nav_current_page")
    st.session_state["nav_current_page"] = url_path


def just_arrived() -> bool:
    """True on the first run of a page after another page (or after signing in), False on its reruns."""
    return st.session_state.get("nav_previous_page") != st.session_state.get("nav_current_page")


def go_to_flag(flag_id: str) -> None:
    st.switch_page(FLAG_PAGE, query_params={"flag": flag_id})


def go_to_judge(judge_id: str) -> None:
    st.switch_page(JUDGE_PAGE, query_params={"judge": judge_id})


FLAG_FILTERS = {"categories": [], "detectors": [], "levels": [], "judges": [], "review": [], "text": ""}


def go_to_flags(**choices) -> None:
    """Open the flags list filtered to what was clicked; the list's other filters start cleared."""
    for key, value in {**FLAG_FILTERS, **choices}.items():
        set_choice(key, value)
    st.switch_page(FLAGS_PAGE)

"""courtwatch dashboard entry point: `courtwatch serve` runs this with Streamlit.

The list of pages lives here and nowhere else. `/?flag=<flag_id>` opens that
flag's detail page (links in briefings and e-mails use it).
"""
from __future__ import annotations

import streamlit as st

from courtwatch.core.errors import UserError
from courtwatch.dashboard import navigation, session, state, widgets
from courtwatch.dashboard.i18n import t

st.set_page_config(page_title="courtwatch", page_icon="⚖️", layout="wide")  # an emoji: a :material: icon would make browsers fetch it
widgets.compact_layout()
widgets.sidebar_settings()
lang = state.lang()
# (section, file, title key, icon, url path); the first page is the default.
# No url path may equal its file's name: a folder called pages/ beside this script makes Streamlit (and
# AppTest on every rerun) run a page whose url matches a file there directly, without this script, so
# without the sign-in and account checks below (tests/test_dashboard.py checks the names differ).
PAGE_SPECS = [
    ("nav_supervision", "supervision_overview.py", "page_overview", ":material/dashboard:", "overview"),
    ("nav_supervision", "flag_list.py", "page_flags", ":material/flag:", "flags"),
    ("nav_supervision", "flag_detail.py", "page_flag", ":material/search:", "flag"),
    ("nav_supervision", "review_list.py", "page_review", ":material/format_list_numbered:", "review-list"),
    ("nav_profiles", "judge_profile.py", "page_judge", ":material/person:", "judge"),
    ("nav_profiles", "court_profile.py", "page_court", ":material/account_balance:", "court"),
    ("nav_about", "data_quality.py", "page_quality", ":material/fact_check:", "data-quality"),
    ("nav_about", "model_cards.py", "page_cards", ":material/menu_book:", "model-cards"),
]
PAGES: dict[str, list] = {}
for number, (section, file, title_key, icon, url_path) in enumerate(PAGE_SPECS):
    PAGES.setdefault(t(section, lang), []).append(
        st.Page(navigation.PAGES_DIR / file, title=t(title_key, lang), icon=icon, url_path=url_path, default=number == 0))
try:
    user = session.session_user()  # no page, and no data, before a user is signed in
except UserError as exc:  # e.g. a misconfigured sign-in mode: say what to fix, let nobody in
    st.error(str(exc))
    st.navigation([st.Page(lambda: None, title="courtwatch", url_path="error")], position="hidden")
    st.stop()
if user is None:
    # Every page's address leads to the sign-in form, and after signing in the same address opens the page.
    # (The default sign-in page keeps its own path, so its identity never equals the real overview's.)
    st.navigation([st.Page(session.sign_in_page, title=t("sign_in", lang), url_path=None if number == 0 else spec[4],
                           default=number == 0)
                   for number, spec in enumerate(PAGE_SPECS)], position="hidden").run()
    st.stop()
session.signed_in_sidebar(user)

page = st.navigation(PAGES)
if st.query_params.get("flag") and page.url_path != "flag":
    navigation.go_to_flag(st.query_params["flag"])
navigation.arrive(page.url_path)
try:
    page.run()
except UserError as exc:  # a problem the user can fix: one line, no traceback
    st.error(str(exc))

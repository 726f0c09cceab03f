"""courtwatch dashboard entry point: `courtwatch serve` runs this with Streamlit.

The list of pages lives here and nowhere else. `/?flag=<flag_id>` opens that
flag's detail page (links in briefings and e-mails use it).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from courtwatch.dashboard import widgets
from courtwatch.dashboard.i18n import t
from courtwatch.errors import UserError

st.set_page_config(page_title="courtwatch", page_icon=":material/balance:", layout="wide")
widgets.compact_layout()
widgets.sidebar_settings()
lang = widgets.lang()
PAGES_DIR = Path(__file__).parent / "pages"
PAGES = {
    t("nav_supervision", lang): [
        st.Page(PAGES_DIR / "overview.py", title=t("page_overview", lang), icon=":material/dashboard:", url_path="overview", default=True),
        st.Page(PAGES_DIR / "flags.py", title=t("page_flags", lang), icon=":material/flag:", url_path="flags"),
        st.Page(PAGES_DIR / "flag_detail.py", title=t("page_flag", lang), icon=":material/search:", url_path="flag"),
    ],
    t("nav_profiles", lang): [
        st.Page(PAGES_DIR / "judge.py", title=t("page_judge", lang), icon=":material/person:", url_path="judge"),
        st.Page(PAGES_DIR / "court.py", title=t("page_court", lang), icon=":material/account_balance:", url_path="court"),
    ],
    t("nav_about", lang): [
        st.Page(PAGES_DIR / "data_quality.py", title=t("page_quality", lang), icon=":material/fact_check:", url_path="data-quality"),
        st.Page(PAGES_DIR / "model_cards.py", title=t("page_cards", lang), icon=":material/menu_book:", url_path="model-cards"),
    ],
}
try:
    user = widgets.session_user()  # no page, and no data, before a user is signed in
except UserError as exc:  # e.g. a misconfigured sign-in mode: say what to fix, let nobody in
    st.error(str(exc))
    st.navigation([st.Page(lambda: None, title="courtwatch", url_path="error")], position="hidden")
    st.stop()
if user is None:
    # Every page's address leads to the sign-in form, and after signing in the same address opens the page.
    st.navigation([st.Page(widgets.sign_in_page, title=t("sign_in", lang), url_path=page.url_path or None,
                           default=not page.url_path)
                   for group in PAGES.values() for page in group], position="hidden").run()
    st.stop()
widgets.signed_in_sidebar(user)

page = st.navigation(PAGES)
if st.query_params.get("flag") and page.url_path != "flag":
    widgets.go_to_flag(st.query_params["flag"])
try:
    page.run()
except UserError as exc:  # a problem the user can fix: one line, no traceback
    st.error(str(exc))

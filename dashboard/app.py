"""courtwatch dashboard entry point: `courtwatch serve` runs this with Streamlit.

The list of pages lives here and nowhere else.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from courtwatch.dashboard import widgets
from courtwatch.dashboard.i18n import t

st.set_page_config(page_title="courtwatch", page_icon="⚖️", layout="wide")
widgets.sidebar_settings()

PAGES_DIR = Path(__file__).parent / "pages"
PAGES = [
    st.Page(str(PAGES_DIR / "flags.py"), title=t("page_flags", widgets.lang()), icon="🚩", url_path="flags", default=True),
]
st.navigation(PAGES).run()

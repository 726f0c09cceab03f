"""What the user chose, kept across pages: courts, months, filters, language, AI assistance.

Session state holds only these choices (never data); widgets.py binds its inputs to them, and a chart click
or a link sets one (navigation.py) for the page it opens.
"""
from __future__ import annotations

import json

import streamlit as st

# A widget's own state is dropped when its page is left, so each choice lives under "choice_<key>"
# and is copied into the widget before every render and back from it on change (the pattern the
# Streamlit docs give for keeping widget values across pages).

def remembered(key: str, default):
    """The user's last choice for `key`, kept across pages."""
    return st.session_state.get(f"choice_{key}", default)


def remember(key: str, value) -> None:
    st.session_state[f"choice_{key}"] = value


def set_choice(key: str, value) -> None:
    """Set a choice from elsewhere (a chart click, a link): the widget showing it will start from it."""
    if key == "period":  # shown as two pickers
        remember("period_from", value[0])
        remember("period_to", value[1])
        return
    remember(key, value)


def _store(key: str) -> None:
    remember(key, st.session_state[f"w_{key}"])


def bound(key: str, value) -> dict:
    """Keyword arguments that bind a widget to the remembered choice `key` (seeded with `value`)."""
    st.session_state[f"w_{key}"] = value
    return {"key": f"w_{key}", "on_change": _store, "args": (key,)}


# ---------------------------------------------------------------- the user's switches

def lang() -> str:
    return "en" if remembered("language", "中文") == "English" else "zh"


def assistance_on() -> bool:
    return bool(remembered("assistance", True))


def digest(*values) -> str:
    """A short stable key for a combination of choices (for widget keys that must change with them)."""
    import hashlib
    return hashlib.sha1(json.dumps(values, default=str, ensure_ascii=False).encode()).hexdigest()[:10]

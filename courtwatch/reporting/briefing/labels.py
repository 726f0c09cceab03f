"""Every string a briefing prints, in Chinese (default) and English, from gettext catalogs.

The strings live in courtwatch/reporting/briefing/locale/<locale>/LC_MESSAGES/briefing.po (zh_CN and en), read
with Babel: msgid is the key the briefing looks up with `t(key, lang, **values)`, msgstr the text, `{name}`
placeholders filled by str.format. Both files hold the same keys with the same placeholders, and every key the
briefing code uses is in both (tests/test_briefing.py). A translator edits the PO files with any gettext tool.
The briefing has its own domain ("briefing"), read by the same reader as the dashboard's
(courtwatch/core/catalogs.py). Chinese terms of art stay in English text where
the English has no word for them. A key missing from the catalogs shows as itself.
"""
from __future__ import annotations

from pathlib import Path

from courtwatch.core.catalogs import LOCALES, read_messages

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "briefing"
__all__ = ["LOCALES", "catalog", "messages", "notice", "t"]


def messages(lang: str) -> dict[str, str]:
    """key → text of one language's catalog (read once per process)."""
    return read_messages(LOCALE_DIR, DOMAIN, lang)


def catalog() -> dict[str, tuple[str, str]]:
    """key → (Chinese, English) for every key of either catalog ("" where one lacks it): what the tests read."""
    zh, en = messages("zh"), messages("en")
    return {key: (zh.get(key, ""), en.get(key, "")) for key in {**zh, **en}}


def t(key: str, lang: str = "zh", **values) -> str:
    text = messages("en" if lang == "en" else "zh").get(key) or key
    return text.format(**values) if values else text


def notice(lang: str = "zh") -> str:
    return t("notice", lang)

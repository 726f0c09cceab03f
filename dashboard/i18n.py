"""Every user-visible string of the dashboard, in Chinese and English, from gettext catalogs.

The strings live in dashboard/locale/<locale>/LC_MESSAGES/dashboard.po (zh_CN and en), one entry per
key: msgid is the key the pages look up with `t(key, lang, **values)`, msgstr the text, `{name}`
placeholders filled by str.format. A translator edits the PO files with any gettext tool; both hold
the same keys with the same placeholders (tests/test_i18n.py), and tests/test_dashboard.py checks that
every key the pages use is there. The English carries no Chinese: 终本 is "termination for now" (the
detectors' own English term); names, case numbers and court names stay as recorded. A key missing
from the catalogs shows as itself.
"""
from __future__ import annotations

from pathlib import Path

from courtwatch.core.catalogs import LOCALES, read_messages

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "dashboard"
__all__ = ["CATALOG", "LOCALES", "messages", "t"]


def messages(lang: str) -> dict[str, str]:
    """key → text of one language's catalog (read once per process)."""
    return read_messages(LOCALE_DIR, DOMAIN, lang)


def _catalog() -> dict[str, tuple[str, str]]:
    zh, en = messages("zh"), messages("en")
    return {key: (zh[key], en.get(key, "")) for key in zh}


# key → (Chinese, English): what the tests and the key checks read
CATALOG: dict[str, tuple[str, str]] = _catalog()


def t(key: str, lang: str = "zh", **values) -> str:
    zh, en = CATALOG.get(key, (key, key))
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text

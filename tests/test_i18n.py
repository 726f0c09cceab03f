"""The dashboard's gettext catalogs: the same keys and placeholders in Chinese and English, no Chinese in English."""
from __future__ import annotations

import re
import string

from courtwatch.dashboard import i18n

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogs_hold_the_same_keys_with_text():
    zh, en = i18n.messages("zh"), i18n.messages("en")
    assert zh.keys() == en.keys() and len(zh) > 400
    assert all(zh.values()) and all(en.values())


def test_placeholders_agree_between_languages():
    zh, en = i18n.messages("zh"), i18n.messages("en")
    differ = [k for k in zh if _fields(zh[k]) != _fields(en[k])]
    assert not differ, differ


def test_english_holds_no_chinese_except_the_language_switch():
    en = i18n.messages("en")
    leaks = [k for k, text in en.items() if CJK.search(text) and k not in ("lang_zh",)]
    assert not leaks, leaks


def test_t_formats_and_falls_back_to_the_key():
    key = next(k for k, (zh, en) in i18n.CATALOG.items() if "{" not in zh)
    assert i18n.t(key, "en") == i18n.CATALOG[key][1]
    assert i18n.t("no_such_key", "en") == "no_such_key"

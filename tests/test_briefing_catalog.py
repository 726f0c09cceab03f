"""The briefing's strings: the gettext catalogs (locale/*/LC_MESSAGES/briefing.po) hold every key the briefing
code uses in both languages, and every registered detector has a Chinese method note (method_notes.py).
No database needed: these read the source and the catalogs."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from courtwatch.core.vocabulary import CATEGORIES, DECISIONS, LEVELS, PENDING, SUBJECT_TYPES
from courtwatch.reporting.briefing import labels, method_notes

BRIEFING = Path(labels.__file__).resolve().parent
LITERAL_KEY = re.compile(r"""\b[tT]\(\s*["']([A-Za-z0-9_]+)["']""")

# keys the code builds from a value (T(f"d_{decision}") and the like), with every value it can take
DYNAMIC = {
    "c_": LEVELS, "d_": (*DECISIONS, PENDING), "short_": CATEGORIES, "": (*CATEGORIES, *LEVELS, *SUBJECT_TYPES),
    "i_": ("flags", *(f"flags_{c}" for c in CATEGORIES), "flags_high", "cases", "reviewed", "reviewed_share",
           "standing"),
    "lv_": ("basic", "intermediate", "high", "supreme"),
    "t_": ("courts", "judges", "cases", "defendants", "enforcement", "events", "representations"),
    "status_": ("ok", "skipped", "failed", "incremental", "carried", "absent"),
    "disp_": ("flags", "none", "not_tested", "not_registered", "not_run", "skipped", "failed"),
    "a_": ("quiet", "caution"),
}


def _used_keys() -> set[str]:
    keys = set()
    for path in BRIEFING.glob("*.py"):
        keys |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    keys |= {prefix + value for prefix, values in DYNAMIC.items() for value in values}
    return keys


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogs_hold_the_same_keys_with_the_same_placeholders():
    zh, en = labels.messages("zh"), labels.messages("en")
    assert set(zh) == set(en), f"only Chinese: {sorted(set(zh) - set(en))}; only English: {sorted(set(en) - set(zh))}"
    for key in zh:
        assert zh[key].strip() and en[key].strip(), f"{key}: empty text"
        assert _fields(zh[key]) == _fields(en[key]), f"{key}: placeholders differ"


def test_every_key_the_briefing_uses_is_in_both_catalogs():
    catalog = labels.catalog()
    used = _used_keys()
    assert len(used) > 150  # the scan found the code's keys (a broken pattern would find none)
    missing = sorted(k for k in used if not all(catalog.get(k, ("", ""))))
    assert not missing, f"keys used by the briefing but missing from a catalog: {missing}"


def test_a_missing_key_fails_the_check(monkeypatch):
    """The check above is not vacuous: a key dropped from the English catalog is reported."""
    chinese, english = labels.messages("zh"), dict(labels.messages("en"))
    english.pop("s_method")
    monkeypatch.setattr(labels, "messages", lambda lang: english if lang == "en" else chinese)
    catalog = labels.catalog()
    assert catalog["s_method"][1] == ""
    assert "s_method" in {k for k in _used_keys() if not all(catalog.get(k, ("", "")))}


def test_t_formats_and_falls_back_to_the_key():
    assert labels.t("page", "zh", page=3) == "第 3 页"
    assert labels.t("page", "en", page=3) == "Page 3"
    assert labels.t("no_such_key", "en") == "no_such_key"
    assert "人工审查" in labels.notice("zh") and "human review" in labels.notice("en")


# ----------------------------------------------------------------------------------------------- method notes

CJK = re.compile(r"[\u4e00-\u9fff]")
ALLOWED_LATIN = {"Huber", "M", "ECOD", "p", "Benjamini", "Hochberg", "stats", "false_discovery_rate"}


def test_every_registered_detector_has_a_chinese_method_note():
    """A detector registered without a note (e.g. a new one) fails here by name: add its line to
    courtwatch/reporting/briefing/method_notes.py NOTES. Until then the briefing prints its Chinese title
    and "方法说明见模型说明页" (test_briefing.py checks the fallback)."""
    from courtwatch.detectors.registry import DETECTORS
    names = [d.name for d in DETECTORS]
    missing = [n for n in names if n not in method_notes.NOTES]
    assert not missing, f"detectors without a Chinese method note in method_notes.NOTES: {missing}"
    missing = [n for n in names if n not in method_notes.NOTES_EN]
    assert not missing, f"detectors without an English method note in method_notes.NOTES_EN: {missing}"


@pytest.mark.parametrize("name", sorted(method_notes.NOTES))
def test_method_note_is_chinese_and_short(name):
    for text in method_notes.NOTES[name]:
        assert CJK.search(text), f"{name}: {text!r} is not Chinese"
        latin = set(re.findall(r"[A-Za-z_]+", text)) - ALLOWED_LATIN
        assert not latin, f"{name}: English words {sorted(latin)} in {text!r}"
        assert len(text) <= 130, f"{name}: {len(text)} characters; a briefing note is one sentence or two"


@pytest.mark.parametrize("name", sorted(method_notes.NOTES_EN))
def test_english_method_note_is_english_and_short(name):
    assert name in method_notes.NOTES, f"{name}: an English note without a Chinese one"
    for text in method_notes.NOTES_EN[name]:
        assert not CJK.search(text), f"{name}: Chinese in the English note {text!r}"
        assert len(text) <= 200, f"{name}: {len(text)} characters; a briefing note is one sentence or two"


def test_every_kind_of_detector_has_a_kind_note():
    from courtwatch.detectors import triage
    from courtwatch.detectors.registry import DETECTORS
    kinds = {triage.kind_of(d) for d in DETECTORS}
    assert kinds <= set(method_notes.KIND_NOTES), kinds - set(method_notes.KIND_NOTES)
    assert set(method_notes.KIND_NOTES) == set(method_notes.KIND_NOTES_EN)



def test_detector_catalog_is_current():
    """The briefing reads the detectors' titles, kinds and legal bases from reporting/detector_catalog.py instead
    of importing the registry (and statsmodels, scipy, PyOD behind it). Stale, it would be ignored (the
    registry is read instead, slowly): after changing a detector, run `python -m courtwatch.reporting.detector_info`."""
    from courtwatch.reporting import detector_catalog, detector_info
    assert detector_catalog.SOURCE_DIGEST == detector_info.source_digest(), \
        "detectors' declarations changed since the catalog was written: python -m courtwatch.reporting.detector_info"
    assert detector_info.from_catalog() == detector_info.from_registry()


def test_catalog_digest_follows_declarations_not_function_bodies(tmp_path):
    """A detector's new title or kind changes the digest (the catalog is then not read); a change inside a
    method or a new helper function does not (the catalog stays valid while detectors are worked on)."""
    from courtwatch.reporting import detector_info
    module = tmp_path / "rules" / "some_rule.py"
    module.parent.mkdir()

    def digest(source: str) -> str:
        module.write_text(source, encoding="utf-8")
        return detector_info.source_digest([tmp_path])

    base = digest('class Rule:\n    title_zh = "终本：甲"\n\n    def detect(self, ctx):\n        return 1\n')
    assert digest('class Rule:\n    title_zh = "终本：甲"\n\n    def detect(self, ctx):\n        return 2\n') == base
    assert digest('def helper():\n    pass\n\n\nclass Rule:\n    title_zh = "终本：甲"\n\n    def detect(self, ctx):\n'
                  '        return 1\n') == base
    assert digest('class Rule:\n    title_zh = "终本：乙"\n\n    def detect(self, ctx):\n        return 1\n') != base
    assert digest('class Rule:\n    title_zh = "终本：甲"\n    kind = "heuristic"\n\n    def detect(self, ctx):\n'
                  '        return 1\n') != base

def test_a_stale_detector_catalog_is_not_read(monkeypatch):
    """Sources with another digest: the catalog is ignored and the registry read (a changed title is never
    printed from an old catalog)."""
    from courtwatch.reporting import detector_info
    monkeypatch.setattr(detector_info, "source_digest", lambda: "not the catalog's")
    assert detector_info.from_catalog() is None
    detector_info.detectors.cache_clear()
    try:
        assert list(detector_info.detectors()) == detector_info.from_registry()
    finally:
        detector_info.detectors.cache_clear()

# ----------------------------------------------------------------------------------------------- quarantine reasons

@pytest.mark.parametrize("reason, chinese", [
    ("required value missing", "必填项为空"),
    ("not a date (expected YYYY-MM-DD)", "不是有效日期（应为“年-月-日”，如2024-03-05）"),
    ("after the export date 2024-12-31", "晚于数据导出日期 2024-12-31"),
    ("refers to a case that is not loaded (cases.case_id)", "所引用的案件未载入（cases.case_id）"),
    ("exact copy of row 12; the first copy is loaded", "与第12行完全重复（已载入第一行）"),
    ("key appears in rows 3, 7 with different content; none loaded", "同一编号出现在第3, 7行且内容不同，均未载入"),
    ("implausibly large (over 300 months: the longest lawful term)", "数值过大（超过300）"),
    ("not a criminal case (the case number's type is civil)", "不是刑事案件（案号类型为民事）"),
    ("has 7 fields but the header has 9", "有7个字段，但表头有9个"),
    # as queries/brief_quarantine_by_reason.sql gives them: without the trailing parenthesis
    ("not a date", "不是有效日期（应为“年-月-日”，如2024-03-05）"),
    ("refers to a case that is not loaded", "所引用的案件未载入"),
    ("implausibly large", "数值过大"),
    ("not a criminal case", "不是刑事案件"),
    ("identifier starts with '='", "编号以'='开头（电子表格会当作公式）"),
])
def test_quarantine_reasons_in_chinese(reason, chinese):
    from courtwatch.reporting.briefing.quality_reasons import reason_zh
    assert reason_zh(reason) == chinese


def test_an_unknown_quarantine_reason_is_not_printed_in_english():
    from courtwatch.reporting.briefing.quality_reasons import OTHER, reason_zh
    assert reason_zh("some reason the import will word one day") == OTHER
    assert reason_zh("refers to a widget that is not loaded (widgets.widget_id)") == "所引用的记录未载入（widgets.widget_id）"

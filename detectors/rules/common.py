"""What every legal-rule detector shares: the Rule record, RuleDetector, the [rules] settings and the
phrase helpers (dates, figures, severities) its explanations use. Each rule is one file beside this
one (detectors/rules/<name>.py) and one query (queries/<name>.sql).

Each rule's query (queries/<name>.sql) returns the rows that are not known to
comply, with `violated` TRUE (a warning) or NULL (a field the rule needs is
unknown: counted as skipped, never read as a violation or as compliance).
A rule raises no false alarm of its own making: what it flags breaks the
written rule on the recorded data; whether the record is right is for the
reviewer to check.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import pandas as pd

from courtwatch.detectors import law

from ..base import NOTICE_EN, NOTICE_ZH, DetectContext, Detection, Settings, SqlDetector
from ..base import clean_value as _clean_any

ZB_BASIS = "最高人民法院关于严格规范终结本次执行程序的规定（试行）（法〔2016〕373号）"
# The grounds of 终本 that the three-month condition does not bind (contract extension E3).
ZB_CASES_BASIS = "最高人民法院关于执行案件立案、结案若干问题的意见（法发〔2014〕26号）"
FUNDS_BASIS = "最高人民法院关于执行款物管理工作的规定（法发〔2017〕6号）"
# The 2015 rules on recording interference (三个规定), by their exact names.
INTERFERENCE_BASIS = ("领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定（中办发〔2015〕23号）；"
                      "司法机关内部人员过问案件的记录和责任追究规定（2015年，文号未查得）；"
                      "人民法院落实《领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定》的实施办法"
                      "（文号未查得）第二条：人民法院工作人员均应当全面、如实、及时地予以记录")


def clean_value(value):
    """base.clean_value, the same result, with the values a rule's rows mostly hold answered first: a rule cleans
    every field of every flag (~500,000 values a run at scale 100), and base.clean_value's chain of type tests
    for each cost more than the rest of building the flags. A naive timestamp's text is cached by its instant."""
    kind = type(value)
    if kind is float:
        return None if value != value else round(value, 4)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is pd.Timestamp and value.tz is None:
        try:
            return _timestamp_text(value.value)
        except OverflowError:  # beyond nanosecond range (a date in another unit): cleaned as it is
            return _clean_any(value)
    return _clean_any(value)


@lru_cache(maxsize=1 << 16)
def _timestamp_text(nanoseconds: int):
    return _clean_any(pd.Timestamp(nanoseconds))


def _d(value) -> str:
    """A date for a sentence; 'no record' when absent."""
    value = clean_value(value)
    return str(value)[:10] if value else "无记录"


def _d_en(value) -> str:
    value = clean_value(value)
    return str(value)[:10] if value else "no record"


SENTENCE_KIND_ZH = {"exempt": "免予刑事处罚", "fine_only": "单处罚金", "control": "管制", "detention": "拘役",
                    "fixed_term": "有期徒刑", "life": "无期徒刑", "death": "死刑"}


def _n(value, digits: int = 0) -> str:
    value = clean_value(value)
    if value is None:
        return "?"
    return f"{value:,.{digits}f}"


_MEASURE_ZH = {"amount_involved": "涉案金额", "injury_level": "伤情", "drug_grams": "毒品数量", "blood_alcohol": "血液酒精含量"}
_MEASURE_EN = {"amount_involved": "amount", "injury_level": "injury", "drug_grams": "drug quantity",
               "blood_alcohol": "blood alcohol"}
_INJURY_ZH = {"none": "无伤情", "minor_2": "轻伤二级", "minor_1": "轻伤一级", "serious_2": "重伤二级",
              "serious_1": "重伤一级", "death": "死亡"}
_INJURY_BY_ORDER = {order: code for code, order in law.INJURY_ORDER.items()}


# drug types whose quantity §347 itself counts (heroin / methamphetamine scale): no conversion to state
_HEROIN_SCALE = {"heroin", "methamphetamine"}
_ITEM_NUMBERS = {n: i for i, n in enumerate("一二三四五六七八九十", start=1)} | {
    f"十{n}": 10 + i for i, n in enumerate("一二三四五六七", start=1)}


def _source_en(source: str) -> str:
    """law.DRUG_TYPES' source in English: 刑法第347条… → Criminal Law art. 347; 法释〔2016〕8号第一条第（七）项… →
    Fa Shi [2016] No. 8 art. 1 (7), art. 2 (7)."""
    if source.startswith("刑法第347条"):
        return "Criminal Law art. 347 para. 2 (1), para. 3"
    item = source.split("（", 1)[1].split("）", 1)[0] if "（" in source else ""
    number = _ITEM_NUMBERS.get(item)
    return f"Fa Shi [2016] No. 8 art. 1 ({number}), art. 2 ({number})" if number else "Fa Shi [2016] No. 8"


def _quantity(grams, g: str, mg: str) -> str:
    """A drug quantity: in milligrams below 0.1 g (二氢埃托啡's thresholds are 10 mg and 2 mg), else grams."""
    value = clean_value(grams)
    if value is not None and 0 < float(value) < 0.1:
        return f"{float(value) * 1000:g}{mg}"
    return f"{_n(grams, 2)}{g}"


def _drug_name(r: dict) -> str | None:
    """The recorded drug type's name (E7) when the quantity was converted, else None (v1: heroin equivalent)."""
    code = clean_value(r.get("drug_type"))
    if code is None:
        return None
    known = law.DRUG_TYPES.get(str(code))
    return known[0] if known else "法释〔2016〕8号未列明的其他毒品"


def _severity_zh(r: dict) -> str:
    measure = r.get("measure")
    if measure == "injury_level":
        return _INJURY_ZH.get(str(r.get("injury_level")), "?")
    if measure == "drug_grams" and _drug_name(r):
        code = str(clean_value(r.get("drug_type")))
        equivalent = clean_value(r.get("drug_equivalent_grams"))
        if code in _HEROIN_SCALE:  # §347's own scale: nothing to convert
            converted = ""
        elif equivalent is not None:
            converted = f"，按{law.DRUG_TYPES[code][3]}的数量标准折合海洛因{_n(equivalent, 2)}克"
        else:
            converted = "，无折算标准，数量档次不明"
        return f"{_drug_name(r)}{_quantity(r.get('drug_grams'), '克', '毫克')}{converted}"
    unit = {"amount_involved": "元", "drug_grams": "克", "blood_alcohol": "mg/100ml"}.get(measure, "")
    return f"{_n(r.get(measure), 0 if measure == 'amount_involved' else 2)}{unit}"


def _severity_en(r: dict) -> str:
    measure = r.get("measure")
    if measure == "injury_level":
        return str(r.get("injury_level"))
    if measure == "drug_grams" and clean_value(r.get("drug_type")) is not None:
        code = str(clean_value(r.get("drug_type")))
        equivalent = clean_value(r.get("drug_equivalent_grams"))
        if code in _HEROIN_SCALE:
            converted = ""
        elif equivalent is not None:
            converted = f", {_n(equivalent, 2)} g heroin equivalent ({_source_en(law.DRUG_TYPES[code][3])})"
        else:
            converted = ", a drug without a published scale: tier unknown"
        return f"{_quantity(r.get('drug_grams'), ' g', ' mg')} of {code}{converted}"
    unit = {"amount_involved": " yuan", "drug_grams": " g", "blood_alcohol": " mg/100ml"}.get(measure, "")
    return f"{_n(r.get(measure), 0 if measure == 'amount_involved' else 2)}{unit}"


def _needed_value(r: dict, key: str, zh: bool) -> str:
    value = clean_value(r.get(key))
    if value is None:
        return "?"
    if r.get("measure") == "injury_level":
        code = _INJURY_BY_ORDER.get(int(value), "?")
        return _INJURY_ZH.get(code, code) if zh else code
    unit = {"amount_involved": "元" if zh else " yuan", "drug_grams": "克" if zh else " g"}.get(r.get("measure"), "")
    if r.get("measure") == "drug_grams" and clean_value(r.get("drug_type")) is not None:
        unit = "克（折合海洛因）" if zh else " g (heroin equivalent)"
    return f"{_n(value)}{unit}"


def _needed_zh(r: dict) -> str:
    text = f"{_MEASURE_ZH.get(r.get('measure'), '')}达到{_needed_value(r, 'needed_lower', True)}以上"
    if clean_value(r.get("needed_reach")) is not None and clean_value(r.get("needed_reach")) < clean_value(r.get("needed_lower")):
        text += f"，或有导出数据未载明的加重情节时{_needed_value(r, 'needed_reach', True)}以上"
    return text


def _needed_en(r: dict) -> str:
    text = f"{_MEASURE_EN.get(r.get('measure'), '')} of at least {_needed_value(r, 'needed_lower', False)}"
    if clean_value(r.get("needed_reach")) is not None and clean_value(r.get("needed_reach")) < clean_value(r.get("needed_lower")):
        text += f", or {_needed_value(r, 'needed_reach', False)} with an aggravating circumstance the export cannot show"
    return text


def _standard_sentence_zh(r: dict) -> str:
    """Which threshold standard the flag used, and the frame the recorded severity selects under it."""
    text = str(r.get("standard") or "所用标准不明")
    if clean_value(r.get("tier")) is not None and clean_value(r.get("tier_max_months")) is not None:
        text += f"，记录的事实属第{_n(r['tier'])}档（上限{_n(r['tier_max_months'])}个月）"
    return text + "；"


def _standard_sentence_en(r: dict) -> str:
    standard = r.get("standard") or "unknown"
    text = f"standard used: {standard}"
    if str(standard).startswith("未配置"):
        text += " (no standard configured for the court's province: the national lowest thresholds)"
    if clean_value(r.get("tier")) is not None and clean_value(r.get("tier_max_months")) is not None:
        text += f"; under it the recorded facts are tier {_n(r['tier'])} (at most {_n(r['tier_max_months'])} months)"
    return text + "; "


@dataclass(frozen=True)
class RuleSettings(Settings):
    """The `[rules]` table of config.toml: the statutory periods and the heuristics' floors."""

    section = "rules"

    zb_min_months_before_termination: int
    zb_max_months_between_inquiries: int
    zb_inquiry_duty_years: int
    zb_assets_found_min_share: float
    zb_assets_found_min_yuan: float
    zb_assets_found_cover_share: float
    zb_assets_found_cover_min_yuan: float
    funds_disbursement_days: int
    post_close_edit_grace_days: int
    zb_online_inquiry_window_months: int
    zb_inquiry_log_min_cases: int
    zb_inquiry_log_incomplete_share: float
    funds_disbursed_min_share: float
    interference_absent_min_expected: float
    fine_records_incomplete_share: float
    fine_records_incomplete_min_zeros: int


# What each rule's verdict on a case reads besides the configuration, audited from its query (queries/<name>.sql) and
# kept here, beside the Rule record, rather than in each rule's file: an incremental run (courtwatch/pipeline/runner.py)
# reads it to decide whether the rule may re-check only the run's scope and carry the other cases' flags, and one
# table shows the audit whole (tests/test_incremental_rules.py checks it against each query's text):
#   "case"        the case's own rows (cases, defendants, enforcement, events, representations), which its
#                 fingerprint covers (queries/case_fingerprints.sql);
#   "court"       the row of the case's court in courts (its province picks the frame set), which its fingerprint
#                 covers too;
#   "as_of"       the as-of date (a deadline, a period pending): a verdict can change while the case does not;
#   "other_cases" other cases' rows, or other courts' (a court's or a province's counts): another case's change can
#                 change the verdict.
VERDICT_READS: dict[str, frozenset[str]] = {
    "zb_terminated_within_3_months": frozenset({"case"}),
    "zb_no_notice_or_report_order": frozenset({"case"}),
    "zb_no_restriction_order": frozenset({"case"}),
    "zb_no_online_inquiry": frozenset({"case"}),
    "zb_online_inquiry_stale": frozenset({"case"}),
    "zb_applicant_not_informed": frozenset({"case"}),
    "zb_missing_respondent_not_searched": frozenset({"case"}),
    "zb_assets_found_but_terminated": frozenset({"case"}),
    # the court's inquiry log (log_incomplete) and whether the court records result notices at all (notifying_courts)
    "zb_no_inquiry_after_termination": frozenset({"case", "as_of", "other_cases"}),
    "zb_inquiry_log_incomplete": frozenset({"case", "as_of", "other_cases"}),
    "probation_for_recidivist": frozenset({"case"}),
    "probation_term_over_3_years": frozenset({"case"}),
    "detention_out_of_range": frozenset({"case"}),
    "term_above_statutory_max": frozenset({"case", "court"}),
    "record_facts_inconsistent": frozenset({"case", "court"}),
    "probation_period_out_of_range": frozenset({"case"}),
    "fixed_term_below_6_months": frozenset({"case"}),
    "control_out_of_range": frozenset({"case"}),
    "combined_sentence_over_cap": frozenset({"case"}),
    # the court's and the province's fine records (stages/fine_sentences.sql: incomplete)
    "missing_mandatory_fine": frozenset({"case", "court", "other_cases"}),
    "fine_records_incomplete": frozenset({"case", "court", "other_cases"}),
    "funds_not_disbursed_30_days": frozenset({"case", "as_of"}),
    "late_post_close_edit": frozenset({"case"}),
    "interference_followed_by_change": frozenset({"case"}),
    # the court's recorded interference against its province's share
    "interference_records_absent": frozenset({"case", "court", "other_cases"}),
    "case_past_time_limit": frozenset({"case", "as_of"}),
    "case_long_pending": frozenset({"case", "as_of"}),
}


@dataclass(frozen=True)
class Rule:
    name: str
    category: str
    subject_type: str
    title_zh: str
    title_en: str
    legal_basis: str
    explain_zh: Callable[[dict], str]
    explain_en: Callable[[dict], str]
    needs: tuple[str, ...] = ("cases",)
    params: Callable[[DetectContext], dict] = lambda ctx: {}
    register: Callable[[DetectContext], dict[str, pd.DataFrame]] = lambda ctx: {}
    limitations: str = ""
    # "statute": a flag means the record breaks the written rule; "heuristic": a pattern the rule's
    # exceptions can explain (the export cannot show them); "data_quality": the record cannot be right.
    kind: str = "statute"
    # "all": re-check every case in every run; "carry": a court-level rule compares whole caseloads, so an
    # incremental run carries its flags until the next full run (detectors/base.py Detector.incremental)
    incremental: str = "all"


# What a flag of each kind of rule means, for the model card and the evidence.
RULE_KIND_CONTROL = {
    "statute": "None needed: a flag means the recorded data break the written rule. Rows with an unknown field are "
               "skipped and counted, never flagged.",
    "heuristic": "A heuristic, not a breach of the rule: the lawful exceptions it names cannot be seen in the export, "
                 "so a flag asks a reviewer to check for them. Rows with an unknown field are skipped and counted.",
    "data_quality": "A data-quality check: a flag means the recorded facts and the decision cannot both be right, so "
                    "the record is what to check — never a finding that the decision is unlawful.",
}
RULE_KIND_PEERS = {
    "statute": "法定规则，不以同类案件比较：违反书面规则即提示 (a written rule: no peer comparison needed)",
    "heuristic": "启发式规则：提示可能存在问题，法定例外情形须人工核实 (a heuristic: check the lawful exceptions)",
    "data_quality": "数据质量提示：记录的事实与裁判不能同时成立，请核对案卷 (data quality: check the record)",
}


_HIDDEN = {"subject_id", "case_id", "judge_id", "court_id", "violated", "score"}


class RuleDetector(SqlDetector):
    """A written rule checked by one SQL query."""

    incremental = "all"  # no model to refit: every case is re-checked as of the run's date

    def __init__(self, rule: Rule):
        self.rule = rule
        self.name = rule.name
        self.category = rule.category
        self.subject_type = rule.subject_type
        self.needs = rule.needs
        self.title_zh = rule.title_zh
        self.title_en = rule.title_en
        self.legal_basis = rule.legal_basis
        self.kind = rule.kind
        self.incremental = rule.incremental
        self.method = f"Deterministic rule: queries/{rule.name}.sql"
        self.false_alarm_control = RULE_KIND_CONTROL[rule.kind]
        self.limitations = rule.limitations or "Checks the record as exported; a wrong record gives a wrong warning."
        # None for a rule not audited: an incremental run re-checks every case with it
        self.verdict_reads = VERDICT_READS.get(rule.name)

    def query_inputs(self, ctx: DetectContext) -> tuple[dict[str, pd.DataFrame], dict]:
        return self.rule.register(ctx), self.rule.params(ctx)

    def flags_from_rows(self, rows: pd.DataFrame) -> Detection:
        """Flags from the query's rows, whichever engine ran it (DuckDB here, Spark SQL in courtwatch/pipeline/spark_engine.py)."""
        unknown = rows["violated"].isna()
        violated = rows[rows["violated"].fillna(False).astype(bool)]
        records = violated.to_dict("records")
        flags = pd.DataFrame({
            "subject_type": self.subject_type,
            "subject_id": violated["subject_id"].astype(str).to_numpy(),
            "case_id": violated["case_id"].to_numpy(),
            "judge_id": violated["judge_id"].to_numpy(),
            "court_id": violated["court_id"].to_numpy(),
            "score": violated["score"].astype(float).to_numpy(),
            # set by base.finish_flags from detectors/triage.py (the rule's kind and the score); the column
            # is required there, so it is left as a placeholder here rather than a level nobody reads
            "level": None,
            "explanation": [self.rule.explain_zh(r) for r in records],
            "evidence": [self._evidence(r) for r in records],
        })
        return Detection(flags, rows_skipped=int(unknown.sum()),
                         note=f"{int(unknown.sum())} row(s) skipped: a field this rule needs is unknown" if unknown.any() else "")

    def _evidence(self, row: dict) -> dict:
        return {
            "rule": self.name,
            "rule_title": self.title_zh,
            "rule_title_en": self.title_en,
            "legal_basis": self.legal_basis,
            "observed": {k: clean_value(v) for k, v in row.items() if k not in _HIDDEN},
            "rule_kind": self.rule.kind,
            "peer_comparison": RULE_KIND_PEERS[self.rule.kind],
            "explanation_en": self.rule.explain_en(row),
            "notice": f"{NOTICE_ZH} {NOTICE_EN}",
        }


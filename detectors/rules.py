"""Legal-rule detectors: deterministic checks of written rules, one SQL file each.

Each rule's query (queries/<name>.sql) returns the rows that are not known to
comply, with `violated` TRUE (a warning) or NULL (a field the rule needs is
unknown: counted as skipped, never read as a violation or as compliance).
A rule raises no false alarm of its own making: what it flags breaks the
written rule on the recorded data; whether the record is right is for the
reviewer to check.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from courtwatch.detectors import law

from .base import NOTICE_EN, NOTICE_ZH, DetectContext, Detection, SqlDetector, clean_value, level_for

ZB_BASIS = "最高人民法院关于严格规范终结本次执行程序的规定（试行）（法〔2016〕373号）"


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


def _severity_zh(r: dict) -> str:
    measure = r.get("measure")
    if measure == "injury_level":
        return _INJURY_ZH.get(str(r.get("injury_level")), "?")
    unit = {"amount_involved": "元", "drug_grams": "克", "blood_alcohol": "mg/100ml"}.get(measure, "")
    return f"{_n(r.get(measure), 0 if measure == 'amount_involved' else 2)}{unit}"


def _severity_en(r: dict) -> str:
    measure = r.get("measure")
    if measure == "injury_level":
        return str(r.get("injury_level"))
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


def _rules_cfg(ctx: DetectContext) -> dict:
    return ctx.config.rules


RULES: list[Rule] = [
    Rule("zb_terminated_within_3_months", "enforcement", "case",
         "终本：立案未满三个月即终结本次执行", "终本 within three months of filing",
         f"{ZB_BASIS}第一条第（四）项",
         lambda r: f"该案于{_d(r['filed_on'])}立案、{_d(r['closed_on'])}终结本次执行程序，仅历时{_n(r['days_to_termination'])}天，未满规定的三个月。",
         lambda r: f"Enforcement was terminated for now on {_d_en(r['closed_on'])}, only {_n(r['days_to_termination'])} days after filing on {_d_en(r['filed_on'])}; the rules require more than three months.",
         params=lambda ctx: {"min_months": _rules_cfg(ctx)["zb_min_months_before_termination"]}),
    Rule("zb_no_notice_or_report_order", "enforcement", "case",
         "终本：未发执行通知书或报告财产令", "终本 without execution notice or property-report order",
         f"{ZB_BASIS}第一条第（一）项",
         lambda r: f"该案终本前系统中无完整的执行通知书送达（{_d(r['notice_on'])}）或报告财产令（{_d(r['report_order_on'])}）记录，终本日期为{_d(r['closed_on'])}。",
         lambda r: f"Before termination on {_d_en(r['closed_on'])} the record shows no complete service of the execution notice ({_d_en(r['notice_on'])}) or property-report order ({_d_en(r['report_order_on'])}).",
         needs=("cases", "enforcement"),
         limitations="An empty date is read as 'no record in the case-management system'; the paper file may hold it."),
    Rule("zb_no_restriction_order", "enforcement", "case",
         "终本：未发限制消费令", "终本 without consumption-restriction order",
         f"{ZB_BASIS}第一条第（二）项",
         lambda r: f"该案终本（{_d(r['closed_on'])}）前系统中无限制消费令记录（限制消费令：{_d(r['restriction_order_on'])}）。",
         lambda r: f"No consumption-restriction order is recorded before termination on {_d_en(r['closed_on'])} (order: {_d_en(r['restriction_order_on'])}).",
         needs=("cases", "enforcement"),
         limitations="Whether the respondent met the conditions for the dishonest-debtor list cannot be told from the export, so listing is shown, not checked."),
    Rule("zb_no_online_inquiry", "enforcement", "case",
         "终本：未经网络执行查控", "终本 without online property inquiry",
         f"{ZB_BASIS}第一条第（三）项",
         lambda r: f"该案终本（{_d(r['closed_on'])}）前系统中无任何网络执行查控记录（查控次数：{_n(r['online_inquiries'])}）。",
         lambda r: f"No online property inquiry through the network inspection system is recorded before termination on {_d_en(r['closed_on'])} (inquiries: {_n(r['online_inquiries'])}).",
         needs=("cases", "enforcement")),
    Rule("zb_applicant_not_informed", "enforcement", "case",
         "终本：终本前未约谈或告知申请执行人", "终本 without informing the applicant",
         f"{ZB_BASIS}第五条",
         lambda r: f"该案终本（{_d(r['closed_on'])}）前系统中无约谈或告知申请执行人的记录（告知日期：{_d(r['applicant_informed_on'])}）。",
         lambda r: f"No interview with or notice to the applicant is recorded before termination on {_d_en(r['closed_on'])} (informed: {_d_en(r['applicant_informed_on'])}).",
         needs=("cases", "enforcement")),
    Rule("zb_missing_respondent_not_searched", "enforcement", "case",
         "终本：被执行人下落不明未查找", "终本 with a missing respondent not searched for",
         f"{ZB_BASIS}第一条第（五）项",
         lambda r: f"该案被执行人下落不明，但终本（{_d(r['closed_on'])}）前无查找记录（查找日期：{_d(r['search_done_on'])}）。",
         lambda r: f"The respondent was missing, yet no search is recorded before termination on {_d_en(r['closed_on'])} (search: {_d_en(r['search_done_on'])}).",
         needs=("cases", "enforcement")),
    Rule("zb_assets_found_but_terminated", "enforcement", "case",
         "终本：查到较大价值财产仍终本", "终本 although property of substantial value was found",
         f"{ZB_BASIS}第一条第（三）项",
         lambda r: f"该案查到价值约{_n(r['assets_found_value'])}元的财产，占未执行标的{_n(r['outstanding'])}元的{_n(100 * (clean_value(r['assets_found_value']) or 0) / max(clean_value(r['outstanding']) or 1, 1))}%，仍于{_d(r['closed_on'])}终结本次执行。此为启发式规则：财产可能无法处置（第一条第（三）项允许），终本未必违规，请核查未予处置的原因。",
         lambda r: f"Property worth about {_n(r['assets_found_value'])} yuan was found, against {_n(r['outstanding'])} yuan outstanding, yet enforcement was terminated for now on {_d_en(r['closed_on'])}. A heuristic: the property may be impossible to dispose of (which Art. 1(3) allows), so this is not by itself a breach; check why it was not disposed of.",
         needs=("cases", "enforcement"),
         params=lambda ctx: {"min_share": _rules_cfg(ctx)["zb_assets_found_min_share"],
                             "min_yuan": _rules_cfg(ctx)["zb_assets_found_min_yuan"],
                             "cover_share": _rules_cfg(ctx)["zb_assets_found_cover_share"],
                             "cover_min_yuan": _rules_cfg(ctx)["zb_assets_found_cover_min_yuan"]},
         limitations="启发式规则，非违法认定：财产可能无法处置（第一条第（三）项允许对无法处置的财产终本），导出数据不记录能否处置。"
                     "A heuristic, not a finding of a breach: found property that cannot be disposed of may lawfully "
                     "remain (Art. 1(3)), and the export does not record whether it could be; the reviewer checks why "
                     "it was not. Flags a find of at least zb_assets_found_min_share of the outstanding claim and "
                     "zb_assets_found_min_yuan, or one covering zb_assets_found_cover_share of it (at least "
                     "zb_assets_found_cover_min_yuan), so small claims count.",
         kind="heuristic"),
    Rule("zb_no_inquiry_after_termination", "enforcement", "case",
         "终本后超过六个月未查询财产", "No property inquiry for over six months after 终本",
         f"{ZB_BASIS}第九条",
         lambda r: f"该案{_d(r['closed_on'])}终本后，{_d(r['longest_gap_from'])}至{_d(r['longest_gap_to'])}间有{_n(r['longest_gap_days'])}天未进行财产查询，超过每六个月至少查询一次的要求。",
         lambda r: f"After termination on {_d_en(r['closed_on'])}, no property inquiry was made for {_n(r['longest_gap_days'])} days ({_d_en(r['longest_gap_from'])} to {_d_en(r['longest_gap_to'])}); the rules require one at least every six months.",
         needs=("cases", "events"),
         params=lambda ctx: {"as_of": ctx.as_of, "max_months": _rules_cfg(ctx)["zb_max_months_between_inquiries"],
                             "duty_years": _rules_cfg(ctx)["zb_inquiry_duty_years"]},
         limitations="Only inquiries logged as post_termination_inquiry events count; an export without the event log cannot be checked."),
    Rule("probation_for_recidivist", "sentencing", "defendant",
         "累犯适用缓刑", "Probation for a recidivist",
         "《中华人民共和国刑法》第七十四条",
         lambda r: f"该被告人系累犯，但被判处{_n(r['term_months'])}个月并宣告缓刑；刑法规定累犯不适用缓刑。",
         lambda r: f"The defendant is a recidivist but received probation on a {_n(r['term_months'])}-month sentence; the Criminal Law bars probation for recidivists.",
         needs=("cases", "defendants")),
    Rule("probation_term_over_3_years", "sentencing", "defendant",
         "不符合缓刑条件的刑期适用缓刑", "Probation on a sentence that does not allow it",
         "《中华人民共和国刑法》第七十二条",
         lambda r: f"该被告人被判处{SENTENCE_KIND_ZH.get(r['sentence_kind'], r['sentence_kind'])}{_n(r['term_months'])}个月并宣告缓刑；缓刑仅适用于拘役或三年以下有期徒刑。",
         lambda r: f"The defendant received probation on a {str(r['sentence_kind']).replace('_', '-')} sentence of {_n(r['term_months'])} months; probation is allowed only with detention or up to three years' imprisonment.",
         needs=("cases", "defendants"),
         params=lambda ctx: {"max_term": law.PROBATION_MAX_TERM_MONTHS}),
    Rule("detention_out_of_range", "sentencing", "defendant",
         "拘役期限超出法定范围", "Detention outside its statutory length",
         "《中华人民共和国刑法》第四十二条、第六十九条",
         lambda r: f"该被告人被判处拘役{_n(r['term_months'], 1)}个月，超出拘役一个月以上六个月以下（数罪并罚不超过一年）的法定范围。",
         lambda r: f"The defendant was sentenced to {_n(r['term_months'], 1)} months' criminal detention, outside the statutory 1–6 months (at most one year for several charges).",
         needs=("cases", "defendants"),
         params=lambda ctx: {"min_months": law.DETENTION_MONTHS[0], "max_single": law.DETENTION_MONTHS[1],
                             "max_combined": law.DETENTION_MONTHS_COMBINED[1], "separator": law.MULTI_CHARGE_SEPARATOR}),
    Rule("term_above_statutory_max", "sentencing", "defendant",
         "刑期超过法定刑上限", "Term above the statutory maximum",
         "《中华人民共和国刑法》分则相应条文（第四十五条；第一百三十三条、第一百三十三条之一、第二百三十四条、"
         "第二百六十四条、第二百六十六条、第二百八十七条之二、第三百零三条、第三百四十七条）及各省数额标准",
         lambda r: (f"该被告人以{r['charge']}被判处有期徒刑{_n(r['term_months'])}个月，超过该罪任何一档法定刑的上限"
                    f"{_n(r['max_months'])}个月（{r['article']}），无论记录的犯罪事实如何均无合法依据；"
                    f"{_standard_sentence_zh(r)}记录的刑期也可能有误，请核对案卷。"),
         lambda r: (f"The defendant was sentenced to {_n(r['term_months'])} months for {r['charge']}, above the "
                    f"{_n(r['max_months'])}-month maximum of every statutory frame of the charge ({r['article']}), so no "
                    f"reading of the recorded facts allows it; {_standard_sentence_en(r)}the recorded term may itself be "
                    "wrong: check the file."),
         needs=("cases", "defendants"),
         params=lambda ctx: {"separator": law.MULTI_CHARGE_SEPARATOR, **law.frame_params_for(ctx.config)},
         register=lambda ctx: {"law_frames": law.frame_sets_for(ctx.config)},
         limitations=("Raised only when the term exceeds every frame of the charge (for drugs the ≥15-year frame, which "
                      "§347 ¶2 allows whatever the quantity for 首要分子/武装掩护/暴力抗拒检查; for 故意伤害 the ≥10-year "
                      "frame of 特别残忍手段致人重伤造成严重残疾), so no lawful reading of the recorded facts allows it; "
                      "a term above only the frame the recorded severity selects is record_facts_inconsistent "
                      "(data_quality). The amount standard is the court's province's ([law.provinces]), else the "
                      "national lowest (法释〔2013〕8号, 法释〔2011〕7号); the flag names it. Charges outside the built-in "
                      "frame table are not checked; 数罪并罚 is never held to one charge's frame.")),
    Rule("record_facts_inconsistent", "data_quality", "defendant",
         "记录的犯罪事实与刑期不能同时成立", "Recorded facts and term cannot both be right",
         "《中华人民共和国刑法》分则相应条文的量刑档次及各省数额标准（数据质量提示，非违法认定）",
         lambda r: (f"记录的{_MEASURE_ZH.get(r['measure'], '犯罪事实')}（{_severity_zh(r)}）与刑期不能同时成立："
                    f"该被告人以{r['charge']}被判处有期徒刑{_n(r['term_months'])}个月，"
                    f"{_standard_sentence_zh(r)}连同导出数据未载明的加重情节，该事实最多对应{_n(r['reach_max_months'])}个月；"
                    f"该刑期需属第{_n(r['term_tier'])}档（{_needed_zh(r)}）。"
                    f"记录的{_MEASURE_ZH.get(r['measure'], '犯罪事实')}或刑期可能有误，请核对案卷。"),
         lambda r: (f"The recorded {_MEASURE_EN.get(r['measure'], 'facts')} ({_severity_en(r)}) and the term cannot both "
                    f"be right: the defendant was sentenced to {_n(r['term_months'])} months for {r['charge']}; "
                    f"{_standard_sentence_en(r)}with any aggravating circumstance the export cannot show, those facts "
                    f"allow at most {_n(r['reach_max_months'])} months, while the term needs tier {_n(r['term_tier'])} "
                    f"({_needed_en(r)}). The record (the {_MEASURE_EN.get(r['measure'], 'facts')} or the term) may be "
                    "wrong: check the file. This is not a finding that the sentence is unlawful."),
         needs=("cases", "defendants"),
         params=lambda ctx: {"separator": law.MULTI_CHARGE_SEPARATOR, **law.frame_params_for(ctx.config)},
         register=lambda ctx: {"law_frames": law.frame_sets_for(ctx.config)},
         limitations=("A data-quality warning, never a legal one: some lawful reading exists (another amount, injury "
                      "or quantity), so the record is what to check. Circumstances the export cannot show are counted "
                      "in the sentence's favour: 其他严重情节 from 50% (theft, 法释〔2013〕8号 第六条) or 80% (fraud, "
                      "法释〔2011〕7号 第二条) of the higher threshold; §234's 特别残忍手段 from 重伤二级; §347 ¶2's "
                      "首要分子 etc. at any quantity (so drug quantities never raise it); 多次盗窃/入户盗窃 for the "
                      "bottom frame. Terms below a frame's minimum are not checked (§63 减轻处罚 allows them). "
                      "Telecom fraud (法发〔2016〕32号) cannot be told from the export. A 拘役 for a charge whose "
                      "statute has none is not checked: every charge in the frame table has 拘役 in its bottom frame, "
                      "and §63 减轻处罚 can lawfully reach it."),
         kind="data_quality"),
    Rule("funds_not_disbursed_30_days", "integrity", "case",
         "执行款超过30日未发放", "Enforcement funds not paid out within 30 days",
         "最高人民法院关于执行款物管理工作的规定（法发〔2017〕6号）第十五条",
         lambda r: f"该案有{_n(r['late_receipts'])}笔执行款（合计{_n(r['late_amount'])}元）到账后30日内未发放，最长滞留{_n(r['longest_days_held'])}天。",
         lambda r: f"{_n(r['late_receipts'])} enforcement payment(s) totalling {_n(r['late_amount'])} yuan were not paid out within 30 days of receipt; the longest was held {_n(r['longest_days_held'])} days.",
         needs=("cases", "events"),
         params=lambda ctx: {"as_of": ctx.as_of, "days": _rules_cfg(ctx)["funds_disbursement_days"]},
         limitations="Recorded exceptions (disputed funds, applicant unreachable) are not in the export; the reviewer checks them."),
    Rule("late_post_close_edit", "integrity", "case",
         "结案后长期修改案件信息", "Case record edited long after closing",
         "人民法院案件质量评查与审判流程管理规定：结案信息非经审批不得修改",
         lambda r: f"该案于{_d(r['closed_on'])}结案，{_n(r['days_after_closing'])}天后仍有{_n(r['late_edits'])}次结案后修改记录。",
         lambda r: f"The case closed on {_d_en(r['closed_on'])} was edited {_n(r['late_edits'])} time(s), the last {_n(r['days_after_closing'])} days after closing.",
         needs=("cases", "events"),
         params=lambda ctx: {"grace_days": _rules_cfg(ctx)["post_close_edit_grace_days"]},
         limitations="An approved correction looks the same as an unapproved one in the export."),
    Rule("interference_recorded", "integrity", "case",
         "存在过问案件登记", "Recorded interference in the case",
         "领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定；司法机关内部人员过问案件的记录和责任追究规定（2015）",
         lambda r: f"该案有{_n(r['records'])}条过问案件登记记录（首次{_d(r['first_recorded_at'])}），需按规定审查处理。",
         lambda r: f"The case has {_n(r['records'])} recorded inquiry/interference entr(y/ies) by officials or court insiders (first on {_d_en(r['first_recorded_at'])}) that the rules require to be reviewed.",
         needs=("cases", "events")),
]

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
        self.method = f"Deterministic rule: queries/{rule.name}.sql"
        self.false_alarm_control = RULE_KIND_CONTROL[rule.kind]
        self.limitations = rule.limitations or "Checks the record as exported; a wrong record gives a wrong warning."

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
            "level": [level_for(s) for s in violated["score"].astype(float)],
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


RULE_DETECTORS = [RuleDetector(rule) for rule in RULES]

"""超审限 — cases past their statutory time limit, net of lawful extensions and deductions (issue 15,
不规范司法行为巡查).

queries/case_past_time_limit.sql finds the cases not known to be within their limit; this file holds the
limits themselves (TIME_LIMITS: one row per case type and procedure, each with its article), how a flag
reads (zh in the explanation, en in the evidence) and what the query is given.

The limit of a case is its procedure's base period from filing, plus the period of each approved
extension the law fixes (up to cases.extensions), plus the days the law does not count (the greater of
cases.deducted_days and the recorded suspensions, contract extension E6), plus [rules]
time_limit_grace_days (a period whose last day is a holiday ends on the next working day: 民事诉讼法 §85,
刑事诉讼法 §105; the export has no holiday calendar). Where the law lets a further extension be approved
without fixing its length (刑诉 §208: 报请最高人民法院批准; 民诉 §152: 报请上级人民法院批准 beyond the
three months of 法释〔2000〕29号 art. 2; enforcement: 层报高级人民法院备案), a case with more extensions
than the law gives a length for is skipped, never flagged.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..base import NOTICE_EN, NOTICE_ZH, DetectContext, Settings
from .common import RULE_KIND_PEERS, Rule, RuleDetector, _d, _d_en, _n, clean_value

CPL = "中华人民共和国刑事诉讼法（2018年修正）"
CIVIL = "中华人民共和国民事诉讼法（2023年修正）"
TIME_LIMIT_RULES = "最高人民法院关于严格执行案件审理期限制度的若干规定（法释〔2000〕29号）"
ENFORCEMENT_LIMITS = "最高人民法院关于人民法院办理执行案件若干期限的规定（法发〔2006〕35号）"
CIVIL_INTERPRETATION = "最高人民法院关于适用《中华人民共和国民事诉讼法》的解释"
DEDUCTION_BASIS = (f"{TIME_LIMIT_RULES}第九条（公告、鉴定、管辖权异议、中止至恢复、补充侦查等期间不计入审理、执行期限）；"
                   f"{CIVIL_INTERPRETATION}第二百四十三条")

# The procedure codes of cases.procedure (contract extension E6), as the explanations name them.
PROCEDURE_ZH = {"ordinary": "普通程序", "simplified": "简易程序", "summary": "速裁程序",
                "small_claims": "小额诉讼程序", "private_prosecution": "自诉案件程序", "unknown": "程序未载明"}
PROCEDURE_EN = {"ordinary": "ordinary procedure", "simplified": "simplified procedure",
                "summary": "expedited (速裁) procedure", "small_claims": "small-claims procedure",
                "private_prosecution": "private-prosecution procedure", "unknown": "procedure not recorded"}
PROCEDURES = tuple(PROCEDURE_ZH)  # "unknown" last: an empty cases.procedure


def _limit(base, ext1=(0, 0), ext2=(0, 0), fixed=0, open_beyond=False, *, basis, zh, en, kind="statute"):
    """One statutory limit: (months, days) of the base period and of the first and second extension."""
    return {"base_months": base[0], "base_days": base[1], "ext1_months": ext1[0], "ext1_days": ext1[1],
            "ext2_months": ext2[0], "ext2_days": ext2[1], "fixed_extensions": fixed, "open_beyond": open_beyond,
            "basis": basis, "limit_zh": zh, "limit_en": en, "rule_kind": kind}


_CRIMINAL_ORDINARY = _limit(
    (3, 0), (3, 0), fixed=1, open_beyond=True, basis=f"{CPL}第二百零八条第一款",
    zh="受理后二个月以内宣判，至迟不得超过三个月；经上一级人民法院批准可以延长三个月，因特殊情况还需要延长的报请最高人民法院批准",
    en="judgment within two months of acceptance and at the latest three; three more months with the approval of the "
       "court above; a further extension only with the Supreme People's Court's approval")
_CRIMINAL_PRIVATE = _limit(
    (6, 0), (3, 0), fixed=1, open_beyond=True, basis=f"{CPL}第二百一十二条第二款；{TIME_LIMIT_RULES}第一条第二款",
    zh="被告人未被羁押的自诉案件受理后六个月以内宣判（被告人被羁押的适用第二百零八条，期限更短；导出数据未载明羁押情况，按六个月计算），"
       "经本院院长批准可以延长三个月",
    en="a private prosecution whose defendant is not detained: judgment within six months (a detained defendant's case "
       "has the shorter limit of art. 208; the export does not say, so six months), three more with the president's approval")
_CIVIL_ORDINARY = _limit(
    (6, 0), (6, 0), (3, 0), fixed=2, open_beyond=True, basis=f"{CIVIL}第一百五十二条；{TIME_LIMIT_RULES}第二条",
    zh="立案之日起六个月内审结；经本院院长批准可以延长六个月，还需要延长的报请上级人民法院批准，可以再延长三个月",
    en="decided within six months of filing; six more months with the president's approval; three more with the "
       "approval of the court above")
_UNKNOWN = "导出数据未载明适用程序，按该类案件法律允许的最长审限计算："
_UNKNOWN_EN = "the export does not record the procedure, so the longest limit the law allows for such a case is used: "

TIME_LIMITS: dict[tuple[str, str], dict] = {
    ("刑初", "ordinary"): _CRIMINAL_ORDINARY,
    ("刑初", "simplified"): _limit(
        (1, 15), basis=f"{CPL}第二百二十条",
        zh="受理后二十日以内审结；对可能判处的有期徒刑超过三年的，可以延长至一个半月（导出数据未载明可能判处的刑期，按一个半月计算）",
        en="decided within twenty days of acceptance, or a month and a half where more than three years' imprisonment "
           "is possible (the export does not say, so a month and a half)"),
    ("刑初", "summary"): _limit(
        (0, 15), basis=f"{CPL}第二百二十五条第一款",
        zh="受理后十日以内审结；对可能判处的有期徒刑超过一年的，可以延长至十五日（按十五日计算）",
        en="decided within ten days of acceptance, or fifteen where more than a year's imprisonment is possible "
           "(fifteen days used)"),
    ("刑初", "private_prosecution"): _CRIMINAL_PRIVATE,
    ("刑初", "unknown"): {**_CRIMINAL_PRIVATE, "rule_kind": "heuristic",
                         "limit_zh": _UNKNOWN + "第一审刑事案件中最长的是被告人未被羁押的自诉案件，六个月，经本院院长批准可以延长三个月"
                         "（公诉案件普通程序为二至三个月，简易程序二十日至一个半月，速裁程序十至十五日）",
                         "limit_en": _UNKNOWN_EN + "for a first-instance criminal case, a private prosecution of a "
                         "defendant not detained, six months and three more with approval (a public prosecution has "
                         "two to three months, simplified procedure up to a month and a half, 速裁 up to fifteen days)",
                         "basis": f"{CPL}第二百零八条、第二百一十二条、第二百二十条、第二百二十五条；{TIME_LIMIT_RULES}第一条"},
    ("民初", "ordinary"): _CIVIL_ORDINARY,
    ("民初", "simplified"): _limit(
        (3, 0), (1, 0), fixed=1, basis=f"{CIVIL}第一百六十四条",
        zh="立案之日起三个月内审结；有特殊情况需要延长的，经本院院长批准，可以延长一个月",
        en="decided within three months of filing; one more month with the president's approval"),
    ("民初", "small_claims"): _limit(
        (2, 0), (1, 0), fixed=1, basis=f"{CIVIL}第一百六十九条",
        zh="立案之日起两个月内审结；有特殊情况需要延长的，经本院院长批准，可以延长一个月",
        en="decided within two months of filing; one more month with the president's approval"),
    ("民初", "unknown"): {**_CIVIL_ORDINARY, "rule_kind": "heuristic",
                         "limit_zh": _UNKNOWN + "普通程序六个月，经批准可以延长六个月、再延长三个月（简易程序三个月、小额诉讼两个月，期限更短）",
                         "limit_en": _UNKNOWN_EN + "ordinary procedure, six months, six more and three more with "
                         "approval (simplified and small-claims procedures are shorter)"},
}
for _procedure in PROCEDURES:  # second instance and enforcement: one limit whatever the procedure field says
    TIME_LIMITS[("刑终", _procedure)] = _limit(
        (2, 0), (2, 0), fixed=1, open_beyond=True, basis=f"{CPL}第二百四十三条第一款",
        zh="第二审受理后二个月以内审结；经高级人民法院批准或者决定可以延长二个月，因特殊情况还需要延长的报请最高人民法院批准",
        en="an appeal decided within two months; two more with the high court's approval; a further extension only "
           "with the Supreme People's Court's approval")
    TIME_LIMITS[("民终", _procedure)] = _limit(
        (3, 0), (3, 0), fixed=1, open_beyond=True, basis=f"{CIVIL}第一百八十三条；{TIME_LIMIT_RULES}第二条",
        zh="对判决的上诉案件第二审立案之日起三个月内审结（对裁定的上诉为三十日，导出数据不作区分，按三个月计算）；"
           "经本院院长批准可以延长三个月",
        en="an appeal from a judgment decided within three months of filing (thirty days for an appeal from a ruling; "
           "the export does not say which, so three months); three more with the president's approval")
    for _enforcement in ("执", "执恢"):
        TIME_LIMITS[(_enforcement, _procedure)] = _limit(
            (6, 0), (3, 0), fixed=1, open_beyond=True, basis=f"{TIME_LIMIT_RULES}第五条；{ENFORCEMENT_LIMITS}第一条",
            zh="立案之日起六个月内执结（非诉执行案件三个月，按六个月计算）；经本院院长批准可以延长三个月，还需延长的层报高级人民法院备案",
            en="concluded within six months of filing (three for non-litigation enforcement; six used); three more "
               "with the president's approval, beyond that reported to the high court")


def time_limits_frame() -> pd.DataFrame:
    """TIME_LIMITS as the `time_limits` view the query joins (one row per case type and procedure)."""
    rows = [{"case_type": case_type, "procedure": procedure, **limit}
            for (case_type, procedure), limit in TIME_LIMITS.items()]
    frame = pd.DataFrame(rows)
    for column in ("base_months", "base_days", "ext1_months", "ext1_days", "ext2_months", "ext2_days",
                   "fixed_extensions"):
        frame[column] = frame[column].astype("int32")
    frame["open_beyond"] = frame["open_beyond"].astype(bool)
    return frame


@dataclass(frozen=True)
class TimeLimitSettings(Settings):
    """The key of `[rules]` this rule reads (RuleSettings, in common.py, holds the older rules' keys)."""

    section = "rules"

    time_limit_grace_days: int


def _params(ctx: DetectContext) -> dict:
    s = TimeLimitSettings.from_config(ctx.config)
    return {"as_of": ctx.as_of, "grace_days": int(s.time_limit_grace_days)}


def _register(ctx: DetectContext) -> dict[str, pd.DataFrame]:
    return {"time_limits": time_limits_frame()}


CASE_TYPE_ZH = {"刑初": "刑事一审", "刑终": "刑事二审", "民初": "民事一审", "民终": "民事二审", "执": "执行", "执恢": "恢复执行"}
CASE_TYPE_EN = {"刑初": "criminal first instance", "刑终": "criminal appeal", "民初": "civil first instance",
                "民终": "civil appeal", "执": "enforcement", "执恢": "resumed enforcement"}


def _procedure_phrase(r: dict, zh: bool) -> str:
    if r.get("case_type") not in ("刑初", "民初"):
        return ""
    recorded = clean_value(r.get("procedure")) or "unknown"
    return ("，" + PROCEDURE_ZH.get(recorded, recorded)) if zh else (", " + PROCEDURE_EN.get(recorded, recorded))


def _deduction_zh(r: dict) -> str:
    parts = []
    if clean_value(r.get("deducted_days")) is not None:
        parts.append(f"系统记录扣除审限{_n(r['deducted_days'])}天")
    if int(clean_value(r.get("suspensions")) or 0):
        open_note = "（其中中止尚无结束记录，按持续至结案或统计日计算）" if r.get("open_suspension") else ""
        parts.append(f"中止{_n(r['suspensions'])}次计{_n(r['suspended_days'])}天{open_note}")
    if not parts or not clean_value(r.get("deducted")):
        return "未扣除任何期间"
    return f"扣除不计入审限的{_n(r['deducted'])}天（" + "，".join(parts) + "）"


def _deduction_en(r: dict) -> str:
    parts = []
    if clean_value(r.get("deducted_days")) is not None:
        parts.append(f"{_n(r['deducted_days'])} days recorded as deducted by the court's system")
    if int(clean_value(r.get("suspensions")) or 0):
        open_note = " (one without a recorded end, counted to the end)" if r.get("open_suspension") else ""
        parts.append(f"{_n(r['suspensions'])} suspension(s) of {_n(r['suspended_days'])} days{open_note}")
    if not parts or not clean_value(r.get("deducted")):
        return "no period was deducted"
    return f"{_n(r['deducted'])} days not counted were deducted (" + "; ".join(parts) + ")"


INCOMPLETE_ZH = ("导出数据未载明扣除审限天数（公告、鉴定、管辖权异议、补充侦查等期间不计入审限），记录可能不完整，"
                 "请核实有无未记录的扣除。")
INCOMPLETE_EN = (" The export does not record the deducted days (public notice, expert appraisal, jurisdiction "
                 "objections and supplementary investigation are not counted), so the record may be incomplete: check "
                 "for a deduction it does not show.")


def explain_zh(r: dict) -> str:
    head = f"该案（{CASE_TYPE_ZH.get(r['case_type'], r['case_type'])}{_procedure_phrase(r, True)}）于{_d(r['filed_on'])}立案，"
    unfinished = "仍未执结" if str(r.get("case_type", "")).startswith("执") else "仍未审结"
    head += f"截至{_d(r['end_on'])}{unfinished}" if r.get("pending") else f"{_d(r['closed_on'])}结案"
    text = (f"{head}，记录的延长审限{_n(r['extensions'])}次，{_deduction_zh(r)}，法定期限于{_d(r['net_deadline'])}届满，"
            f"已超过{_n(r['days_over'])}天。法定审限：{r['limit_zh']}（{r['basis']}）。")
    if clean_value(r.get("deducted_days")) is None:
        text += INCOMPLETE_ZH
    if r.get("rule_kind") == "heuristic":
        text += "因适用程序未载明，此为启发式提示，请核实案件适用的程序。"
    return text


def explain_en(r: dict) -> str:
    kind = CASE_TYPE_EN.get(r["case_type"], r["case_type"])
    head = f"This case ({kind}{_procedure_phrase(r, False)}) was filed on {_d_en(r['filed_on'])} and "
    head += (f"was still pending on {_d_en(r['end_on'])}" if r.get("pending") else f"closed on {_d_en(r['closed_on'])}")
    text = (f"{head}; {_n(r['extensions'])} approved extension(s) are recorded and {_deduction_en(r)}. The limit "
            f"ended on {_d_en(r['net_deadline'])}, {_n(r['days_over'])} days before. Statutory limit: {r['limit_en']} "
            f"({r['basis']}).")
    if clean_value(r.get("deducted_days")) is None:
        text += INCOMPLETE_EN
    if r.get("rule_kind") == "heuristic":
        text += " The procedure is not recorded, so this is a heuristic: check which procedure the case followed."
    return text


RULE = Rule(
    "case_past_time_limit", "integrity", "case",
    "超审限：案件超过法定审理（执行）期限", "Case past its statutory time limit",
    f"{CPL}第二百零八条、第二百一十二条、第二百二十条、第二百二十五条、第二百四十三条；{CIVIL}第一百五十二条、第一百六十四条、"
    f"第一百六十九条、第一百八十三条；{TIME_LIMIT_RULES}第一条、第二条、第五条、第九条；{ENFORCEMENT_LIMITS}第一条；"
    f"{CIVIL_INTERPRETATION}第二百四十三条",
    explain_zh, explain_en,
    needs=("cases",),
    params=_params,
    register=_register,
    limitations=(
        "A case is measured from filing under the procedure the export records; a case converted from simplified or "
        "速裁 to ordinary criminal procedure has its limit counted from the conversion (刑诉 §226), which the export "
        "cannot show. Deductions are the greater of cases.deducted_days and the recorded suspensions; where the "
        "export records neither, a public notice, appraisal or supplementary investigation it does not show would "
        "make a flag wrong, and the flag says the record may be incomplete. Where a limit depends on facts the "
        "export lacks (a detained private-prosecution defendant, the possible sentence under simplified or 速裁 "
        "procedure, non-litigation enforcement, an appeal from a ruling) the longer limit is used. A first-instance "
        "trial whose procedure is not recorded is measured against the longest limit for its kind and the flag is "
        "labelled a heuristic. More extensions than the law gives a length for, or an unknown extension count past "
        "the base period, skip the case."),
    kind="statute",
)


_EVIDENCE_HIDDEN = {"subject_id", "case_id", "judge_id", "court_id", "violated", "score", "limit_zh", "limit_en",
                    "basis"}


class TimeLimitRuleDetector(RuleDetector):
    """A RuleDetector whose rows carry their own kind: a row measured against the longest limit of its kind
    (procedure not recorded) is a heuristic, every other row the written rule."""

    def _evidence(self, row: dict) -> dict:
        kind = row.get("rule_kind") or self.rule.kind
        return {
            "rule": self.name,
            "rule_title": self.title_zh,
            "rule_title_en": self.title_en,
            "legal_basis": row.get("basis") or self.legal_basis,
            "deduction_basis": DEDUCTION_BASIS,
            "statutory_limit": row.get("limit_zh"),
            "statutory_limit_en": row.get("limit_en"),
            "observed": {k: clean_value(v) for k, v in row.items() if k not in _EVIDENCE_HIDDEN},
            "rule_kind": kind,
            "peer_comparison": RULE_KIND_PEERS[kind],
            "explanation_en": self.rule.explain_en(row),
            "notice": f"{NOTICE_ZH} {NOTICE_EN}",
        }


DETECTOR = TimeLimitRuleDetector(RULE)

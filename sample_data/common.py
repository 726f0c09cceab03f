"""Shared pieces of the sample generator: calendar, enumerations, vectorised draws.

Everything inside the generator keeps dates as int day numbers (days since
1970-01-01, MISSING = -1) and timestamps as int seconds; output.py turns them
into the contract's text only when a file is written.
"""
from __future__ import annotations

import numpy as np

EPOCH = np.datetime64("1970-01-01", "D")
MISSING = -1


def day(iso: str) -> int:
    """Day number of an ISO date."""
    return int((np.datetime64(iso, "D") - EPOCH).astype(np.int64))


START = day("2022-01-01")        # first filing date of the sample
EXPORT = day("2024-12-31")       # export (as-of) date: nothing may be later
WORKDAY_FROM, WORKDAY_TO = 8 * 3600 + 30 * 60, 17 * 3600 + 30 * 60

# Case-type codes inside a case number (案号); index = internal type code.
CASE_TYPES = ["刑初", "刑终", "民初", "民终", "执", "执恢"]
T_CRIM, T_CRIM_APPEAL, T_CIVIL, T_CIVIL_APPEAL, T_ENF, T_ENF_RESUMED = range(6)

# Enumerations of the import contract: (code, Chinese term or None).
LEVELS = [("basic", "基层"), ("intermediate", "中级"), ("high", "高级")]
ROLES = [("judge", "法官"), ("assistant", "法官助理"), ("enforcement_officer", "执行员")]
ASSIGNMENTS = [("random", "随机分案"), ("designated", "指定分案")]
CLOSE_METHODS = [
    ("judgment", "判决"), ("ruling", "裁定"), ("mediation", "调解"), ("withdrawal", "撤诉"),
    ("fully_enforced", "执行完毕"), ("terminated_this_round", "终结本次执行程序"),
    ("terminated", "终结执行"), ("not_enforced", "不予执行"), ("settled", "和解"),
]
(CM_JUDGMENT, CM_RULING, CM_MEDIATION, CM_WITHDRAWAL, CM_FULLY, CM_ZB,
 CM_TERMINATED, CM_NOT_ENFORCED, CM_SETTLED) = range(9)
# 原告/申请人 etc. name two terms each; the generator writes only the codes here.
PREVAILING = [("plaintiff", None), ("defendant", None), ("partial", None), ("none", None)]
PV_PLAINTIFF, PV_DEFENDANT, PV_PARTIAL, PV_NONE = range(4)
APPEALS = [("none", None), ("upheld", "维持"), ("amended", "改判"), ("remanded", "发回重审"), ("withdrawn", "撤回上诉")]
AP_NONE, AP_UPHELD, AP_AMENDED, AP_REMANDED, AP_WITHDRAWN = range(5)
INJURY_LEVELS = [("none", None), ("minor_2", "轻伤二级"), ("minor_1", "轻伤一级"),
                 ("serious_2", "重伤二级"), ("serious_1", "重伤一级"), ("death", "死亡")]
SENTENCE_KINDS = [("exempt", "免予刑事处罚"), ("fine_only", "单处罚金"), ("control", "管制"),
                  ("detention", "拘役"), ("fixed_term", "有期徒刑"), ("life", "无期徒刑"), ("death", "死刑")]
SK_EXEMPT, SK_FINE_ONLY, SK_CONTROL, SK_DETENTION, SK_FIXED_TERM, SK_LIFE, SK_DEATH = range(7)
EVENTS = [
    ("extension", "延长审限"), ("suspension", "中止"), ("reassignment", "变更承办人"),
    ("post_close_edit", "结案后修改"), ("online_inquiry", "网络查控"),
    ("post_termination_inquiry", "终本后查询"), ("resumption", "恢复执行"),
    ("funds_received", "执行款到账"), ("funds_disbursed", "执行款发放"),
    ("interference_record", "过问案件登记"), ("recusal", "回避"),
    ("suspension_end", None),  # contract extension E6 (sample_data/patrol.py), written as the code only
    ("inquiry_result_notified", "查询结果告知申请执行人"),  # contract extension E5 (法〔2016〕373号 art. 9)
]
(EV_EXTENSION, EV_SUSPENSION, EV_REASSIGNMENT, EV_POST_CLOSE_EDIT, EV_ONLINE_INQUIRY,
 EV_POST_TERMINATION_INQUIRY, EV_RESUMPTION, EV_FUNDS_RECEIVED, EV_FUNDS_DISBURSED,
 EV_INTERFERENCE, EV_RECUSAL, EV_SUSPENSION_END, EV_INQUIRY_NOTIFIED) = range(13)
# enforcement.termination_basis (contract extension E3)
TERMINATION_BASES = [("standard", "第一条终本"), ("instalment_settlement", "分期履行和解"),
                     ("applicant_consent", "申请执行人书面同意"), ("hardship_relief", "特困救助")]
TB_STANDARD, TB_INSTALMENT, TB_CONSENT, TB_HARDSHIP = range(4)
SIDES = ["plaintiff", "defendant", "applicant", "respondent", "defense"]
SD_PLAINTIFF, SD_DEFENDANT, SD_APPLICANT, SD_RESPONDENT, SD_DEFENSE = range(5)


def child_rngs(seed: int, names: list[str]) -> dict[str, np.random.Generator]:
    """One independent generator per part, so a change in one part leaves the others' draws alone."""
    seqs = np.random.SeedSequence(seed).spawn(len(names))
    return {name: np.random.default_rng(s) for name, s in zip(names, seqs)}


def uniform_int(rng: np.random.Generator, low, high) -> np.ndarray:
    """Integers in [low, high] inclusive, element-wise (low/high arrays or scalars)."""
    low = np.asarray(low, dtype=np.int64)
    high = np.asarray(high, dtype=np.int64)
    size = np.broadcast(low, high).shape
    return low + np.floor(rng.random(size) * (high - low + 1)).astype(np.int64)


def lognormal_days(rng, n: int, median: float, sigma: float, low: int, high: int) -> np.ndarray:
    return np.clip(np.round(median * np.exp(sigma * rng.standard_normal(n))), low, high).astype(np.int64)


def timestamps(rng, days: np.ndarray) -> np.ndarray:
    """Seconds since the epoch on the given days, at a working hour (minute precision)."""
    minute = rng.integers(WORKDAY_FROM // 60, WORKDAY_TO // 60, len(days))
    return days.astype(np.int64) * 86400 + minute.astype(np.int64) * 60


def pick_in_groups(rng, item_group: np.ndarray, member_group: np.ndarray, member_weight: np.ndarray) -> np.ndarray:
    """For each item, a member of the item's group drawn in proportion to weight.

    member_group must be sorted ascending; returns positions into the member arrays.
    """
    item_group = np.asarray(item_group)
    start = np.searchsorted(member_group, item_group, "left")
    end = np.searchsorted(member_group, item_group, "right")
    if len(item_group) and np.any(end <= start):
        missing = np.unique(item_group[end <= start])
        raise ValueError(f"no members for groups {missing[:5].tolist()}")
    cw = np.cumsum(member_weight, dtype=np.float64)
    base = np.where(start > 0, cw[np.maximum(start - 1, 0)], 0.0)
    top = cw[np.maximum(end - 1, 0)]
    u = base + rng.random(len(item_group)) * (top - base)
    return np.clip(np.searchsorted(cw, u, "right"), start, end - 1)


def choose(rng, candidates: np.ndarray, k: int) -> np.ndarray:
    """Up to k distinct candidates, in a seed-determined order."""
    candidates = np.asarray(candidates)
    k = int(min(k, len(candidates)))
    if k <= 0:
        return candidates[:0]
    return rng.choice(candidates, size=k, replace=False)


def plant_count(base: float, scale: float) -> int:
    """Planted-anomaly count: proportional to scale, at least one."""
    return max(1, int(round(base * scale)))


def categorical(rng, n: int, probs) -> np.ndarray:
    probs = np.asarray(probs, dtype=np.float64)
    return np.searchsorted(np.cumsum(probs / probs.sum()), rng.random(n), "right").clip(0, len(probs) - 1)


# Causes (案由) and charges, one catalogue so that cases.cause is a small integer inside.
CHARGES = ["危险驾驶罪", "盗窃罪", "帮助信息网络犯罪活动罪", "诈骗罪", "故意伤害罪",
           "交通肇事罪", "开设赌场罪", "走私、贩卖、运输、制造毒品罪"]
(CH_DRUNK, CH_THEFT, CH_AIDING, CH_FRAUD, CH_INJURY, CH_TRAFFIC, CH_GAMBLING, CH_DRUGS) = range(8)
# 数罪并罚 combinations used for multi-charge defendants (first, second charge).
MULTI_COMBOS = [(CH_THEFT, CH_FRAUD), (CH_THEFT, CH_INJURY), (CH_GAMBLING, CH_AIDING),
                (CH_DRUGS, CH_THEFT), (CH_FRAUD, CH_AIDING), (CH_INJURY, CH_DRUNK)]
CIVIL_CAUSES = ["民间借贷纠纷", "买卖合同纠纷", "离婚纠纷", "金融借款合同纠纷", "劳动争议",
                "机动车交通事故责任纠纷", "房屋租赁合同纠纷", "建设工程施工合同纠纷", "物业服务合同纠纷"]


# A 诈骗罪 case whose recorded cause names telecom fraud (法发〔2016〕32号 thresholds; docs/import.md).
TELECOM_FRAUD_CAUSE = "诈骗罪（电信网络诈骗）"


def cause_catalogue(separator: str) -> list[str]:
    """cause code → text: charges, then multi-charge combinations, then civil causes, then telecom fraud."""
    combos = [CHARGES[a] + separator + CHARGES[b] for a, b in MULTI_COMBOS]
    return CHARGES + combos + CIVIL_CAUSES + [TELECOM_FRAUD_CAUSE]


CAUSE_MULTI_BASE = len(CHARGES)
CAUSE_CIVIL_BASE = len(CHARGES) + len(MULTI_COMBOS)
CAUSE_TELECOM_FRAUD = CAUSE_CIVIL_BASE + len(CIVIL_CAUSES)

CASE_COLUMNS = ["court", "ctype", "cause", "filed", "closed", "judge", "assignment",
                "close_method", "prevailing", "appeal", "extensions", "claim"]


def case_frame(**cols) -> "dict[str, np.ndarray]":
    """Internal case rows: every CASE_COLUMNS entry, missing ones filled as unknown."""
    n = len(next(iter(cols.values())))
    out = {}
    for name in CASE_COLUMNS:
        if name in cols:
            out[name] = np.asarray(cols[name])
        elif name == "claim":
            out[name] = np.full(n, np.nan)
        elif name == "extensions":
            out[name] = np.zeros(n, dtype=np.int64)
        else:
            out[name] = np.full(n, MISSING, dtype=np.int64)
    return out


# Free-text notes of events (events.note), by code.
NOTES = [
    "经院长批准延长审限",                    # 0 extension
    "网络执行查控系统查询",                  # 1 online_inquiry
    "定期网络查控：未发现可供执行财产",       # 2 post_termination_inquiry
    "发现可供执行财产 恢复执行",             # 3 resumption
    "执行款到账",                           # 4 funds_received
    "执行款发放申请执行人",                  # 5 funds_disbursed
    "更正文书笔误",                         # 6 post_close_edit
    "补录结案信息",                         # 7 post_close_edit
    "院外人员过问案件 已如实登记",            # 8 interference_record
    "院内人员过问案件 已如实登记",            # 9 interference_record
    "工作调整 变更承办人",                   # 10 reassignment
    "中止审理",                             # 11 suspension (trial)
    "中止执行",                             # 12 suspension (enforcement)
    "当事人申请回避 准许",                   # 13 recusal
    "终本后查询结果已告知申请执行人",          # 14 inquiry_result_notified
    "延缓发放执行款 经批准",                  # 15 suspension (deferral of a payout)
    "延缓发放情形消失 恢复",                  # 16 resumption after a deferral
]
(NOTE_EXTENSION, NOTE_ONLINE, NOTE_POST_TERMINATION, NOTE_RESUMPTION, NOTE_RECEIVED, NOTE_DISBURSED,
 NOTE_EDIT_TYPO, NOTE_EDIT_INFO, NOTE_INTERFERENCE_OUT, NOTE_INTERFERENCE_IN, NOTE_REASSIGNMENT,
 NOTE_SUSPENSION_TRIAL, NOTE_SUSPENSION_ENF, NOTE_RECUSAL, NOTE_INQUIRY_NOTIFIED, NOTE_DEFERRAL,
 NOTE_DEFERRAL_END) = range(17)

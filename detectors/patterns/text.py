"""How the 终本 and integrity pattern warnings read: legal bases, labels, and each detector's explanation
(zh) with its English twin (evidence `explanation_en`).

The detectors compute the figures (common.py and the detector files) and pass them here; nothing in
this module computes a statistic.
"""
from __future__ import annotations

import math

from ..base import NOTICE_EN, NOTICE_ZH

ZB_BASIS = "最高人民法院关于严格规范终结本次执行程序的规定（试行）（法〔2016〕373号）"
INTEGRITY_BASIS = ("防止干预司法“三个规定”：领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定；"
                   "司法机关内部人员过问案件的记录和责任追究规定；关于进一步规范司法人员与当事人、律师、特殊关系人、"
                   "中介组织接触交往行为的若干规定（2015）")
SUPERVISION_BASIS = ("最高人民法院关于完善人民法院司法责任制的若干意见（法发〔2015〕13号）：随机分案为主、指定分案为辅；"
                     "审判权力运行监督管理（审限延长、改判发回、结案后修改）")
NOTICE = f"{NOTICE_ZH} {NOTICE_EN}"


def pct(x, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "?"
    return f"{100 * float(x):.{digits}f}%"


def pct_auto(x) -> str:
    """A rate for a sentence: one decimal below 10%, so a small rate does not read as 0%."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "?"
    return pct(x, 1 if abs(float(x)) < 0.1 else 0)


def num(x, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "?"
    return f"{float(x):,.{digits}f}"


# ----------------------------------------------------------------------------------------------
# termination_rate

TERMINATION_PEERS = ("同院同标的额档次、同被执行人类型的其他执行员案件（本院样本不足时向全省借力） "
                     "(other officers' cases of the same court, claim band and respondent kind, "
                     "borrowing from the province where the court has few)")


def termination_rate_text(judge_id, n: int, terminated: int, observed: float, expected: float, ratio: float,
                          upper95: float, upper998: float) -> tuple[str, str]:
    """An officer's 终本 share against the case-mix expectation and the funnel limits."""
    beyond_zh = (f"超出漏斗图99.8%控制限（{pct(upper998)}）" if observed > upper998
                 else f"超出漏斗图95%控制限（{pct(upper95)}），经多重比较校正后仍显著")
    beyond_en = (f"above the funnel plot's 99.8% control limit ({pct(upper998)})" if observed > upper998
                 else f"above the 95% control limit ({pct(upper95)}) and significant after multiple-testing correction")
    zh = (f"执行员{judge_id}的终本率为{pct(observed)}（{n}件中{terminated}件），"
          f"约为同类案件预期（{pct(expected)}）的{ratio:.1f}倍，{beyond_zh}。")
    en = (f"Enforcement officer {judge_id} terminated {terminated} of {n} closed enforcement cases "
          f"for now ({pct(observed)}), {ratio:.1f}× the {pct(expected)} expected for cases of the same court, claim band "
          f"and respondent kind; {beyond_en}.")
    return zh, en


# ----------------------------------------------------------------------------------------------
# termination_procedure_outlier

# feature → (label zh, label en, unit zh, unit en, kind); kind: days | count | share | flag
PROCEDURE_FEATURE_LABELS = {
    "days_to_termination": ("立案至终本", "filing to 终本", "天", "days", "days"),
    "days_to_notice": ("立案至送达执行通知书", "filing to execution notice", "天", "days", "days"),
    "days_to_report_order": ("立案至发出报告财产令", "filing to property-report order", "天", "days", "days"),
    "days_to_restriction": ("立案至发出限制消费令", "filing to consumption-restriction order", "天", "days", "days"),
    "online_inquiries": ("网络执行查控", "online property inquiries", "次", "", "count"),
    "days_last_inquiry_to_termination": ("最后一次网络查控至终本", "last online inquiry to 终本", "天", "days", "days"),
    "onsite_done": ("现场调查", "on-site investigation", "", "", "flag"),
    "assets_found_share": ("查到财产占标的额", "property found relative to the claim", "", "", "share"),
    "recovered_share": ("执行到位占标的额", "money recovered relative to the claim", "", "", "share"),
    "days_informed_to_termination": ("告知申请执行人至终本", "informing the applicant to 终本", "天", "days", "days"),
    "step_spread_days": ("各项执行措施从第一项到最后一项", "first to last enforcement step", "天", "days", "days"),
}


def _value_text(kind: str, value: float, unit: str) -> str:
    if kind == "share":
        return pct(value, 1)
    return f"{num(value)}{unit}"


def feature_phrase(feature: str, value: float, median: float, tail_share: float, high: bool) -> tuple[str, str]:
    """One plain clause per driving feature: the value, the peers' median and how rare it is."""
    zh, en, unit_zh, unit_en, kind = PROCEDURE_FEATURE_LABELS[feature]
    rare_zh = f"仅{pct(tail_share, 1)}的终本案件如此" if tail_share >= 0.001 else "不足0.1%的终本案件如此"
    rare_en = f"only {pct(tail_share, 1)} of 终本 cases" if tail_share >= 0.001 else "under 0.1% of 终本 cases"
    if kind == "flag":
        if value >= 0.5:
            return (f"开展了现场调查（同类终本案件中仅{pct(tail_share, 1)}开展）",
                    f"an on-site investigation was done (only {pct(tail_share, 1)} of 终本 cases have one)")
        return (f"未开展现场调查（同类终本案件中{pct(1 - tail_share, 0)}开展过）",
                f"no on-site investigation is recorded ({pct(1 - tail_share, 0)} of 终本 cases have one)")
    word_zh = {"days": ("长", "短"), "count": ("多", "少"), "share": ("高", "低")}[kind][0 if high else 1]
    word_en = {"days": ("long", "short"), "count": ("many", "few"), "share": ("high", "low")}[kind][0 if high else 1]
    value_zh, median_zh = _value_text(kind, value, unit_zh), _value_text(kind, median, unit_zh)

    def unit(x: float) -> str:
        return "" if not unit_en else " " + (unit_en[:-1] if unit_en.endswith("s") and abs(x) == 1 else unit_en)

    value_en, median_en = _value_text(kind, value, unit(value)), _value_text(kind, median, unit(median))
    return (f"{zh}{value_zh}，明显偏{word_zh}（中位数{median_zh}，{rare_zh}）",
            f"{en}: {value_en}, unusually {word_en} (median {median_en}; {rare_en})")


def procedure_text(closed: str, n: int, top_share: float, phrases: list[tuple[str, str]]) -> tuple[str, str]:
    """A 终本 case handled unlike almost all of the partition's, with the features that drove it."""
    zh = (f"该终本案件（{closed}终本）的办理过程在{n}件终本案件中极为少见（异常程度居前{pct(top_share, 1)}）："
          + "；".join(p[0] for p in phrases) + "。")
    en = (f"This 终本 case (terminated {closed}) was handled unlike almost all of {n} 终本 cases "
          f"(top {pct(top_share, 1)} by anomaly score): " + "; ".join(p[1] for p in phrases) + ".")
    return zh, en


def procedure_peers(n: int) -> str:
    return f"同一分区内全部{n}件终本案件（按法院分区） (all {n} 终本 cases of the partition)"


# ----------------------------------------------------------------------------------------------
# judge_lawyer_affinity

AFFINITY_PEERS = ("随机分案下的预期（律师在本院的案件数×该法官承办份额）；该律师在其他法官处的胜诉率；"
                  "本院其他民事案件的指定分案比例 (random-assignment expectation; the lawyer's "
                  "results before other judges; the court's designation share)")


def affinity_text(r, win_here, win_reference, designated_here, court_designated, against_lawyer: bool
                  ) -> tuple[str, str]:
    """A judge–lawyer pair: cases together against random assignment, wins here and elsewhere, designation.

    `against_lawyer`: the wins are compared with the lawyer's own elsewhere (else with the same sides'
    before the court's other judges)."""
    elsewhere_zh = "在其他法官处" if against_lawyer else "同类诉讼地位在其他法官处"
    elsewhere_en = "before other judges" if against_lawyer else "for the same sides before other judges"
    zh = (f"法官{r.judge_id}与律师{r.lawyer_id}共同经手{int(r.n_together)}件民事案件，按本院随机分案预期约"
          f"{num(r.expected_together, 1)}件；该律师一方在该法官处胜诉率{pct(win_here)}（{elsewhere_zh}{pct(win_reference)}），"
          f"其中指定分案占{pct(designated_here)}（本院其他民事案件{pct(court_designated)}）。")
    en = (f"Judge {r.judge_id} and lawyer {r.lawyer_id} met in {int(r.n_together)} civil cases where random "
          f"assignment gives about {num(r.expected_together, 1)}; the lawyer's side won {pct(win_here)} here "
          f"({pct(win_reference)} {elsewhere_en}), and {pct(designated_here)} of the cases were designated rather than "
          f"randomly assigned (court's other civil cases: {pct(court_designated)}).")
    return zh, en


# ----------------------------------------------------------------------------------------------
# judge_rate_outlier and judge_profile_outlier

# metric → (zh name of the rate, en name, zh denominator, en denominator)
RATE_METRICS = {
    "extension": ("审限延长率", "deadline-extension rate", "已结案件", "closed cases"),
    "designated": ("指定分案比例", "designated-assignment share", "", "cases"),
    "reversal": ("上诉后改判发回率", "amended-or-remanded rate on appeal", "上诉案件", "appealed cases"),
    "post_close_edit": ("结案后修改率", "post-closing edit rate", "已结案件", "closed cases"),
    "interference": ("过问案件登记比例", "share of cases with recorded interference", "", "cases"),
    "zb": ("终本率", "终本 share", "已结执行案件", "closed enforcement cases"),
}
PROFILE_ROLE = {"trial": ("法官", "judge"), "enforcement": ("执行员", "enforcement officer")}


def rate_phrase(metric: str, observed: float, expected: float, n: int, events: int) -> tuple[str, str]:
    """One out-of-bounds rate of a judge, against the same court level and case types."""
    zh_name, en_name, zh_den, en_den = RATE_METRICS[metric]
    zh = (f"{zh_name}为{pct_auto(observed)}（{zh_den}{n}件中{events}件，"
          f"同级法院同类案件预期约{pct_auto(expected)}）")
    en = (f"{en_name} {pct_auto(observed)} ({events} of {n} {en_den}; "
          f"peers at the same court level with the same case types: about "
          f"{pct_auto(expected)})")
    return zh, en


def rate_outlier_text(judge_id, parts_zh: list[str], parts_en: list[str]) -> tuple[str, str]:
    zh = (f"法官{judge_id}的" + "；".join(parts_zh)
          + ("，均" if len(parts_zh) > 1 else "，") + "显著高于同级法官，超出漏斗图控制限。")
    en = f"Judge {judge_id}: " + "; ".join(parts_en) + " — above the funnel limits after multiple-testing correction."
    return zh, en


def rate_peers(level) -> str:
    return (f"同级（{level}）法院同类案件（按案件类型标准化，剔除本人案件） "
            f"(judges at {level} courts, standardised by case type, own cases left out)")


def profile_days_phrase(median_days: float, peer_median_days: float) -> tuple[str, str]:
    return (f"结案用时中位数{num(median_days)}天（同级同类约{num(peer_median_days)}天）",
            f"median {num(median_days)} days to close (peers about {num(peer_median_days)})")


def profile_rate_phrase(metric: str, observed: float, expected: float) -> tuple[str, str]:
    zh_name, en_name, _, _ = RATE_METRICS[metric]
    return (f"{zh_name}{pct_auto(observed)}（预期约{pct_auto(expected)}）",
            f"{en_name} {pct_auto(observed)} (expected about {pct_auto(expected)})")


def profile_text(group: str, judge_id, group_size: int, parts_zh: list[str], parts_en: list[str]) -> tuple[str, str]:
    """A judge high on several indicators at once, among the peers of the group."""
    role_zh, role_en = PROFILE_ROLE[group]
    several_zh = "多项同时偏高" if len(parts_zh) > 1 else "明显偏高"
    zh = (f"{role_zh}{judge_id}的办案指标组合在{group_size}名同类人员中极为少见：" + "；".join(parts_zh)
          + f"，{several_zh}。")
    en = (f"{role_en.capitalize()} {judge_id}'s combination of indicators is unlike almost all of "
          f"{group_size} peers: " + "; ".join(parts_en) + ".")
    return zh, en


def profile_peers(group: str, group_size: int) -> str:
    role_zh, role_en = PROFILE_ROLE[group]
    return (f"全省{group_size}名{role_zh}的办案画像（各指标按同级法院同类案件标准化） "
            f"(profiles of {group_size} {role_en}s, each rate standardised against "
            "peers at the same court level)")

"""The six-monthly property inquiry after 终本, and its report to the applicant (法〔2016〕373号 art. 9).

queries/zb_no_inquiry_after_termination.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from ..base import DetectContext
from .common import (
    ZB_BASIS,
    Rule,
    RuleSettings,
    _d,
    _d_en,
    _n,
    clean_value,
)


def _params(ctx: DetectContext) -> dict:
    s = RuleSettings.from_config(ctx.config)
    return {"as_of": ctx.as_of, "max_months": s.zb_max_months_between_inquiries,
            "duty_years": s.zb_inquiry_duty_years, "log_min_cases": s.zb_inquiry_log_min_cases,
            "log_incomplete_share": s.zb_inquiry_log_incomplete_share}


def _explain_zh(r: dict) -> str:
    parts = []
    if r.get("gap_late"):
        parts.append(f"该案{_d(r['closed_on'])}终本后，{_d(r['longest_gap_from'])}至{_d(r['longest_gap_to'])}间有"
                     f"{_n(r['longest_gap_days'])}天未通过网络执行查控系统查询财产，超过每六个月至少查询一次的要求")
    if r.get("never_told"):
        parts.append(f"{'该案' if not parts else ''}终本后进行了{_n(r['inquiries_after_termination'])}次查询，"
                     "但系统中无将查询结果告知申请执行人的记录")
    text = "；".join(parts) + "（第九条第二款：五年内每六个月查询一次，并将查询结果告知申请执行人）。"
    if clean_value(r.get("resumed_on")):
        text += f"该案已于{_d(r['resumed_on'])}恢复执行，此后的查询义务随之转至恢复执行的案件，不计入本案。"
    return text


def _explain_en(r: dict) -> str:
    parts = []
    if r.get("gap_late"):
        parts.append(f"after termination on {_d_en(r['closed_on'])}, no property inquiry was made for "
                     f"{_n(r['longest_gap_days'])} days ({_d_en(r['longest_gap_from'])} to {_d_en(r['longest_gap_to'])})")
    if r.get("never_told"):
        parts.append(f"{_n(r['inquiries_after_termination'])} inquiries were made but no report of their results to "
                     "the applicant is recorded")
    text = "; ".join(parts) + ". The rules require an inquiry at least every six months for five years, and its " \
        "result told to the applicant."
    if clean_value(r.get("resumed_on")):
        text += f" Enforcement resumed on {_d_en(r['resumed_on'])}; the duty then passes to the resumed case."
    return text[0].upper() + text[1:]


RULE = Rule("zb_no_inquiry_after_termination", "enforcement", "case",
            "终本后超过六个月未查询财产或未告知查询结果", "终本: no inquiry for over six months, or results never told",
            f"{ZB_BASIS}第九条第二款",
            _explain_zh, _explain_en,
            needs=("cases", "events"),
            params=_params,
            limitations=("Only inquiries logged as post_termination_inquiry events count. The duty runs five years from "
                         "termination, to the run's as-of date, and ends on the day a `resumption` event moves it to the "
                         "resumed case (执恢), which carries its own duty if terminated again. The report to the applicant "
                         "is checked only in a court whose log records inquiry_result_notified events (contract "
                         "extension E5). A court whose log is evidently incomplete (zb_inquiry_log_incomplete: batch "
                         "总对总 inquiries not written to each case) gets one court-level note instead of a warning on "
                         "every case: its cases are skipped."))

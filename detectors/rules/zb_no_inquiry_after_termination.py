"""No property inquiry for over six months after 终本 (法〔2016〕373号 art. 9).

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
)


def _params(ctx: DetectContext) -> dict:
    s = RuleSettings.from_config(ctx.config)
    return {"as_of": ctx.as_of, "max_months": s.zb_max_months_between_inquiries,
            "duty_years": s.zb_inquiry_duty_years}


RULE = Rule("zb_no_inquiry_after_termination", "enforcement", "case",
            "终本后超过六个月未查询财产", "No property inquiry for over six months after 终本",
            f"{ZB_BASIS}第九条",
            lambda r: f"该案{_d(r['closed_on'])}终本后，{_d(r['longest_gap_from'])}至{_d(r['longest_gap_to'])}间有{_n(r['longest_gap_days'])}天未进行财产查询，超过每六个月至少查询一次的要求。",
            lambda r: f"After termination on {_d_en(r['closed_on'])}, no property inquiry was made for {_n(r['longest_gap_days'])} days ({_d_en(r['longest_gap_from'])} to {_d_en(r['longest_gap_to'])}); the rules require one at least every six months.",
            needs=("cases", "events"),
            params=_params,
            limitations="Only inquiries logged as post_termination_inquiry events count; an export without the event log cannot be checked.")

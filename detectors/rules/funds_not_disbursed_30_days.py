"""Enforcement funds not paid out within 30 days of receipt (法发〔2017〕6号 §15).

queries/funds_not_disbursed_30_days.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from ..base import DetectContext
from .common import (
    Rule,
    RuleSettings,
    _n,
)


def _params(ctx: DetectContext) -> dict:
    s = RuleSettings.from_config(ctx.config)
    return {"as_of": ctx.as_of, "days": s.funds_disbursement_days}


RULE = Rule("funds_not_disbursed_30_days", "integrity", "case",
            "执行款超过30日未发放", "Enforcement funds not paid out within 30 days",
            "最高人民法院关于执行款物管理工作的规定（法发〔2017〕6号）第十五条",
            lambda r: f"该案有{_n(r['late_receipts'])}笔执行款（合计{_n(r['late_amount'])}元）到账后30日内未发放，最长滞留{_n(r['longest_days_held'])}天。",
            lambda r: f"{_n(r['late_receipts'])} enforcement payment(s) totalling {_n(r['late_amount'])} yuan were not paid out within 30 days of receipt; the longest was held {_n(r['longest_days_held'])} days.",
            needs=("cases", "events"),
            params=_params,
            limitations="Recorded exceptions (disputed funds, applicant unreachable) are not in the export; the reviewer checks them.")

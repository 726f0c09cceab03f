"""Enforcement funds not paid out within 30 days of the receipt notice (最高人民法院关于执行款物管理工作的规定, 2017).

queries/funds_not_disbursed_30_days.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from ..base import DetectContext
from .common import (
    FUNDS_BASIS,
    Rule,
    RuleSettings,
    _n,
)


def _params(ctx: DetectContext) -> dict:
    s = RuleSettings.from_config(ctx.config)
    return {"as_of": ctx.as_of, "days": s.funds_disbursement_days, "min_share": s.funds_disbursed_min_share}


def _explain_zh(r: dict) -> str:
    text = (f"该案有{_n(r['late_receipts'])}笔执行款（合计{_n(r['late_amount'])}元）自到账通知之日起30日内未发放"
            f"（或发放不足到账金额），最长滞留{_n(r['longest_days_held'])}天")
    if r.get("partly_paid_in_time"):
        text += "；期限内仅发放了其中一小部分"
    if r.get("deferred"):
        text += "；延缓发放（中止）后恢复，恢复之日起30日内仍未发放"
    return text + "。如有经批准的延缓发放情形而未录入，请核实。"


def _explain_en(r: dict) -> str:
    text = (f"{_n(r['late_receipts'])} enforcement payment(s) totalling {_n(r['late_amount'])} yuan were not paid out "
            f"(or not in full) within 30 days of the receipt notice; the longest was held {_n(r['longest_days_held'])} days")
    if r.get("partly_paid_in_time"):
        text += "; only a small part was paid out in time"
    if r.get("deferred"):
        text += "; after a deferral (suspension) ended, 30 more days passed without payout"
    return text + ". An approved deferral that was not recorded would explain it: check."


RULE = Rule("funds_not_disbursed_30_days", "integrity", "case",
            "执行款超过30日未发放", "Enforcement funds not paid out within 30 days",
            f"{FUNDS_BASIS}：执行款到账通知之日起三十日内发放；需要分配、被保全冻结、经通知未领取、中止或暂缓执行等情形经批准可以延缓发放"
            "（条文序号未查得）",
            _explain_zh, _explain_en,
            needs=("cases", "events"),
            params=_params,
            limitations=("Days are counted by calendar date from the funds_received event (the receipt notice), the day "
                         "of receipt not counted. A `suspension` event within a receipt's 30 days stops its clock (an "
                         "approved deferral: distribution, funds preserved or frozen, applicant not collecting, 中止/暂缓); "
                         "a later `resumption` gives 30 more days, and a receipt still deferred is not checked — the "
                         "2017 rules give a shorter period after a deferral ends, so this never warns early. A receipt "
                         "counts as paid out when the case's payouts by its deadline cover funds_disbursed_min_share of "
                         "the money received so far (first in, first out; the rest may be 执行费), so a small partial "
                         "payout does not clear a large receipt; where an amount is unknown any payout in time counts. "
                         "Deferrals that were approved but not logged look like a breach: the reviewer checks them."))

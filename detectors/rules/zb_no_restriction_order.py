"""终本 without a consumption-restriction order (法〔2016〕373号 art. 1(2)).

queries/zb_no_restriction_order.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from .common import (
    ZB_BASIS,
    Rule,
    _d,
    _d_en,
)

RULE = Rule("zb_no_restriction_order", "enforcement", "case",
            "终本：未发限制消费令", "终本 without consumption-restriction order",
            f"{ZB_BASIS}第一条第（二）项",
            lambda r: f"该案终本（{_d(r['closed_on'])}）前系统中无限制消费令记录（限制消费令：{_d(r['restriction_order_on'])}）。",
            lambda r: f"No consumption-restriction order is recorded before termination on {_d_en(r['closed_on'])} (order: {_d_en(r['restriction_order_on'])}).",
            needs=("cases", "enforcement"),
            limitations="Whether the respondent met the conditions for the dishonest-debtor list cannot be told from the export, so listing is shown, not checked.")

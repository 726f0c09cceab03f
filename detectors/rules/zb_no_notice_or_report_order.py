"""终本 without a served execution notice or property-report order (法〔2016〕373号 art. 1(1)).

queries/zb_no_notice_or_report_order.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from .common import (
    ZB_BASIS,
    Rule,
    _d,
    _d_en,
)

RULE = Rule("zb_no_notice_or_report_order", "enforcement", "case",
            "终本：未发执行通知书或报告财产令", "终本 without execution notice or property-report order",
            f"{ZB_BASIS}第一条第（一）项",
            lambda r: f"该案终本前系统中无完整的执行通知书送达（{_d(r['notice_on'])}）或报告财产令（{_d(r['report_order_on'])}）记录，终本日期为{_d(r['closed_on'])}。",
            lambda r: f"Before termination on {_d_en(r['closed_on'])} the record shows no complete service of the execution notice ({_d_en(r['notice_on'])}) or property-report order ({_d_en(r['report_order_on'])}).",
            needs=("cases", "enforcement"),
            limitations="An empty date is read as 'no record in the case-management system'; the paper file may hold it.")

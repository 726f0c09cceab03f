"""终本 without informing the applicant (法〔2016〕373号 art. 5).

queries/zb_applicant_not_informed.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from .common import (
    ZB_BASIS,
    Rule,
    _d,
    _d_en,
)

RULE = Rule("zb_applicant_not_informed", "enforcement", "case",
            "终本：终本前未约谈或告知申请执行人", "终本 without informing the applicant",
            f"{ZB_BASIS}第五条",
            lambda r: f"该案终本（{_d(r['closed_on'])}）前系统中无约谈或告知申请执行人的记录（告知日期：{_d(r['applicant_informed_on'])}）。",
            lambda r: f"No interview with or notice to the applicant is recorded before termination on {_d_en(r['closed_on'])} (informed: {_d_en(r['applicant_informed_on'])}).",
            needs=("cases", "enforcement"))

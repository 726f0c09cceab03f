"""终本 without an online property inquiry (法〔2016〕373号 art. 1(3)).

queries/zb_no_online_inquiry.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from .common import (
    ZB_BASIS,
    Rule,
    _d,
    _d_en,
    _n,
)

RULE = Rule("zb_no_online_inquiry", "enforcement", "case",
            "终本：未经网络执行查控", "终本 without online property inquiry",
            f"{ZB_BASIS}第一条第（三）项",
            lambda r: f"该案终本（{_d(r['closed_on'])}）前系统中无任何网络执行查控记录（查控次数：{_n(r['online_inquiries'])}）。",
            lambda r: f"No online property inquiry through the network inspection system is recorded before termination on {_d_en(r['closed_on'])} (inquiries: {_n(r['online_inquiries'])}).",
            needs=("cases", "enforcement"))

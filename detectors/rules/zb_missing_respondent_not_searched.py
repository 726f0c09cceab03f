"""终本 with a missing respondent not searched for (法〔2016〕373号 art. 1(5)).

queries/zb_missing_respondent_not_searched.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from .common import (
    ZB_BASIS,
    Rule,
    _d,
    _d_en,
)

RULE = Rule("zb_missing_respondent_not_searched", "enforcement", "case",
            "终本：被执行人下落不明未查找", "终本 with a missing respondent not searched for",
            f"{ZB_BASIS}第一条第（五）项",
            lambda r: f"该案被执行人下落不明，但终本（{_d(r['closed_on'])}）前无查找记录（查找日期：{_d(r['search_done_on'])}）。",
            lambda r: f"The respondent was missing, yet no search is recorded before termination on {_d_en(r['closed_on'])} (search: {_d_en(r['search_done_on'])}).",
            needs=("cases", "enforcement"))

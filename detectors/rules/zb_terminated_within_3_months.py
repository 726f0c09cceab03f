"""终本 within three months of filing (法〔2016〕373号 art. 1(4)).

queries/zb_terminated_within_3_months.sql finds the rows that are not known to comply; this Rule says how its
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
    return {"min_months": s.zb_min_months_before_termination}


RULE = Rule("zb_terminated_within_3_months", "enforcement", "case",
            "终本：立案未满三个月即终结本次执行", "终本 within three months of filing",
            f"{ZB_BASIS}第一条第（四）项",
            lambda r: f"该案于{_d(r['filed_on'])}立案、{_d(r['closed_on'])}终结本次执行程序，仅历时{_n(r['days_to_termination'])}天，未满规定的三个月。",
            lambda r: f"Enforcement was terminated for now on {_d_en(r['closed_on'])}, only {_n(r['days_to_termination'])} days after filing on {_d_en(r['filed_on'])}; the rules require more than three months.",
            params=_params)

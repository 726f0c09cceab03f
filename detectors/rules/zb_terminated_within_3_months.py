"""终本 before three months had passed since filing (法〔2016〕373号 art. 1(4)), save the grounds it does not bind.

queries/zb_terminated_within_3_months.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from ..base import DetectContext
from .common import (
    ZB_BASIS,
    ZB_CASES_BASIS,
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
            "终本：立案未超过三个月即终结本次执行", "终本 before three months had passed since filing",
            f"{ZB_BASIS}第一条第（四）项；例外情形见{ZB_CASES_BASIS}第十六条",
            lambda r: (f"该案于{_d(r['filed_on'])}立案、{_d(r['closed_on'])}终结本次执行程序，仅历时"
                       f"{_n(r['days_to_termination'])}天，未超过规定的三个月（自立案之日起已超过三个月），"
                       "且记录的终本依据为一般终本（非分期履行和解、申请执行人书面同意或特困救助）。"),
            lambda r: (f"Enforcement was terminated for now on {_d_en(r['closed_on'])}, only {_n(r['days_to_termination'])} "
                       f"days after filing on {_d_en(r['filed_on'])}, on the standard ground; the rules require more than "
                       "three months since filing (not an instalment settlement, the applicant's written consent or "
                       "hardship relief, which that condition does not bind)."),
            needs=("cases", "enforcement"),
            params=_params,
            limitations=("Needs enforcement.termination_basis (contract extension E3): a 终本 on an instalment settlement, "
                         "on the applicant's written consent where no property was found, or for a claimant in special "
                         "hardship who received relief (法发〔2014〕26号 第十六条) is not bound by the three months; where the "
                         "ground is unknown the case is skipped, not flagged. The clock runs from this case's own filing: "
                         "a case transferred in or 指定执行 is filed anew at the receiving court, so its three months "
                         "restart there. Three months exactly is not 'more than three months'."))

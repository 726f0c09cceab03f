"""终本 although the last online property inquiry was long before it (法〔2016〕373号 art. 3; a heuristic).

queries/zb_online_inquiry_stale.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from ..base import DetectContext
from .common import ZB_BASIS, Rule, RuleSettings, _d, _d_en, _n


def _params(ctx: DetectContext) -> dict:
    return {"window_months": RuleSettings.from_config(ctx.config).zb_online_inquiry_window_months}


RULE = Rule("zb_online_inquiry_stale", "enforcement", "case",
            "终本：最近一次网络查控距终本过久（启发式）", "终本 long after the last online inquiry (a heuristic)",
            f"启发式规则（非法定规则）：{ZB_BASIS}第一条第（三）项、第三条（网络执行查控；条文未规定期限）",
            lambda r: (f"该案{_d(r['closed_on'])}终本，最近一次网络执行查控在{_d(r['last_inquiry_on'])}，距终本"
                       f"{_n(r['days_before_termination'])}天，超过六个月。此为启发式规则：规定未明定查控须在终本前多久内进行，"
                       "但久远的查询难以证明终本时已穷尽财产调查措施，请核查终本前是否重新查控。"),
            lambda r: (f"Terminated for now on {_d_en(r['closed_on'])}, {_n(r['days_before_termination'])} days after the "
                       f"last online inquiry ({_d_en(r['last_inquiry_on'])}): over the six-month window. A heuristic: the "
                       "rules name no period, but an old inquiry hardly shows the investigation was exhausted at "
                       "termination; check whether the property was queried again."),
            needs=("cases", "enforcement"),
            params=_params,
            limitations=("A heuristic, not a breach of the written rule: 法〔2016〕373号 第三条 requires the online inquiry "
                         "before 终本 but names no period. The window is [rules] zb_online_inquiry_window_months (six "
                         "months, the interval 第九条 sets after termination). A case with no inquiry at all is "
                         "zb_no_online_inquiry; a count of inquiries without any date is skipped."),
            kind="heuristic")

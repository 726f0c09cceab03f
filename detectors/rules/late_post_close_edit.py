"""A case record edited long after closing.

queries/late_post_close_edit.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from ..base import DetectContext
from .common import (
    Rule,
    RuleSettings,
    _d,
    _d_en,
    _n,
)


def _params(ctx: DetectContext) -> dict:
    s = RuleSettings.from_config(ctx.config)
    return {"grace_days": s.post_close_edit_grace_days}


RULE = Rule("late_post_close_edit", "integrity", "case",
            "结案后长期修改案件信息", "Case record edited long after closing",
            "人民法院案件质量评查与审判流程管理规定：结案信息非经审批不得修改",
            lambda r: f"该案于{_d(r['closed_on'])}结案，{_n(r['days_after_closing'])}天后仍有{_n(r['late_edits'])}次结案后修改记录。",
            lambda r: f"The case closed on {_d_en(r['closed_on'])} was edited {_n(r['late_edits'])} time(s), the last {_n(r['days_after_closing'])} days after closing.",
            needs=("cases", "events"),
            params=_params,
            limitations="An approved correction looks the same as an unapproved one in the export.")

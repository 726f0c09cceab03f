"""A recorded interference followed by a change in how the case was handled (a heuristic; the 2015 rules).

queries/interference_followed_by_change.sql finds the rows; this Rule says how its flag reads (zh in the
explanation, en in the evidence) and what the query is given. Recording itself is the duty, never a warning.
"""
from __future__ import annotations

from ..base import DetectContext
from .common import INTERFERENCE_BASIS, Rule, RuleSettings, _d, _d_en, _n


def _params(ctx: DetectContext) -> dict:
    return {"grace_days": RuleSettings.from_config(ctx.config).post_close_edit_grace_days}


def _signs_zh(r: dict) -> str:
    signs = []
    if (r.get("reassignments_after") or 0) > 0:
        signs.append(f"此后变更承办人{_n(r['reassignments_after'])}次")
    if r.get("designated"):
        signs.append("该案为指定分案（非随机分案）")
    if (r.get("late_edits_after") or 0) > 0:
        signs.append(f"此后结案信息在结案后被修改{_n(r['late_edits_after'])}次")
    return "，".join(signs)


def _signs_en(r: dict) -> str:
    signs = []
    if (r.get("reassignments_after") or 0) > 0:
        signs.append(f"the judge was changed {_n(r['reassignments_after'])} time(s) afterwards")
    if r.get("designated"):
        signs.append("the case was assigned by designation, not at random")
    if (r.get("late_edits_after") or 0) > 0:
        signs.append(f"the closing record was edited {_n(r['late_edits_after'])} time(s) long after closing")
    return "; ".join(signs)


RULE = Rule("interference_followed_by_change", "integrity", "case",
            "过问案件登记后办案安排发生变化（启发式）", "Recorded interference followed by a change in handling (a heuristic)",
            f"启发式规则（非法定规则）：{INTERFERENCE_BASIS}",
            lambda r: (f"该案有{_n(r['records'])}条过问案件登记（首次{_d(r['first_recorded_at'])}），{_signs_zh(r)}。"
                       "如实登记过问是规定要求的做法，本身不是问题；此为启发式提示：请核查变化是否与过问有关。"),
            lambda r: (f"The case has {_n(r['records'])} recorded inquiry/interference entr(y/ies) (first on "
                       f"{_d_en(r['first_recorded_at'])}), and {_signs_en(r)}. Recording an interference is what the 2015 "
                       "rules require and is no concern by itself; a heuristic: check whether the change followed from it."),
            needs=("cases", "events"),
            params=_params,
            limitations=("A heuristic: a recorded interference alone is never flagged (the 2015 rules require every one to be "
                         "recorded: 全面、如实、及时地予以记录); a flag needs a sign that handling changed after it — a "
                         "reassignment on or after the record, designated assignment (the export does not date it), or an "
                         "edit of the closing record more than post_close_edit_grace_days after closing. Each has innocent "
                         "explanations. Under-recording is interference_records_absent."),
            kind="heuristic")

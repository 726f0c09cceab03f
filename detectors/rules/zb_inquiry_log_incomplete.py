"""A court whose post-termination inquiry log is evidently incomplete (a data-quality note, never a legal finding).

queries/zb_inquiry_log_incomplete.sql finds the courts; this Rule says how its flag reads (zh in the explanation,
en in the evidence) and what the query is given. zb_no_inquiry_after_termination abstains on their cases.
"""
from __future__ import annotations

from .common import ZB_BASIS, Rule, _n
from .zb_no_inquiry_after_termination import _params

RULE = Rule("zb_inquiry_log_incomplete", "data_quality", "court",
            "终本后查询记录疑似缺失（全院）", "The court's post-termination inquiry log looks incomplete",
            f"数据质量提示：{ZB_BASIS}第九条（非违法认定）",
            lambda r: (f"该院{_n(r['due_cases'])}件终本后已满六个月的案件中，{_n(r['unlogged_cases'])}件没有任何终本后查询记录，"
                       "更可能是批量（总对总）查询未逐案记录，而非全院未查询；对这些案件不逐案提示，请核对该院的查询记录与数据导出。"),
            lambda r: (f"{_n(r['unlogged_cases'])} of the court's {_n(r['due_cases'])} 终本 cases whose six-monthly inquiry "
                       "duty has run carry no post-termination inquiry at all — more likely batch (总对总) inquiries not "
                       "written to each case than a court that queries nothing; zb_no_inquiry_after_termination does not "
                       "warn on each case. Check the court's inquiry records and export."),
            needs=("cases", "events"),
            params=_params,
            limitations=("A data-quality note: thresholds [rules] zb_inquiry_log_min_cases and "
                         "zb_inquiry_log_incomplete_share; the same definition as zb_no_inquiry_after_termination's "
                         "abstention."),
            kind="data_quality",
            incremental="carry")

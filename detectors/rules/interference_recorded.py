"""Recorded interference in a case (the 2015 rules on recording interference).

queries/interference_recorded.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from .common import (
    Rule,
    _d,
    _d_en,
    _n,
)

RULE = Rule("interference_recorded", "integrity", "case",
            "存在过问案件登记", "Recorded interference in the case",
            "领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定；司法机关内部人员过问案件的记录和责任追究规定（2015）",
            lambda r: f"该案有{_n(r['records'])}条过问案件登记记录（首次{_d(r['first_recorded_at'])}），需按规定审查处理。",
            lambda r: f"The case has {_n(r['records'])} recorded inquiry/interference entr(y/ies) by officials or court insiders (first on {_d_en(r['first_recorded_at'])}) that the rules require to be reviewed.",
            needs=("cases", "events"))

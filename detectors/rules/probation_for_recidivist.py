"""Probation for a recidivist (刑法 §74).

queries/probation_for_recidivist.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from .common import (
    Rule,
    _n,
)

RULE = Rule("probation_for_recidivist", "sentencing", "defendant",
            "累犯适用缓刑", "Probation for a recidivist",
            "《中华人民共和国刑法》第七十四条",
            lambda r: f"该被告人系累犯，但被判处{_n(r['term_months'])}个月并宣告缓刑；刑法规定累犯不适用缓刑。",
            lambda r: f"The defendant is a recidivist but received probation on a {_n(r['term_months'])}-month sentence; the Criminal Law bars probation for recidivists.",
            needs=("cases", "defendants"))

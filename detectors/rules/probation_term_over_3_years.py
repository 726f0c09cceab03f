"""Probation on a sentence that does not allow it (刑法 §72).

queries/probation_term_over_3_years.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from courtwatch.detectors import law

from .common import (
    SENTENCE_KIND_ZH,
    Rule,
    _n,
)

RULE = Rule("probation_term_over_3_years", "sentencing", "defendant",
            "不符合缓刑条件的刑期适用缓刑", "Probation on a sentence that does not allow it",
            "《中华人民共和国刑法》第七十二条",
            lambda r: f"该被告人被判处{SENTENCE_KIND_ZH.get(r['sentence_kind'], r['sentence_kind'])}{_n(r['term_months'])}个月并宣告缓刑；缓刑仅适用于拘役或三年以下有期徒刑。",
            lambda r: f"The defendant received probation on a {str(r['sentence_kind']).replace('_', '-')} sentence of {_n(r['term_months'])} months; probation is allowed only with detention or up to three years' imprisonment.",
            needs=("cases", "defendants"),
            params=lambda ctx: {"max_term": law.PROBATION_MAX_TERM_MONTHS},
            limitations=("The term compared with three years is the 决定执行刑 where defendants.combined_term_months "
                         "(contract extension E2) is known — probation suspends what is to be served, so a combination "
                         "above three years allows none — else term_months (a combination is never shorter)."))

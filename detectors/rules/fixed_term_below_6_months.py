"""有期徒刑 shorter than six months (刑法 §45).

queries/fixed_term_below_6_months.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from courtwatch.detectors import law

from .common import Rule, _n

RULE = Rule("fixed_term_below_6_months", "sentencing", "defendant",
            "有期徒刑不满六个月", "Fixed-term imprisonment under six months",
            "《中华人民共和国刑法》第四十五条",
            lambda r: (f"该被告人以{r['charge']}被判处有期徒刑{_n(r['term_months'], 1)}个月；有期徒刑的期限为六个月以上"
                       "（刑法第四十五条），不满六个月的应为拘役或管制。记录的刑种或刑期也可能有误，请核对案卷。"),
            lambda r: (f"The defendant was sentenced to {_n(r['term_months'], 1)} months' fixed-term imprisonment for "
                       f"{r['charge']}; a fixed term is at least six months (Criminal Law art. 45) — a shorter sentence "
                       "is detention or control. The recorded kind or term may itself be wrong: check the file."),
            needs=("cases", "defendants"),
            params=lambda ctx: {"min_months": law.FIXED_TERM_MONTHS[0]},
            limitations=("No combination makes it lawful: a 决定执行刑 is never below the highest term it combines (§69), "
                         "and every 有期徒刑 is at least six months."))

"""Criminal detention outside its statutory length (刑法 §42, §69).

queries/detention_out_of_range.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from courtwatch.detectors import law

from .common import (
    Rule,
    _n,
)

RULE = Rule("detention_out_of_range", "sentencing", "defendant",
            "拘役期限超出法定范围", "Detention outside its statutory length",
            "《中华人民共和国刑法》第四十二条、第六十九条",
            lambda r: f"该被告人被判处拘役{_n(r['term_months'], 1)}个月，超出拘役一个月以上六个月以下（数罪并罚不超过一年）的法定范围。",
            lambda r: f"The defendant was sentenced to {_n(r['term_months'], 1)} months' criminal detention, outside the statutory 1–6 months (at most one year for several charges).",
            needs=("cases", "defendants"),
            params=lambda ctx: {"min_months": law.DETENTION_MONTHS[0], "max_single": law.DETENTION_MONTHS[1],
                                "max_combined": law.DETENTION_MONTHS_COMBINED[1], "separator": law.MULTI_CHARGE_SEPARATOR},
            limitations=("Under one month or over a year is never lawful (§42; §69 caps even a combined 拘役 at one "
                         "year). Six to twelve months on a single charge is flagged only where "
                         "defendants.combined_term_months (contract extension E2) is known, so the term is the 宣告刑; "
                         "where it is unknown the term may be a 决定执行刑 combining an earlier judgment's 拘役 (§§70, 71, "
                         "77) and the row is skipped. Several charges (数罪并罚) may reach a year."))

"""管制 outside its statutory length (刑法 §38, §69).

queries/control_out_of_range.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from courtwatch.detectors import law

from .common import Rule, _n

RULE = Rule("control_out_of_range", "sentencing", "defendant",
            "管制期限超出法定范围", "Control outside its statutory length",
            "《中华人民共和国刑法》第三十八条、第六十九条",
            lambda r: (f"该被告人被判处管制{_n(r['term_months'], 1)}个月，超出管制三个月以上二年以下"
                       "（刑法第三十八条；数罪并罚最高不能超过三年，第六十九条）的法定范围。记录的刑期也可能有误，请核对案卷。"),
            lambda r: (f"The defendant was sentenced to {_n(r['term_months'], 1)} months' public surveillance (管制), "
                       "outside the statutory three months to two years (art. 38; at most three years for several "
                       "charges, art. 69). The recorded term may itself be wrong: check the file."),
            needs=("cases", "defendants"),
            params=lambda ctx: {"min_months": law.CONTROL_MONTHS[0], "max_single": law.CONTROL_MONTHS[1],
                                "max_combined": law.CONTROL_MONTHS_COMBINED[1], "separator": law.MULTI_CHARGE_SEPARATOR},
            limitations=("Under three months or over three years is never lawful (§38; §69 caps even a combined 管制 at "
                         "three years). Two to three years on a single charge is flagged only where "
                         "defendants.combined_term_months (E2) is known, so the term is the 宣告刑; where it is unknown the "
                         "term may be a 决定执行刑 combining an earlier judgment's 管制, and the row is skipped."))

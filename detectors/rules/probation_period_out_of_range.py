"""A probation period (缓刑考验期) outside 刑法 §73.

queries/probation_period_out_of_range.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from courtwatch.detectors import law

from .common import SENTENCE_KIND_ZH, Rule, _n

_LIMIT_ZH = {"detention": "拘役的缓刑考验期限为原判刑期以上一年以下，但是不能少于二个月",
             "fixed_term": "有期徒刑的缓刑考验期限为原判刑期以上五年以下，但是不能少于一年"}
_LIMIT_EN = {"detention": "for detention at least the term and at most one year, never under two months",
             "fixed_term": "for imprisonment at least the term and at most five years, never under one year"}


def _term_zh(r: dict) -> str:
    text = f"{SENTENCE_KIND_ZH.get(r['sentence_kind'], r['sentence_kind'])}{_n(r['term_months'])}个月"
    combined = r.get("combined_term_months")
    if combined is not None and combined == combined and combined != r.get("term_months"):
        text += f"（决定执行{_n(combined)}个月）"
    return text


RULE = Rule("probation_period_out_of_range", "sentencing", "defendant",
            "缓刑考验期不符合法定期限", "Probation period outside its statutory limits",
            "《中华人民共和国刑法》第七十三条",
            lambda r: (f"该被告人被判处{_term_zh(r)}，宣告缓刑，考验期{_n(r['probation_months'])}个月；"
                       f"{_LIMIT_ZH.get(r['sentence_kind'], '')}（刑法第七十三条）。记录的考验期或刑期也可能有误，请核对案卷。"),
            lambda r: (f"The defendant received probation of {_n(r['probation_months'])} months on "
                       f"{str(r['sentence_kind']).replace('_', '-')} of {_n(r['term_months'])} months; the Criminal Law "
                       f"(art. 73) sets the period {_LIMIT_EN.get(r['sentence_kind'], '')}. The recorded period or term "
                       "may itself be wrong: check the file."),
            needs=("cases", "defendants"),
            params=lambda ctx: {"fixed_min": law.PROBATION_PERIOD_FIXED_TERM[0],
                                "detention_min": law.PROBATION_PERIOD_DETENTION[0],
                                "detention_max": law.PROBATION_PERIOD_DETENTION[1],
                                "separator": law.MULTI_CHARGE_SEPARATOR},
            limitations=("Below the term, below one year for 有期徒刑 or below two months for 拘役 is never lawful. Over a "
                         "year for 拘役 is flagged only where the sentence to serve is known to be 拘役 (several charges "
                         "of the row, or defendants.combined_term_months (E2) equal to the term): combined with an earlier "
                         "有期徒刑 it is 有期徒刑 (§69) and may carry up to five years; such rows are skipped. The term the "
                         "period must reach is the 决定执行刑 where E2 is known. Over five years cannot load (the contract "
                         "caps probation_months at 60)."))

"""A combined sentence (数罪并罚) outside 刑法 §69.

queries/combined_sentence_over_cap.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from courtwatch.detectors import law

from .common import SENTENCE_KIND_ZH, Rule, _n


def _explain_zh(r: dict) -> str:
    if r.get("reason") == "below_declared":
        return (f"该被告人宣告{SENTENCE_KIND_ZH.get(r['sentence_kind'], r['sentence_kind'])}{_n(r['term_months'])}个月，"
                f"决定执行{_n(r['combined_term_months'])}个月，低于其中的宣告刑；数罪并罚应当在数刑中最高刑期以上、"
                "总和刑期以下决定执行的刑期（刑法第六十九条；第七十条、第七十一条依照第六十九条）。记录的刑期也可能有误，请核对案卷。")
    return (f"该被告人犯{r['charge']}两罪，决定执行有期徒刑{_n(r['term_months'])}个月；单罪有期徒刑最高十五年，两罪总和刑期"
            "不满三十五年，数罪并罚有期徒刑最高不能超过二十年（刑法第六十九条）。记录的刑期也可能有误，请核对案卷。")


def _explain_en(r: dict) -> str:
    if r.get("reason") == "below_declared":
        return (f"The combined term to serve, {_n(r['combined_term_months'])} months, is below the "
                f"{_n(r['term_months'])}-month sentence it combines; art. 69 sets a combined term at or above the "
                "highest of the terms (arts. 70 and 71 apply art. 69). The record may be wrong: check the file.")
    return (f"Two charges ({r['charge']}) combined into {_n(r['term_months'])} months' imprisonment: one fixed term is "
            "at most fifteen years, so two total under thirty-five, and art. 69 caps their combination at twenty years. "
            "The record may be wrong: check the file.")


RULE = Rule("combined_sentence_over_cap", "sentencing", "defendant",
            "数罪并罚决定执行的刑期不符合第六十九条", "Combined sentence outside art. 69",
            "《中华人民共和国刑法》第六十九条（第七十条、第七十一条依照第六十九条）",
            _explain_zh, _explain_en,
            needs=("cases", "defendants"),
            params=lambda ctx: {"separator": law.MULTI_CHARGE_SEPARATOR, "cap_months": law.COMBINED_FIXED_TERM_CAP},
            limitations=("Checks what the export can show of §69: a row of exactly two charges cannot lawfully exceed "
                         "twenty years (their total is under thirty-five), and a 决定执行刑 (defendants.combined_term_months, "
                         "contract extension E2) below the 宣告刑 it combines is never lawful. Three or more charges may "
                         "reach twenty-five years; a combination with an earlier judgment's sentence (§§70, 71) whose "
                         "terms the export does not hold is checked only against the row's own 宣告刑. 拘役 over a year and "
                         "管制 over three years are detention_out_of_range and control_out_of_range."))

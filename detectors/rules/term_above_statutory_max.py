"""A term above every statutory frame of the charge (刑法 分则; provincial amount standards).

queries/term_above_statutory_max.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from courtwatch.detectors import law

from .common import (
    Rule,
    _n,
    _standard_sentence_en,
    _standard_sentence_zh,
)


def _explain_zh(r: dict) -> str:
    if r.get("reason") == "wrong_kind":
        return (f"该被告人以{r['charge']}被判处有期徒刑{_n(r['term_months'])}个月；该罪法定刑为拘役，并处罚金"
                f"（{r['article']}），不得判处有期徒刑，判处的刑种无合法依据。记录的刑种也可能有误，请核对案卷。")
    return (f"该被告人以{r['charge']}被判处有期徒刑{_n(r['term_months'])}个月，超过该罪任何一档法定刑的上限"
            f"{_n(r['max_months'])}个月（{r['article']}），无论记录的犯罪事实如何均无合法依据；"
            f"{_standard_sentence_zh(r)}记录的刑期也可能有误，请核对案卷。")


def _explain_en(r: dict) -> str:
    if r.get("reason") == "wrong_kind":
        return (f"The defendant was sentenced to {_n(r['term_months'])} months' fixed-term imprisonment for "
                f"{r['charge']}, whose statute ({r['article']}) provides criminal detention and a fine only: a fixed "
                "term is the wrong penalty kind whatever its length. The recorded kind may itself be wrong: check the file.")
    return (f"The defendant was sentenced to {_n(r['term_months'])} months for {r['charge']}, above the "
            f"{_n(r['max_months'])}-month maximum of every statutory frame of the charge ({r['article']}), so no "
            f"reading of the recorded facts allows it; {_standard_sentence_en(r)}the recorded term may itself be "
            "wrong: check the file.")


RULE = Rule("term_above_statutory_max", "sentencing", "defendant",
            "刑期超过法定刑上限或刑种错误", "Term above the statutory maximum, or the wrong penalty kind",
            "《中华人民共和国刑法》分则相应条文（第四十五条；第一百三十三条、第一百三十三条之一、第二百三十四条、"
            "第二百六十四条、第二百六十六条、第二百八十七条之二、第三百零三条、第三百四十七条）及各省数额标准；"
            "电信网络诈骗：法发〔2016〕32号第二部分第（一）项",
            _explain_zh, _explain_en,
            needs=("cases", "defendants"),
            params=lambda ctx: {"separator": law.MULTI_CHARGE_SEPARATOR, **law.frame_params_for(ctx.config)},
            register=lambda ctx: {"law_frames": law.frame_sets_for(ctx.config),
                                  "law_drug_equivalents": law.drug_equivalents()},
            limitations=("Raised only when the term exceeds every frame of the charge (for drugs the ≥15-year frame, which "
                         "§347 ¶2 allows whatever the quantity for 首要分子/武装掩护/暴力抗拒检查/国际贩毒; for 故意伤害 the "
                         "≥10-year frame of §234 ¶2 特别残忍手段致人重伤造成严重残疾, from 重伤二级), so no lawful reading "
                         "of the recorded facts allows it (a drug quantity recorded with its type, contract extension E7, "
                         "selects the frame the flag states after conversion to the heroin scale, 法释〔2016〕8号 arts. 1–2; "
                         "the verdict does not depend on it, since §347 ¶2 reaches 15 years at any quantity), "
                         "or when a 危险驾驶 sentence is 有期徒刑 at all (§133-1: 拘役 "
                         "only; the wrong kind, not a term above a maximum). A term above only the frame the recorded "
                         "severity selects is record_facts_inconsistent (data_quality). Abstains (skipped) where "
                         "defendants.combined_term_months (contract extension E2) is unknown: the term may then be a "
                         "决定执行刑 combining another judgment's sentence (§§70, 71, 77), which can lawfully exceed this "
                         "charge's frame. The amount standard is the court's province's ([law.provinces]), else the "
                         "national lowest (法释〔2013〕8号, 法释〔2011〕7号), and the telecom-fraud thresholds (法发〔2016〕32号) "
                         "where cases.cause names telecom fraud; the flag names it. Charges outside the built-in frame "
                         "table are not checked; 数罪并罚 is never held to one charge's frame."))

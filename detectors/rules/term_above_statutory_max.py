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

RULE = Rule("term_above_statutory_max", "sentencing", "defendant",
            "刑期超过法定刑上限", "Term above the statutory maximum",
            "《中华人民共和国刑法》分则相应条文（第四十五条；第一百三十三条、第一百三十三条之一、第二百三十四条、"
            "第二百六十四条、第二百六十六条、第二百八十七条之二、第三百零三条、第三百四十七条）及各省数额标准",
            lambda r: (f"该被告人以{r['charge']}被判处有期徒刑{_n(r['term_months'])}个月，超过该罪任何一档法定刑的上限"
                       f"{_n(r['max_months'])}个月（{r['article']}），无论记录的犯罪事实如何均无合法依据；"
                       f"{_standard_sentence_zh(r)}记录的刑期也可能有误，请核对案卷。"),
            lambda r: (f"The defendant was sentenced to {_n(r['term_months'])} months for {r['charge']}, above the "
                       f"{_n(r['max_months'])}-month maximum of every statutory frame of the charge ({r['article']}), so no "
                       f"reading of the recorded facts allows it; {_standard_sentence_en(r)}the recorded term may itself be "
                       "wrong: check the file."),
            needs=("cases", "defendants"),
            params=lambda ctx: {"separator": law.MULTI_CHARGE_SEPARATOR, **law.frame_params_for(ctx.config)},
            register=lambda ctx: {"law_frames": law.frame_sets_for(ctx.config)},
            limitations=("Raised only when the term exceeds every frame of the charge (for drugs the ≥15-year frame, which "
                         "§347 ¶2 allows whatever the quantity for 首要分子/武装掩护/暴力抗拒检查; for 故意伤害 the ≥10-year "
                         "frame of 特别残忍手段致人重伤造成严重残疾), so no lawful reading of the recorded facts allows it; "
                         "a term above only the frame the recorded severity selects is record_facts_inconsistent "
                         "(data_quality). The amount standard is the court's province's ([law.provinces]), else the "
                         "national lowest (法释〔2013〕8号, 法释〔2011〕7号); the flag names it. Charges outside the built-in "
                         "frame table are not checked; 数罪并罚 is never held to one charge's frame."))

"""Recorded facts and term that cannot both be right (a data-quality check, never a legal finding).

queries/record_facts_inconsistent.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from courtwatch.detectors import law

from .common import (
    _MEASURE_EN,
    _MEASURE_ZH,
    Rule,
    _n,
    _needed_en,
    _needed_zh,
    _severity_en,
    _severity_zh,
    _standard_sentence_en,
    _standard_sentence_zh,
)

RULE = Rule("record_facts_inconsistent", "data_quality", "defendant",
            "记录的犯罪事实与刑期不能同时成立", "Recorded facts and term cannot both be right",
            "《中华人民共和国刑法》分则相应条文的量刑档次及各省数额标准（数据质量提示，非违法认定）",
            lambda r: (f"记录的{_MEASURE_ZH.get(r['measure'], '犯罪事实')}（{_severity_zh(r)}）与刑期不能同时成立："
                       f"该被告人以{r['charge']}被判处有期徒刑{_n(r['term_months'])}个月，"
                       f"{_standard_sentence_zh(r)}连同导出数据未载明的加重情节，该事实最多对应{_n(r['reach_max_months'])}个月；"
                       f"该刑期需属第{_n(r['term_tier'])}档（{_needed_zh(r)}）。"
                       f"记录的{_MEASURE_ZH.get(r['measure'], '犯罪事实')}或刑期可能有误，请核对案卷。"),
            lambda r: (f"The recorded {_MEASURE_EN.get(r['measure'], 'facts')} ({_severity_en(r)}) and the term cannot both "
                       f"be right: the defendant was sentenced to {_n(r['term_months'])} months for {r['charge']}; "
                       f"{_standard_sentence_en(r)}with any aggravating circumstance the export cannot show, those facts "
                       f"allow at most {_n(r['reach_max_months'])} months, while the term needs tier {_n(r['term_tier'])} "
                       f"({_needed_en(r)}). The record (the {_MEASURE_EN.get(r['measure'], 'facts')} or the term) may be "
                       "wrong: check the file. This is not a finding that the sentence is unlawful."),
            needs=("cases", "defendants"),
            params=lambda ctx: {"separator": law.MULTI_CHARGE_SEPARATOR, **law.frame_params_for(ctx.config)},
            register=lambda ctx: {"law_frames": law.frame_sets_for(ctx.config),
                                  "law_drug_equivalents": law.drug_equivalents()},
            limitations=("A data-quality warning, never a legal one: some lawful reading exists (another amount, injury "
                         "or quantity), so the record is what to check. Circumstances the export cannot show are counted "
                         "in the sentence's favour: 其他严重情节 from 50% (theft, 法释〔2013〕8号 第六条) or 80% (fraud, "
                         "法释〔2011〕7号 第二条) of the higher threshold; §234's 特别残忍手段 from 重伤二级; §347 ¶2's "
                         "首要分子 etc. at any quantity (so drug quantities never raise it; a quantity recorded with its drug type, "
                         "contract extension E7, is stated on the heroin scale by 法释〔2016〕8号 arts. 1–2); 多次盗窃/入户盗窃 for the "
                         "bottom frame. Terms below a frame's minimum are not checked (§63 减轻处罚 allows them). "
                         "Telecom fraud is held to 法发〔2016〕32号's thresholds (3,000 / 30,000 / 500,000 yuan) where "
                         "cases.cause names it. Abstains (skipped) where defendants.combined_term_months (contract "
                         "extension E2) is unknown: a 决定执行刑 combining another judgment's sentence (§§70, 71, 77) and "
                         "the recorded facts can both be right. A 拘役 for a charge whose "
                         "statute has none is not checked: every charge in the frame table has 拘役 in its bottom frame, "
                         "and §63 减轻处罚 can lawfully reach it."),
            kind="data_quality")

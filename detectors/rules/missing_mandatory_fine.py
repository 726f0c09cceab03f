"""A sentence without the 罚金 its statute always adds (刑法 §§133-1, 264, 266, 287-2, 303, 347).

queries/missing_mandatory_fine.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from courtwatch.detectors import law

from ..base import DetectContext
from .common import SENTENCE_KIND_ZH, Rule, RuleSettings, _n


def _params(ctx: DetectContext) -> dict:
    s = RuleSettings.from_config(ctx.config)
    return {"separator": law.MULTI_CHARGE_SEPARATOR, **law.frame_params_for(ctx.config),
            "min_zeros": s.fine_records_incomplete_min_zeros, "incomplete_share": s.fine_records_incomplete_share}


def register(ctx: DetectContext) -> dict:
    return {"law_frames": law.frame_sets_for(ctx.config), "fine_rules": law.fine_rules()}


RULE = Rule("missing_mandatory_fine", "sentencing", "defendant",
            "应当并处罚金而未判处", "No fine where the statute always adds one",
            "《中华人民共和国刑法》第一百三十三条之一、第二百六十四条、第二百六十六条、第二百八十七条之二、第三百零三条、"
            "第三百四十七条（并处罚金／并处或者单处罚金）",
            lambda r: (f"该被告人以{r['charge']}被判处{SENTENCE_KIND_ZH.get(r['sentence_kind'], r['sentence_kind'])}"
                       f"{_n(r['term_months'])}个月，记录的罚金为0；{r['article']}对该罪各档均规定并处罚金（或并处或者单处罚金），"
                       "依记录的事实不属可以并处没收财产代替罚金的情形。罚金可能漏判，也可能未录入，请核对判决书。"),
            lambda r: (f"The defendant was sentenced for {r['charge']} ({str(r['sentence_kind']).replace('_', '-')}, "
                       f"{_n(r['term_months'])} months) with a recorded fine of 0, although {r['article']} adds a fine in "
                       "every frame and the recorded facts rule out the frame where confiscation of property may stand "
                       "in its place. The fine may have been omitted, or not entered: check the judgment."),
            needs=("cases", "defendants"),
            params=_params,
            register=register,
            limitations=("A written rule, but a financial one (level medium, detectors/triage.py). Only a recorded 0 counts; "
                         "an empty fine is unknown. Abstains where 没收财产 could stand in the fine's place, which the export "
                         "does not record: the top frame of 盗窃/诈骗 (from the amount it can reach, or from a term of three "
                         "years when the amount is unknown: §63 ¶1 减轻 goes one frame down) and §347 ¶2 (at any quantity: "
                         "from a term of seven years). §63 ¶2 (a reduction approved by the SPC) below those terms is not "
                         "visible and is taken as absent. Abstains on every sentence of a court whose export evidently "
                         "does not record fines — in the court or in its province's export as a whole "
                         "(fine_records_incomplete says so once per court). Multi-charge rows are not checked."))

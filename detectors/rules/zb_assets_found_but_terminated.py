"""终本 although property of substantial value was found (法〔2016〕373号 art. 1(3); a heuristic).

queries/zb_assets_found_but_terminated.sql finds the rows that are not known to comply; this Rule says how its
flag reads (zh in the explanation, en in the evidence) and what the query is given.
"""
from __future__ import annotations

from ..base import DetectContext
from .common import (
    ZB_BASIS,
    Rule,
    RuleSettings,
    _d,
    _d_en,
    _n,
    clean_value,
)


def _params(ctx: DetectContext) -> dict:
    s = RuleSettings.from_config(ctx.config)
    return {"min_share": s.zb_assets_found_min_share,
            "min_yuan": s.zb_assets_found_min_yuan,
            "cover_share": s.zb_assets_found_cover_share,
            "cover_min_yuan": s.zb_assets_found_cover_min_yuan}


RULE = Rule("zb_assets_found_but_terminated", "enforcement", "case",
            "终本：查到较大价值财产仍终本（启发式）", "终本 although property of substantial value was found (a heuristic)",
            f"启发式规则（非法定规则）：{ZB_BASIS}第一条第（三）项、第四条（发现的财产不能处置）",
            lambda r: f"该案查到价值约{_n(r['assets_found_value'])}元的财产，占未执行标的{_n(r['outstanding'])}元的{_n(100 * (clean_value(r['assets_found_value']) or 0) / max(clean_value(r['outstanding']) or 1, 1))}%，仍于{_d(r['closed_on'])}终结本次执行。此为启发式规则：财产可能无法处置（第一条第（三）项允许），终本未必违规，请核查未予处置的原因。",
            lambda r: f"Property worth about {_n(r['assets_found_value'])} yuan was found, against {_n(r['outstanding'])} yuan outstanding, yet enforcement was terminated for now on {_d_en(r['closed_on'])}. A heuristic: the property may be impossible to dispose of (which Art. 1(3) allows), so this is not by itself a breach; check why it was not disposed of.",
            needs=("cases", "enforcement"),
            params=_params,
            limitations="启发式规则，非违法认定：财产可能无法处置（第一条第（三）项允许对无法处置的财产终本，第四条列明情形），导出数据"
                        "记录其不能处置（enforcement.assets_undisposable，合同扩展E4）时不提示，未记录时仍为启发式提示。"
                        "A heuristic, not a finding of a breach: found property that cannot be disposed of may lawfully "
                        "remain (Art. 1(3); Art. 4 lists such property: auctions failed and the applicant would not take "
                        "it in payment, a sealed vehicle that could not be seized). Where enforcement.assets_undisposable "
                        "(contract extension E4) says so the case is not flagged; where it is unknown (every v1 export) "
                        "the reviewer checks why the property was not disposed of. Flags a find of at least zb_assets_found_min_share of the outstanding claim and "
                        "zb_assets_found_min_yuan, or one covering zb_assets_found_cover_share of it (at least "
                        "zb_assets_found_cover_min_yuan), so small claims count.",
            kind="heuristic")

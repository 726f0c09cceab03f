"""The wording of the similar cases behind a sentencing warning: why these cases, and how their sentences spread.

Read by similar.py (evidence) and the flag page (dashboard/labels.similar_cases_note). The ordering rule is
《最高人民法院关于统一法律适用加强类案检索的指导意见（试行）》(法发〔2020〕24号) item 4:

    四、类案检索范围一般包括：（一）最高人民法院发布的指导性案例；（二）最高人民法院发布的典型案例及裁判生效的
    案件；（三）本省（自治区、直辖市）高级人民法院发布的参考性案例及裁判生效的案件；（四）上一级人民法院及本院
    裁判生效的案件。除指导性案例以外，优先检索近三年的案例或者案件；已经在前一顺位中检索到类案的，可以不再进行检索。

An export holds no guiding or published cases, only decided ones, so the scopes (二)–(四) are what can be
ordered; the province's other courts and other provinces follow as a further scope the guidance does not list.
"""
from __future__ import annotations

import math

GUIDANCE = "《最高人民法院关于统一法律适用加强类案检索的指导意见（试行）》（法发〔2020〕24号）"
GUIDANCE_EN = "SPC Guiding Opinions on Unifying the Application of Law and Strengthening Similar-Case Search (Trial), Fa Fa [2020] No. 24"

# precedence code → (zh, en), in the order the cases are chosen
PRECEDENCE = {
    "supreme_court": ("最高人民法院裁判", "decided by the Supreme People's Court"),
    "high_court": ("本省高级人民法院裁判", "decided by the province's high court"),
    "superior_or_own_court": ("上一级人民法院或本院裁判", "decided by the superior court or the same court"),
    "same_province": ("本省其他法院裁判", "decided by another court of the province"),
    "other_province": ("外省或未记录省份的法院裁判", "decided by a court of another (or an unrecorded) province"),
}


def rule_zh(tolerance: float, clip_z: float, fdr: float) -> str:
    """One line: why these cases were chosen (the evidence's `similar_rule`)."""
    return (f"类案按{GUIDANCE}第四条选取：在法律情节相近（按模型系数加权的情节差异不超过{tolerance:g}，单一情节之差约合"
            f"预期刑期{tolerance * 100:.0f}%；相近者不足时取最相近者）的案件中，依次为最高人民法院、本省高级人民法院、上一级人民法院及本院、本省其他法院、"
            f"外省或未记录省份的法院裁判的案件，每一顺位内近三年（该判决年度及前两年）的优先；本身显著偏离的案件"
            f"（错误发现率{fdr * 100:g}%下显著，或稳健z绝对值超过{clip_z:g}）不作为类案；该判决承办法官本人审理的案件"
            f"不作为类案（否则同一法官的量刑倾向会以“本院裁判”排在前列，成为对其自身的比较）。")


def rule_en(tolerance: float, clip_z: float, fdr: float) -> str:
    return (f"Similar cases chosen as item 4 of the {GUIDANCE_EN} orders them: among cases whose legal factors are "
            f"close (coefficient-weighted factor distance at most {tolerance:g}: one factor's difference worth about "
            f"{tolerance * 100:.0f}% of the expected sentence; the nearest when too few are that close), cases of the Supreme "
            f"People's Court, the province's high court, the superior court and the same court, then the province's "
            f"other courts and courts of other (or unrecorded) provinces, the last three years (the judgment's year and "
            f"the two before) first within each; cases that themselves deviate (significant at a false-discovery "
            f"rate of {fdr:.0%}, or |robust z| above {clip_z:g}) are not used as precedents, nor are the cases of "
            f"the flagged judgment's own judge (else a judge's own leaning, ranked first as the same court's, "
            f"would be the yardstick he is measured by).")


def spread(terms) -> dict | None:
    """n, min, quartiles, median and max (months) of the similar cases' terms; None when there are none.

    Quartiles are linear-interpolated (numpy's default, DuckDB's quantile_cont), as the review list's peers."""
    values = sorted(float(t) for t in terms if t is not None and not (isinstance(t, float) and math.isnan(t)))
    if not values:
        return None

    def quantile(q: float) -> float:
        position = q * (len(values) - 1)
        low = math.floor(position)
        high = min(low + 1, len(values) - 1)
        return values[low] + (values[high] - values[low]) * (position - low)

    return {"n": len(values), "min_months": round(values[0], 1), "q25_months": round(quantile(0.25), 1),
            "median_months": round(quantile(0.5), 1), "q75_months": round(quantile(0.75), 1),
            "max_months": round(values[-1], 1)}


def _m(value: float) -> str:
    return f"{value:g}"


def spread_zh(s: dict | None) -> str:
    """E.g. '所列5件类案刑期2–10个月，中位数6个月（四分位6–8个月）': the listed cases, not a reference distribution."""
    if not s:
        return "无可比较的类案"
    return (f"所列{s['n']}件类案刑期{_m(s['min_months'])}–{_m(s['max_months'])}个月，中位数{_m(s['median_months'])}个月"
            f"（四分位{_m(s['q25_months'])}–{_m(s['q75_months'])}个月）")


def spread_en(s: dict | None) -> str:
    if not s:
        return "no similar case to compare with"
    return (f"the {s['n']} listed similar cases sentenced {_m(s['min_months'])}–{_m(s['max_months'])} months, median "
            f"{_m(s['median_months'])} (quartiles {_m(s['q25_months'])}–{_m(s['q75_months'])})")

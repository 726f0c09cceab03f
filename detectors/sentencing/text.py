"""How the sentencing warnings read: legal bases, labels, and each detector's explanation (zh) and its
English twin (evidence `explanation_en`).

The detectors compute the figures (fit.py, caseload.py and the detector files) and pass them here;
nothing in this module computes a statistic.
"""
from __future__ import annotations

from courtwatch.detectors import law

from ..base import NOTICE_EN, NOTICE_ZH
from .design import CIRCUMSTANCES, MULTI_GROUP, is_na, is_true

GUIDANCE = "最高人民法院、最高人民检察院《关于常见犯罪的量刑指导意见（试行）》（法发〔2021〕21号）"
BASIS_SENTENCE = (f"{GUIDANCE}；《中华人民共和国刑法》第六十一条（量刑以犯罪事实、性质、情节和社会危害程度为根据）；"
                  "最高人民法院《关于统一法律适用加强类案检索的指导意见（试行）》（2020）")
BASIS_PLEA = ("《中华人民共和国刑事诉讼法》第二百零一条（认罪认罚案件，人民法院一般应当采纳人民检察院的量刑建议）；"
              "最高人民法院等《关于适用认罪认罚从宽制度的指导意见》（2019）")
BASIS_DISPARITY = (f"《中华人民共和国刑法》第四条（对任何人犯罪，在适用法律上一律平等）；《中华人民共和国宪法》第三十三条；"
                   f"{GUIDANCE}")
METHOD_SENTENCE = ("Per peer group (one charge; all multi-charge defendants together), Huber M-estimation "
                   "(statsmodels RLM, HuberT) of log(term in months) on the statutory tier, the severity measure "
                   "(with a slope per tier), 11 circumstances, the judgment year and the court's level; leverage-corrected residuals standardised by "
                   "their MAD, taken at the end of the whole-month rounding interval nearest the expectation; "
                   "two-sided normal p-values; Benjamini–Hochberg across all defendants tested.")

CIRCUMSTANCE_ZH = {"surrender": "自首", "confession": "坦白", "guilty_plea": "认罪认罚", "meritorious": "立功",
                   "recidivist": "累犯", "prior_record": "前科", "minor": "未成年", "accessory": "从犯",
                   "attempted": "未遂", "restitution": "退赃退赔", "forgiven": "取得谅解"}
INJURY_ZH = {"none": "无", "minor_2": "轻伤二级", "minor_1": "轻伤一级", "serious_2": "重伤二级",
             "serious_1": "重伤一级", "death": "死亡"}
SENTENCE_ZH = {"detention": "拘役", "fixed_term": "有期徒刑"}
PENALTY_ZH = {"exempt": "免予刑事处罚", "fine_only": "单处罚金", "control": "管制", "detention": "拘役",
              "fixed_term": "有期徒刑"}
SENTENCE_EN = {"detention": "criminal detention", "fixed_term": "fixed-term"}
# the audited attributes: (with zh, without zh, with en, without en)
ATTRIBUTE_LABELS = {"female": ("女性", "男性", "female", "male"),
                    "minority": ("少数民族", "汉族", "minority", "Han"),
                    "non_local": ("非本地户籍", "本地户籍", "non-local", "local")}

SHRINKAGE_NOTE = ("empirical-Bayes estimate (detectors.stats.shrink_means): pulled toward the peer mean by how much "
                  "units differ overall; conservative when few units deviate")
REFERENCE_COURT_LEVEL = ("the model's prediction plus the court's own level, estimated from its other judges and "
                         "shrunk toward the province (nested empirical Bayes)")
REFERENCE_PROVINCE = "the legal-factor model's prediction (province)"
INTERSECTION_UNION = ("intersection–union: deviant against the own court's level and against the province; the "
                      "larger p-value is used")


def notice() -> str:
    return f"{NOTICE_ZH} {NOTICE_EN}"


def pct(ratio: float) -> str:
    """A ratio as a signed percentage for a sentence: 1.35 → '高约35%', 0.7 → '低约30%'."""
    change = (ratio - 1.0) * 100
    return f"高约{change:.0f}%" if change >= 0 else f"低约{-change:.0f}%"


def months(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def fdr_text(fdr: float) -> str:
    return f"错误发现率控制在{fdr * 100:g}%"


def charge_label(charge: str) -> str:
    return f"数罪并罚（{charge}）" if law.MULTI_CHARGE_SEPARATOR in str(charge) else str(charge)


def peer_group_zh(peer_group: str) -> str:
    return "数罪并罚被告人（仅与数罪并罚者比较）" if peer_group == MULTI_GROUP else f"{peer_group}单罪被告人"


def sentence_zh(kind: str, term_months: float) -> str:
    """A similar case's sentence, e.g. '有期徒刑6个月'."""
    return f"{SENTENCE_ZH.get(kind, kind)}{float(term_months):g}个月"


def penalty_zh(kind: str, term_months) -> str:
    """A sentence of any kind, e.g. '有期徒刑6个月', '单处罚金', '免予刑事处罚'."""
    if kind in SENTENCE_ZH and not is_na(term_months):
        return sentence_zh(kind, term_months)
    return PENALTY_ZH.get(kind, str(kind))


def factors_zh(row, measures: list[str]) -> str:
    """The legal factors of one defendant, as a reviewer reads them (e.g. '涉案金额5,000元；自首、认罪认罚')."""
    parts = []
    for m in measures:
        value = row.get(m)
        if is_na(value):  # not applicable to this combination of charges (unknown rows are never scored)
            continue
        if m == "amount_involved":
            parts.append(f"涉案金额{float(value):,.0f}元")
        elif m == "drug_grams":
            parts.append(f"毒品{float(value):g}克")
        elif m == "blood_alcohol":
            parts.append(f"血液酒精{float(value):g}mg/100ml")
        elif m == "injury_level":
            parts.append(f"伤情{INJURY_ZH.get(str(value), str(value))}")
    present = [CIRCUMSTANCE_ZH[c] for c in CIRCUMSTANCES if is_true(row.get(c))]
    unknown = [CIRCUMSTANCE_ZH[c] for c in CIRCUMSTANCES if is_na(row.get(c))]
    parts.append("、".join(present) if present else "无法定/酌定情节")
    if unknown:
        parts.append("未记录：" + "、".join(unknown))
    return "；".join(parts)


# ----------------------------------------------------------------------------------------------
# explanations: (zh for the flag, en for its evidence)


def sentence_deviation_text(r: dict, expected: float, low: float, high: float, ratio: float,
                            fdr: float) -> tuple[str, str]:
    """One sentence against the expectation for legally similar cases."""
    kind = SENTENCE_ZH.get(r["sentence_kind"], r["sentence_kind"])
    label = charge_label(r["charge"])
    if ratio >= 1:
        relation = f"约为同类案件预期（{months(expected)}个月，通常范围{months(low)}–{months(high)}个月）的{ratio:.1f}倍"
        relation_en = f"{ratio:.1f} times"
    else:
        relation = f"仅为同类案件预期（{months(expected)}个月，通常范围{months(low)}–{months(high)}个月）的{ratio * 100:.0f}%"
        relation_en = f"{ratio * 100:.0f}% of"
    zh = (f"该被告人{label}被判处{kind}{months(r['term_months'])}个月，{relation}，"
          f"显著偏离（{fdr_text(fdr)}）。")
    kind_en = SENTENCE_EN.get(r["sentence_kind"], r["sentence_kind"])
    en = (f"The defendant's {kind_en} sentence for {r['charge']} is "
          f"{months(r['term_months'])} months, {relation_en} the {months(expected)} months "
          f"expected for legally similar cases (usual range {months(low)}–{months(high)}); "
          f"significant with the false-discovery rate held at {fdr:.0%}.")
    return zh, en


def caseload_text(unit_zh: str, unit_en: str, n: float, ratio: float, shrunk_ratio: float, raw_lo: float,
                  raw_hi: float, fdr: float, against_court: bool) -> tuple[str, str]:
    """A judge's or court's caseload against legally similar cases (and the court's own level for a judge)."""
    if against_court:
        against_zh = "在考虑法定量刑情节及本院整体量刑水平后平均比同类案件预期"
        against_en = "against legally similar cases, after legal factors and the court's own level"
    else:
        against_zh = "在考虑法定量刑情节后平均比全省同类案件预期"
        against_en = "against legally similar cases province-wide, after legal factors"
    zh = (f"该{unit_zh}{n:.0f}件拘役/有期徒刑判决的刑期，{against_zh}{pct(ratio)}"
          f"（95%区间{(raw_lo - 1) * 100:+.0f}%至{(raw_hi - 1) * 100:+.0f}%），显著偏离"
          f"（{fdr_text(fdr)}）。")
    en = (f"Across {n:.0f} custodial sentences, this {unit_en}'s terms are "
          f"{(ratio - 1) * 100:+.0f}% {against_en} (95% interval {(raw_lo - 1) * 100:+.0f}% to "
          f"{(raw_hi - 1) * 100:+.0f}%; conservative empirical-Bayes estimate "
          f"{(shrunk_ratio - 1) * 100:+.0f}%); significant with the false-discovery rate held at "
          f"{fdr:.0%}.")
    return zh, en


def plea_text(r: dict, ratio: float, share_adopted_exactly: float, fdr: float) -> tuple[str, str]:
    """A guilty-plea judgment against the prosecutor's recommendation."""
    kind = SENTENCE_ZH.get(r["sentence_kind"], r["sentence_kind"])
    direction = f"为建议的{ratio:.1f}倍" if ratio >= 1 else f"仅为建议的{ratio * 100:.0f}%"
    zh = (f"该被告人认罪认罚，检察院建议刑期{months(r['recommended_months'])}个月，判决{kind}"
          f"{months(r['term_months'])}个月，{direction}；同类{kind}认罪认罚案件中"
          f"{share_adopted_exactly * 100:.0f}%的判决与量刑建议一致，此偏离显著异常"
          f"（{fdr_text(fdr)}）。")
    en = (f"The defendant pleaded guilty under 认罪认罚; the prosecutor recommended "
          f"{months(r['recommended_months'])} months and the judgment gave "
          f"{months(r['term_months'])} months ({ratio:.2f}× the recommendation), while "
          f"{share_adopted_exactly:.0%} of comparable guilty-plea judgments adopted it "
          f"exactly; significant with the false-discovery rate held at {fdr:.0%}.")
    return zh, en


def disparity_clause(attribute: str, ratio: float, lo: float, hi: float) -> tuple[str, str]:
    """One attribute's effect in a court, with its 95% interval (lo, hi as ratios)."""
    with_zh, without_zh, with_en, without_en = ATTRIBUTE_LABELS[attribute]
    zh = (f"{with_zh}被告人的刑期平均比{without_zh}被告人{pct(ratio)}"
          f"（95%区间{(lo - 1) * 100:+.0f}%至{(hi - 1) * 100:+.0f}%）")
    en = (f"{with_en} defendants' terms are {(ratio - 1) * 100:+.0f}% against {without_en} "
          f"defendants (95% interval {(lo - 1) * 100:+.0f}% to {(hi - 1) * 100:+.0f}%)")
    return zh, en


def disparity_text(clauses: list[str], clauses_en: list[str], fdr: float) -> tuple[str, str]:
    """A court's significant attribute effects, after legal factors."""
    zh = (f"本院在考虑法定量刑情节后，{'；'.join(clauses)}，差异显著（{fdr_text(fdr)}），"
          f"请核查是否存在不当差别对待。")
    en = (f"After legal factors, in this court {'; '.join(clauses_en)}; significant with the "
          f"false-discovery rate held at {fdr:.0%}. To be reviewed for unequal treatment.")
    return zh, en


# ----------------------------------------------------------------------------------------------
# probation (缓刑): judge_probation_deviation / court_probation_deviation

# 刑法 §72: probation may be granted to one sentenced to 拘役 or 有期徒刑 of at most three years who meets its four
# conditions (情节较轻, 悔罪表现, 没有再犯罪的危险, no major adverse effect on the community); §74: never to a recidivist
# or a 犯罪集团首要分子. The guideline decides probation after the sentence. Citations only (the dashboard renders
# each in English, dashboard/labels.py); the explanation says what they mean for the case.
BASIS_PROBATION = f"《中华人民共和国刑法》第七十二条、第七十四条；{GUIDANCE}"
METHOD_PROBATION = ("Among sentences §72 leaves probation open for, as recorded (拘役, or 有期徒刑 ≤ 36 months — the "
                    "决定执行刑 where recorded — and not a recidivist, §74), one logistic model of probation granted "
                    "(ridge-penalised: the objective of statsmodels GLM Binomial fit_regularized, solved to convergence by penalised IRLS) on the charge, its statutory tier, log(term) with a "
                    "slope per charge, 拘役 vs 有期徒刑, the eleven circumstances (blank = not recorded), the judgment "
                    "year and the court's level. A unit's observed probations against the sum of its cases' "
                    "predicted probabilities (Poisson-binomial variance, normal approximation, over-dispersion between "
                    "units estimated from the units' winsorised z²); Benjamini–Hochberg across units; a minimum "
                    "effect ([stats] probation_min_effect).")
REFERENCE_PROBATION_COURT = ("the model's prediction shifted by the court's own probation level (log-odds), estimated "
                             "from its other judges and shrunk toward the province (nested empirical Bayes)")


def probation_text(unit_zh: str, unit_en: str, n: int, observed: int, expected: float, reference_expected: float,
                   fdr: float, against_court: bool) -> tuple[str, str]:
    """A judge's or court's probations against what the legal factors predict for its cases."""
    rate, exp_rate, ref_rate = observed / n, expected / n, reference_expected / n
    more = observed > expected
    if against_court:
        tail_zh = f"，按本院整体缓刑水平调整后预期约{ref_rate * 100:.0f}%"
        tail_en = f"; {ref_rate:.0%} after the court's own probation level"
    else:
        tail_zh = tail_en = ""
    direction_zh = "明显偏多：同类案件中他人多判处实刑，请核查是否存在不当从宽" if more else \
        "明显偏少：同类案件中他人多宣告缓刑，请核查是否存在不当从严"
    zh = (f"该{unit_zh}{n}件依法可以宣告缓刑的拘役/三年以下有期徒刑判决（非累犯）中，宣告缓刑{observed}件（{rate * 100:.0f}%），"
          f"按法定量刑情节对同类案件的预期约{exp_rate * 100:.0f}%{tail_zh}，缓刑适用{direction_zh}"
          f"（{fdr_text(fdr)}）。")
    en = (f"Of this {unit_en}'s {n} sentences eligible for probation under Criminal Law arts. 72 and 74 (criminal "
          f"detention or fixed-term imprisonment of up to three years, not a recidivist), {observed} ({rate:.0%}) were "
          f"suspended, against {exp_rate:.0%} expected from the legal factors "
          f"of these cases{tail_en}: {'more' if more else 'fewer'} probations than legally similar cases receive; "
          f"significant with the false-discovery rate held at {fdr:.0%}.")
    return zh, en


# ----------------------------------------------------------------------------------------------
# penalty kind (拘役 / 管制 / 单处罚金 / 免予刑事处罚 vs 有期徒刑): judge_/court_penalty_kind_deviation

# 刑法 §37 免予刑事处罚, §38 管制, §§42, 43, 45 拘役 and 有期徒刑 (拘役 served near home, §43), §52 罚金, §65 (累犯 needs
# 有期徒刑 or more), each charge's frame (the tiers allowing both kinds), §61.
BASIS_PENALTY_KIND = (f"《中华人民共和国刑法》第三十七条、第三十八条、第四十二条、第四十三条、第四十五条、第五十二条、第六十五条；{GUIDANCE}；"
                      "《中华人民共和国刑法》第六十一条（量刑以犯罪事实、性质、情节和社会危害程度为根据）")
METHOD_PENALTY_KIND = ("Among single-charge sentences whose statutory tier allows both 拘役 and 有期徒刑 (no minimum term; "
                       "not 危险驾驶's 拘役-only frame), one logistic model of a penalty lighter than 有期徒刑 (拘役, 管制, "
                       "单处罚金 or 免予刑事处罚; ridge-penalised logistic regression, solved to convergence by penalised IRLS) on the charge, the frame's "
                       "severity measure with a slope and a level per quintile per charge, the eleven circumstances (blank = "
                       "not recorded), the judgment year and the court's level — not the term, which is chosen with the kind. A unit's "
                       "observed lighter penalties against the sum of its cases' predicted probabilities "
                       "(Poisson-binomial variance, normal approximation, over-dispersion between units); "
                       "Benjamini–Hochberg across units; a minimum effect ([stats] penalty_kind_min_effect).")


def penalty_kind_text(unit_zh: str, unit_en: str, n: int, observed: int, expected: float, reference_expected: float,
                      fdr: float, against_court: bool) -> tuple[str, str]:
    """A judge's or court's penalties lighter than 有期徒刑 against what the legal factors predict for its cases."""
    rate, exp_rate, ref_rate = observed / n, expected / n, reference_expected / n
    more = observed > expected
    if against_court:
        tail_zh = f"，按本院整体水平调整后预期约{ref_rate * 100:.0f}%"
        tail_en = f"; {ref_rate:.0%} after the court's own level"
    else:
        tail_zh = tail_en = ""
    direction_zh = "明显偏多：同类案件中他人多判处有期徒刑，请核查是否存在不当从宽" if more else \
        "明显偏少：同类案件中他人多判处较轻刑种，请核查是否存在不当从严"
    zh = (f"该{unit_zh}{n}件法定刑可选择拘役或有期徒刑的单罪判决中，判处拘役、管制、单处罚金或免予刑事处罚{observed}件"
          f"（{rate * 100:.0f}%），按法定量刑情节对同类案件的预期约{exp_rate * 100:.0f}%{tail_zh}，较轻刑种{direction_zh}"
          f"（{fdr_text(fdr)}）。")
    en = (f"Of this {unit_en}'s {n} single-charge sentences in a statutory tier allowing both criminal detention and "
          f"fixed-term imprisonment, {observed} ({rate:.0%}) were a lighter penalty (criminal detention, public "
          f"surveillance, a fine alone or exemption from punishment), against {exp_rate:.0%} expected "
          f"from the legal factors of these cases{tail_en}: {'more' if more else 'fewer'} lighter penalties than legally "
          f"similar cases receive; significant with the false-discovery rate held at {fdr:.0%}.")
    return zh, en

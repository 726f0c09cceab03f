"""Statistical sentencing detectors: one sentence, one judge's or court's caseload, plea recommendations, disparity.

They sit between queries/ (features per peer group, via detectors/sentencing_fit.py)
and the flags table. Every flag compares a sentence, or a caseload, with what the
legal factors alone predict for legally similar cases, and is raised only when it
survives Benjamini–Hochberg at `[stats] false_discovery_rate` across all the
subjects the detector tested.

Detectors (category `sentencing`):
- sentence_deviation — one defendant's term against a per-charge Huber regression on legal factors;
- judge_sentencing_deviation / court_sentencing_deviation — a judge's / court's mean residual,
  with empirical-Bayes shrinkage and a robustly estimated between-unit spread;
- plea_recommendation_deviation — a guilty-plea judgment against the prosecutor's recommendation;
- sentencing_disparity_audit — within-court differences by gender, ethnicity and residence after
  legal factors. It is the ONLY reader of those three attributes (tests/test_fairness.py).

Sources: 最高人民法院、最高人民检察院《关于常见犯罪的量刑指导意见（试行）》(法发〔2021〕21号);
刑法 §61; 刑事诉讼法 §201; shared domain notes ("How noisy real sentences are").
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps

from courtwatch import queries
from courtwatch.detectors import law

from .base import DETECTOR_COLUMNS, NOTICE_EN, NOTICE_ZH, DetectContext, Detection, Detector, clean_value, level_for
from .sentencing_fit import MULTI_GROUP, SENTENCE_ZH, SentencingModel, fit_model, flag_context, settings
from .stats import benjamini_hochberg, robust_scale, score_from_q, shrink_means, two_sided_p

GUIDANCE = "最高人民法院、最高人民检察院《关于常见犯罪的量刑指导意见（试行）》（法发〔2021〕21号）"
BASIS_SENTENCE = (f"{GUIDANCE}；《中华人民共和国刑法》第六十一条（量刑以犯罪事实、性质、情节和社会危害程度为根据）；"
                  "最高人民法院《关于统一法律适用加强类案检索的指导意见（试行）》（2020）")
BASIS_PLEA = ("《中华人民共和国刑事诉讼法》第二百零一条（认罪认罚案件，人民法院一般应当采纳人民检察院的量刑建议）；"
              "最高人民法院等《关于适用认罪认罚从宽制度的指导意见》（2019）")
BASIS_DISPARITY = (f"《中华人民共和国刑法》第四条（对任何人犯罪，在适用法律上一律平等）；《中华人民共和国宪法》第三十三条；"
                   f"{GUIDANCE}")
METHOD_SENTENCE = ("Per peer group (one charge; all multi-charge defendants together), Huber M-estimation "
                   "(statsmodels RLM, HuberT) of log(term in months) on the statutory tier, the severity measure "
                   "(with a slope per tier) and 11 circumstances; leverage-corrected residuals standardised by "
                   "their MAD, taken at the end of the whole-month rounding interval nearest the expectation; "
                   "two-sided normal p-values; Benjamini–Hochberg across all defendants tested.")


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=DETECTOR_COLUMNS)


def _pct(ratio: float) -> str:
    """A ratio as a signed percentage for a sentence: 1.35 → '高约35%', 0.7 → '低约30%'."""
    change = (ratio - 1.0) * 100
    return f"高约{change:.0f}%" if change >= 0 else f"低约{-change:.0f}%"


def _months(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def _fdr_text(fdr: float) -> str:
    return f"错误发现率控制在{fdr * 100:g}%"


def _charge_label(charge: str) -> str:
    return f"数罪并罚（{charge}）" if law.MULTI_CHARGE_SEPARATOR in str(charge) else str(charge)


def _notice() -> str:
    return f"{NOTICE_ZH} {NOTICE_EN}"


def _peer_distribution(values: np.ndarray) -> dict:
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return {}
    q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])
    return {f"p{int(k)}": round(float(math.exp(v) - 1) * 100, 1) for k, v in zip((5, 25, 50, 75, 95), q)}


# ----------------------------------------------------------------------------------------------


class SentenceDeviation(Detector):
    name = "sentence_deviation"
    category = "sentencing"
    subject_type = "defendant"
    needs = ("cases", "defendants")
    incremental = "scope"
    title_zh = "个案量刑偏离"
    title_en = "Sentence far from legally similar cases"
    method = METHOD_SENTENCE
    legal_basis = BASIS_SENTENCE
    false_alarm_control = ("Benjamini–Hochberg at [stats] false_discovery_rate over every defendant tested; the residual "
                           "spread is estimated per peer group by the MAD, so outliers do not widen it and the "
                           "false-flag rate stays bounded at any noise level.")
    limitations = ("Only custodial terms (拘役/有期徒刑). At realistic noise (0.35 in log units) a single sentence ×4 "
                   "its expected value is found about one time in four and smaller deviations almost never; at noise "
                   "0.2, ×4 is found every time and ×3 about seven times in ten (docs/quality.md, which also shows "
                   "why: recall 0.9 at realistic noise needs about ×8, outside almost every statutory frame). "
                   "Deviations below that show up only in a judge's or court's caseload. Factors not in the export (e.g. flight) look like deviations. Peer "
                   "groups under [stats] sentencing_min_peer_group abstain; multi-charge sentences whose record "
                   "cannot hold every offence's severity are not tested one by one.")

    def detect(self, ctx: DetectContext) -> Detection:
        cfg = settings(ctx)
        model = fit_model(ctx)
        rows = model.rows
        note = model.skip_note()
        if rows.empty:
            return Detection(_empty(), model.rows_skipped, note or "no custodial sentence could be scored")
        # pooled rare charges were counted as abstaining (thin peer groups) by the model already
        high_leverage = int(rows["high_leverage"].astype(bool).sum())
        untestable = int((~rows["testable"] & ~rows["pooled"].astype(bool)).sum())
        if untestable - high_leverage:
            note = (f"{untestable - high_leverage} multi-charge defendant(s) not tested case by case: two offences "
                    f"share one severity column, so the export cannot record both; " + note)
        if high_leverage:
            note = (f"{high_leverage} defendant(s) not tested case by case: recorded facts far from every peer's "
                    f"(leverage above {cfg['sentencing_max_leverage']:g}), so no expectation to compare with; " + note)
        rows = rows[rows["testable"]]
        # One Benjamini–Hochberg family over every defendant tested. In an incremental run that is the
        # reference period's (in-sample) p-values plus the new cases' (out of sample), so a night's
        # few new cases meet the same bar as in a full run; only the new cases' rejections are flagged.
        reject, q = benjamini_hochberg(rows["p"].to_numpy(), cfg["false_discovery_rate"])
        if ctx.scope is not None:
            reject &= ctx.in_scope(rows["case_id"])
            note = "new or changed cases scored against the reference period's model; " + note
        flagged = rows.loc[reject].assign(q=q[reject]).sort_values("defendant_id").reset_index(drop=True)
        if flagged.empty:
            return Detection(_empty(), model.rows_skipped + untestable,
                             f"{len(rows)} defendants tested, none significant; " + note)
        ids = flagged["defendant_id"].tolist()
        context = flag_context(ctx, model, ids, int(cfg["sentencing_similar_cases"]))
        records = []
        fdr = cfg["false_discovery_rate"]
        for r in flagged.to_dict("records"):
            fit = model.groups[r["peer_group"]]
            expected = math.exp(r["fitted_log"])
            low, high = (math.exp(r["fitted_log"] + s * 1.96 * r["scale"]) for s in (-1, 1))
            ratio = r["term_months"] / expected
            score = float(score_from_q([r["q"]])[0])
            kind = SENTENCE_ZH.get(r["sentence_kind"], r["sentence_kind"])
            label = _charge_label(r["charge"])
            if ratio >= 1:
                relation = f"约为同类案件预期（{_months(expected)}个月，通常范围{_months(low)}–{_months(high)}个月）的{ratio:.1f}倍"
                relation_en = f"{ratio:.1f} times"
            else:
                relation = f"仅为同类案件预期（{_months(expected)}个月，通常范围{_months(low)}–{_months(high)}个月）的{ratio * 100:.0f}%"
                relation_en = f"{ratio * 100:.0f}% of"
            explanation = (f"该被告人{label}被判处{kind}{_months(r['term_months'])}个月，{relation}，"
                           f"显著偏离（{_fdr_text(fdr)}）。")
            kind_en = {"detention": "criminal detention", "fixed_term": "fixed-term"}.get(r["sentence_kind"],
                                                                                       r["sentence_kind"])
            explanation_en = (f"The defendant's {kind_en} sentence for {r['charge']} is "
                              f"{_months(r['term_months'])} months, {relation_en} the {_months(expected)} months "
                              f"expected for legally similar cases (usual range {_months(low)}–{_months(high)}); "
                              f"significant with the false-discovery rate held at {fdr:.0%}.")
            evidence = {
                "explanation_en": explanation_en,
                "legal_basis": self.legal_basis,
                "method": self.method,
                "observed_term_months": r["term_months"],
                "sentence_kind": r["sentence_kind"],
                "charge": r["charge"],
                "expected_term_months": round(expected, 1),
                "expected_range_95_months": [round(low, 1), round(high, 1)],
                "ratio_to_expected": round(ratio, 3),
                "log_residual": round(r["resid"], 4),
                "z": round(r["z"], 3), "p": r["p"], "q": r["q"],
                "false_discovery_rate": fdr,
                "defendants_tested": int(len(rows)),
                "factors": {k: v for k, v in context.get(r["defendant_id"], {}).items() if k != "similar_cases"},
                "peer_comparison": {
                    "peer_group": r["peer_group"],
                    "peer_group_zh": "数罪并罚被告人（仅与数罪并罚者比较）" if r["peer_group"] == MULTI_GROUP
                    else f"{r['peer_group']}单罪被告人",
                    "n": fit.n_scored,
                    "residual_spread_log": round(fit.scale, 4),
                    "typical_ratio_range_95": [round(math.exp(-1.96 * fit.scale), 2),
                                               round(math.exp(1.96 * fit.scale), 2)],
                    "model": fit.summary(),
                },
                "similar_cases": context.get(r["defendant_id"], {}).get("similar_cases", []),
                "notice": _notice(),
            }
            records.append({"subject_type": "defendant", "subject_id": r["defendant_id"], "case_id": r["case_id"],
                            "judge_id": r["judge_id"], "court_id": r["court_id"], "score": score,
                            "level": level_for(score), "explanation": explanation, "evidence": evidence})
        return Detection(pd.DataFrame(records, columns=DETECTOR_COLUMNS), model.rows_skipped + untestable,
                         f"{len(rows)} defendants tested, {len(records)} flagged; " + note)


# ----------------------------------------------------------------------------------------------


def _unit_means(rows: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Per unit: sentences n, the weighted mean of their clipped deleted residuals and its sampling variance."""
    g = rows.groupby(unit, sort=True).agg(n=("u_weighted", "size"), total=("u_weighted", "sum"),
                                          weight=("w_i", "sum"), var_total=("var_weighted", "sum")).reset_index()
    g["mean"] = g["total"] / g["weight"]
    g["sampling_var"] = g["var_total"] / g["weight"] ** 2
    return g


def caseload_rows(model: SentencingModel) -> pd.DataFrame:
    """The model rows with what a caseload mean needs: w_i, w_i·u_i and w_i²·Var(u_i).

    u_i is the sentence's deleted residual (sentencing_fit: its distance from a fit that did not see
    it), clipped at ±clip_z of its own spread so that one extreme sentence (which sentence_deviation
    reports itself) cannot carry a caseload. The weight w_i = 1 − h_i (the share of the sentence the
    fit did not absorb) makes w_i·u_i the raw residual: a unit's mean is its residuals' sum over its
    effective count, and a sentence in a tiny peer group counts for what it can tell.
    """
    rows = model.rows
    factor = rows["deleted_var_factor"].astype(float)
    spread = rows["scale"].astype(float) * np.sqrt(factor)
    u = np.clip(rows["resid_deleted"].astype(float), -model.clip_z * spread, model.clip_z * spread)
    w = 1.0 / factor
    kappa = model.clipped_variance_factor()
    return rows.assign(w_i=w, u_weighted=w * u, var_weighted=w ** 2 * kappa * spread ** 2)


def _robust_tau2(means: np.ndarray, sampling_var: np.ndarray) -> float:
    """Between-unit variance from the MAD of unit means, so a few deviant units do not hide themselves."""
    if len(means) < 10:
        return 0.0
    return max(0.0, robust_scale(means) ** 2 - float(np.median(sampling_var)))


def caseload_test(model: SentencingModel, unit: str, min_cases: int, reference: str | None = None,
                  exclude_units: dict[str, set] | None = None) -> pd.DataFrame:
    """Each unit's (judge's or court's) mean Huber-clipped residual, shrunk, with a test against its peers.

    The residual of a sentence is clipped at ±clip_z·spread first, so one extreme sentence (which
    sentence_deviation reports itself) cannot make a caseload look deviant. Under 'no unit effect'
    the mean's variance is the sum of its cases' clipped-residual variances / n²; real units also
    differ a little among themselves, so the test adds the between-unit variance tau² estimated
    robustly (MAD of the unit means, so the few deviant units do not hide themselves) — the
    additive analogue of the funnel plot's over-dispersion (Spiegelhalter 2005).

    `reference` (court_id for judges): a judge is compared with the level of his or her court,
    estimated from the court's *other* judges and shrunk toward the province by how much courts
    really differ (nested empirical Bayes). Where courts differ, a court-wide level is not charged
    to its judges; where they do not, one deviant colleague in a small court does not make the
    others look deviant. `exclude_units` ({column: ids}) leaves out cases already explained
    elsewhere (e.g. the cases of flagged judges when testing courts).
    """
    rows = caseload_rows(model).dropna(subset=[unit])
    for column, ids in (exclude_units or {}).items():
        rows = rows[~rows[column].isin(ids)]
    if rows.empty:
        return pd.DataFrame()
    if reference:
        # a unit belongs to the reference group holding most of its cases (one row per unit, always)
        home = (rows.groupby([unit, reference]).size().reset_index(name="k")
                .sort_values([unit, "k", reference], ascending=[True, False, True]).drop_duplicates(unit))
        rows = rows.drop(columns=[reference]).merge(home[[unit, reference]], on=unit, how="left")
    g = _unit_means(rows, unit)
    if reference:
        g = g.merge(rows[[unit, reference]].drop_duplicates(unit), on=unit, how="left")
    tested = g[g["n"] >= min_cases].copy()
    if tested.empty:
        return tested
    if reference:
        ref = _unit_means(rows, reference).rename(columns={"n": "ref_n", "total": "ref_total", "var_total": "ref_var",
                                                           "weight": "ref_weight", "mean": "ref_mean",
                                                           "sampling_var": "ref_sv"})
        tau2_ref = _robust_tau2(ref.loc[ref["ref_n"] >= min_cases, "ref_mean"].to_numpy(),
                                ref.loc[ref["ref_n"] >= min_cases, "ref_sv"].to_numpy())
        tested = tested.merge(ref[[reference, "ref_n", "ref_total", "ref_var", "ref_weight"]], on=reference, how="left")
        other_n = (tested["ref_n"] - tested["n"]).to_numpy()
        other_w = np.maximum((tested["ref_weight"] - tested["weight"]).to_numpy(), 1e-9)
        loo_mean = np.where(other_n > 0, (tested["ref_total"] - tested["total"]).to_numpy() / other_w, 0.0)
        loo_var = np.where(other_n > 0, (tested["ref_var"] - tested["var_total"]).to_numpy() / other_w ** 2, 0.0)
        weight = (np.where(other_n > 0, tau2_ref / (tau2_ref + np.maximum(loo_var, 1e-12)), 0.0) if tau2_ref > 0
                  else np.zeros(len(tested)))
        tested["reference_mean"] = weight * loo_mean
        tested["reference_weight"] = weight
        tested["reference_n"] = other_n
        tested["own_sampling_var"] = tested["sampling_var"]
        tested["sampling_var"] = tested["sampling_var"] + weight ** 2 * loo_var
        tested["tau2_reference"] = tau2_ref
    else:
        tested["reference_mean"] = 0.0
        tested["reference_weight"] = 0.0
        tested["reference_n"] = len(rows)
        tested["tau2_reference"] = 0.0
    tested["deviation"] = tested["mean"] - tested["reference_mean"]
    dev = tested["deviation"].to_numpy()
    sv = tested["sampling_var"].to_numpy()
    tau2 = _robust_tau2(dev, sv)
    tested["tau2_robust"] = tau2
    tested["z"] = dev / np.sqrt(sv + tau2)
    tested["p"] = two_sided_p(tested["z"])
    if reference:
        # Deviant against the province AND against the own court (an intersection–union test: the
        # larger p-value is a valid one). A judge in a small court with one far deviant colleague
        # looks deviant against that court's level only; a judge of a court that sentences harshly
        # as a whole looks deviant against the province only — neither is flagged as a judge.
        mean = tested["mean"].to_numpy()
        own_sv = tested["own_sampling_var"].to_numpy()
        tau2_province = _robust_tau2(mean, own_sv)
        z_province = mean / np.sqrt(own_sv + tau2_province)
        tested["z_province"] = z_province
        tested["p_province"] = two_sided_p(z_province)
        weaker = tested["p_province"].to_numpy() > tested["p"].to_numpy()
        tested["z"] = np.where(weaker, z_province, tested["z"].to_numpy())
        tested["p"] = np.maximum(tested["p"].to_numpy(), tested["p_province"].to_numpy())
    # shrink_means takes one within-unit variance; pass each unit's own as 'effective counts'
    pooled = float(np.median(sv * tested["n"].to_numpy()))
    shrunk, se, tau2_mom = shrink_means(dev, counts=pooled / sv, within_var=pooled)
    tested["shrunk"] = shrunk
    tested["shrunk_se"] = se
    tested["tau2_mom"] = tau2_mom
    return tested


class CaseloadDeviation(Detector):
    """Shared body of the judge- and court-level detectors."""

    unit: str
    unit_zh: str
    min_key: str
    effect_key: str
    reference: str | None = None

    def excluded_units(self, model: SentencingModel, cfg: dict) -> dict[str, set]:
        return {}

    def detect(self, ctx: DetectContext) -> Detection:
        cfg = settings(ctx)
        model = fit_model(ctx)
        min_cases = int(cfg[self.min_key])
        excluded = self.excluded_units(model, cfg)
        tested = caseload_test(model, self.unit, min_cases, self.reference, excluded)
        units_total = model.rows[self.unit].nunique() if not model.rows.empty else 0
        skipped_units = units_total - len(tested)
        note = (f"{len(tested)} {self.unit.split('_')[0]}s tested; {skipped_units} with fewer than {min_cases} "
                f"scored custodial sentences not tested")
        if tested.empty:
            return Detection(_empty(), 0, note)
        fdr = cfg["false_discovery_rate"]
        reject, q = benjamini_hochberg(tested["p"].to_numpy(), fdr)
        tested["q"] = q
        # significant AND large enough to matter: a caseload a few percent off is not worth a warning
        min_effect = float(cfg[self.effect_key])
        large = np.abs(np.expm1(tested["deviation"].to_numpy())) >= min_effect
        flagged = tested.loc[reject & large].sort_values(self.unit)
        peer = _peer_distribution(tested["deviation"].to_numpy())
        records = []
        for r in flagged.to_dict("records"):
            ratio = math.exp(r["deviation"])
            shrunk_ratio = math.exp(r["shrunk"])
            lo, hi = (math.exp(r["shrunk"] + s * 1.96 * r["shrunk_se"]) for s in (-1, 1))
            raw_lo, raw_hi = (math.exp(r["deviation"] + s * 1.96 * math.sqrt(r["sampling_var"] + r["tau2_robust"]))
                              for s in (-1, 1))
            score = float(score_from_q([r["q"]])[0])
            if self.reference:
                against_zh = "在考虑法定量刑情节及本院整体量刑水平后平均比同类案件预期"
                against_en = "against legally similar cases, after legal factors and the court's own level"
            else:
                against_zh = "在考虑法定量刑情节后平均比全省同类案件预期"
                against_en = "against legally similar cases province-wide, after legal factors"
            explanation = (f"该{self.unit_zh}{r['n']:.0f}件拘役/有期徒刑判决的刑期，{against_zh}{_pct(ratio)}"
                           f"（95%区间{(raw_lo - 1) * 100:+.0f}%至{(raw_hi - 1) * 100:+.0f}%），显著偏离"
                           f"（{_fdr_text(fdr)}）。")
            explanation_en = (f"Across {r['n']:.0f} custodial sentences, this {self.unit.split('_')[0]}'s terms are "
                              f"{(ratio - 1) * 100:+.0f}% {against_en} (95% interval {(raw_lo - 1) * 100:+.0f}% to "
                              f"{(raw_hi - 1) * 100:+.0f}%; conservative empirical-Bayes estimate "
                              f"{(shrunk_ratio - 1) * 100:+.0f}%); significant with the false-discovery rate held at "
                              f"{fdr:.0%}.")
            subject = r[self.unit]
            evidence = {
                "explanation_en": explanation_en,
                "legal_basis": BASIS_SENTENCE,
                "method": self.method,
                "n_sentences": int(r["n"]),
                "mean_deviation_pct": round((ratio - 1) * 100, 1),
                "mean_deviation_log": round(r["deviation"], 4),
                "interval_95_pct": [round((raw_lo - 1) * 100, 1), round((raw_hi - 1) * 100, 1)],
                "shrunken_deviation_pct": round((shrunk_ratio - 1) * 100, 1),
                "shrunken_interval_95_pct": [round((lo - 1) * 100, 1), round((hi - 1) * 100, 1)],
                "shrinkage_note": ("empirical-Bayes estimate (detectors.stats.shrink_means): pulled toward the peer "
                                   "mean by how much units differ overall; conservative when few units deviate"),
                "z": round(r["z"], 3), "p": r["p"], "q": r["q"], "false_discovery_rate": fdr,
                "peer_comparison": {
                    "reference": ("the model's prediction plus the court's own level, estimated from its other "
                                  "judges and shrunk toward the province (nested empirical Bayes)") if self.reference
                    else "the legal-factor model's prediction (province)",
                    "reference_n_sentences": int(r["reference_n"]),
                    "reference_mean_deviation_pct": round((math.exp(r["reference_mean"]) - 1) * 100, 1),
                    "reference_weight": round(float(r["reference_weight"]), 3),
                    **({"against_province_z": round(float(r["z_province"]), 3),
                        "against_province_p": float(r["p_province"]),
                        "test": "intersection–union: deviant against the own court's level and against the "
                                "province; the larger p-value is used"} if self.reference else {}),
                    "units_tested": int(len(tested)),
                    "between_unit_spread_log": round(math.sqrt(r["tau2_robust"]), 4),
                    "unit_deviation_pct_quantiles": peer,
                },
                "charges": model.rows.loc[model.rows[self.unit] == subject, "peer_group"].value_counts().head(8).to_dict(),
                "notice": _notice(),
            }
            judge_id = subject if self.unit == "judge_id" else None
            court_id = r.get("court_id") if self.unit == "judge_id" else subject
            records.append({"subject_type": self.subject_type, "subject_id": str(subject), "case_id": None,
                            "judge_id": judge_id, "court_id": court_id, "score": score, "level": level_for(score),
                            "explanation": explanation, "evidence": evidence})
        return Detection(pd.DataFrame(records, columns=DETECTOR_COLUMNS), 0,
                         note + f"; {len(records)} flagged")


class JudgeSentencingDeviation(CaseloadDeviation):
    name = "judge_sentencing_deviation"
    category = "sentencing"
    subject_type = "judge"
    needs = ("cases", "defendants")
    title_zh = "法官量刑整体偏离"
    title_en = "A judge's sentences deviate as a whole"
    unit, unit_zh, min_key, reference = "judge_id", "法官承办的", "sentencing_min_judge_cases", "court_id"
    effect_key = "sentencing_min_judge_effect"
    method = ("Mean of the judge's deleted residuals (each sentence against a fit that did not see it, so a small "
              "peer group does not absorb the judge's own deviation), Huber-clipped, from the sentence_deviation "
              "model; rare charges too thin for a model of their own enter through one pooled model (a charge "
              "intercept, shared circumstances). Tested against the level of the judge's court, estimated from its "
              "other judges and shrunk toward the province by the robust between-court variance (nested empirical "
              "Bayes), AND against the province: the larger p-value counts (intersection–union test), so a judge "
              "is not flagged for a deviant colleague or for a court that deviates as a whole. Variance from the "
              "per-charge residual spread plus a robust between-judge variance; empirical-Bayes shrinkage "
              "(detectors.stats.shrink_means) reported beside the mean; Benjamini–Hochberg across judges, and a "
              "minimum effect ([stats] sentencing_min_judge_effect).")
    legal_basis = BASIS_SENTENCE
    false_alarm_control = ("Benjamini–Hochberg across all judges tested; judges with fewer than "
                           "[stats] sentencing_min_judge_cases scored sentences are not tested; one extreme sentence "
                           "is clipped so it cannot carry a judge.")
    limitations = ("Assumes cases reach the judges of a court comparably (random assignment); a judge who takes a "
                   "specialised docket (e.g. juvenile cases) differs for that reason. A court-wide level is not "
                   "charged to its judges (see court_sentencing_deviation). Power: on the real judgments "
                   "(docs/quality-real.md, ≈25 scored sentences a judge, residual spread ≈0.6) a judge whose every "
                   "term is ×1.6 or ×0.6 is found about half the time; with twice the caseload, almost always.")


class CourtSentencingDeviation(CaseloadDeviation):
    name = "court_sentencing_deviation"
    category = "sentencing"
    subject_type = "court"
    needs = ("cases", "defendants")
    title_zh = "法院量刑整体偏离"
    title_en = "A court's sentences deviate as a whole"
    unit, unit_zh, min_key, reference = "court_id", "法院", "sentencing_min_court_cases", None
    effect_key = "sentencing_min_court_effect"

    def excluded_units(self, model: SentencingModel, cfg: dict) -> dict[str, set]:
        """Cases of judges who deviate significantly themselves: their court is tested without them."""
        judges = caseload_test(model, "judge_id", int(cfg["sentencing_min_judge_cases"]), "court_id")
        if judges.empty:
            return {}
        reject, _ = benjamini_hochberg(judges["p"].to_numpy(), cfg["false_discovery_rate"])
        return {"judge_id": set(judges.loc[reject, "judge_id"])}
    method = ("Mean of the court's Huber-clipped residuals from the sentence_deviation model against the province-wide "
              "prediction, leaving out the cases of judges who deviate significantly themselves (they are flagged "
              "by judge_sentencing_deviation); variance from the per-charge residual spread plus a robust "
              "between-court variance; Benjamini–Hochberg across courts and a minimum effect "
              "([stats] sentencing_min_court_effect).")
    legal_basis = BASIS_SENTENCE
    false_alarm_control = ("Benjamini–Hochberg across courts; the between-court spread is estimated robustly, so only a "
                           "court far outside the usual spread of courts is flagged.")
    limitations = ("Local sentencing practice set by a province's own implementing rules, or a case mix with factors "
                   "not in the export, looks like a deviation. A court whose deviation comes from one judge is "
                   "reported through that judge, not as a court.")


# ----------------------------------------------------------------------------------------------


class PleaRecommendationDeviation(Detector):
    name = "plea_recommendation_deviation"
    category = "sentencing"
    subject_type = "defendant"
    needs = ("cases", "defendants")
    incremental = "scope"
    title_zh = "认罪认罚案件判决明显偏离量刑建议"
    title_en = "Guilty-plea judgment far from the prosecutor's recommendation"
    method = ("log(judged term / recommended term) for 认罪认罚 defendants with a recommendation; the usual spread of "
              "non-adopting judgments per sentence kind (MAD of the non-zero log ratios, so the mass of exact "
              "adoptions does not make it zero), two-sided normal p-values, Benjamini–Hochberg.")
    legal_basis = BASIS_PLEA
    false_alarm_control = ("Benjamini–Hochberg over all guilty-plea defendants tested. The p-value is computed against "
                           "judgments that did not adopt the recommendation exactly, which is conservative.")
    limitations = ("A recommendation the prosecutor adjusted at trial (调整量刑建议) is not in the export; a lawful "
                   "departure for an obviously inappropriate recommendation (§201 para. 2) is flagged for review all "
                   "the same.")

    def detect(self, ctx: DetectContext) -> Detection:
        cfg = settings(ctx)
        fdr = cfg["false_discovery_rate"]
        frame = queries.run(ctx.con, "sentencing_plea_recommendations", as_of=ctx.as_of,
                            separator=law.MULTI_CHARGE_SEPARATOR)
        skipped = {}
        unknown_plea = frame["guilty_plea"].isna()
        skipped["guilty plea not recorded"] = int(unknown_plea.sum())
        frame = frame[~unknown_plea]
        term = pd.to_numeric(frame["term_months"], errors="coerce")
        rec = pd.to_numeric(frame["recommended_months"], errors="coerce")
        no_rec = rec.isna() | (rec <= 0)
        skipped["no recommendation recorded"] = int(no_rec.sum())
        no_term = ~no_rec & (term.isna() | (term <= 0))
        skipped["term unknown"] = int(no_term.sum())
        frame = frame[~no_rec & ~no_term].copy()
        term_v = frame["term_months"].astype(float).to_numpy()
        rec_v = frame["recommended_months"].astype(float).to_numpy()
        frame["log_ratio"] = np.log(term_v / rec_v)
        # Whole months: a judgment one month off a short recommendation is the smallest departure
        # possible, not a 10–15% one. The test takes the end of the judged term's rounding interval
        # nearest the recommendation (as sentence_deviation does), for the spread and the test alike.
        half = np.where(np.isclose(term_v, np.round(term_v)), 0.5, 0.0)
        frame["log_departure"] = np.where(term_v > rec_v, np.maximum(0.0, np.log((term_v - half) / rec_v)),
                                          np.where(term_v < rec_v, np.minimum(0.0, np.log((term_v + half) / rec_v)), 0.0))
        # The band: 拘役 (1–6 months, coarse whole months) and 有期徒刑 differ in how far a month moves the ratio.
        frame["band"] = frame["sentence_kind"]
        parts, bands = [], {}
        for band, g in frame.groupby("band", sort=True):
            # The usual spread comes from the reference (every case in a full run; the unchanged
            # cases in an incremental one); every case is tested, the scope's are flagged.
            reference = g[ctx.in_reference(g["case_id"])]
            deviating = reference["log_departure"][reference["log_ratio"].abs() > 1e-9]
            if len(reference) < cfg["plea_min_group"] or len(deviating) < 10:
                skipped[f"abstained: thin band ({band})"] = len(g)
                continue
            scale = robust_scale(deviating)
            spread_center = float(np.median(deviating))
            bands[band] = {"n": int(len(reference)),
                           "share_adopted_exactly": round(float((reference["log_ratio"].abs() <= 1e-9).mean()), 4),
                           "share_within_10pct": round(float((reference["log_ratio"].abs() <= math.log(1.1)).mean()), 4),
                           "spread_of_departures_log": round(scale, 4),
                           "median_departure_log": round(spread_center, 4)}
            g = g[ctx.in_reference(g["case_id"]) | ctx.in_scope(g["case_id"])]  # the BH family
            z = g["log_departure"] / scale
            parts.append(g.assign(z=z, p=two_sided_p(z), scale=scale))
        rows_skipped = int(sum(skipped.values()))
        note = "; ".join(f"{v} {k}" for k, v in skipped.items() if v)
        if not parts:
            return Detection(_empty(), rows_skipped, note)
        tested = pd.concat(parts, ignore_index=True)
        # one BH family over every guilty-plea defendant; an incremental run flags only its new cases
        reject, q = benjamini_hochberg(tested["p"].to_numpy(), fdr)
        reject &= ctx.in_scope(tested["case_id"])
        flagged = tested.loc[reject].assign(q=q[reject]).sort_values("defendant_id")
        records = []
        for r in flagged.to_dict("records"):
            ratio = math.exp(r["log_ratio"])
            band = bands[r["band"]]
            score = float(score_from_q([r["q"]])[0])
            kind = SENTENCE_ZH.get(r["sentence_kind"], r["sentence_kind"])
            direction = f"为建议的{ratio:.1f}倍" if ratio >= 1 else f"仅为建议的{ratio * 100:.0f}%"
            explanation = (f"该被告人认罪认罚，检察院建议刑期{_months(r['recommended_months'])}个月，判决{kind}"
                           f"{_months(r['term_months'])}个月，{direction}；同类{kind}认罪认罚案件中"
                           f"{band['share_adopted_exactly'] * 100:.0f}%的判决与量刑建议一致，此偏离显著异常"
                           f"（{_fdr_text(fdr)}）。")
            explanation_en = (f"The defendant pleaded guilty under 认罪认罚; the prosecutor recommended "
                              f"{_months(r['recommended_months'])} months and the judgment gave "
                              f"{_months(r['term_months'])} months ({ratio:.2f}× the recommendation), while "
                              f"{band['share_adopted_exactly']:.0%} of comparable guilty-plea judgments adopted it "
                              f"exactly; significant with the false-discovery rate held at {fdr:.0%}.")
            evidence = {
                "explanation_en": explanation_en,
                "legal_basis": self.legal_basis,
                "method": self.method,
                "recommended_months": r["recommended_months"],
                "term_months": r["term_months"],
                "sentence_kind": r["sentence_kind"],
                "probation": clean_value(r["probation"]),
                "charge": r["charge"],
                "ratio_to_recommendation": round(ratio, 3),
                "log_ratio": round(r["log_ratio"], 4),
                "z": round(r["z"], 3), "p": r["p"], "q": r["q"], "false_discovery_rate": fdr,
                "peer_comparison": {"band": r["band"], **band,
                                    "usual_ratio_range_95": [round(math.exp(-1.96 * band["spread_of_departures_log"]), 2),
                                                             round(math.exp(1.96 * band["spread_of_departures_log"]), 2)]},
                "notice": _notice(),
            }
            records.append({"subject_type": "defendant", "subject_id": r["defendant_id"], "case_id": r["case_id"],
                            "judge_id": r["judge_id"], "court_id": r["court_id"], "score": score,
                            "level": level_for(score), "explanation": explanation, "evidence": evidence})
        return Detection(pd.DataFrame(records, columns=DETECTOR_COLUMNS), rows_skipped,
                         f"{len(tested)} guilty-plea defendants tested, {len(records)} flagged; " + note)


# ----------------------------------------------------------------------------------------------

ATTRIBUTES = {"female": ("女性", "男性", "female", "male"),
              "minority": ("少数民族", "汉族", "minority", "Han"),
              "non_local": ("非本地户籍", "本地户籍", "non-local", "local")}


def _attribute_ols(frame: pd.DataFrame, attributes: list[str]) -> dict[str, tuple[float, float, float]]:
    """OLS of clipped residuals on the attributes: {attr: (b, se, p)}.

    HC3 standard errors (MacKinnon & White 1985: the robust choice when a group is small) and a
    Student t with df = the smaller group's size − 1 (a Welch-type bound): with a dozen women in a
    court, the normal approximation of HC1 was measured to give too many small p-values.
    """
    X = sm.add_constant(frame[attributes].astype(float).to_numpy(), has_constant="add")
    y = frame["resid_clipped"].to_numpy()
    fit = sm.OLS(y, X).fit(cov_type="HC3")
    out = {}
    for i, a in enumerate(attributes):
        b, se = float(fit.params[i + 1]), float(fit.bse[i + 1])
        df = max(1, min(int(frame[a].sum()), int((~frame[a]).sum())) - 1)
        out[a] = (b, se, float(2 * sps.t.sf(abs(b) / se, df)) if se > 0 else 1.0)
    return out


class SentencingDisparityAudit(Detector):
    name = "sentencing_disparity_audit"
    category = "sentencing"
    subject_type = "court"
    needs = ("cases", "defendants")
    title_zh = "量刑差别对待审计（性别、民族、户籍）"
    title_en = "Sentencing disparity audit (gender, ethnicity, residence)"
    method = ("Within each court: OLS (HC3 robust SEs, Student t with the smaller group's df) of the "
              "sentence_deviation model's Huber-clipped residuals "
              "(legal factors already removed) on female, minority (not 汉族) and non-local residence; "
              "Benjamini–Hochberg across courts × attributes; a court is flagged when an attribute is significant "
              "and its effect is at least [stats] disparity_min_effect. Province-wide estimates are given as a note.")
    legal_basis = BASIS_DISPARITY
    false_alarm_control = ("Benjamini–Hochberg across all court × attribute tests, plus a minimum effect size so "
                           "that a statistically clear but trivial difference is not raised.")
    limitations = ("The ONLY detector that reads gender, ethnicity and residence; they are never inputs of any other "
                   "detector (tests/test_fairness.py). A difference may come from a legal factor the export lacks "
                   "(e.g. non-residents less often granted bail-related mitigation): it is a question for review, not "
                   "a finding of discrimination. Courts or attribute groups below the configured minimums are not "
                   "tested.")

    def detect(self, ctx: DetectContext) -> Detection:
        cfg = settings(ctx)
        fdr = cfg["false_discovery_rate"]
        model = fit_model(ctx)
        attrs = queries.run(ctx.con, "sentencing_audit_attributes", as_of=ctx.as_of)
        rows = model.rows[["defendant_id", "court_id", "resid_clipped"]].merge(
            attrs.drop(columns=["court_id"]), on="defendant_id", how="inner")
        names = list(ATTRIBUTES)
        complete = rows[names].notna().all(axis=1)
        skipped = int((~complete).sum())
        rows = rows[complete].copy()
        for a in names:
            rows[a] = rows[a].astype(bool)
        min_n, min_group = int(cfg["disparity_min_court_cases"]), int(cfg["disparity_min_group"])
        tests = []
        for court, g in rows.groupby("court_id", sort=True):
            if len(g) < min_n:
                continue
            usable = [a for a in names if min(int(g[a].sum()), int((~g[a]).sum())) >= min_group]
            if not usable:
                continue
            for a, (b, se, p) in _attribute_ols(g, usable).items():
                tests.append({"court_id": court, "attribute": a, "effect_log": b, "se": se, "p": p, "n": len(g),
                              "n_with": int(g[a].sum()), "n_without": int((~g[a]).sum())})
        province = {}
        if len(rows) >= min_n:
            usable = [a for a in names if min(int(rows[a].sum()), int((~rows[a]).sum())) >= min_group]
            if usable:
                province = {a: {"effect_pct": round((math.exp(b) - 1) * 100, 1), "se_log": round(se, 4),
                                "p": round(p, 6)} for a, (b, se, p) in _attribute_ols(rows, usable).items()}
        province_note = "province-wide: " + ", ".join(f"{a} {v['effect_pct']:+.1f}% (p={v['p']:.3g})"
                                                      for a, v in province.items()) if province else ""
        if not tests:
            return Detection(_empty(), skipped, f"no court with enough data to test; {province_note}")
        tests = pd.DataFrame(tests)
        reject, q = benjamini_hochberg(tests["p"].to_numpy(), fdr)
        tests["q"] = q
        tests["significant"] = reject & (np.abs(np.expm1(tests["effect_log"])) >= cfg["disparity_min_effect"])
        records = []
        for court, g in tests[tests["significant"]].groupby("court_id", sort=True):
            g = g.sort_values("q")
            top = g.iloc[0]
            score = float(score_from_q([top["q"]])[0])
            clauses, clauses_en = [], []
            for r in g.to_dict("records"):
                with_zh, without_zh, with_en, without_en = ATTRIBUTES[r["attribute"]]
                ratio = math.exp(r["effect_log"])
                lo, hi = (math.exp(r["effect_log"] + s * 1.96 * r["se"]) for s in (-1, 1))
                clauses.append(f"{with_zh}被告人的刑期平均比{without_zh}被告人{_pct(ratio)}"
                               f"（95%区间{(lo - 1) * 100:+.0f}%至{(hi - 1) * 100:+.0f}%）")
                clauses_en.append(f"{with_en} defendants' terms are {(ratio - 1) * 100:+.0f}% against {without_en} "
                                  f"defendants (95% interval {(lo - 1) * 100:+.0f}% to {(hi - 1) * 100:+.0f}%)")
            explanation = (f"本院在考虑法定量刑情节后，{'；'.join(clauses)}，差异显著（{_fdr_text(fdr)}），"
                           f"请核查是否存在不当差别对待。")
            explanation_en = (f"After legal factors, in this court {'; '.join(clauses_en)}; significant with the "
                              f"false-discovery rate held at {fdr:.0%}. To be reviewed for unequal treatment.")
            court_tests = tests[tests["court_id"] == court]
            evidence = {
                "explanation_en": explanation_en,
                "legal_basis": self.legal_basis,
                "method": self.method,
                "n_sentences": int(top["n"]),
                "effects": [{"attribute": r["attribute"], "effect_pct": round((math.exp(r["effect_log"]) - 1) * 100, 1),
                             "effect_log": round(r["effect_log"], 4), "se_log": round(r["se"], 4),
                             "p": r["p"], "q": r["q"], "n_with": r["n_with"], "n_without": r["n_without"],
                             "significant": bool(r["significant"])}
                            for r in court_tests.to_dict("records")],
                "false_discovery_rate": fdr,
                "min_effect_pct": cfg["disparity_min_effect"] * 100,
                "peer_comparison": {"province_wide": province, "tests": int(len(tests)),
                                    "courts_tested": int(tests["court_id"].nunique())},
                "notice": _notice(),
            }
            records.append({"subject_type": "court", "subject_id": str(court), "case_id": None, "judge_id": None,
                            "court_id": court, "score": score, "level": level_for(score),
                            "explanation": explanation, "evidence": evidence})
        flags = pd.DataFrame(records, columns=DETECTOR_COLUMNS) if records else _empty()
        return Detection(flags, skipped,
                         f"{len(tests)} court × attribute tests in {tests['court_id'].nunique()} courts, "
                         f"{len(records)} court(s) flagged; {skipped} defendant(s) with an attribute unknown not "
                         f"used; {province_note}")


DETECTORS: list[Detector] = [SentenceDeviation(), JudgeSentencingDeviation(), CourtSentencingDeviation(),
                             PleaRecommendationDeviation(), SentencingDisparityAudit()]

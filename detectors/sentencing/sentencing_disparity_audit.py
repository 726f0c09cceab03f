"""sentencing_disparity_audit: within each court, do sentences differ by gender, ethnicity or residence once
the legal factors are removed (刑法 §4)? OLS of the sentencing model's clipped residuals on the three
attributes, HC3 standard errors (MacKinnon & White 1985), Benjamini–Hochberg across courts × attributes.

The ONLY reader of those attributes (queries/sentencing_audit_attributes.sql; tests/test_fairness.py).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps

from courtwatch import queries

from ..base import DETECTOR_COLUMNS, DetectContext, Detection, Detector, level_for
from ..stats import benjamini_hochberg, score_from_q
from . import text
from .fit import SentencingSettings, fit_model

# the audited attributes, in the order they are tested (text.ATTRIBUTE_LABELS words them)
ATTRIBUTES = ("female", "minority", "non_local")


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
    shared_model = "sentencing"  # fit.fit_model
    title_zh = "量刑差别对待审计（性别、民族、户籍）"
    title_en = "Sentencing disparity audit (gender, ethnicity, residence)"
    method = ("Within each court: OLS (HC3 robust SEs, Student t with the smaller group's df) of the "
              "sentence_deviation model's Huber-clipped residuals "
              "(legal factors already removed) on female, minority (not 汉族) and non-local residence; "
              "Benjamini–Hochberg across courts × attributes; a court is flagged when an attribute is significant "
              "and its effect is at least [stats] disparity_min_effect. Province-wide estimates are given as a note.")
    legal_basis = text.BASIS_DISPARITY
    false_alarm_control = ("Benjamini–Hochberg across all court × attribute tests, plus a minimum effect size so "
                           "that a statistically clear but trivial difference is not raised.")
    limitations = ("The ONLY detector that reads gender, ethnicity and residence; they are never inputs of any other "
                   "detector (tests/test_fairness.py). A difference may come from a legal factor the export lacks "
                   "(e.g. non-residents less often granted bail-related mitigation): it is a question for review, not "
                   "a finding of discrimination. Courts or attribute groups below the configured minimums are not "
                   "tested.")

    def detect(self, ctx: DetectContext) -> Detection:
        settings = SentencingSettings.from_config(ctx.config)
        fdr = settings.false_discovery_rate
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
        min_n, min_group = int(settings.disparity_min_court_cases), int(settings.disparity_min_group)
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
            return Detection(pd.DataFrame(columns=DETECTOR_COLUMNS), skipped,
                             f"no court with enough data to test; {province_note}")
        tests = pd.DataFrame(tests)
        reject, q = benjamini_hochberg(tests["p"].to_numpy(), fdr)
        tests["q"] = q
        tests["significant"] = reject & (np.abs(np.expm1(tests["effect_log"])) >= settings.disparity_min_effect)
        records = []
        for court, g in tests[tests["significant"]].groupby("court_id", sort=True):
            g = g.sort_values("q")
            top = g.iloc[0]
            score = float(score_from_q([top["q"]])[0])
            clauses, clauses_en = [], []
            for r in g.to_dict("records"):
                ratio = math.exp(r["effect_log"])
                lo, hi = (math.exp(r["effect_log"] + s * 1.96 * r["se"]) for s in (-1, 1))
                clause, clause_en = text.disparity_clause(r["attribute"], ratio, lo, hi)
                clauses.append(clause)
                clauses_en.append(clause_en)
            explanation, explanation_en = text.disparity_text(clauses, clauses_en, fdr)
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
                "min_effect_pct": settings.disparity_min_effect * 100,
                "peer_comparison": {"province_wide": province, "tests": int(len(tests)),
                                    "courts_tested": int(tests["court_id"].nunique())},
                "notice": text.notice(),
            }
            records.append({"subject_type": "court", "subject_id": str(court), "case_id": None, "judge_id": None,
                            "court_id": court, "score": score, "level": level_for(score),
                            "explanation": explanation, "evidence": evidence})
        flags = pd.DataFrame(records, columns=DETECTOR_COLUMNS) if records else pd.DataFrame(columns=DETECTOR_COLUMNS)
        return Detection(flags, skipped,
                         f"{len(tests)} court × attribute tests in {tests['court_id'].nunique()} courts, "
                         f"{len(records)} court(s) flagged; {skipped} defendant(s) with an attribute unknown not "
                         f"used; {province_note}")

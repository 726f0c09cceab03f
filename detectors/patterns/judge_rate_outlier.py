"""judge_rate_outlier: trial judges whose deadline-extension, designated-assignment, reversal or
post-closing-edit rate is far above peers at the same court level.

Per metric, indirect standardisation over court level × case type and an over-dispersed funnel
(Spiegelhalter, Stat Med 2005; common.judge_metric_tests), one-sided p-values, Benjamini–Hochberg
across every judge × metric test; under the rules on supervising adjudicative power (法发〔2015〕13号).
"""
from __future__ import annotations

import pandas as pd

from courtwatch import queries

from ..base import DetectContext, Detection, Detector
from . import text
from .common import (
    LEVEL_SET_BY_TRIAGE,
    TRIAL_RATE_METRICS,
    PatternSettings,
    bh_select,
    flag_scores,
    flags_frame,
    judge_metric_tests,
    r4,
)


def judge_rates(ctx: DetectContext, s: PatternSettings) -> pd.DataFrame:
    """queries/pattern_judge_rates.sql's rows, read once per run (DetectContext.shared): judge_profile_outlier
    reads the same per-judge rates (a copy each, so neither detector changes the other's)."""
    prior = float(s.standardisation_prior_cases)
    return ctx.shared(("pattern_judge_rates", ctx.as_of, prior),
                      lambda: queries.run(ctx.con, "pattern_judge_rates", as_of=ctx.as_of, prior_cases=prior)).copy()


class JudgeRateOutlier(Detector):
    """审判指标异常 — per trial judge, extension / designation / reversal / post-closing-edit rates against peers.

    Method: for each metric (queries/pattern_judge_rates.sql), indirect
    standardisation over court level × case type (leave-one-out, shrunk to the
    province), an over-dispersed funnel across judges, one-sided p-values (larger
    of normal and exact binomial); Benjamini–Hochberg across every judge × metric
    test; one flag per judge naming the metrics out of bounds.
    """

    name = "judge_rate_outlier"
    category = "integrity"
    subject_type = "judge"
    needs = ("cases",)
    title_zh = "法官审判管理指标显著偏离同级法官"
    title_en = "Judge's extension, designation, reversal or post-closing edit rate far above peers"
    method = ("Indirect standardisation (court level × case type) → over-dispersed funnel per metric, one-sided "
              "p-values → Benjamini–Hochberg across all judge × metric tests; one flag per judge.")
    legal_basis = text.SUPERVISION_BASIS
    false_alarm_control = ("BH at [stats] false_discovery_rate across all judge × metric tests; over-dispersion φ per "
                           "metric; judges with fewer than [patterns] rate_min_cases cases (rate_min_appealed appealed "
                           "cases for the reversal rate) abstain on that metric.")
    limitations = ("Power rests on volume: a reversal rate 3× the peers' (≈18%) is told from chance among a "
                   "province's judges reliably only on about 40 appealed cases or more (measured recall 0.83 at 30–39, "
                   "0.65 at 20–29, 0.22 under 20: docs/quality-scale10.md); on a dozen it is rarely flagged. Case difficulty beyond case type (e.g. complex commercial "
                   "disputes) is not adjusted for; "
                   "a division head who takes designated hard cases by policy shows a high designation share. "
                   "The post-closing edit rate needs the event log; without it that metric is not tested.")

    def detect(self, ctx: DetectContext) -> Detection:
        s = PatternSettings.from_config(ctx.config)
        rates = judge_rates(ctx, s)
        tests = judge_metric_tests(rates, TRIAL_RATE_METRICS, s, "trial") if not rates.empty else pd.DataFrame()
        skipped = int(rates.loc[rates["grp"] == "trial", "unknown"].sum()) if not rates.empty else 0
        if tests.empty:
            return Detection(flags_frame([]), skipped, "no judge with enough cases for any metric (abstained)")
        reject, q = bh_select(tests["p"].to_numpy(), s)
        tests = tests.assign(reject=reject, q=q)
        out = []
        for judge_id, grp in tests[tests["reject"]].groupby("judge_id", sort=True):
            grp = grp.sort_values("q")
            qmin = float(grp["q"].min())
            scores = flag_scores([qmin])
            parts_zh, parts_en, metrics = [], [], {}
            for r in grp.itertuples():
                phrase_zh, phrase_en = text.rate_phrase(r.metric, r.observed_rate, r.expected_rate, int(r.n),
                                                        int(r.events))
                parts_zh.append(phrase_zh)
                parts_en.append(phrase_en)
                metrics[r.metric] = {"n": int(r.n), "events": int(r.events), "observed_rate": r4(r.observed_rate),
                                     "expected_rate": r4(r.expected_rate), "ratio": r4(r.ratio),
                                     "upper_limit_95": r4(r.upper95), "upper_limit_998": r4(r.upper998),
                                     "overdispersion_phi": r4(r.phi), "z": r4(r.z), "p_value": float(r.p),
                                     "q_value": float(r.q)}
            all_tested = tests[tests["judge_id"] == judge_id]
            first = grp.iloc[0]
            zh, en = text.rate_outlier_text(judge_id, parts_zh, parts_en)
            out.append({
                "subject_type": "judge", "subject_id": str(judge_id), "case_id": None, "judge_id": str(judge_id),
                "court_id": str(first.court_id), "score": float(scores[0]), "level": LEVEL_SET_BY_TRIAGE, "explanation": zh,
                "evidence": {
                    "explanation_en": en,
                    "legal_basis": self.legal_basis,
                    "method": self.method,
                    "peer_comparison": text.rate_peers(first.level),
                    "metrics_out_of_bounds": metrics,
                    "metrics_tested": {m: {"observed_rate": r4(o), "expected_rate": r4(e), "q_value": r4(qq)}
                                       for m, o, e, qq in zip(all_tested["metric"], all_tested["observed_rate"],
                                                              all_tested["expected_rate"], all_tested["q"])},
                    "q_value": qmin, "tests_in_family": int(len(tests)),
                    "notice": text.NOTICE,
                },
            })
        judges = tests["judge_id"].nunique()
        note = (f"{len(tests)} judge × metric test(s) over {judges} judge(s)"
                + (f"; {skipped} case-metric value(s) unknown and left out" if skipped else ""))
        return Detection(flags_frame(out), skipped, note)

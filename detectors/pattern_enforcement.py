"""Statistical 终本 detectors: officers who terminate unusually often, and 终本 cases handled unusually.

The legal rules (detectors/rules.py) catch 终本 cases that break 法〔2016〕373号;
these catch what keeps to the letter but not to the pattern — an officer whose
终本 share is far above peers with the same case mix, or a case whose every
step was crammed in just before the three-month line. The SPC's own audits
found about 9% of 终本 cases not meeting the conditions (domain notes: 90.8%
compliant in 2021), so irregularity is a few percent, not a rarity: the tests
are built to stay calibrated when the data hold that much of it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from courtwatch import queries

from .base import DetectContext, Detection, Detector
from .pattern_common import (
    NOTICE,
    ZB_BASIS,
    PatternSettings,
    bh_select,
    conformal_p,
    ecod_fit,
    ecod_fit_and_score,
    flags_frame,
    num,
    pct,
    r4,
    score_and_level,
    standardised_funnel,
)


class TerminationRate(Detector):
    """执行员终本率偏高 — each officer's 终本 share against a case-mix expectation, funnel limits, BH.

    Method: indirect standardisation. Each of an officer's closed enforcement
    cases gets the 终本 rate of its stratum (court × claim-amount band ×
    respondent kind) among the other officers' cases, shrunk toward the
    province rate of the band × respondent kind; the sum is the officer's
    expected 终本 count. The observed count is compared on a funnel plot with
    multiplicative over-dispersion (Spiegelhalter, Stat Med 2005) estimated from
    all officers; the one-sided p-value (a high share is the warning sign) is the
    larger of the over-dispersed normal and the exact binomial tail; Benjamini–
    Hochberg across officers at [stats] false_discovery_rate.
    """

    name = "termination_rate"
    category = "enforcement"
    subject_type = "judge"
    needs = ("cases", "enforcement")
    title_zh = "执行员终本率显著偏高"
    title_en = "Enforcement officer terminates for now (终本) far more often than peers"
    method = ("Indirect standardisation (court × claim band × respondent kind, leave-one-out, shrunk to province) → "
              "over-dispersed funnel plot, one-sided p-values → Benjamini–Hochberg across officers.")
    legal_basis = f"{ZB_BASIS}第一条（终本须同时满足全部条件，财产调查须穷尽）"
    false_alarm_control = ("BH at [stats] false_discovery_rate across all officers with at least "
                           "[patterns] termination_min_cases closed cases; over-dispersion φ widens the limits "
                           "when officers differ more than chance allows, so court-wide practice is not flagged.")
    limitations = ("Case mix is adjusted only for claim band, respondent kind and court; officers who are given the "
                   "hardest cases (e.g. a team for debtors known to be insolvent) look high. A high share is a reason "
                   "to review a sample of the officer's 终本 files, not a finding.")

    def detect(self, ctx: DetectContext) -> Detection:
        s = PatternSettings.from_context(ctx)
        rows = queries.run(ctx.con, "pattern_termination_by_officer", as_of=ctx.as_of,
                           band_edges=[float(e) for e in s.termination_band_edges],
                           prior_cases=float(s.standardisation_prior_cases))
        skipped = int(rows["skipped"].sum()) if not rows.empty else 0
        if rows.empty or rows["n"].sum() == 0:
            return Detection(flags_frame([]), skipped, "no closed enforcement case with a known claim amount and "
                                                       "respondent kind; nothing to compare", status="ok")
        tested = rows[rows["n"] >= s.termination_min_cases].reset_index(drop=True)
        abstained = int(((rows["n"] > 0) & (rows["n"] < s.termination_min_cases)).sum())
        note = (f"{len(tested)} officer(s) tested; {abstained} with fewer than {s.termination_min_cases} closed "
                f"cases abstain") + (f"; {skipped} case(s) skipped: claim amount or respondent kind unknown" if skipped else "")
        if tested.empty:
            return Detection(flags_frame([]), skipped, note)
        fun = standardised_funnel(tested["terminated"], tested["n"], tested["expected"])
        reject, q = bh_select(fun.p, ctx)
        scores, levels = score_and_level(q)
        out = []
        for i in np.flatnonzero(reject):
            r = tested.iloc[i]
            obs, exp_, ratio = fun.observed_rate[i], fun.expected_rate[i], fun.ratio[i]
            up998, up95 = fun.upper998[i], fun.upper95[i]
            beyond_zh = (f"超出漏斗图99.8%控制限（{pct(up998)}）" if obs > up998
                         else f"超出漏斗图95%控制限（{pct(up95)}），经多重比较校正后仍显著")
            beyond_en = (f"above the funnel plot's 99.8% control limit ({pct(up998)})" if obs > up998
                         else f"above the 95% control limit ({pct(up95)}) and significant after multiple-testing correction")
            zh = (f"执行员{r.judge_id}的终本率为{pct(obs)}（{int(r.n)}件中{int(r.terminated)}件），"
                  f"约为同类案件预期（{pct(exp_)}）的{ratio:.1f}倍，{beyond_zh}。")
            en = (f"Enforcement officer {r.judge_id} terminated {int(r.terminated)} of {int(r.n)} closed enforcement cases "
                  f"for now ({pct(obs)}), {ratio:.1f}× the {pct(exp_)} expected for cases of the same court, claim band "
                  f"and respondent kind; {beyond_en}.")
            court_rate = r.court_terminated / r.court_n if r.court_n else None
            court_expected = r.court_expected / r.court_n if r.court_n else None
            out.append({
                "subject_type": "judge", "subject_id": str(r.judge_id), "case_id": None,
                "judge_id": str(r.judge_id), "court_id": str(r.court_id),
                "score": float(scores[i]), "level": levels[i], "explanation": zh,
                "evidence": {
                    "explanation_en": en,
                    "legal_basis": self.legal_basis,
                    "method": self.method,
                    "peer_comparison": ("同院同标的额档次、同被执行人类型的其他执行员案件（本院样本不足时向全省借力） "
                                        "(other officers' cases of the same court, claim band and respondent kind, "
                                        "borrowing from the province where the court has few)"),
                    "closed_cases": int(r.n), "terminated_cases": int(r.terminated),
                    "observed_rate": r4(obs), "expected_rate": r4(exp_), "expected_terminated": r4(r.expected),
                    "ratio": r4(ratio), "upper_limit_95": r4(up95), "upper_limit_998": r4(up998),
                    "overdispersion_phi": r4(fun.phi), "z": r4(fun.z[i]), "p_value": float(fun.p[i]),
                    "q_value": float(q[i]), "officers_tested": int(len(tested)),
                    "court_context": {"court_id": str(r.court_id), "court_rate": r4(court_rate),
                                      "court_expected_rate_from_province": r4(court_expected),
                                      "court_closed_cases": None if pd.isna(r.court_n) else int(r.court_n)},
                    "cases_skipped_unknown_fields": int(r.skipped),
                    "notice": NOTICE,
                },
            })
        flags = flags_frame(out)
        if not flags.empty:  # an officer listed at two courts: keep the stronger warning
            flags = flags.sort_values("score", ascending=False).drop_duplicates("subject_id").reset_index(drop=True)
        return Detection(flags, skipped, note)


# Procedure features: (column, label zh, label en, unit zh, unit en, kind). kind: days | count | share | flag.
PROCEDURE_FEATURES = [
    ("days_to_termination", "立案至终本", "filing to 终本", "天", "days", "days"),
    ("days_to_notice", "立案至送达执行通知书", "filing to execution notice", "天", "days", "days"),
    ("days_to_report_order", "立案至发出报告财产令", "filing to property-report order", "天", "days", "days"),
    ("days_to_restriction", "立案至发出限制消费令", "filing to consumption-restriction order", "天", "days", "days"),
    ("online_inquiries", "网络执行查控", "online property inquiries", "次", "", "count"),
    ("days_last_inquiry_to_termination", "最后一次网络查控至终本", "last online inquiry to 终本", "天", "days", "days"),
    ("onsite_done", "现场调查", "on-site investigation", "", "", "flag"),
    ("assets_found_share", "查到财产占标的额", "property found relative to the claim", "", "", "share"),
    ("recovered_share", "执行到位占标的额", "money recovered relative to the claim", "", "", "share"),
    ("days_informed_to_termination", "告知申请执行人至终本", "informing the applicant to 终本", "天", "days", "days"),
    ("step_spread_days", "各项执行措施从第一项到最后一项", "first to last enforcement step", "天", "days", "days"),
]
FEATURES = [f[0] for f in PROCEDURE_FEATURES]
FEATURE_INFO = {f[0]: f for f in PROCEDURE_FEATURES}


def _value_text(kind: str, value: float, unit: str) -> str:
    if kind == "share":
        return pct(value, 1)
    return f"{num(value)}{unit}"


def _feature_phrase(feature: str, value: float, median: float, tail_share: float, high: bool) -> tuple[str, str]:
    """One plain clause per driving feature: the value, the peers' median and how rare it is."""
    _, zh, en, unit_zh, unit_en, kind = FEATURE_INFO[feature]
    rare_zh = f"仅{pct(tail_share, 1)}的终本案件如此" if tail_share >= 0.001 else "不足0.1%的终本案件如此"
    rare_en = f"only {pct(tail_share, 1)} of 终本 cases" if tail_share >= 0.001 else "under 0.1% of 终本 cases"
    if kind == "flag":
        if value >= 0.5:
            return (f"开展了现场调查（同类终本案件中仅{pct(tail_share, 1)}开展）",
                    f"an on-site investigation was done (only {pct(tail_share, 1)} of 终本 cases have one)")
        return (f"未开展现场调查（同类终本案件中{pct(1 - tail_share, 0)}开展过）",
                f"no on-site investigation is recorded ({pct(1 - tail_share, 0)} of 终本 cases have one)")
    word_zh = {"days": ("长", "短"), "count": ("多", "少"), "share": ("高", "低")}[kind][0 if high else 1]
    word_en = {"days": ("long", "short"), "count": ("many", "few"), "share": ("high", "low")}[kind][0 if high else 1]
    value_zh, median_zh = _value_text(kind, value, unit_zh), _value_text(kind, median, unit_zh)
    def unit(x: float) -> str:
        return "" if not unit_en else " " + (unit_en[:-1] if unit_en.endswith("s") and abs(x) == 1 else unit_en)

    value_en, median_en = _value_text(kind, value, unit(value)), _value_text(kind, median, unit(median))
    return (f"{zh}{value_zh}，明显偏{word_zh}（中位数{median_zh}，{rare_zh}）",
            f"{en}: {value_en}, unusually {word_en} (median {median_en}; {rare_en})")


class TerminationProcedureOutlier(Detector):
    """终本程序异常 — ECOD over how each 终本 case was handled, conformal p-values, BH.

    Method: one row per 终本 case with the procedure features of
    queries/pattern_termination_procedure.sql (days from filing to each step,
    online inquiries, on-site investigation, assets found and recovered relative
    to the claim, informing the applicant, the spread of all steps). ECOD
    (Li et al., IEEE TKDE 2022) scores each case by summing, over features, the
    −log empirical tail probability of its value; the per-feature terms (PyOD's
    `O`, copied right after fit because scoring overwrites it) name what drove a
    flag. p-values: conformal, i.e. each score ranked against the reference
    distribution of scores, with the far tail smoothed (see
    pattern_common.conformal_p for why a contaminated reference needs that);
    Benjamini–Hochberg at [stats] false_discovery_rate across all cases.
    PyOD's contamination threshold is not used.

    Reference: in a full run the reference is every 终本 case of the partition
    (courts grouped up to [patterns] procedure_partition_max_cases cases), scored
    in-sample. In an incremental run (`detect --since`) the reference is the
    partition's unchanged cases: ECOD is fitted on them, only the new or changed
    cases are scored with that fitted model (PyOD ranks new rows against the
    training rows) and their p-values come from the reference scores — new cases
    are judged against established practice rather than against each other.
    """

    name = "termination_procedure_outlier"
    category = "enforcement"
    subject_type = "case"
    needs = ("cases", "enforcement")
    incremental = "scope"
    title_zh = "终本案件办理过程异常"
    title_en = "终本 case handled in an unusual way (rule-compliant but unlike peers)"
    method = ("PyOD ECOD over 11 procedure features of each 终本 case → conformal p-values against the reference "
              "scores (exponential peaks-over-threshold tail) → Benjamini–Hochberg; per-feature ECOD terms explain.")
    legal_basis = f"{ZB_BASIS}第一条（终本条件）、第五条（告知申请执行人）"
    false_alarm_control = ("BH at [stats] false_discovery_rate across all scored 终本 cases; p-values from the "
                           "score distribution itself, so the flag rate follows the evidence, not a fixed quota. "
                           "Expected false alarms: at most that share of the flags when the tail model holds.")
    limitations = ("Unusual is not irregular: a case closed after a genuine, quick investigation can look like a "
                   "crammed one. Cases with an unknown date needed by a feature are skipped (counted), and are left "
                   "to the legal rules. ECOD treats features one at a time, so an unusual combination of "
                   "individually common values is not seen.")

    def detect(self, ctx: DetectContext) -> Detection:
        s = PatternSettings.from_context(ctx)
        courts = queries.run(ctx.con, "pattern_termination_procedure_courts", as_of=ctx.as_of)
        total = int(courts["terminated_cases"].sum()) if not courts.empty else 0
        if total < s.procedure_min_cases:
            return Detection(flags_frame([]), 0, f"only {total} 终本 case(s); the procedure model needs at least "
                                                 f"{s.procedure_min_cases} (abstained)")
        parts = _partitions(courts, s.procedure_partition_max_cases, s.procedure_min_cases)
        scored, reference_p, skipped = [], [], 0
        for court_ids in parts:
            frame = queries.run(ctx.con, "pattern_termination_procedure", as_of=ctx.as_of, court_ids=court_ids)
            known = frame[FEATURES].notna().all(axis=1)
            skipped += int((~known).sum())
            frame = frame[known].reset_index(drop=True)
            if len(frame) < s.procedure_min_cases:
                skipped += len(frame)
                continue
            if ctx.scope is None:
                fit = ecod_fit(frame, FEATURES)
                reference, reference_fit = frame, fit
            else:  # incremental: fit on the partition's unchanged cases, score the new or changed ones
                reference = frame[ctx.in_reference(frame["case_id"])].reset_index(drop=True)
                if len(reference) < s.procedure_min_cases:
                    skipped += int(ctx.in_scope(frame["case_id"]).sum())
                    continue
                frame = frame[ctx.in_scope(frame["case_id"])].reset_index(drop=True)
                reference_fit, fit = ecod_fit_and_score(reference, frame, FEATURES)
                reference_p.append(conformal_p(reference_fit.scores, reference_fit.scores, s.procedure_tail_quantile))
            p_values = conformal_p(fit.scores, reference_fit.scores, s.procedure_tail_quantile)
            scored.append((frame, fit, p_values, reference, reference_fit))
        if not scored:
            return Detection(flags_frame([]), skipped, "too few 终本 cases with every procedure field known (abstained)")
        # One Benjamini–Hochberg family over every scored case of every partition. In an incremental
        # run the reference cases' p-values join the family (after the new cases', never flagged), so
        # new cases meet the same bar as in a full run.
        reject, q = bh_select(np.concatenate([p for _, _, p, _, _ in scored] + reference_p), ctx)
        scores, levels = score_and_level(q)
        out, offset, total_scored = [], 0, 0
        for frame, fit, p_values, reference, reference_fit in scored:
            n = len(frame)
            total_scored += n
            # the peers a case is described against: the partition's reference cases
            sorted_values = {f: np.sort(reference[f].to_numpy(dtype=float)) for f in FEATURES}
            score_sorted = np.sort(reference_fit.scores)
            for k in np.flatnonzero(reject[offset:offset + n]):
                out.append(self._flag(frame.iloc[k], fit.per_feature[k], fit.scores[k], score_sorted, sorted_values,
                                      float(p_values[k]), float(q[offset + k]), float(scores[offset + k]),
                                      levels[offset + k], s.explain_top_features))
            offset += n
        note = f"{total_scored} 终本 case(s) scored in {len(parts)} partition(s)" + (
            f"; {skipped} skipped: a date or amount a feature needs is unknown" if skipped else "")
        return Detection(flags_frame(out), skipped, note)

    def _flag(self, r, per_feature, ecod_score, score_sorted, sorted_values, p_value, q_value, score, level,
              top_k) -> dict:
        n = len(score_sorted)
        phrases, drivers = [], []
        for j in np.argsort(-per_feature)[:top_k]:
            f = FEATURES[j]
            values = sorted_values[f]
            value = float(r[f])
            median = float(np.median(values))
            share_ge = (n - np.searchsorted(values, value, "left")) / n
            share_le = np.searchsorted(values, value, "right") / n
            high = value > median or (value == median and share_ge <= share_le)
            tail = float(share_ge if high else share_le)
            phrases.append(_feature_phrase(f, value, median, tail, high))
            drivers.append({"feature": f, "value": r4(value), "peer_median": r4(median),
                            "share_of_cases_as_extreme": r4(tail), "ecod_term": r4(per_feature[j])})
        top_share = max((n - np.searchsorted(score_sorted, ecod_score, "left")) / n, 1.0 / n)
        closed = str(r.closed_on)[:10]
        zh = (f"该终本案件（{closed}终本）的办理过程在{n}件终本案件中极为少见（异常程度居前{pct(top_share, 1)}）："
              + "；".join(p[0] for p in phrases) + "。")
        en = (f"This 终本 case (terminated {closed}) was handled unlike almost all of {n} 终本 cases "
              f"(top {pct(top_share, 1)} by anomaly score): " + "; ".join(p[1] for p in phrases) + ".")
        return {
            "subject_type": "case", "subject_id": str(r.case_id), "case_id": str(r.case_id),
            "judge_id": None if pd.isna(r.judge_id) else str(r.judge_id), "court_id": str(r.court_id),
            "score": score, "level": level, "explanation": zh,
            "evidence": {
                "explanation_en": en,
                "legal_basis": self.legal_basis,
                "method": self.method,
                "peer_comparison": f"同一分区内全部{n}件终本案件（按法院分区） (all {n} 终本 cases of the partition)",
                "features": {f: r4(r[f]) for f in FEATURES},
                "drivers": drivers,
                "ecod_score": r4(ecod_score), "p_value": p_value, "q_value": q_value,
                "claim_amount": r4(r.claim_amount), "assets_found_value": r4(r.assets_found_value),
                "recovered_amount": r4(r.recovered_amount),
                "filed_on": str(r.filed_on)[:10], "closed_on": closed,
                "notice": NOTICE,
            },
        }

def _partitions(courts: pd.DataFrame, max_cases: int, min_cases: int) -> list[list[str]]:
    """Courts grouped in code order (a city's courts stay together) into partitions of at most max_cases."""
    parts: list[list[str]] = []
    sizes: list[int] = []
    for court_id, count in zip(courts["court_id"], courts["terminated_cases"]):
        if parts and sizes[-1] + count <= max_cases:
            parts[-1].append(str(court_id))
            sizes[-1] += int(count)
        else:
            parts.append([str(court_id)])
            sizes.append(int(count))
    if len(parts) > 1 and sizes[-1] < min_cases:  # a small remainder joins the partition before it
        parts[-2].extend(parts.pop())
        sizes[-2] += sizes.pop()
    return parts


DETECTORS = [TerminationRate(), TerminationProcedureOutlier()]

"""termination_procedure_outlier: 终本 cases handled unlike their peers though within the written rules.

ECOD (Li et al., IEEE TKDE 2022; PyOD) over eleven procedure features of each 终本 case, conformal
p-values against the reference scores with an empirical-null tail (common.conformal_p),
Benjamini–Hochberg across cases. The SPC's own audits found about 9% of 终本 cases not meeting the
conditions (90.8% compliant in 2021), so the tests are built to stay calibrated when the data hold
that much irregularity.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from courtwatch import queries

from ..base import DetectContext, Detection, Detector
from . import text
from .common import (
    EcodReference,
    PatternSettings,
    ScoreNull,
    bh_select,
    ecod_fit,
    flags_frame,
    r4,
    score_and_level,
    score_null,
)

# The procedure features of queries/pattern_termination_procedure.sql, in the model's column order
# (text.PROCEDURE_FEATURE_LABELS words each).
FEATURES = ["days_to_termination", "days_to_notice", "days_to_report_order", "days_to_restriction",
            "online_inquiries", "days_last_inquiry_to_termination", "onsite_done", "assets_found_share",
            "recovered_share", "days_informed_to_termination", "step_spread_days"]
# The name a full run keeps each partition's model under (DetectContext.keep_state), for the incremental runs.
MODEL = "termination_procedure"


class TerminationProcedureOutlier(Detector):
    """终本程序异常 — ECOD over how each 终本 case was handled, conformal p-values, BH.

    Method: one row per 终本 case with the procedure features of
    queries/stages/termination_procedure_features.sql (days from filing to each step,
    online inquiries, on-site investigation, assets found and recovered relative
    to the claim, informing the applicant, the spread of all steps). ECOD
    (Li et al., IEEE TKDE 2022) scores each case by summing, over features, the
    −log empirical tail probability of its value; the per-feature terms (PyOD's
    `O`, copied right after fit because scoring overwrites it) name what drove a
    flag. p-values: conformal, i.e. each score ranked against the reference
    distribution of scores, with the far tail smoothed (see
    common.conformal_p for why a contaminated reference needs that);
    Benjamini–Hochberg at [stats] false_discovery_rate across all cases.
    PyOD's contamination threshold is not used.

    Reference: in a full run the reference is every 终本 case of the partition
    (courts grouped up to [patterns] procedure_partition_max_cases cases), scored
    in-sample. In an incremental run (`detect --since`) only the new or changed
    cases are scored, against the partition model the last full run kept
    (EcodReference, ScoreNull: each new row ranked against the full run's rows
    as PyOD would rank it, its p-value from the full run's scores) — new cases
    are judged against established practice rather than against each other —
    and their p-values join the full run's p-values of every other case in one
    Benjamini–Hochberg family (a case changed since the full run and scored by
    an earlier incremental run stays in it with its full-run p-value until the
    next full run). Where no model was kept (a database whose last full run
    predates keeping them, a Spark-engine full run, a court the full run had no
    model for), ECOD is fitted on the partition's unchanged cases instead and the
    new ones are scored against it the same way.
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
    legal_basis = f"{text.ZB_BASIS}第一条（终本条件）、第五条（告知申请执行人）"
    false_alarm_control = ("BH at [stats] false_discovery_rate across all scored 终本 cases; p-values from the "
                           "score distribution itself, so the flag rate follows the evidence, not a fixed quota. "
                           "Expected false alarms: at most that share of the flags when the tail model holds.")
    limitations = ("Unusual is not irregular: a case closed after a genuine, quick investigation can look like a "
                   "crammed one. Cases with an unknown date needed by a feature are skipped (counted), and are left "
                   "to the legal rules. ECOD treats features one at a time, so an unusual combination of "
                   "individually common values is not seen.")

    def detect(self, ctx: DetectContext) -> Detection:
        s = PatternSettings.from_config(ctx.config)
        if ctx.scope is not None:
            stored = self._score_against_stored(ctx, s)
            if stored is not None:
                return stored
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
                reference = EcodReference.of(frame, FEATURES)
                null = score_null(fit.scores, s.procedure_tail_quantile)
                p_values = null.p(fit.scores)
                _keep(ctx, court_ids, reference, null, frame["case_id"], p_values)
            else:  # incremental without the full run's state: fit on the partition's unchanged cases
                reference_frame = frame[ctx.in_reference(frame["case_id"])].reset_index(drop=True)
                if len(reference_frame) < s.procedure_min_cases:
                    skipped += int(ctx.in_scope(frame["case_id"]).sum())
                    continue
                frame = frame[ctx.in_scope(frame["case_id"])].reset_index(drop=True)
                reference_fit = ecod_fit(reference_frame, FEATURES)
                reference = EcodReference.of(reference_frame, FEATURES)
                fit = reference.score(frame)
                null = score_null(reference_fit.scores, s.procedure_tail_quantile)
                reference_p.append(null.p(reference_fit.scores))
                p_values = null.p(fit.scores)
            scored.append((frame, fit, p_values, reference, null))
        if not scored:
            return Detection(flags_frame([]), skipped, "too few 终本 cases with every procedure field known (abstained)")
        total_scored = sum(len(frame) for frame, *_ in scored)
        note = f"{total_scored} 终本 case(s) scored in {len(parts)} partition(s)" + (
            f"; {skipped} skipped: a date or amount a feature needs is unknown" if skipped else "")
        return Detection(self._flags(scored, reference_p, s), skipped, note)

    def _score_against_stored(self, ctx: DetectContext, s: PatternSettings) -> Detection | None:
        """An incremental run: the new or changed 终本 cases scored against the last full run's partition
        models (`_keep`), their p-values joining the full run's p-values of every case outside this run's scope
        in one Benjamini–Hochberg family. None when there is no stored model to score a case against (no state
        kept, or a court the full run had no model for): the run then refits on the reference period."""
        if ctx.state_run is None:
            return None
        frame = queries.run(ctx.con, "pattern_termination_procedure_of_cases", as_of=ctx.as_of,
                            case_ids=sorted(ctx.scope or ()))
        known = frame[FEATURES].notna().all(axis=1)
        skipped = int((~known).sum())
        frame = frame[known].reset_index(drop=True)
        unknown = f"; {skipped} skipped: a date or amount a feature needs is unknown" if skipped else ""
        if frame.empty:  # nothing to score, whichever model it would be scored against (a refit's too)
            return Detection(flags_frame([]), skipped, "no new or changed 终本 case to score" + unknown)
        states = ctx.stored_states(MODEL)
        if not states:
            return None
        part_of = {court: part for part, (_, meta) in states.items() for court in meta["court_ids"]}
        if not frame["court_id"].isin(list(part_of)).all():
            return None
        parts = frame["court_id"].map(part_of)
        scored = []
        for part, (arrays, meta) in states.items():
            cases = frame[(parts == part).to_numpy()].reset_index(drop=True)
            if len(cases):
                reference = EcodReference.from_state(arrays, meta["ecod"])
                null = ScoreNull.from_state(arrays, meta["null"])
                fit = reference.score(cases)
                scored.append((cases, fit, null.p(fit.scores), reference, null))
        note = (f"{len(frame)} new or changed 终本 case(s) scored against the last full run's model "
                f"({len(states)} partition(s))") + unknown
        reference_p = ctx.stored_case_values(MODEL, with_case_ids=False)["value"].to_numpy(dtype=float)
        return Detection(self._flags(scored, [reference_p], s), skipped, note)

    def _flags(self, scored: list, reference_p: list, s: PatternSettings) -> pd.DataFrame:
        """The flags of the scored cases: per partition (cases, their EcodFit, their p-values, the reference
        they were scored against, its ScoreNull). In an incremental run `reference_p` holds the reference
        cases' p-values: they join the Benjamini–Hochberg family (after the new cases', never flagged), so
        new cases meet the same bar as in a full run."""
        reject, q = bh_select(np.concatenate([p for _, _, p, _, _ in scored] + reference_p), s)
        scores, levels = score_and_level(q[:sum(len(frame) for frame, *_ in scored)])  # the scored cases' only
        out, offset = [], 0
        for frame, fit, p_values, reference, null in scored:
            n = len(frame)
            # the peers a case is described against: the partition's reference cases, and where each flagged
            # case's values and score fall among them, for every flagged case at once
            peers = reference.n
            flagged = np.flatnonzero(reject[offset:offset + n])
            values = frame[FEATURES].to_numpy(dtype=float)[flagged]
            share_ge = np.column_stack([reference.at_least(j, values[:, j]) / peers for j in range(len(FEATURES))])
            share_le = np.column_stack([reference.at_most(j, values[:, j]) / peers for j in range(len(FEATURES))])
            top_share = np.maximum((peers - np.searchsorted(null.reference, fit.scores[flagged], "left")) / peers,
                                   1.0 / peers)
            medians = dict(zip(FEATURES, reference.medians))
            for i, (k, r) in enumerate(zip(flagged, frame.iloc[flagged].itertuples(index=False))):
                out.append(self._flag(r, values[i], share_ge[i], share_le[i], float(top_share[i]), peers,
                                      fit.per_feature[k], fit.scores[k], medians, float(p_values[k]),
                                      float(q[offset + k]), float(scores[offset + k]), levels[offset + k],
                                      s.explain_top_features))
            offset += n
        return flags_frame(out)

    def _flag(self, r, values, share_ge, share_le, top_share, n, per_feature, ecod_score, medians, p_value,
              q_value, score, level, top_k) -> dict:
        """One flag: `values` its features, `share_ge` / `share_le` the share of the n reference cases at or
        above / at or below each, `top_share` the share scoring at least as high (at least 1/n)."""
        phrases, drivers = [], []
        for j in np.argsort(-per_feature)[:top_k]:
            f = FEATURES[j]
            value = float(values[j])
            median = medians[f]
            high = value > median or (value == median and share_ge[j] <= share_le[j])
            tail = float(share_ge[j] if high else share_le[j])
            phrases.append(text.feature_phrase(f, value, median, tail, high))
            drivers.append({"feature": f, "value": r4(value), "peer_median": r4(median),
                            "share_of_cases_as_extreme": r4(tail), "ecod_term": r4(per_feature[j])})
        closed = str(r.closed_on)[:10]
        zh, en = text.procedure_text(closed, n, top_share, phrases)
        return {
            "subject_type": "case", "subject_id": str(r.case_id), "case_id": str(r.case_id),
            "judge_id": None if pd.isna(r.judge_id) else str(r.judge_id), "court_id": str(r.court_id),
            "score": score, "level": level, "explanation": zh,
            "evidence": {
                "explanation_en": en,
                "legal_basis": self.legal_basis,
                "method": self.method,
                "peer_comparison": text.procedure_peers(n),
                "features": {f: r4(v) for f, v in zip(FEATURES, values)},
                "drivers": drivers,
                "ecod_score": r4(ecod_score), "p_value": p_value, "q_value": q_value,
                "claim_amount": r4(r.claim_amount), "assets_found_value": r4(r.assets_found_value),
                "recovered_amount": r4(r.recovered_amount),
                "filed_on": str(r.filed_on)[:10], "closed_on": closed,
                "notice": text.NOTICE,
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


def _keep(ctx: DetectContext, court_ids: list[str], reference: EcodReference, null: ScoreNull, case_ids,
          p_values) -> None:
    """A full run keeps each partition's model for the incremental runs after it: the reference's distinct
    feature values and tails (EcodReference), its sorted scores and tail null (ScoreNull), named by the
    partition's first court; and every case's p-value, the Benjamini–Hochberg family a new case joins."""
    part = court_ids[0]
    ecod_arrays, ecod_meta = reference.state()
    null_arrays, null_meta = null.state()
    ctx.keep_state(MODEL, part, {**ecod_arrays, **null_arrays},
                   {"court_ids": list(court_ids), "ecod": ecod_meta, "null": null_meta})
    ctx.keep_case_values(MODEL, part, case_ids, p_values)

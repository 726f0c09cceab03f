"""plea_recommendation_deviation: a guilty-plea (认罪认罚) judgment far from the prosecutor's recommendation
(刑事诉讼法 §201): the log ratio of judged to recommended term against the usual spread of
non-adopting judgments of the same sentence kind, two-sided normal p-values, Benjamini–Hochberg.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from courtwatch import queries
from courtwatch.detectors import law

from ..base import DETECTOR_COLUMNS, DetectContext, Detection, Detector, clean_value, level_for
from ..stats import benjamini_hochberg, robust_scale, score_from_q, two_sided_p
from . import text
from .fit import SentencingSettings

# The name a full run keeps each band's spread under (DetectContext.keep_state), for the incremental runs.
MODEL = "plea"


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
    legal_basis = text.BASIS_PLEA
    false_alarm_control = ("Benjamini–Hochberg over all guilty-plea defendants tested. The p-value is computed against "
                           "judgments that did not adopt the recommendation exactly, which is conservative.")
    limitations = ("A recommendation the prosecutor adjusted at trial (调整量刑建议) is not in the export; a lawful "
                   "departure for an obviously inappropriate recommendation (§201 para. 2) is flagged for review all "
                   "the same.")

    def detect(self, ctx: DetectContext) -> Detection:
        settings = SentencingSettings.from_config(ctx.config)
        if ctx.scope is not None:
            states = ctx.stored_states(MODEL)
            if states:
                return self._score_against_stored(ctx, settings, states)
        frame, skipped = _departures(ctx, None)
        parts, bands = [], {}
        for band, g in frame.groupby("band", sort=True):
            # The usual spread comes from the reference (every case in a full run; the unchanged
            # cases in an incremental one without the full run's spreads); every case is tested, the scope's are
            # flagged.
            in_reference = ctx.in_reference(g["case_id"])
            reference = g if in_reference.all() else g[in_reference]  # a full run: every case
            deviating = reference["log_departure"][reference["log_ratio"].abs() > 1e-9]
            if len(reference) < settings.plea_min_group or len(deviating) < 10:
                skipped[f"abstained: thin band ({band})"] = len(g)
                continue
            scale = robust_scale(deviating)
            spread_center = float(np.median(deviating))
            bands[band] = {"n": int(len(reference)),
                           "share_adopted_exactly": round(float((reference["log_ratio"].abs() <= 1e-9).mean()), 4),
                           "share_within_10pct": round(float((reference["log_ratio"].abs() <= math.log(1.1)).mean()), 4),
                           "spread_of_departures_log": round(scale, 4),
                           "median_departure_log": round(spread_center, 4)}
            family = in_reference | ctx.in_scope(g["case_id"])  # the BH family
            g = g if family.all() else g[family]
            z = g["log_departure"] / scale
            g = g.assign(z=z, p=two_sided_p(z), scale=scale)
            parts.append(g)
            if ctx.scope is None:
                # kept for the incremental runs after this one: the band's spread and figures, and every
                # tested defendant's p-value (the Benjamini–Hochberg family a new one joins)
                ctx.keep_state(MODEL, str(band), {}, {"scale": scale, "band": bands[band]})
                ctx.keep_case_values(MODEL, str(band), g["case_id"], g["p"])
        if not parts:
            return Detection(pd.DataFrame(columns=DETECTOR_COLUMNS), int(sum(skipped.values())), _note(skipped))
        tested = pd.concat(parts, ignore_index=True)
        # one BH family over every guilty-plea defendant; an incremental run flags only its new cases
        reject, q = benjamini_hochberg(tested["p"].to_numpy(), settings.false_discovery_rate)
        reject &= ctx.in_scope(tested["case_id"])
        return self._flagged(tested, reject, q, bands, skipped, settings)

    def _score_against_stored(self, ctx: DetectContext, settings: SentencingSettings, states: dict) -> Detection:
        """An incremental run: the new or changed cases' defendants tested against the last full run's spread
        of their band, their p-values joining the full run's p-values of every case outside this run's scope in
        one Benjamini–Hochberg family (a case changed since the full run and tested by an earlier incremental
        run stays in it with its full-run p-value until the next full run). A band the full run kept no spread for was too thin to test then, so its
        defendants are skipped, as the full run skipped them (a refit on the reference period, a part of the
        same cases, would be no less thin)."""
        frame, skipped = _departures(ctx, sorted(ctx.scope or ()))
        parts, bands = [], {}
        for band, g in frame.groupby("band", sort=True):
            if str(band) not in states:
                skipped[f"abstained: thin band ({band})"] = len(g)
                continue
            meta = states[str(band)][1]
            bands[band] = meta["band"]
            z = g["log_departure"] / meta["scale"]
            parts.append(g.assign(z=z, p=two_sided_p(z), scale=meta["scale"]))
        if not parts:
            return Detection(pd.DataFrame(columns=DETECTOR_COLUMNS), int(sum(skipped.values())), _note(skipped))
        tested = pd.concat(parts, ignore_index=True)
        reference_p = ctx.stored_case_values(MODEL, with_case_ids=False)["value"].to_numpy(dtype=float)
        reject, q = benjamini_hochberg(np.concatenate([tested["p"].to_numpy(), reference_p]),
                                       settings.false_discovery_rate)
        return self._flagged(tested, reject[:len(tested)], q[:len(tested)], bands, skipped, settings)

    def _flagged(self, tested: pd.DataFrame, reject: np.ndarray, q: np.ndarray, bands: dict, skipped: dict,
                 settings: SentencingSettings) -> Detection:
        """The flags of the tested defendants that `reject` selects, `q` their Benjamini–Hochberg q-values."""
        fdr = settings.false_discovery_rate
        flagged = tested.loc[reject].assign(q=q[reject]).sort_values("defendant_id")
        records = []
        for r in flagged.to_dict("records"):
            ratio = math.exp(r["log_ratio"])
            band = bands[r["band"]]
            score = float(score_from_q([r["q"]])[0])
            explanation, explanation_en = text.plea_text(r, ratio, band["share_adopted_exactly"], fdr)
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
                "notice": text.notice(),
            }
            records.append({"subject_type": "defendant", "subject_id": r["defendant_id"], "case_id": r["case_id"],
                            "judge_id": r["judge_id"], "court_id": r["court_id"], "score": score,
                            "level": level_for(score), "explanation": explanation, "evidence": evidence})
        return Detection(pd.DataFrame(records, columns=DETECTOR_COLUMNS), int(sum(skipped.values())),
                         f"{len(tested)} guilty-plea defendants tested, {len(records)} flagged; " + _note(skipped))


def _departures(ctx: DetectContext, case_ids: list[str] | None) -> tuple[pd.DataFrame, dict[str, int]]:
    """The guilty-plea defendants with a recommendation and a term (of `case_ids` only, unless None), with their
    log ratio, log departure and band; and how many were skipped, by reason."""
    frame = queries.run(ctx.con, "sentencing_plea_recommendations", as_of=ctx.as_of,
                        separator=law.MULTI_CHARGE_SEPARATOR, case_ids=case_ids)
    skipped = {}
    # the three exclusions as masks over the query's rows, and one selection of them (each selection copies
    # every column of ~600k rows at scale 100)
    plea_known = frame["guilty_plea"].notna()
    skipped["guilty plea not recorded"] = int((~plea_known).sum())
    term = pd.to_numeric(frame["term_months"], errors="coerce")
    rec = pd.to_numeric(frame["recommended_months"], errors="coerce")
    no_rec = plea_known & (rec.isna() | (rec <= 0))
    skipped["no recommendation recorded"] = int(no_rec.sum())
    no_term = plea_known & ~no_rec & (term.isna() | (term <= 0))
    skipped["term unknown"] = int(no_term.sum())
    frame = frame[plea_known & ~no_rec & ~no_term].copy()
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
    return frame, skipped


def _note(skipped: dict[str, int]) -> str:
    return "; ".join(f"{v} {k}" for k, v in skipped.items() if v)

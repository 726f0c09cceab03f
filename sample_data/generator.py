"""A synthetic province's export in the import contract, with planted anomalies.

generate() builds courts and staff, criminal / civil / enforcement cases and
their events, writes one import folder (the contract's CSV files) and
ground_truth.csv listing every planted anomaly with the detector expected to
raise it. Same (scale, seed, noise) → byte-identical files.
"""
from __future__ import annotations

import importlib.resources
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from courtwatch.detectors import law

from . import civil, criminal, enforcement, integrity, patrol, representations
from . import courts as C
from .common import (
    APPEALS,
    ASSIGNMENTS,
    CASE_TYPES,
    CLOSE_METHODS,
    EVENTS,
    EXPORT,
    INJURY_LEVELS,
    LEVELS,
    MISSING,
    NOTES,
    PREVAILING,
    ROLES,
    SENTENCE_KINDS,
    SIDES,
    TERMINATION_BASES,
    cause_catalogue,
    child_rngs,
)
from .context import Context
from .output import Formatter, write_csv
from .trials import EventLog

DEFENDANTS_PER_SCALE = 10_000
ENFORCEMENT_PER_SCALE = 10_000
CIVIL_PER_SCALE = 5_000

# kind → detector expected to raise it (rule kinds: the rule of the same name)
RULE_DETECTORS = {
    "zb_terminated_within_3_months": "zb_terminated_within_3_months",
    "zb_no_notice_or_report_order": "zb_no_notice_or_report_order",
    "zb_no_restriction_order": "zb_no_restriction_order",
    "zb_no_online_inquiry": "zb_no_online_inquiry",
    "zb_applicant_not_informed": "zb_applicant_not_informed",
    "zb_missing_respondent_not_searched": "zb_missing_respondent_not_searched",
    "zb_assets_found_but_terminated": "zb_assets_found_but_terminated",
    "zb_no_inquiry_after_termination": "zb_no_inquiry_after_termination",
    "probation_for_recidivist": "probation_for_recidivist",
    "probation_term_over_3_years": "probation_term_over_3_years",
    "detention_out_of_range": "detention_out_of_range",
    "term_above_statutory_max": "term_above_statutory_max",
    "record_facts_inconsistent": "record_facts_inconsistent",
    "funds_not_disbursed_30_days": "funds_not_disbursed_30_days",
    "late_post_close_edit": "late_post_close_edit",
    "interference_followed_by_change": "interference_followed_by_change",
    "interference_records_absent": "interference_records_absent",
    "probation_period_out_of_range": "probation_period_out_of_range",
    "fixed_term_below_6_months": "fixed_term_below_6_months",
    "control_out_of_range": "control_out_of_range",
    "combined_sentence_over_cap": "combined_sentence_over_cap",
    "missing_mandatory_fine": "missing_mandatory_fine",
    "fine_records_incomplete": "fine_records_incomplete",
    "zb_online_inquiry_stale": "zb_online_inquiry_stale",
    "zb_inquiry_log_incomplete": "zb_inquiry_log_incomplete",
}
# The patrol of irregular conduct (sample_data/patrol.py; checked in tests/test_patrol.py, not in
# test_sample_data's pandas re-implementation of RULE_KINDS).
PATROL_DETECTORS = {
    "case_past_time_limit": "case_past_time_limit",
    "case_long_pending": "case_long_pending",
    "extension_concentrated_judge": "extension_approval_concentration",
    "extension_concentrated_approver": "extension_approval_concentration",
}
MODEL_DETECTORS = {
    "sentence_outlier": "sentence_deviation",
    "judge_sentencing_bias": "judge_sentencing_deviation",
    "judge_probation_favour": "judge_probation_deviation",
    "judge_penalty_kind_favour": "judge_penalty_kind_deviation",
    "plea_recommendation_deviation": "plea_recommendation_deviation",
    "sentencing_disparity": "sentencing_disparity_audit",
    "officer_termination_rate": "termination_rate",
    "termination_procedure_outlier": "termination_procedure_outlier",
    "judge_lawyer_affinity": "judge_lawyer_affinity",
    "judge_extension_rate": "judge_rate_outlier",
    "judge_reversal_rate": "judge_rate_outlier",
}
DETECTORS = {**RULE_DETECTORS, **MODEL_DETECTORS, **PATROL_DETECTORS}
RULE_KINDS = list(RULE_DETECTORS)
KINDS = list(DETECTORS)
# Lawful exceptions (lawful_exceptions.csv, same columns as ground_truth.csv): records that look like a
# rule's breach but are lawful; `detector` names the rule that must leave each one unflagged.

COLUMNS = {
    "courts": ["court_id", "name", "province", "level", "parent_id"],
    "judges": ["judge_id", "court_id", "name", "role"],
    "cases": ["case_id", "court_id", "cause", "filed_on", "closed_on", "judge_id", "assignment",
              "close_method", "prevailing_side", "appeal_outcome", "extensions", "claim_amount",
              "procedure", "deducted_days"],
    "defendants": ["defendant_id", "case_id", "gender", "age", "ethnicity", "local_resident", "charge",
                   "amount_involved", "injury_level", "drug_grams", "blood_alcohol", "surrender",
                   "confession", "guilty_plea", "meritorious", "recidivist", "prior_record", "minor",
                   "accessory", "attempted", "restitution", "forgiven", "sentence_kind", "term_months",
                   "probation", "probation_months", "fine_yuan", "recommended_months", "combined_term_months"],
    "enforcement": ["case_id", "applicant_kind", "respondent_kind", "recovered_amount", "notice_on",
                    "report_order_on", "restriction_order_on", "dishonest_listed_on", "online_inquiries",
                    "last_online_inquiry_on", "onsite_investigation_on", "assets_found_value",
                    "applicant_informed_on", "respondent_missing", "search_done_on", "termination_basis",
                    "assets_undisposable"],
    "events": ["case_id", "event", "occurred_at", "actor_id", "amount", "note", "approver_id"],
    "representations": ["case_id", "side", "lawyer_id", "firm_id"],
    "ground_truth": ["kind", "detector", "subject_type", "subject_id", "case_id", "judge_id", "court_id",
                     "magnitude", "note"],
}
COLUMNS["lawful_exceptions"] = COLUMNS["ground_truth"]


def load_config() -> dict:
    text = importlib.resources.files("courtwatch.core").joinpath("config.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def expected_loads(courts: pd.DataFrame, n_def: int, n_civ: int, n_enf: int) -> dict[int, np.ndarray]:
    """Expected caseload per court and staff pool, to size the benches before cases exist."""
    level = courts.level.to_numpy()
    w = courts.weight.to_numpy()
    basic = level == C.LEVEL_BASIC
    inter = level == C.LEVEL_INTERMEDIATE
    bshare = np.where(basic, w / w[basic].sum(), 0.0)
    ishare = np.where(inter, w / w[inter].sum(), 0.0)
    crim = bshare * n_def * 0.99 + ishare * (n_def * 0.01 + 0.10 * n_def / 1.2)
    crim[level == C.LEVEL_HIGH] = max(1.0, 0.35 * 0.01 * n_def)
    civ = bshare * n_civ + ishare * 0.13 * n_civ
    enf = bshare * n_enf
    return {C.POOL_CRIMINAL: crim, C.POOL_CIVIL: civ, C.POOL_ENFORCEMENT: enf}


def case_numbers(cases: dict, court_codes: np.ndarray) -> pa.Array:
    """案号 `(2023)浙0102刑初123号`: sequence per court, year and case type, in filing order."""
    filed = cases["filed"]
    year = filed.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    n = len(filed)
    order = np.lexsort((np.arange(n), filed, cases["ctype"], year, cases["court"]))
    key = (cases["court"][order] * 10000 + (year[order] - 2000)) * 10 + cases["ctype"][order]
    start = np.ones(n, dtype=bool)
    start[1:] = key[1:] != key[:-1]
    group_start = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    seq = np.empty(n, dtype=np.int64)
    seq[order] = np.arange(n) - group_start + 1
    court = pa.array(list(court_codes), pa.string()).take(pa.array(cases["court"]))
    ctype = pa.array(CASE_TYPES, pa.string()).take(pa.array(cases["ctype"]))
    return pc.binary_join_element_wise("(", pa.array(year).cast(pa.string()), ")", court, ctype,
                                       pa.array(seq).cast(pa.string()), "号", "")


def generate(out_dir, scale: float = 1.0, seed: int = 20240601, noise: float = 0.35) -> dict:
    """Write one synthetic import folder to `out_dir`; returns row counts and planted counts.

    scale 1 ≈ 10,000 defendants, 10,000 enforcement cases and 5,000 civil cases;
    `noise` is the sd of the unexplained part of log(term) (0.35 ≈ a real export).
    """
    if not scale > 0:
        raise ValueError("scale must be positive")
    if not 0 <= noise <= 3:
        raise ValueError("noise must be between 0 and 3")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cfg = load_config()
    province = cfg["general"]["province"]
    thresholds = cfg["law"]["provinces"][province]
    # appended names leave the earlier parts' draws unchanged (SeedSequence children are independent)
    rngs = child_rngs(int(seed), ["staff", "bar", "criminal", "civil", "enforcement", "integrity",
                                  "representations", "output", "audit", "patrol"])
    courts = C.load_courts()
    n_def = max(50, int(round(DEFENDANTS_PER_SCALE * scale)))
    n_enf = max(50, int(round(ENFORCEMENT_PER_SCALE * scale)))
    n_civ = max(25, int(round(CIVIL_PER_SCALE * scale)))
    staff = C.build_staff(rngs["staff"], courts, expected_loads(courts, n_def, n_civ, n_enf), scale)
    bar = C.build_bar(rngs["bar"], courts, scale)
    ctx = Context(rngs=rngs, scale=float(scale), noise=float(noise), courts=courts, staff=staff, bar=bar,
                  frames=law.frames(thresholds), thresholds=thresholds, rules=cfg["rules"])

    logs = {name: EventLog() for name in ("criminal", "civil", "enforcement", "all")}
    crim_cases, D, _ = criminal.generate(ctx, n_def, logs["criminal"])
    civ_cases, forced = civil.generate(ctx, n_civ, logs["civil"])
    enf_cases, E, enf_used = enforcement.generate(ctx, n_enf, logs["enforcement"])
    n_crim = len(crim_cases["filed"])
    n_civ_all = len(civ_cases["filed"])
    offsets = {"criminal": 0, "civil": n_crim, "enforcement": n_crim + n_civ_all, "all": 0}
    cases = {k: np.concatenate([crim_cases[k], civ_cases[k], enf_cases[k]]) for k in crim_cases}
    n_cases = len(cases["filed"])
    record_patrol = patrol.generate(ctx, cases, offsets, logs)  # procedures, time limits, approvers, plants

    # cases already carrying a planted anomaly take no integrity plant
    excluded = np.zeros(n_cases, dtype=bool)
    excluded[offsets["enforcement"]:] = enf_used
    for t in ctx.truth + ctx.exceptions:
        c = t["case"][t["case"] >= 0]
        excluded[c + offsets[t["domain"]]] = True
    integrity.generate(ctx, cases, excluded, logs["all"])
    record_patrol()
    reps = representations.generate(ctx, cases, (forced[0] + offsets["civil"], forced[1], forced[2]))

    events = {k: np.concatenate([logs[name].concat(offsets[name])[k] for name in logs])
              for k in ("case", "event", "ts", "actor", "amount", "note", "approver")}
    order = np.lexsort((events["event"], events["ts"], events["case"]))
    events = {k: v[order] for k, v in events.items()}
    _check_invariants(cases, events, E)

    rows, truth = _write_folder(out, ctx, Formatter(rngs["output"]), cases, D, E, events, reps,
                                offsets, len(enf_cases["filed"]))
    planted = {k: int((truth.kind == k).sum()) for k in KINDS}
    lawful = pd.read_csv(out / "lawful_exceptions.csv", dtype=str, keep_default_na=False)
    return {"out_dir": str(out), "scale": float(scale), "seed": int(seed), "noise": float(noise),
            "rows": rows, "planted": planted, "lawful": lawful.kind.value_counts().sort_index().to_dict()}


def _write_folder(out: Path, ctx: Context, fmt: Formatter, cases, D, E, events, reps, offsets, n_enf_cases):
    """Identifiers, text forms and the eight CSV files; returns (row counts, ground truth)."""
    courts, staff, bar = ctx.courts, ctx.staff, ctx.bar
    # Files are written by a background thread while the next table is formatted
    # (Arrow's CSV writer releases the GIL); formatting, and so every draw, stays in order.
    writer = ThreadPoolExecutor(max_workers=1)
    submit = lambda path, columns: writer.submit(write_csv, path, columns)  # noqa: E731
    court_codes = courts.court_id.to_numpy(dtype=object)
    case_ids = case_numbers(cases, court_codes)
    judge_ids = np.array([f"J{c:06d}" for c in staff.judges.code.to_numpy()], dtype=object)
    n_lawyers = len(bar.lawyer_city)
    lw = max(4, len(str(n_lawyers)))
    fw = max(3, len(str(bar.n_firms)))
    lawyer_ids = np.array([f"L{i + 1:0{lw}d}" for i in range(n_lawyers)], dtype=object)
    firm_ids = np.array([f"F{i + 1:0{fw}d}" for i in range(bar.n_firms)], dtype=object)
    n_d = len(D["case"])
    dw = max(6, len(str(n_d)))
    defendant_ids = pc.binary_join_element_wise(
        "D", pc.utf8_lpad(pa.array(np.arange(1, n_d + 1)).cast(pa.string()), dw, "0"), "")
    causes = cause_catalogue(law.MULTI_CHARGE_SEPARATOR)

    rows = {}
    parent = courts.parent.to_numpy()
    rows["courts"] = submit(out / "courts.csv", {
        "court_id": fmt.text(court_codes),
        "name": fmt.text(courts.name.to_numpy(dtype=object)),
        "province": fmt.text(np.full(len(courts), C.PROVINCE, dtype=object)),
        "level": fmt.enum(courts.level.to_numpy(), LEVELS),
        "parent_id": fmt.labels(np.where(parent >= 0, parent, 0), court_codes, missing=parent < 0),
    })
    jt = staff.judges
    rows["judges"] = submit(out / "judges.csv", {
        "judge_id": fmt.text(judge_ids),
        "court_id": fmt.labels(jt.court.to_numpy(), court_codes),
        "name": fmt.text(jt.name.to_numpy(dtype=object)),
        "role": fmt.enum(jt.role.to_numpy(), ROLES),
    })
    rows["cases"] = submit(out / "cases.csv", {
        "case_id": case_ids,
        "court_id": fmt.labels(cases["court"], court_codes),
        "cause": fmt.labels(cases["cause"], causes),
        "filed_on": fmt.date(cases["filed"]),
        "closed_on": fmt.date(cases["closed"]),
        "judge_id": fmt.labels(cases["judge"], judge_ids),
        "assignment": fmt.enum(cases["assignment"], ASSIGNMENTS),
        "close_method": fmt.enum(cases["close_method"], CLOSE_METHODS),
        "prevailing_side": fmt.enum(cases["prevailing"], PREVAILING),
        "appeal_outcome": fmt.enum(cases["appeal"], APPEALS),
        "extensions": fmt.integer(cases["extensions"]),
        "claim_amount": fmt.number(cases["claim"]),
        "procedure": fmt.enum(cases["procedure"], patrol.PROCEDURES),
        "deducted_days": fmt.integer(cases["deducted"], cases["deducted"] == MISSING),
    })
    rows["defendants"] = submit(out / "defendants.csv", {
        "defendant_id": defendant_ids,
        "case_id": case_ids.take(pa.array(D["case"])),
        "gender": fmt.labels(D["gender"], ["M", "F"]),
        "age": fmt.integer(D["age"], D["age"] == MISSING),
        "ethnicity": fmt.labels(D["ethnicity"], criminal.ETHNICITIES),
        "local_resident": fmt.boolean(D["local"], ~D["local_known"]),
        "charge": fmt.labels(D["charge"], causes),
        "amount_involved": fmt.number(D["amount"]),
        "injury_level": fmt.enum(D["injury"], INJURY_LEVELS),
        "drug_grams": fmt.number(D["grams"]),
        "blood_alcohol": fmt.number(D["alcohol"]),
        **{col: fmt.boolean(D[key]) for col, key in (
            ("surrender", "surrender"), ("confession", "confession"), ("guilty_plea", "plea"),
            ("meritorious", "meritorious"), ("recidivist", "recidivist"), ("prior_record", "prior"),
            ("minor", "minor"), ("accessory", "accessory"), ("attempted", "attempted"),
            ("restitution", "restitution"), ("forgiven", "forgiven"))},
        "sentence_kind": fmt.enum(D["kind"], SENTENCE_KINDS),
        "term_months": fmt.number(D["term"]),
        "probation": fmt.boolean(D["probation"] == 1, D["probation"] == MISSING),
        "probation_months": fmt.number(D["prob_months"]),
        "fine_yuan": fmt.number(D["fine"]),
        "recommended_months": fmt.number(D["rec"]),
        "combined_term_months": fmt.number(D["combined"]),
    })
    enf_case = offsets["enforcement"] + np.arange(n_enf_cases)
    rows["enforcement"] = submit(out / "enforcement.csv", {
        "case_id": case_ids.take(pa.array(enf_case)),
        "applicant_kind": fmt.labels(E["applicant"], ["person", "organisation"]),
        "respondent_kind": fmt.labels(E["respondent"], ["person", "organisation"]),
        "recovered_amount": fmt.number(E["recovered"]),
        "notice_on": fmt.date(E["notice"]),
        "report_order_on": fmt.date(E["report"]),
        "restriction_order_on": fmt.date(E["restriction"]),
        "dishonest_listed_on": fmt.date(E["dishonest"]),
        "online_inquiries": fmt.integer(E["online"]),
        "last_online_inquiry_on": fmt.date(E["last_online"]),
        "onsite_investigation_on": fmt.date(E["onsite"]),
        "assets_found_value": fmt.number(E["assets"]),
        "applicant_informed_on": fmt.date(E["informed"]),
        "respondent_missing": fmt.boolean(E["missing"]),
        "search_done_on": fmt.date(E["search"]),
        "termination_basis": fmt.enum(E["basis"], TERMINATION_BASES),
        "assets_undisposable": fmt.boolean(E["undisposable"], ~E["undisposable_known"]),
    })
    rows["events"] = submit(out / "events.csv", {
        "case_id": case_ids.take(pa.array(events["case"])),
        "event": fmt.enum(events["event"], EVENTS),
        "occurred_at": fmt.timestamp(events["ts"]),
        "actor_id": fmt.labels(events["actor"], judge_ids),
        "amount": fmt.number(events["amount"]),
        "note": fmt.labels(events["note"], NOTES),
        "approver_id": fmt.labels(events["approver"], judge_ids),
    })
    rows["representations"] = submit(out / "representations.csv", {
        "case_id": case_ids.take(pa.array(reps["case"])),
        "side": fmt.labels(reps["side"], SIDES),
        "lawyer_id": fmt.labels(reps["lawyer"], lawyer_ids),
        "firm_id": fmt.labels(reps["firm"], firm_ids),
    })
    truth = _ground_truth(ctx.truth, offsets, case_ids, judge_ids, defendant_ids, court_codes, lawyer_ids)
    exceptions = _ground_truth(ctx.exceptions, offsets, case_ids, judge_ids, defendant_ids, court_codes, lawyer_ids)
    for name, frame in (("ground_truth", truth), ("lawful_exceptions", exceptions)):
        gt_cols = {c: fmt.text([None if v is None or v == "" else v for v in frame[c].to_numpy(dtype=object)])
                   for c in COLUMNS[name] if c != "magnitude"}
        gt_cols["magnitude"] = fmt.number(frame["magnitude"].to_numpy(dtype=np.float64), 4)
        rows[name] = submit(out / f"{name}.csv", {c: gt_cols[c] for c in COLUMNS[name]})
    with writer:
        rows = {name: future.result() for name, future in rows.items()}
    return rows, truth


def _ground_truth(planted: list[dict], offsets, case_ids: pa.Array, judge_ids, defendant_ids: pa.Array, court_codes,
                  lawyer_ids) -> pd.DataFrame:
    """One row per planted anomaly (or lawful exception), with the identifiers as written in the other files."""
    def ids(arr: pa.Array, idx: np.ndarray) -> np.ndarray:
        return arr.take(pa.array(np.maximum(idx, 0))).to_numpy(zero_copy_only=False)

    frames = []
    for t in planted:
        n = len(t["case"])
        case = np.where(t["case"] >= 0, t["case"] + offsets[t["domain"]], -1)
        st = t["subject_type"]
        cid = np.where(case >= 0, ids(case_ids, case), None)
        jid = np.where(t["judge"] >= 0, judge_ids[np.maximum(t["judge"], 0)], None)
        court = t["court"]
        crt = np.where(court >= 0, court_codes[np.maximum(court, 0)], None)
        if st == "defendant":
            subject = ids(defendant_ids, t["defendant"])
        elif st == "case":
            subject = cid
        elif st == "judge":
            subject = jid
        elif st == "court":
            subject = crt
        else:
            subject = np.array([f"{j}|{lawyer_ids[x]}" for j, x in zip(jid, t["lawyer"])], dtype=object)
        frames.append(pd.DataFrame({
            "kind": t["kind"], "detector": t.get("detector", DETECTORS.get(t["kind"])), "subject_type": st,
            "subject_id": subject,
            "case_id": cid, "judge_id": jid, "court_id": crt, "magnitude": t["magnitude"], "note": t["note"],
        }, index=range(n)))
    if not frames:
        return pd.DataFrame(columns=COLUMNS["ground_truth"]).astype({"magnitude": np.float64})
    truth = pd.concat(frames, ignore_index=True)
    return truth.sort_values(["kind", "detector", "subject_id"], kind="stable").reset_index(drop=True)


def _check_invariants(cases, events, E) -> None:
    """Cheap guards: nothing after the export date, nothing closed before it was filed."""
    for name, d in (("filed", cases["filed"]), ("closed", cases["closed"])):
        if np.any(d > EXPORT):
            raise AssertionError(f"cases.{name} after the export date")
    closed = cases["closed"]
    if np.any((closed != MISSING) & (closed < cases["filed"])):
        raise AssertionError("a case closed before it was filed")
    if len(events["ts"]) and events["ts"].max() >= (EXPORT + 1) * 86400:
        raise AssertionError("an event after the export date")
    for key in ("notice", "report", "restriction", "dishonest", "last_online", "onsite", "informed", "search"):
        if np.any(E[key] > EXPORT):
            raise AssertionError(f"enforcement.{key} after the export date")

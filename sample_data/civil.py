"""Civil first-instance cases (民初) and their appeals (民终).

Plants the judge-level civil kinds: a judge favouring one lawyer, judges with
many deadline extensions, judges often reversed on appeal.
"""
from __future__ import annotations

import numpy as np

from . import courts as C
from .common import (
    AP_AMENDED,
    AP_REMANDED,
    CAUSE_CIVIL_BASE,
    CM_JUDGMENT,
    CM_MEDIATION,
    CM_RULING,
    CM_WITHDRAWAL,
    EXPORT,
    MISSING,
    PV_DEFENDANT,
    PV_NONE,
    PV_PARTIAL,
    PV_PLAINTIFF,
    SD_DEFENDANT,
    SD_PLAINTIFF,
    START,
    T_CIVIL,
    T_CIVIL_APPEAL,
    case_frame,
    categorical,
    choose,
    day,
    lognormal_days,
    plant_count,
)
from .context import Context
from .trials import EventLog, appeals, trial_timeline

CAUSE_SHARES = [0.25, 0.18, 0.14, 0.10, 0.08, 0.10, 0.06, 0.05, 0.04]
CLAIM_MEDIAN = np.array([80e3, 150e3, 200e3, 300e3, 40e3, 120e3, 60e3, 800e3, 5e3])
EXTENSION_ONE, EXTENSION_TWO = 0.12, 0.04
PLANTED_RATE_FACTOR = 3.0
MIN_PLANTED_APPEALS = 20


def generate(ctx: Context, n: int, log: EventLog):
    """Returns (case rows incl. appeals, forced representation rows (case, side, lawyer))."""
    rng = ctx.rngs["civil"]
    courts = ctx.courts
    s = ctx.scale
    cause = categorical(rng, n, CAUSE_SHARES)
    claim = np.round(CLAIM_MEDIAN[cause] * np.exp(1.0 * rng.standard_normal(n)), 2).clip(500, 5e8)
    basic = courts.index[courts.level == C.LEVEL_BASIC].to_numpy()
    bw = courts.loc[basic, "weight"].to_numpy()
    court = rng.choice(basic, n, p=bw / bw.sum())
    judge = ctx.staff.pick(rng, C.POOL_CIVIL, court)
    filed = START + rng.integers(0, EXPORT - START + 1, n)
    assignment = (rng.random(n) < 0.05).astype(np.int64)

    # ---- choose the planted judges ------------------------------------------------
    jt = ctx.staff.judges
    civil_judges = ctx.staff.pools[C.POOL_CIVIL][0]
    civil_basic = civil_judges[courts.level.to_numpy()[jt.court.to_numpy()[civil_judges]] == C.LEVEL_BASIC]
    load = np.bincount(judge, minlength=len(jt))
    cap = max(1, len(civil_basic) // 20)
    n_pairs = min(plant_count(3, s), cap)
    # ~30 cases per pair (more at larger scales, where every judge's caseload is larger)
    n_pair_cases = int(round(30 * max(1.0, np.sqrt(s))))
    early = filed <= day("2024-06-30")
    court_early = np.bincount(court[early], minlength=len(courts))
    # pair judges sit in courts with enough cases to hand them ~30 with one lawyer
    roomy = civil_basic[court_early[jt.court.to_numpy()[civil_basic]] >= 2 * n_pair_cases]
    if len(roomy) < n_pairs:
        roomy = civil_basic[np.argsort(-court_early[jt.court.to_numpy()[civil_basic]], kind="stable")[:n_pairs]]
    pair_judges = np.sort(choose(rng, roomy, n_pairs))
    rest = np.setdiff1d(civil_basic, pair_judges)
    # rate plants go to busy judges (top quartile), whose rates rest on more cases
    busy = rest[load[rest] >= np.quantile(load[civil_basic], 0.75)]
    n_ext = min(plant_count(2, s), cap)
    n_rev = min(plant_count(2, s), cap)
    ext_judges = np.sort(choose(rng, busy, n_ext))

    # reassign ~30 early cases of each pair judge's court to the judge, with one lawyer
    pair_cases, pair_side, pair_lawyer = [], [], []
    taken = np.zeros(n, dtype=bool)
    used_lawyers = set()
    bar = ctx.bar
    for i, j in enumerate(pair_judges):
        jc = jt.court.iat[j]
        cand = np.flatnonzero(early & (court == jc) & ~taken)
        idx = np.sort(choose(rng, cand, n_pair_cases))
        taken[idx] = True
        judge[idx] = j
        assignment[idx] = (rng.random(len(idx)) < 0.70).astype(np.int64)
        city_lawyers = np.flatnonzero(bar.lawyer_city == courts.city.iat[jc])
        free = np.array([x for x in city_lawyers if x not in used_lawyers])
        lawyer = int(choose(rng, free if len(free) else city_lawyers, 1)[0])
        used_lawyers.add(lawyer)
        pair_cases.append(idx)
        pair_side.append(np.where(rng.random(len(idx)) < 0.6, SD_PLAINTIFF, SD_DEFENDANT))
        pair_lawyer.append(np.full(len(idx), lawyer))

    # ---- timeline ---------------------------------------------------------------
    mult = np.where(np.isin(judge, ext_judges), PLANTED_RATE_FACTOR, 1.0)
    base = lognormal_days(rng, n, 55, 0.6, 7, 180)
    closed, extensions = trial_timeline(rng, filed, base, EXTENSION_ONE * mult, EXTENSION_TWO * mult, judge, log)
    done = closed != MISSING
    method = np.array([CM_JUDGMENT, CM_RULING, CM_MEDIATION, CM_WITHDRAWAL])[categorical(rng, n, [0.48, 0.05, 0.27, 0.20])]
    pv_judgment = np.array([PV_PLAINTIFF, PV_DEFENDANT, PV_PARTIAL])[categorical(rng, n, [0.5, 0.2, 0.3])]
    prevailing = np.select(
        [method == CM_JUDGMENT, method == CM_RULING, method == CM_MEDIATION],
        [pv_judgment, np.where(rng.random(n) < 0.5, PV_DEFENDANT, PV_NONE), PV_PARTIAL], PV_NONE)
    method = np.where(done, method, MISSING)
    prevailing = np.where(done, prevailing, MISSING)

    # the favoured lawyer's side wins ~90% of the pair's decided cases
    truth_rows = []
    for i, j in enumerate(pair_judges):
        idx, side = pair_cases[i], pair_side[i]
        closed_idx = done[idx]
        method[idx[closed_idx]] = CM_JUDGMENT
        wins = rng.random(len(idx)) < 0.9
        own = np.where(side == SD_PLAINTIFF, PV_PLAINTIFF, PV_DEFENDANT)
        other = np.where(side == SD_PLAINTIFF, PV_DEFENDANT, PV_PLAINTIFF)
        lose = np.where(rng.random(len(idx)) < 0.5, other, PV_PARTIAL)
        prevailing[idx[closed_idx]] = np.where(wins, own, lose)[closed_idx]
        n_dec = int(closed_idx.sum())
        n_won = int((wins & closed_idx).sum())
        n_designated = int(assignment[idx].sum())
        truth_rows.append((j, pair_lawyer[i][0], n_won / max(n_dec, 1),
                           f"共同案件{len(idx)}件 已判决{n_dec}件 律师一方胜诉{n_won}件 指定分案{n_designated}件"))

    cases = case_frame(court=court, ctype=np.full(n, T_CIVIL), cause=CAUSE_CIVIL_BASE + cause, filed=filed,
                       closed=closed, judge=judge, assignment=assignment, close_method=method,
                       prevailing=prevailing, extensions=extensions, claim=claim)
    # ---- appeals (民终) -------------------------------------------------------------
    # Judges reversed ~3× as often, planted where a reversal rate means something: a real civil
    # judge sees 20–40 appeals a year, so the plants go to judges expecting at least
    # MIN_PLANTED_APPEALS appeals in the window (else the busiest). With a dozen appeals a 3× rate
    # is indistinguishable from chance among a province's judges (docs/quality.md).
    p_appeal = np.select([method == CM_JUDGMENT, method == CM_RULING], [0.30, 0.10], 0.0)
    expected_appeals = np.bincount(judge, weights=p_appeal, minlength=len(jt))
    others = np.setdiff1d(rest, ext_judges)
    top = others[expected_appeals[others] >= MIN_PLANTED_APPEALS]
    if len(top) < n_rev:
        top = others[np.argsort(-expected_appeals[others], kind="stable")[:n_rev]]
    rev_judges = np.sort(choose(rng, top, n_rev))
    reversal = np.where(np.isin(judge, rev_judges), PLANTED_RATE_FACTOR, 1.0)
    parent = courts.parent.to_numpy()[court]
    app_rows, app_idx, outcome = appeals(rng, cases, p_appeal, reversal, parent, T_CIVIL_APPEAL,
                                         lambda c: ctx.staff.pick(rng, C.POOL_CIVIL, c), criminal=False)
    cases["appeal"] = outcome

    # ---- ground truth ---------------------------------------------------------------
    judge_court = jt.court.to_numpy()
    for j, lawyer, share, note in truth_rows:
        ctx.plant("judge_lawyer_affinity", "judge_lawyer", "civil", judge=j, lawyer=lawyer,
                  court=judge_court[j], magnitude=round(share, 3), note=note)
    ext_notes = []
    for j in ext_judges:
        mine = judge == j
        ext_notes.append(f"延长审限案件{int((extensions[mine] > 0).sum())}/{int(mine.sum())}件 约为同行3倍")
    ctx.plant("judge_extension_rate", "judge", "civil", judge=ext_judges, court=judge_court[ext_judges],
              magnitude=PLANTED_RATE_FACTOR, note=ext_notes)
    rev_notes = []
    for j in rev_judges:
        mine = judge == j
        rev = int((mine & np.isin(outcome, [AP_AMENDED, AP_REMANDED])).sum())
        appealed = int((mine & (outcome > 0)).sum())
        rev_notes.append(f"上诉案件改判或发回{rev}/{appealed}件 约为同行3倍")
    ctx.plant("judge_reversal_rate", "judge", "civil", judge=rev_judges, court=judge_court[rev_judges],
              magnitude=PLANTED_RATE_FACTOR, note=rev_notes)

    all_cases = {k: np.concatenate([cases[k], app_rows[k]]) for k in cases}
    forced = (np.concatenate(pair_cases) if pair_cases else np.zeros(0, np.int64),
              np.concatenate(pair_side) if pair_side else np.zeros(0, np.int64),
              np.concatenate(pair_lawyer) if pair_lawyer else np.zeros(0, np.int64))
    return all_cases, forced

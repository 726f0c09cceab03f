"""Enforcement cases (执, a few 执恢) with the procedural steps of 法〔2016〕373号.

A clean 终本 (terminated_this_round) case satisfies every condition the rules
check: notice and report order, consumption restriction, online inquiries,
applicant informed, missing respondent searched, > 3 months since filing,
no substantial property, and an online inquiry at most every six months after
termination. Planted cases break exactly one condition each.
"""
from __future__ import annotations

import numpy as np

from . import courts as C
from .common import (
    CAUSE_CIVIL_BASE,
    CM_FULLY,
    CM_NOT_ENFORCED,
    CM_SETTLED,
    CM_TERMINATED,
    CM_ZB,
    EV_FUNDS_DISBURSED,
    EV_FUNDS_RECEIVED,
    EV_INQUIRY_NOTIFIED,
    EV_ONLINE_INQUIRY,
    EV_POST_TERMINATION_INQUIRY,
    EV_RESUMPTION,
    EV_SUSPENSION,
    EXPORT,
    MISSING,
    NOTE_DEFERRAL,
    NOTE_DEFERRAL_END,
    NOTE_DISBURSED,
    NOTE_INQUIRY_NOTIFIED,
    NOTE_ONLINE,
    NOTE_POST_TERMINATION,
    NOTE_RECEIVED,
    NOTE_RESUMPTION,
    START,
    T_ENF,
    T_ENF_RESUMED,
    TB_CONSENT,
    TB_HARDSHIP,
    TB_INSTALMENT,
    TB_STANDARD,
    case_frame,
    categorical,
    choose,
    day,
    lognormal_days,
    plant_count,
    timestamps,
    uniform_int,
)
from .context import Context
from .trials import EventLog

PENDING = -2
OUTCOMES = np.array([CM_FULLY, CM_ZB, CM_SETTLED, CM_TERMINATED, CM_NOT_ENFORCED, PENDING])
# Prior shares before the export date cuts off cases that had no time to close;
# realised shares come out near 35% fully enforced, 40% 终本, 10% settled.
PRIORS = np.array([0.36, 0.49, 0.10, 0.04, 0.01, 0.00])
CAUSE_SHARES = [0.30, 0.20, 0.05, 0.20, 0.05, 0.08, 0.07, 0.05, 0.0]   # over CIVIL_CAUSES
MAX_POST_INQUIRIES = 14
STALE_MARGIN_DAYS = 150
RULE_KINDS = ["zb_terminated_within_3_months", "zb_no_notice_or_report_order", "zb_no_restriction_order",
              "zb_no_online_inquiry", "zb_applicant_not_informed", "zb_missing_respondent_not_searched",
              "zb_assets_found_but_terminated", "zb_no_inquiry_after_termination"]


def draw_outcomes(rng, filed, priors):
    n = len(filed)
    u = rng.random(n)
    k = (u[:, None] > np.cumsum(priors, axis=1)).sum(axis=1).clip(0, len(OUTCOMES) - 1)
    outcome = OUTCOMES[k]
    dur = np.select(
        [outcome == CM_FULLY, outcome == CM_ZB, outcome == CM_SETTLED, outcome == CM_TERMINATED],
        [lognormal_days(rng, n, 60, 0.7, 15, 500), uniform_int(rng, np.full(n, 100), 400),
         lognormal_days(rng, n, 90, 0.7, 20, 600), lognormal_days(rng, n, 120, 0.6, 30, 600)],
        lognormal_days(rng, n, 40, 0.5, 10, 200))
    closed = filed + dur
    pending = (outcome == PENDING) | (closed > EXPORT)
    outcome = np.where(pending, PENDING, outcome)
    closed = np.where(pending, MISSING, closed)
    return outcome, closed


def timeline(rng, filed, closed, outcome, claim, officer, log: EventLog, case_offset: int,
             plan: dict | None = None):
    """Procedural steps of each case; clean unless `plan` says otherwise.

    plan: online_k (int, -1 = draw), cram (bool: steps in the last days), big_gap
    (index of a 9–14 month gap between post-termination inquiries, -1 = none),
    no_post (bool: no inquiry after termination), assets_max_share (float: a 终本
    case's find stays under this share of the outstanding claim).
    """
    n = len(filed)
    plan = plan or {}
    zb = outcome == CM_ZB
    is_closed = closed != MISSING
    end = np.where(is_closed, closed, EXPORT + 1)         # steps happen before `end`
    blank_after = lambda d: np.where((d != MISSING) & (d >= end), MISSING, d)  # noqa: E731

    notice = filed + uniform_int(rng, 1, np.full(n, 10))
    report = np.minimum(np.where(rng.random(n) < 0.7, notice, notice + uniform_int(rng, 1, np.full(n, 3))), filed + 10)
    restriction = filed + uniform_int(rng, 5, np.full(n, 30))
    listed = np.where(zb, rng.random(n) < 0.8, rng.random(n) < 0.3)
    dishonest = np.where(listed, restriction + uniform_int(rng, 0, np.full(n, 20)), MISSING)
    dishonest = np.where(zb & listed, np.minimum(dishonest, closed - 1), dishonest)
    onsite_some = np.where(zb, rng.random(n) < 0.4, rng.random(n) < 0.2)
    span = np.where(zb, closed - filed - 1, 200)
    onsite = np.where(onsite_some, filed + uniform_int(rng, 10, np.maximum(span, 10)), MISSING)
    notice, report, restriction, dishonest, onsite = (blank_after(d) for d in (notice, report, restriction, dishonest, onsite))

    # online inquiries through the 网络执行查控 system, all before closing
    k = 1 + categorical(rng, n, [0.3, 0.3, 0.2, 0.12, 0.08])
    width = end - 1 - filed
    k = np.where(width < 1, 0, k)
    online_k = plan.get("online_k")
    if online_k is not None:
        k = np.where(online_k >= 0, online_k, k)
    slots = k.max(initial=0)
    slots = max(int(slots), 1)
    u = rng.random((n, slots))
    u[:, 0] *= np.minimum(7, np.maximum(width, 1)) / np.maximum(width, 1)   # first one within a week
    dates = filed[:, None] + 1 + np.floor(u * np.maximum(width, 1)[:, None]).astype(np.int64)
    dates = np.sort(dates, axis=1)
    valid = np.arange(slots)[None, :] < k[:, None]
    cram = plan.get("cram", np.zeros(n, dtype=bool))
    if cram.any():
        ci = np.flatnonzero(cram)
        dates[ci, 0] = closed[ci] - uniform_int(rng, 1, np.full(len(ci), 3))
    # a 终本's last online inquiry lies within five months of termination (zb_online_inquiry_stale's window is
    # six): moved without a draw, so the rest of the sample keeps its draws
    last_col = np.maximum(k - 1, 0)
    last = dates[np.arange(n), last_col]
    moved = zb & (k > 0) & (last < closed - STALE_MARGIN_DAYS)
    dates[np.flatnonzero(moved), last_col[moved]] = (closed[moved] - 1
                                                     - (closed[moved] - 1 - last[moved]) % STALE_MARGIN_DAYS)
    # plan["stale"]: every inquiry more than 200 days before termination (the heuristic's planted cases)
    stale = plan.get("stale")
    if stale is not None and stale.any():
        si = np.flatnonzero(stale & (k > 0))
        span = np.maximum(closed[si] - 200 - filed[si], 1)
        dates[si] = np.sort(filed[si, None] + 1 + (dates[si] - filed[si, None] - 1) % span[:, None], axis=1)
    last_online = np.where(k > 0, np.where(valid, dates, MISSING).max(axis=1), MISSING)
    rows, cols = np.nonzero(valid)
    log.add(case_offset + rows, EV_ONLINE_INQUIRY, timestamps(rng, dates[rows, cols]), officer[rows], note=NOTE_ONLINE)

    recovered = np.select(
        [outcome == CM_FULLY, outcome == CM_SETTLED, zb, outcome == CM_TERMINATED, outcome == CM_NOT_ENFORCED],
        [claim * rng.uniform(1.0, 1.03, n), claim * rng.uniform(0.3, 0.9, n),
         np.where(rng.random(n) < 0.45, claim * rng.uniform(0.01, 0.2, n), 0.0),
         np.where(rng.random(n) < 0.3, claim * rng.uniform(0.05, 0.5, n), 0.0), 0.0],
        np.where(rng.random(n) < 0.4, claim * rng.uniform(0.05, 0.6, n), 0.0))
    recovered = np.round(np.where(is_closed | (filed <= EXPORT - 30), recovered, 0.0), 2)
    assets = np.select(
        [zb, outcome == CM_FULLY],
        [np.where(rng.random(n) < 0.7, 0.0, np.round(rng.uniform(100, 4999, n))),
         np.round(recovered * rng.uniform(1.0, 1.5, n), 2)],
        np.where(rng.random(n) < 0.5, 0.0, np.round(claim * rng.uniform(0, 0.5, n), 2)))
    max_share = plan.get("assets_max_share")
    if max_share is not None:  # a clean 终本 find covers no large share of a small claim either
        assets = np.where(zb, np.minimum(assets, np.floor(max_share * np.maximum(claim - recovered, 0))), assets)
    informed = np.where(zb, closed - uniform_int(rng, 1, np.full(n, 20)), MISSING)
    missing = np.where(zb, rng.random(n) < 0.15, rng.random(n) < 0.03)
    search = np.where(zb, np.maximum(closed - uniform_int(rng, 5, np.full(n, 40)), filed + 1),
                      np.where(rng.random(n) < 0.7, filed + uniform_int(rng, 20, np.full(n, 200)), MISSING))
    search = np.where(missing, blank_after(search), MISSING)

    if cram.any():
        ci = np.flatnonzero(cram)
        m = len(ci)
        last = lambda: closed[ci] - uniform_int(rng, 1, np.full(m, 3))  # noqa: E731
        notice[ci] = last()
        report[ci] = np.maximum(notice[ci], last())
        restriction[ci] = last()
        dishonest[ci] = np.where(rng.random(m) < 0.5, last(), MISSING)
        informed[ci] = last()
        onsite[ci] = MISSING
        missing[ci] = False
        search[ci] = MISSING
        assets[ci] = np.round(rng.uniform(5000, 9500, m))

    # Art. 9: after termination an online inquiry at most every six months, for five years.
    zi = np.flatnonzero(zb & is_closed)
    gaps = uniform_int(rng, np.full((len(zi), MAX_POST_INQUIRIES), 90), 170)
    big_gap = plan.get("big_gap")
    if big_gap is not None:
        bg = big_gap[zi]
        rows_bg = np.flatnonzero(bg >= 0)
        gaps[rows_bg, bg[rows_bg]] = uniform_int(rng, np.full(len(rows_bg), 280), 420)
    when = closed[zi][:, None] + np.cumsum(gaps, axis=1)
    ok = (when <= EXPORT) & (when <= closed[zi][:, None] + 5 * 365)
    no_post = plan.get("no_post")
    if no_post is not None:
        ok[no_post[zi]] = False
    post_until = plan.get("post_until")  # resumed on that day: the duty moves to the resumed case
    if post_until is not None:
        until = post_until[zi]
        ok &= (until == MISSING)[:, None] | (when <= until[:, None])
    r, c = np.nonzero(ok)
    log.add(case_offset + zi[r], EV_POST_TERMINATION_INQUIRY, timestamps(rng, when[r, c]), officer[zi[r]],
            note=NOTE_POST_TERMINATION)
    last_post = np.full(n, MISSING, dtype=np.int64)
    last_post[zi] = np.where(ok, when, MISSING).max(axis=1, initial=MISSING)

    return dict(notice=notice, report=report, restriction=restriction, dishonest=dishonest,
                online=k, last_online=last_online, onsite=onsite, assets=assets, informed=informed,
                missing=missing, search=search, recovered=recovered, last_post=last_post,
                post_case=zi[r], post_day=when[r, c])


def _notify(rng, T, officer, log: EventLog, case_offset: int, export: int, skip=None):
    """inquiry_result_notified events (E5): each post-termination inquiry's result told 1–10 days later."""
    case, when = T["post_case"], T["post_day"]
    told = when + uniform_int(rng, np.ones(len(when), np.int64), 10)
    keep = told <= export
    if skip is not None:
        keep &= ~np.isin(case, skip)
    log.add(case_offset + case[keep], EV_INQUIRY_NOTIFIED, timestamps(rng, told[keep]), officer[case[keep]],
            note=NOTE_INQUIRY_NOTIFIED)


def draw_receipts(rng, filed, closed, recovered):
    """Receipts of enforcement money: 1–3 per case with money recovered, before closing."""
    n = len(filed)
    u = rng.random(n)
    lo = filed + 3
    m = np.where((recovered > 0) & (lo <= EXPORT), 1 + (u < 0.4) + (u < 0.1), 0)
    hi = np.where(closed != MISSING, np.minimum(np.maximum(closed - 26, lo), closed - 1), EXPORT)
    hi = np.maximum(hi, lo)
    days = lo[:, None] + np.floor(rng.random((n, 3)) * (hi - lo + 1)[:, None]).astype(np.int64)
    days = np.sort(days, axis=1)
    valid = np.arange(3)[None, :] < m[:, None]
    shares = rng.gamma(2.0, size=(n, 3)) * valid
    shares /= np.maximum(shares.sum(axis=1, keepdims=True), 1e-12)
    amounts = np.round(recovered[:, None] * shares, 2)
    return dict(m=m, days=days, valid=valid, amounts=amounts)


def emit_funds(rng, receipts, officer, log: EventLog, case_offset: int, late=None, first_delay=None, first_share=None):
    """funds_received / funds_disbursed events: paid out 2–25 days after receipt (30-day rule).

    `late`: cases whose single receipt is paid out 45–200 days later, or never.
    `first_delay` / `first_share` (per case, NaN = as drawn): the first receipt's payout delay in days
    (10**5: never) and the share of it paid out — set by the law audit's plans without a draw of this rng.
    Returns the day of the late cases' disbursement (MISSING = not paid by the export date).
    """
    days, valid, amounts = receipts["days"], receipts["valid"], receipts["amounts"]
    n = len(days)
    delay = uniform_int(rng, np.full((n, 3), 2), 25)
    if late is not None and len(late):
        never = rng.random(len(late)) < 0.25
        delay[late, 0] = np.where(never, 10 ** 5, uniform_int(rng, np.full(len(late), 45), 200))
    if first_delay is not None:
        set_ = ~np.isnan(first_delay)
        delay[set_, 0] = first_delay[set_].astype(np.int64)
    paid_amounts = amounts.copy()
    if first_share is not None:
        set_ = ~np.isnan(first_share)
        paid_amounts[set_, 0] = np.round(amounts[set_, 0] * first_share[set_], 2)
    paid_days = days + delay
    paid = valid & (paid_days <= EXPORT)
    received_ts = timestamps(rng, days.ravel()).reshape(n, 3)
    paid_ts = timestamps(rng, np.minimum(paid_days, EXPORT).ravel()).reshape(n, 3)
    r, c = np.nonzero(valid)
    log.add(case_offset + r, EV_FUNDS_RECEIVED, received_ts[r, c], officer[r], amount=amounts[r, c], note=NOTE_RECEIVED)
    r, c = np.nonzero(paid)
    log.add(case_offset + r, EV_FUNDS_DISBURSED, paid_ts[r, c], officer[r], amount=paid_amounts[r, c], note=NOTE_DISBURSED)
    if late is None:
        return None
    return np.where(paid[late, 0], paid_days[late, 0], MISSING)


def generate(ctx: Context, n_total: int, log: EventLog, case_offset: int = 0):
    """Returns (case rows, enforcement columns, cases already carrying a planted anomaly)."""
    rng = ctx.rngs["enforcement"]
    courts = ctx.courts
    s = ctx.scale
    rules = ctx.rules
    n_res = max(1, int(round(0.01 * n_total)))
    n = n_total - n_res
    basic = courts.index[courts.level == C.LEVEL_BASIC].to_numpy()
    bw = courts.loc[basic, "weight"].to_numpy()
    court = rng.choice(basic, n, p=bw / bw.sum())
    officer = ctx.staff.pick(rng, C.POOL_ENFORCEMENT, court)
    filed = START + rng.integers(0, EXPORT - START + 1, n)
    cause = CAUSE_CIVIL_BASE + categorical(rng, n, CAUSE_SHARES)
    claim = np.round(60000 * np.exp(1.3 * rng.standard_normal(n)), 2).clip(500, 5e8)
    applicant = (rng.random(n) < 0.45).astype(np.int64)     # 1 = organisation
    respondent = (rng.random(n) < 0.30).astype(np.int64)

    # 20. officers who terminate "for this round" about twice as often as their court's peers
    jt = ctx.staff.judges
    officers = ctx.staff.pools[C.POOL_ENFORCEMENT][0]
    load = np.bincount(officer, minlength=len(jt))
    per_court = np.bincount(jt.court.to_numpy()[officers], minlength=len(courts))
    with_peers = officers[per_court[jt.court.to_numpy()[officers]] >= 3]
    n_off = min(plant_count(2, s), max(1, len(officers) // 20))
    cand = with_peers[load[with_peers] >= 60]
    if len(cand) < n_off:
        pool = with_peers if len(with_peers) >= n_off else officers
        cand = pool[np.argsort(-load[pool], kind="stable")[:n_off]]
    planted_officers = np.sort(choose(rng, cand, n_off))
    by_planted = np.isin(officer, planted_officers)
    priors = np.tile(PRIORS, (n, 1))
    high = PRIORS.copy()
    high[1] = min(0.95, 2 * PRIORS[1])
    others = np.arange(len(PRIORS)) != 1
    high[others] = PRIORS[others] * (1 - high[1]) / PRIORS[others].sum()
    priors[by_planted] = high
    outcome, closed = draw_outcomes(rng, filed, priors)

    # ---- planted 终本 cases: one rule broken each, on distinct cases --------------------
    zb_closed = (outcome == CM_ZB) & (closed != MISSING)
    used = by_planted.copy()
    # zb_assets_found_but_terminated also flags a find covering cover_share of a small claim:
    # clean finds stay at 90% of that share.
    cover_share = rules["zb_assets_found_cover_share"]
    plan = dict(online_k=np.full(n, -1), cram=np.zeros(n, dtype=bool), big_gap=np.full(n, -1),
                no_post=np.zeros(n, dtype=bool), assets_max_share=0.9 * cover_share)
    k_rule = plant_count(25, s)

    def pick(mask, k):
        chosen = np.sort(choose(rng, np.flatnonzero(mask & zb_closed & ~used), k))
        used[chosen] = True
        return chosen

    planted: dict[str, np.ndarray] = {}
    notes: dict[str, list] = {}
    # 1. terminated within three months of filing (Art. 1(4))
    idx = pick(filed <= EXPORT - 120, k_rule)
    closed[idx] = filed[idx] + uniform_int(rng, np.full(len(idx), 45), 85)
    planted[RULE_KINDS[0]] = idx
    notes[RULE_KINDS[0]] = [f"立案后{int(d)}天终本" for d in closed[idx] - filed[idx]]
    # 21. unusual but lawful: everything crammed into the last days before a 94–100 day termination
    n_odd = max(1, int(round(0.02 * zb_closed.sum())))
    odd = pick(filed <= EXPORT - 120, n_odd)
    closed[odd] = filed[odd] + uniform_int(rng, np.full(len(odd), 94), 100)
    plan["cram"][odd] = True
    plan["online_k"][odd] = 1
    # their 5,000–9,500 yuan find must stay a small share of the claim (recovered ≤ 20% of it)
    claim[odd] = np.maximum(claim[odd], 1.5 * 9500 / cover_share)
    # A court whose log holds no post-termination inquiry (batch 总对总 queries not written to each case):
    # zb_inquiry_log_incomplete notes it once, and its cases are lawful exceptions of the per-case rule.
    due = zb_closed & (closed <= EXPORT - 200)
    silent_court = int(np.argmax(np.bincount(court[due], minlength=len(courts))))
    silent = court == silent_court
    plan["no_post"][silent & zb_closed] = True
    # 8. no online inquiry for more than six months after termination (Art. 9)
    idx_none = pick((closed <= day("2024-04-30")) & ~silent, k_rule // 3)
    idx_gap = pick((closed <= day("2023-12-31")) & ~silent, k_rule - len(idx_none))
    plan["no_post"][idx_none] = True
    plan["big_gap"][idx_gap] = np.where((closed[idx_gap] <= day("2023-06-30")) & (rng.random(len(idx_gap)) < 0.5), 1, 0)
    planted[RULE_KINDS[7]] = np.sort(np.concatenate([idx_none, idx_gap]))
    # 4. no online inquiry before termination
    idx4 = pick(np.ones(n, dtype=bool), k_rule)
    plan["online_k"][idx4] = 0
    planted[RULE_KINDS[3]] = idx4
    notes[RULE_KINDS[3]] = ["终本前未经网络查控"] * len(idx4)
    rest = {kind: pick(np.ones(n, dtype=bool), k_rule) for kind in (RULE_KINDS[1], RULE_KINDS[2], RULE_KINDS[4], RULE_KINDS[5])}
    min_yuan = rules["zb_assets_found_min_yuan"]
    min_share = rules["zb_assets_found_min_share"]
    idx7 = pick(claim >= 3.5 * min_yuan / min_share, k_rule)  # room for a substantial find

    # ---- the law audit's plans (issue 15), from their own generator so the draws above stay as they were ----
    audit = ctx.rngs["audit"]

    def pick_a(mask, k):
        chosen = np.sort(choose(audit, np.flatnonzero(mask & zb_closed & ~used), k))
        used[chosen] = True
        return chosen

    basis = np.where(outcome == CM_ZB, TB_STANDARD, MISSING)          # E3: the ground of a 终本
    # lawful: 终本 within three months on a ground that condition does not bind (法发〔2014〕26号 第十六条)
    lawful_3m = pick_a(filed <= EXPORT - 120, plant_count(6, s))
    closed[lawful_3m] = filed[lawful_3m] + uniform_int(audit, np.full(len(lawful_3m), 45), 85)
    basis[lawful_3m] = np.array([TB_INSTALMENT, TB_CONSENT, TB_HARDSHIP])[np.arange(len(lawful_3m)) % 3]
    # planted heuristic: every online inquiry long before termination (zb_online_inquiry_stale)
    stale = pick_a((closed - filed >= 300) & (plan["online_k"] != 0), plant_count(10, s))
    plan["stale"] = np.isin(np.arange(n), stale)
    # lawful: resumed after termination — the six-monthly duty moves to the resumed case
    resumed = pick_a((closed <= EXPORT - 420) & ~silent, plant_count(5, s))
    plan["post_until"] = np.full(n, MISSING, dtype=np.int64)
    plan["post_until"][resumed] = np.minimum(closed[resumed] + uniform_int(audit, np.full(len(resumed), 200), 400),
                                             EXPORT - 190)

    T = timeline(rng, filed, closed, outcome, claim, officer, log, case_offset, plan)

    # break one condition each
    def late_or_blank(idx):
        """A date after termination (≤ export), or blank."""
        can_late = closed[idx] <= EXPORT - 35
        late = can_late & (rng.random(len(idx)) < 0.4)
        when = closed[idx] + uniform_int(rng, np.full(len(idx), 3), 30)
        return np.where(late, when, MISSING)

    idx = rest[RULE_KINDS[1]]
    which = rng.random(len(idx)) < 0.5
    T["notice"][idx[which]] = late_or_blank(idx[which])
    T["report"][idx[~which]] = late_or_blank(idx[~which])
    planted[RULE_KINDS[1]] = idx
    notes[RULE_KINDS[1]] = ["未送达执行通知书" if w else "未发出报告财产令" for w in which]
    idx = rest[RULE_KINDS[2]]
    T["restriction"][idx] = late_or_blank(idx)
    planted[RULE_KINDS[2]] = idx
    notes[RULE_KINDS[2]] = ["终本前未发出限制消费令"] * len(idx)
    idx = rest[RULE_KINDS[4]]
    T["informed"][idx] = late_or_blank(idx)
    planted[RULE_KINDS[4]] = idx
    notes[RULE_KINDS[4]] = ["终本前未约谈/告知申请执行人"] * len(idx)
    idx = rest[RULE_KINDS[5]]
    T["missing"][idx] = True
    T["search"][idx] = late_or_blank(idx)
    planted[RULE_KINDS[5]] = idx
    notes[RULE_KINDS[5]] = ["被执行人下落不明 终本前未查找"] * len(idx)
    outstanding = claim[idx7] - T["recovered"][idx7]
    T["assets"][idx7] = np.round(np.maximum(outstanding * rng.uniform(0.3, 0.9, len(idx7)), 1.2 * min_yuan))
    planted[RULE_KINDS[6]] = idx7
    notes[RULE_KINDS[6]] = [f"查到财产{a:.0f}元 未执行标的{o:.0f}元" for a, o in zip(T["assets"][idx7], outstanding)]
    # the applicant told each post-termination inquiry's result 1–10 days later (法〔2016〕373号 第九条第二款;
    # E5), except in the planted cases told nothing
    has_post = np.isin(np.arange(n), T["post_case"])
    untold = pick_a(has_post & ~silent & (closed <= EXPORT - 200), plant_count(5, s))
    _notify(audit, T, officer, log, case_offset, EXPORT, skip=untold)
    log.add(case_offset + resumed, EV_RESUMPTION, timestamps(audit, plan["post_until"][resumed]), officer[resumed],
            note=NOTE_RESUMPTION)
    planted[RULE_KINDS[7]] = np.sort(np.concatenate([idx_none, idx_gap, untold]))
    gap_note = {i: "终本后未进行网络查控" for i in idx_none}
    gap_note.update({i: "终本后网络查控间隔超过六个月" for i in idx_gap})
    gap_note.update({i: "终本后查询结果未告知申请执行人" for i in untold})
    notes[RULE_KINDS[7]] = [gap_note[i] for i in planted[RULE_KINDS[7]]]
    # lawful: a substantial find recorded as property that cannot be disposed of (法〔2016〕373号 第四条; E4)
    undisposable = np.zeros(n, dtype=bool)
    lawful_assets = pick_a(claim >= 3.5 * min_yuan / min_share, plant_count(5, s))
    outstanding_a = claim[lawful_assets] - T["recovered"][lawful_assets]
    T["assets"][lawful_assets] = np.round(np.maximum(outstanding_a * audit.uniform(0.3, 0.9, len(lawful_assets)),
                                                     1.2 * min_yuan))
    undisposable[lawful_assets] = True
    # an export that does not always record the ground: E3 blank on a few other 终本 cases
    basis[zb_closed & ~used & (audit.random(n) < 0.02)] = MISSING

    # ---- 执恢: resumed after a post-termination inquiry found property ----------------
    clean_zb = zb_closed & ~used
    orig_cand = np.flatnonzero(clean_zb & (T["last_post"] != MISSING) & (T["last_post"] <= EXPORT - 20))
    orig = np.sort(choose(rng, orig_cand, n_res))
    n_res = len(orig)
    r_filed = T["last_post"][orig] + uniform_int(rng, np.zeros(n_res, np.int64), 3)
    log.add(case_offset + orig, EV_RESUMPTION, r_filed * 86400 + 17 * 3600 + 45 * 60, officer[orig], note=NOTE_RESUMPTION)
    r_priors = np.tile([0.35, 0.2, 0.1, 0.02, 0.0, 0.33], (n_res, 1))
    r_outcome, r_closed = draw_outcomes(rng, r_filed, r_priors)
    r_claim = np.round(np.maximum(claim[orig] - T["recovered"][orig], 500), 2)
    R = timeline(rng, r_filed, r_closed, r_outcome, r_claim, officer[orig], log, case_offset + n,
                 dict(assets_max_share=plan["assets_max_share"]))
    _notify(audit, R, officer[orig], log, case_offset + n, EXPORT)

    # ---- funds, with 13. funds held more than 30 days ----------------------------------
    all_officer = np.concatenate([officer, officer[orig]])
    recovered = np.concatenate([T["recovered"], R["recovered"]])
    receipts = draw_receipts(rng, np.concatenate([filed, r_filed]), np.concatenate([closed, r_closed]), recovered)
    single = np.flatnonzero((receipts["m"][:n] == 1) & (receipts["days"][:n, 0] <= day("2024-11-15")) & ~used)
    late = np.sort(choose(rng, single, plant_count(15, s)))
    used[late] = True
    # the law audit: a small partial payout of a large receipt (planted); lawful: paid out on day 30, 95% paid out
    # (执行费 settled), a deferral (suspension) then a resumption and payout in time, a deferral still running
    first_delay = np.full(len(receipts["m"]), np.nan)
    first_share = np.full(len(receipts["m"]), np.nan)

    def pick_f(mask, k):
        cand = single[mask[single] & ~used[single]]
        chosen = np.sort(choose(audit, cand, k))
        used[chosen] = True
        return chosen

    everyone = np.ones(n, dtype=bool)
    rec0 = np.zeros(n)
    rec0[single] = receipts["amounts"][single, 0]
    partial = pick_f(rec0 >= 20000, plant_count(5, s))
    first_delay[partial] = uniform_int(audit, np.full(len(partial), 2), 25)
    first_share[partial] = 0.1
    day30 = pick_f(everyone, plant_count(3, s))
    first_delay[day30] = 30
    fee = pick_f(everyone, plant_count(3, s))
    first_share[fee] = 0.95
    not_zb = outcome != CM_ZB  # a resumption on a 终本 case would end its inquiry duty
    received0 = np.full(n, MISSING, dtype=np.int64)
    received0[single] = receipts["days"][single, 0]
    deferred = pick_f(not_zb & (received0 <= EXPORT - 150), plant_count(3, s))
    first_delay[deferred] = uniform_int(audit, np.full(len(deferred), 60), 120)
    still_deferred = pick_f(not_zb, plant_count(2, s))
    first_delay[still_deferred] = 10 ** 5
    suspended = np.concatenate([deferred, still_deferred])
    suspended_on = received0[suspended] + uniform_int(audit, np.ones(len(suspended), np.int64), 20)
    log.add(case_offset + suspended, EV_SUSPENSION, timestamps(audit, np.minimum(suspended_on, EXPORT)),
            officer[suspended], note=NOTE_DEFERRAL)
    paid_on = received0[deferred] + first_delay[deferred].astype(np.int64)
    restarted = np.maximum(suspended_on[:len(deferred)] + 1,
                           paid_on - uniform_int(audit, np.ones(len(deferred), np.int64), 25))
    log.add(case_offset + deferred, EV_RESUMPTION, timestamps(audit, restarted), officer[deferred], note=NOTE_DEFERRAL_END)
    paid = emit_funds(rng, receipts, all_officer, log, case_offset, late=late, first_delay=first_delay,
                      first_share=first_share)
    received = receipts["days"][late, 0]
    funds_notes = [f"执行款到账后{int(p - r)}天发放" if p != MISSING else "执行款到账后截至导出日未发放"
                   for r, p in zip(received, paid)]
    funds_mag = np.where(paid != MISSING, paid - received, np.nan)

    # ---- rows --------------------------------------------------------------------------
    m_all = n + n_res
    case_rows = case_frame(
        court=np.concatenate([court, court[orig]]),
        ctype=np.concatenate([np.full(n, T_ENF), np.full(n_res, T_ENF_RESUMED)]),
        cause=np.concatenate([cause, cause[orig]]),
        filed=np.concatenate([filed, r_filed]),
        closed=np.concatenate([closed, r_closed]),
        judge=all_officer,
        assignment=(rng.random(m_all) < 0.05).astype(np.int64),
        close_method=np.where(np.concatenate([outcome, r_outcome]) == PENDING, MISSING,
                              np.concatenate([outcome, r_outcome])),
        claim=np.concatenate([claim, r_claim]),
    )
    cols = {k: np.concatenate([T[k], R[k]]) for k in T if k not in ("last_post", "post_case", "post_day")}
    cols["basis"] = np.concatenate([basis, np.where(r_outcome == CM_ZB, TB_STANDARD, MISSING)])
    cols["undisposable"] = np.concatenate([undisposable, np.zeros(n_res, dtype=bool)])
    cols["undisposable_known"] = np.concatenate([outcome == CM_ZB, r_outcome == CM_ZB])
    cols["applicant"] = np.concatenate([applicant, applicant[orig]])
    cols["respondent"] = np.concatenate([respondent, respondent[orig]])

    # ---- ground truth ----------------------------------------------------------------
    for kind in RULE_KINDS:
        idx = planted[kind]
        ctx.plant(kind, "case", "enforcement", case=idx, judge=officer[idx], court=court[idx], note=notes[kind])
    ids = lambda idx: dict(case=idx, judge=officer[idx], court=court[idx])  # noqa: E731
    ctx.plant("zb_online_inquiry_stale", "case", "enforcement", **ids(stale), note="终本前最近一次网络查控距终本超过六个月")
    ctx.plant("zb_inquiry_log_incomplete", "court", "enforcement", court=np.array([silent_court]),
              note="全院终本案件均无终本后查询记录")
    quiet = np.flatnonzero(silent & zb_closed & (closed < EXPORT - 184))
    ctx.lawful("lawful_zb_inquiry_log_not_exported", ("zb_no_inquiry_after_termination",), "case", "enforcement",
               **ids(quiet), note="全院终本后查询未逐案记录（总对总批量查询）")
    ctx.lawful("lawful_zb_duty_moved_by_resumption", ("zb_no_inquiry_after_termination",), "case", "enforcement",
               **ids(resumed), note="终本后恢复执行，查询义务转至恢复执行案件")
    ctx.lawful("lawful_zb_within_3_months_exception", ("zb_terminated_within_3_months",), "case", "enforcement",
               **ids(lawful_3m), note=[f"立案后{int(d)}天终本（{b}）" for d, b in zip(
                   closed[lawful_3m] - filed[lawful_3m], ["分期履行和解", "申请执行人书面同意", "特困救助"] * len(lawful_3m))])
    ctx.lawful("lawful_zb_assets_undisposable", ("zb_assets_found_but_terminated",), "case", "enforcement",
               **ids(lawful_assets), note="查到的财产不能处置（第四条）")
    ctx.plant("funds_not_disbursed_30_days", "case", "enforcement", **ids(partial),
              note="到账后30日内仅发放到账金额的10%")
    for kind, idx, note in (("lawful_funds_paid_on_day_30", day30, "到账后第30日发放"),
                            ("lawful_funds_fee_deducted", fee, "到账后30日内发放95%（扣除执行费）"),
                            ("lawful_funds_deferred", deferred, "经批准延缓发放，恢复后30日内发放"),
                            ("lawful_funds_still_deferred", still_deferred, "经批准延缓发放，尚未恢复")):
        ctx.lawful(kind, ("funds_not_disbursed_30_days",), "case", "enforcement", **ids(idx), note=note)
    ctx.plant("funds_not_disbursed_30_days", "case", "enforcement", case=late, judge=officer[late],
              court=court[late], magnitude=funds_mag, note=funds_notes)
    ctx.plant("termination_procedure_outlier", "case", "enforcement", case=odd, judge=officer[odd], court=court[odd],
              note=[f"立案后{int(d)}天终本 各项措施集中在终本前三日内" for d in closed[odd] - filed[odd]])
    closed_all = case_rows["close_method"] != MISSING
    is_zb = case_rows["close_method"] == CM_ZB
    off_notes, off_mag = [], []
    for o in planted_officers:
        mine = (case_rows["judge"] == o) & closed_all
        peers = (case_rows["court"] == jt.court.iat[o]) & closed_all & ~mine & (case_rows["ctype"] == T_ENF)
        share = is_zb[mine].mean() if mine.any() else np.nan
        peer_share = is_zb[peers].mean() if peers.any() else np.nan
        off_notes.append(f"终本率{share:.0%}（{int(mine.sum())}件已结） 本院其他执行员{peer_share:.0%}")
        off_mag.append(2.0)
    ctx.plant("officer_termination_rate", "judge", "enforcement", judge=planted_officers,
              court=jt.court.to_numpy()[planted_officers], magnitude=np.array(off_mag), note=off_notes)
    used_all = np.concatenate([used, np.zeros(n_res, dtype=bool)])
    used_all[n + np.arange(n_res)] = False
    return case_rows, cols, used_all

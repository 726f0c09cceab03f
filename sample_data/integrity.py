"""Case-handling events common to every case type, and the integrity plants.

Reassignments, suspensions, recusals and clerical post-closing edits (0–6 days
after closing) on clean cases; planted: late post-closing edits (60–400 days)
and recorded interference (三个规定 registrations).
"""
from __future__ import annotations

import numpy as np

from . import courts as C
from .common import (
    CASE_TYPES,
    EV_INTERFERENCE,
    EV_POST_CLOSE_EDIT,
    EV_REASSIGNMENT,
    EV_RECUSAL,
    EV_SUSPENSION,
    EXPORT,
    MISSING,
    NOTE_EDIT_INFO,
    NOTE_EDIT_TYPO,
    NOTE_INTERFERENCE_IN,
    NOTE_INTERFERENCE_OUT,
    NOTE_REASSIGNMENT,
    NOTE_RECUSAL,
    NOTE_SUSPENSION_ENF,
    NOTE_SUSPENSION_TRIAL,
    T_CIVIL,
    T_CIVIL_APPEAL,
    T_CRIM,
    T_CRIM_APPEAL,
    T_ENF,
    T_ENF_RESUMED,
    choose,
    plant_count,
    timestamps,
    uniform_int,
)
from .context import Context
from .trials import EventLog


def generate(ctx: Context, cases: dict, excluded: np.ndarray, log: EventLog) -> None:
    rng = ctx.rngs["integrity"]
    n = len(cases["filed"])
    filed, closed, judge, court, ctype = (cases[k] for k in ("filed", "closed", "judge", "court", "ctype"))
    is_closed = closed != MISSING
    end = np.where(is_closed, closed, EXPORT)
    trial = np.isin(ctype, [T_CRIM, T_CRIM_APPEAL, T_CIVIL, T_CIVIL_APPEAL])
    enf = np.isin(ctype, [T_ENF, T_ENF_RESUMED])
    during = filed + np.floor(rng.random(n) * (end - filed + 1)).astype(np.int64)

    def add(mask, event, note, actor=None):
        idx = np.flatnonzero(mask)
        log.add(idx, event, timestamps(rng, during[idx]), judge[idx] if actor is None else actor[idx], note=note)

    r = rng.random(n)
    add(trial & (r < 0.02), EV_REASSIGNMENT, NOTE_REASSIGNMENT)
    add(np.isin(ctype, [T_CIVIL]) & (r >= 0.02) & (r < 0.04), EV_SUSPENSION, NOTE_SUSPENSION_TRIAL)
    # not on a case with a plant or a lawful exception: a suspension stops its funds' payout clock
    add(enf & (r < 0.01) & ~excluded, EV_SUSPENSION, NOTE_SUSPENSION_ENF)
    add(trial & (r >= 0.04) & (r < 0.043), EV_RECUSAL, NOTE_RECUSAL)

    s = ctx.scale
    free = ~excluded
    # 14. edits long after closing (clerical corrections come within days)
    late = np.sort(choose(rng, np.flatnonzero(free & is_closed & (closed <= EXPORT - 60)), plant_count(15, s)))
    free[late] = False
    late_day = closed[late] + uniform_int(rng, np.full(len(late), 60), np.minimum(400, EXPORT - closed[late]))
    # 15. interference recorded on a case
    meddled = np.sort(choose(rng, np.flatnonzero(free), plant_count(15, s)))
    free[meddled] = False

    assistant = ctx.staff.pick(rng, C.POOL_ASSISTANT, court)
    by_assistant = rng.random(n) < 0.5
    editor = np.where(by_assistant, assistant, judge)
    clean_edit = is_closed & ~np.isin(np.arange(n), late) & (rng.random(n) < 0.03)
    ci = np.flatnonzero(clean_edit)
    edit_day = closed[ci] + uniform_int(rng, np.zeros(len(ci), np.int64), np.minimum(6, EXPORT - closed[ci]))
    notes = np.where(rng.random(n) < 0.6, NOTE_EDIT_TYPO, NOTE_EDIT_INFO)
    log.add(ci, EV_POST_CLOSE_EDIT, timestamps(rng, edit_day), editor[ci], note=notes[ci])
    log.add(late, EV_POST_CLOSE_EDIT, timestamps(rng, late_day), editor[late], note=notes[late])
    ctx.plant("late_post_close_edit", "case", "all", case=late, judge=judge[late], court=court[late],
              magnitude=(late_day - closed[late]).astype(np.float64),
              note=[f"结案后{int(d)}天修改" for d in late_day - closed[late]])
    _interference(ctx, cases, free, meddled, trial & (r < 0.02), during, log)


INTERFERENCE_RATE = 0.06  # denser than real records, so that a court of the small sample can show their absence


def _interference(ctx: Context, cases: dict, free: np.ndarray, meddled: np.ndarray, reassigned: np.ndarray,
                  during: np.ndarray, log: EventLog) -> None:
    """Interference records (三个规定 registrations), from the audit generator: recording is the duty, so records on
    cases whose handling then stays as it was are lawful exceptions; planted: records followed by a change of
    judge (interference_followed_by_change), and one court that records none (interference_records_absent)."""
    rng = ctx.rngs["audit"]
    n = len(cases["filed"])
    court, judge, ctype, filed, closed = (cases[k] for k in ("court", "judge", "ctype", "filed", "closed"))
    end = np.where(closed != MISSING, closed, EXPORT)
    clean = free.copy()
    clean[meddled] = True  # the records drawn before (still lawful ones, where nothing follows)
    clean &= ~reassigned & (cases["assignment"] != 1)
    per_court = np.bincount(court, minlength=len(ctx.courts))
    basic = ctx.courts.level.to_numpy() == C.LEVEL_BASIC
    silent_court = int(np.argmax(np.where(basic, per_court, -1)))
    recorded = clean & (court != silent_court) & (rng.random(n) < INTERFERENCE_RATE)
    recorded[meddled[clean[meddled] & (court[meddled] != silent_court)]] = True
    # every other court whose caseload would show its absence records at least one
    rate = recorded.sum() / n
    has = np.bincount(court[recorded], minlength=len(per_court))
    for c in np.flatnonzero((has == 0) & (per_court * rate >= 3) & (np.arange(len(per_court)) != silent_court)):
        pool = np.flatnonzero(clean & (court == c))
        if len(pool):
            recorded[choose(rng, pool, 1)] = True
    records = np.flatnonzero(recorded)
    # planted: a record, then a change of judge 1–30 days later
    k = plant_count(8, ctx.scale)
    cand = np.flatnonzero(free & ~recorded & ~reassigned & (cases["assignment"] != 1) & (court != silent_court)
                          & np.isin(ctype, [T_CRIM, T_CIVIL]) & (end - filed >= 40))
    followed = np.sort(choose(rng, cand, k))
    record_day = filed[followed] + uniform_int(rng, np.zeros(len(followed), np.int64), (end[followed] - filed[followed]) // 2)
    change_day = np.minimum(record_day + uniform_int(rng, np.ones(len(followed), np.int64), 30), end[followed])
    when = during.copy()
    when[followed] = record_day
    every = np.concatenate([records, followed])
    log.add(every, EV_INTERFERENCE, timestamps(rng, when[every]), judge[every],
            note=np.where(rng.random(len(every)) < 0.5, NOTE_INTERFERENCE_OUT, NOTE_INTERFERENCE_IN))
    log.add(followed, EV_REASSIGNMENT, timestamps(rng, change_day) + 3600, judge[followed], note=NOTE_REASSIGNMENT)
    ctx.plant("interference_followed_by_change", "case", "all", case=followed, judge=judge[followed], court=court[followed],
              note=[f"{CASE_TYPES[t]}案件 过问登记后变更承办人" for t in ctype[followed]])
    expected = per_court[silent_court] * (len(records) + len(followed)) / n
    if expected >= ctx.rules["interference_absent_min_expected"]:  # a court too small to show the absence is no plant
        ctx.plant("interference_records_absent", "court", "all", court=np.array([silent_court]),
                  note=f"全院{per_court[silent_court]}件案件无过问案件登记（按全省比例约应有{expected:.1f}件）")
    ctx.lawful("lawful_interference_recorded", ("interference_followed_by_change",), "case", "all",
               case=records, judge=judge[records], court=court[records], note="过问已如实登记，办案未见变化")

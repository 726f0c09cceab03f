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
    log.add(meddled, EV_INTERFERENCE, timestamps(rng, during[meddled]), judge[meddled],
            note=np.where(rng.random(len(meddled)) < 0.5, NOTE_INTERFERENCE_OUT, NOTE_INTERFERENCE_IN))

    ctx.plant("late_post_close_edit", "case", "all", case=late, judge=judge[late], court=court[late],
              magnitude=(late_day - closed[late]).astype(np.float64),
              note=[f"结案后{int(d)}天修改" for d in late_day - closed[late]])
    ctx.plant("interference_recorded", "case", "all", case=meddled, judge=judge[meddled], court=court[meddled],
              note=[f"{CASE_TYPES[t]}案件 过问登记" for t in ctype[meddled]])

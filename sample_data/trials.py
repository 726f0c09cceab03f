"""Trial mechanics shared by criminal and civil cases: deadlines, extensions, appeals.

A first-instance case closes after a base duration plus its approved
extensions (审限延长); an appealed judgment opens a 终 case at the court above
whose outcome is also written on the first-instance case (appeal_outcome) and
which closes within its statutory limit (sample_data/patrol.py keeps the
first-instance and enforcement cases within theirs).
"""
from __future__ import annotations

import numpy as np

from .common import (
    AP_AMENDED,
    AP_NONE,
    AP_REMANDED,
    AP_UPHELD,
    AP_WITHDRAWN,
    CM_JUDGMENT,
    CM_RULING,
    CM_WITHDRAWAL,
    EV_EXTENSION,
    EXPORT,
    MISSING,
    NOTE_EXTENSION,
    PV_NONE,
    PV_PARTIAL,
    case_frame,
    lognormal_days,
    timestamps,
    uniform_int,
)

# Appeal outcomes (shares of concluded appeals) — reversal = amended + remanded.
APPEAL_BASE = {AP_UPHELD: 0.72, AP_AMENDED: 0.12, AP_REMANDED: 0.05, AP_WITHDRAWN: 0.11}


class EventLog:
    """Events collected by the parts of the generator, with case numbers local to a part."""

    def __init__(self):
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, case, event, ts, actor, amount=None, note=None, approver=None):
        case = np.asarray(case, dtype=np.int64)
        n = len(case)
        if n == 0:
            return
        self.parts.append(dict(
            case=case,
            event=np.broadcast_to(np.asarray(event, dtype=np.int64), n).copy(),
            ts=np.asarray(ts, dtype=np.int64),
            actor=np.broadcast_to(np.asarray(actor, dtype=np.int64), n).copy(),
            amount=np.full(n, np.nan) if amount is None else np.asarray(amount, dtype=np.float64),
            note=np.full(n, -1, dtype=np.int64) if note is None
            else np.broadcast_to(np.asarray(note, dtype=np.int64), n).copy(),
            # who approved the event (events.approver_id, contract extension E6); MISSING when not recorded
            approver=np.full(n, MISSING, dtype=np.int64) if approver is None
            else np.broadcast_to(np.asarray(approver, dtype=np.int64), n).copy(),
        ))

    def concat(self, offset: int = 0) -> dict[str, np.ndarray]:
        keys = ["case", "event", "ts", "actor", "amount", "note", "approver"]
        if not self.parts:
            return {k: np.zeros(0, dtype=np.float64 if k == "amount" else np.int64) for k in keys}
        out = {k: np.concatenate([p[k] for p in self.parts]) for k in keys}
        out["case"] = out["case"] + offset
        return out


def trial_timeline(rng, filed, base_days, p_one, p_two, judge, log: EventLog, ext_days=(30, 90)):
    """Closing dates and extension events; returns (closed or MISSING, extensions).

    The k-th extension is requested at 80% of the base duration plus the earlier
    extensions, so every extension event lies before closing; a pending case
    counts only the extensions granted by the export date.
    """
    n = len(filed)
    r = rng.random(n)
    n_ext = (r < p_one + p_two).astype(np.int64) + (r < p_two)
    lens = uniform_int(rng, np.full((n, 2), ext_days[0]), np.full((n, 2), ext_days[1]))
    lens[n_ext < 1, 0] = 0
    lens[n_ext < 2, 1] = 0
    closed = filed + base_days + lens.sum(axis=1)
    first = filed + (base_days * 8) // 10
    second = first + lens[:, 0]
    has1 = (n_ext >= 1) & (first <= EXPORT)
    has2 = (n_ext >= 2) & (second <= EXPORT)
    for has, when in ((has1, first), (has2, second)):
        idx = np.flatnonzero(has)
        log.add(idx, EV_EXTENSION, timestamps(rng, when[idx]), judge[idx], note=NOTE_EXTENSION)
    closed = np.where(closed > EXPORT, MISSING, closed)
    return closed, has1.astype(np.int64) + has2



def appeal_outcome_probs(reversal_factor: np.ndarray) -> np.ndarray:
    """Outcome probabilities per case (columns upheld, amended, remanded, withdrawn)."""
    f = np.asarray(reversal_factor, dtype=np.float64)
    amended = APPEAL_BASE[AP_AMENDED] * f
    remanded = APPEAL_BASE[AP_REMANDED] * f
    rest = 1.0 - amended - remanded
    keep = APPEAL_BASE[AP_UPHELD] + APPEAL_BASE[AP_WITHDRAWN]
    upheld = APPEAL_BASE[AP_UPHELD] / keep * rest
    withdrawn = APPEAL_BASE[AP_WITHDRAWN] / keep * rest
    return np.stack([upheld, amended, remanded, withdrawn], axis=1)


def appeals(rng, first: dict, p_appeal, reversal_factor, appeal_court, appeal_type: int,
            pick_judge, criminal: bool):
    """Appellate cases for appealed first-instance judgments.

    Returns (appeal case rows, index of the appealed first-instance case, the
    first-instance appeal_outcome column). Appeals still pending at the export
    date leave both outcomes blank (unknown).
    """
    n = len(first["filed"])
    closed = first["closed"]
    decided = (closed != MISSING) & np.isin(first["close_method"], [CM_JUDGMENT, CM_RULING])
    appealed = decided & (rng.random(n) < p_appeal)
    a_filed = np.where(appealed, closed + uniform_int(rng, 10, 30), MISSING)
    appealed &= a_filed <= EXPORT
    outcome_col = np.where(closed != MISSING, AP_NONE, MISSING).astype(np.int64)
    idx = np.flatnonzero(appealed)
    probs = appeal_outcome_probs(np.asarray(reversal_factor)[idx] if np.ndim(reversal_factor) else
                                 np.full(len(idx), float(reversal_factor)))
    codes = np.array([AP_UPHELD, AP_AMENDED, AP_REMANDED, AP_WITHDRAWN])
    u = rng.random(len(idx))
    outcome = codes[(u[:, None] > np.cumsum(probs, axis=1)).sum(axis=1).clip(0, 3)]
    filed_a = a_filed[idx]
    # Within the appeal's time limit: 刑诉法 §243 two months, 民诉法 §183 three months (the shortest month
    # lengths: 59 and 89 days), so no appeal needs an extension the sample does not record. Same draws as before.
    closed_a = filed_a + (lognormal_days(rng, len(idx), 42, 0.3, 15, 57) if criminal
                          else lognormal_days(rng, len(idx), 55, 0.35, 20, 87))
    pending = closed_a > EXPORT
    closed_a = np.where(pending, MISSING, closed_a)
    outcome = np.where(pending, MISSING, outcome)
    outcome_col[idx] = outcome
    court = appeal_court[idx]
    if criminal:
        method = np.select([outcome == AP_AMENDED, outcome == MISSING], [CM_JUDGMENT, MISSING], CM_RULING)
        prevailing = np.full(len(idx), MISSING)
    else:
        method = np.select([outcome == AP_UPHELD, outcome == AP_AMENDED, outcome == AP_REMANDED,
                            outcome == AP_WITHDRAWN], [CM_JUDGMENT, CM_JUDGMENT, CM_RULING, CM_WITHDRAWAL],
                           MISSING)
        prevailing = np.select([outcome == AP_UPHELD, outcome == AP_AMENDED, outcome == MISSING],
                               [first["prevailing"][idx], PV_PARTIAL, MISSING], PV_NONE)
    rows = case_frame(
        court=court, ctype=np.full(len(idx), appeal_type), cause=first["cause"][idx],
        filed=filed_a, closed=closed_a, judge=pick_judge(court),
        assignment=(rng.random(len(idx)) < 0.05).astype(np.int64),
        close_method=method, prevailing=prevailing, appeal=outcome,
        claim=first["claim"][idx],
    )
    return rows, idx, outcome_col

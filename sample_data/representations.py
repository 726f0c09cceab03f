"""Lawyers on cases: most civil parties and many criminal defendants are represented.

A lawyer works mostly in the city of the firm; the planted judge–lawyer
pairs (from civil.py) are written in place of whatever lawyer that side had.
"""
from __future__ import annotations

import numpy as np

from .common import (
    SD_APPLICANT,
    SD_DEFENDANT,
    SD_DEFENSE,
    SD_PLAINTIFF,
    SD_RESPONDENT,
    T_CIVIL,
    T_CIVIL_APPEAL,
    T_CRIM,
    T_CRIM_APPEAL,
    T_ENF,
    T_ENF_RESUMED,
)
from .context import Context

# (case types, side, probability that the side has a lawyer)
COVERAGE = [
    ((T_CIVIL, T_CIVIL_APPEAL), SD_PLAINTIFF, 0.70),
    ((T_CIVIL, T_CIVIL_APPEAL), SD_DEFENDANT, 0.50),
    ((T_CRIM,), SD_DEFENSE, 0.60),
    ((T_CRIM_APPEAL,), SD_DEFENSE, 0.70),
    ((T_ENF, T_ENF_RESUMED), SD_APPLICANT, 0.30),
    ((T_ENF, T_ENF_RESUMED), SD_RESPONDENT, 0.05),
]


def generate(ctx: Context, cases: dict, forced) -> dict[str, np.ndarray]:
    rng = ctx.rngs["representations"]
    bar = ctx.bar
    ctype, court = cases["ctype"], cases["court"]
    city = ctx.courts.city.to_numpy()[court]
    city = np.where(city < 0, 0, city)          # the high court sits in 杭州
    n_cities = int(bar.lawyer_city.max()) + 1
    city_w = np.bincount(bar.lawyer_city, minlength=n_cities).astype(np.float64)
    case_parts, side_parts = [], []
    for types, side, p in COVERAGE:
        idx = np.flatnonzero(np.isin(ctype, types) & (rng.random(len(ctype)) < p))
        case_parts.append(idx)
        side_parts.append(np.full(len(idx), side))
    rc = np.concatenate(case_parts)
    rs = np.concatenate(side_parts)
    away = rng.random(len(rc)) < 0.10
    lawyer_city = np.where(away, rng.choice(n_cities, len(rc), p=city_w / city_w.sum()), city[rc])
    rl = bar.pick(rng, lawyer_city)

    f_case, f_side, f_lawyer = forced
    if len(f_case):
        # the favoured lawyer replaces that side's lawyer, and never sits on the other side
        key = rc * 8 + rs
        drop = np.isin(key, f_case * 8 + f_side)
        pair_key = f_case.astype(np.int64) * 10 ** 6 + f_lawyer
        drop |= np.isin(rc.astype(np.int64) * 10 ** 6 + rl, pair_key)
        rc, rs, rl = rc[~drop], rs[~drop], rl[~drop]
        rc = np.concatenate([rc, f_case])
        rs = np.concatenate([rs, f_side])
        rl = np.concatenate([rl, f_lawyer])
    # one lawyer cannot act for both sides of a case
    order = np.lexsort((rs, rl, rc))
    rc, rs, rl = rc[order], rs[order], rl[order]
    dup = np.zeros(len(rc), dtype=bool)
    dup[1:] = (rc[1:] == rc[:-1]) & (rl[1:] == rl[:-1])
    rc, rs, rl = rc[~dup], rs[~dup], rl[~dup]
    order = np.lexsort((rl, rs, rc))
    rc, rs, rl = rc[order], rs[order], rl[order]
    return dict(case=rc, side=rs, lawyer=rl, firm=bar.lawyer_firm[rl])

"""Criminal cases and defendants, sentenced by the method of the 量刑指导意见.

Statutory frame from the severity (law.frames) → base sentence rising
log-linearly with severity inside its tier → multiplicative adjustments for
the circumstances → lognormal noise (sd = noise on log months) → clipped to
the frame; probation decided last, only where 刑法 §§72–74 allow it.
Plants the sentencing kinds of ground truth (legality rules and deviations).
"""
from __future__ import annotations

import numpy as np

from . import courts as C
from .common import (
    CAUSE_MULTI_BASE,
    CAUSE_TELECOM_FRAUD,
    CH_AIDING,
    CH_DRUGS,
    CH_DRUNK,
    CH_FRAUD,
    CH_GAMBLING,
    CH_INJURY,
    CH_THEFT,
    CH_TRAFFIC,
    CHARGES,
    CM_JUDGMENT,
    EXPORT,
    MISSING,
    MULTI_COMBOS,
    SK_CONTROL,
    SK_DETENTION,
    SK_EXEMPT,
    SK_FINE_ONLY,
    SK_FIXED_TERM,
    SK_LIFE,
    START,
    T_CRIM,
    T_CRIM_APPEAL,
    case_frame,
    categorical,
    choose,
    lognormal_days,
    plant_count,
    uniform_int,
)
from .context import Context
from .trials import EventLog, appeals, trial_timeline

CHARGE_SHARES = np.array([0.30, 0.21, 0.12, 0.11, 0.07, 0.06, 0.06, 0.07])
# Charges that often have accomplices (共同犯罪); drink-driving and traffic crimes do not.
CO_DEFENDANTS_POSSIBLE = np.array([False, True, True, True, True, False, True, True])
FINE_CHARGES = np.array([True, True, True, True, False, False, True, True])
# The measure that selects the statutory tier, per charge (None: one frame).
MEASURE = {CH_DRUNK: "blood_alcohol", CH_THEFT: "amount_involved", CH_AIDING: None,
           CH_FRAUD: "amount_involved", CH_INJURY: "injury_level", CH_TRAFFIC: "injury_level",
           CH_GAMBLING: None, CH_DRUGS: "drug_grams"}
ETHNICITIES = ["汉族", "回族", "苗族", "土家族", "彝族", "壮族", "畲族", "布依族", "满族"]
ETHNICITY_SHARES = [0.92, 0.015, 0.015, 0.013, 0.01, 0.009, 0.009, 0.005, 0.004]
OUTLIER_FACTORS = (1.5, 2.0, 3.0, 4.0)


def base_table(th: dict) -> dict:
    """(charge, tier) → (x_low, x_high, months_low, months_high, log-scale?).

    The base sentence moves from months_low to months_high as the severity goes
    from x_low to x_high (log-linear for amounts and quantities), the shape of
    the guideline's 起点 + 增加刑罚量.
    """
    L, H, E = th["theft_large"], th["theft_huge"], th["theft_especially_huge"]
    FL, FH, FE = th["fraud_large"], th["fraud_huge"], th["fraud_especially_huge"]
    return {
        (CH_THEFT, 1): (L, H, 6, 30, True), (CH_THEFT, 2): (H, E, 42, 90, True),
        (CH_THEFT, 3): (E, 5 * E, 125, 170, True),
        (CH_FRAUD, 1): (FL, FH, 7, 30, True), (CH_FRAUD, 2): (FH, FE, 42, 96, True),
        (CH_FRAUD, 3): (FE, 10 * FE, 125, 170, True),
        (CH_AIDING, 1): (2e4, 2e6, 6, 14, True),
        (CH_GAMBLING, 1): (1e4, 1e6, 8, 40, True),
        (CH_INJURY, 1): (1, 2, 10, 16, False), (CH_INJURY, 2): (3, 3, 40, 40, False),
        (CH_INJURY, 3): (4, 5, 70, 150, False),
        (CH_TRAFFIC, 1): (3, 4, 12, 18, False), (CH_TRAFFIC, 2): (5, 5, 22, 22, False),
        (CH_DRUGS, 1): (0.1, 10, 5, 30, True), (CH_DRUGS, 2): (10, 50, 90, 150, True),
        (CH_DRUGS, 3): (50, 500, 200, 260, True),
        (CH_DRUNK, 1): (80, 300, 1.5, 5, True),
    }


def draw_severity(rng, charge: np.ndarray, th: dict):
    """Severity of each offence: amount (yuan), injury level code, drug grams, blood alcohol."""
    n = len(charge)
    amount = np.full(n, np.nan)
    injury = np.full(n, -1, dtype=np.int64)
    grams = np.full(n, np.nan)
    alcohol = np.full(n, np.nan)
    z = rng.standard_normal(n)
    e = rng.exponential(1.0, n)
    m = charge == CH_THEFT    # lognormal above 数额较大, most in the first tier
    amount[m] = np.minimum(np.round(th["theft_large"] * np.exp(1.0 * e[m])), 5e6)
    m = charge == CH_FRAUD
    amount[m] = np.minimum(np.round(th["fraud_large"] * np.exp(1.1 * e[m])), 1e7)
    m = charge == CH_AIDING   # 支付结算金额
    amount[m] = np.clip(np.round(150000 * np.exp(1.0 * z[m])), 5000, 5e7)
    m = charge == CH_GAMBLING  # 赌资
    amount[m] = np.clip(np.round(60000 * np.exp(1.2 * z[m])), 2000, 5e7)
    m = charge == CH_INJURY
    injury[m] = 1 + categorical(rng, int(m.sum()), [0.60, 0.22, 0.12, 0.04, 0.02])
    m = charge == CH_TRAFFIC
    injury[m] = 3 + categorical(rng, int(m.sum()), [0.2, 0.2, 0.6])
    m = charge == CH_DRUGS
    grams[m] = np.clip(np.round(2.0 * np.exp(1.5 * z[m]), 2), 0.05, 3000)
    m = charge == CH_DRUNK
    alcohol[m] = np.clip(np.round(80 + 60 * np.exp(0.7 * z[m]), 1), 80.1, 400)
    return amount, injury, grams, alcohol


def frame_lookup(frames, charge, amount, injury, grams, alcohol):
    """Tier, min, max and life flag of each offence's statutory frame (law.frames)."""
    n = len(charge)
    tier = np.zeros(n, dtype=np.int64)
    fmin = np.zeros(n)
    fmax = np.zeros(n)
    life = np.zeros(n, dtype=bool)
    values = {"amount_involved": amount, "injury_level": injury.astype(np.float64),
              "drug_grams": grams, "blood_alcohol": alcohol}
    for ch, name in enumerate(CHARGES):
        m = charge == ch
        if not m.any():
            continue
        sub = frames[frames.charge == name].sort_values("tier")
        measure = MEASURE[ch]
        v = np.zeros(int(m.sum())) if measure is None else values[measure][m]
        pos = np.searchsorted(sub["lower"].to_numpy(), v, "right") - 1
        if np.any(pos < 0) or np.any(v >= sub["upper"].to_numpy()[pos]):
            raise AssertionError(f"severity outside every frame of {name}")
        tier[m] = sub["tier"].to_numpy()[pos]
        fmin[m] = sub["min_months"].to_numpy()[pos]
        fmax[m] = sub["max_months"].to_numpy()[pos]
        life[m] = sub["life_possible"].to_numpy()[pos]
    return tier, fmin, fmax, life


def base_months(table, charge, tier, amount, injury, grams, alcohol):
    n = len(charge)
    out = np.zeros(n)
    for (ch, t), (x_lo, x_hi, m_lo, m_hi, log) in table.items():
        m = (charge == ch) & (tier == t)
        if not m.any():
            continue
        if ch in (CH_INJURY, CH_TRAFFIC):
            x = injury[m].astype(np.float64)
        elif ch == CH_DRUGS:
            x = grams[m]
        elif ch == CH_DRUNK:
            x = alcohol[m]
        else:
            x = amount[m]
        x = np.clip(x, x_lo, x_hi)
        if x_hi == x_lo:
            pos = np.zeros(len(x))
        elif log:
            pos = (np.log(x) - np.log(x_lo)) / (np.log(x_hi) - np.log(x_lo))
        else:
            pos = (x - x_lo) / (x_hi - x_lo)
        out[m] = np.exp(np.log(m_lo) + pos * (np.log(m_hi) - np.log(m_lo)))
    return out


def probation_period(rng, kind, term):
    """§73: detention 2–12 months, fixed term 12–60 months, never shorter than the term."""
    u = rng.uniform(1.2, 2.0, len(term))
    det = np.clip(np.round(term * u), np.maximum(2, term), 12)
    fixed = np.clip(np.round(term * u), np.maximum(12, term), 60)
    return np.where(kind == SK_DETENTION, det, fixed)


def generate(ctx: Context, n_def: int, log: EventLog):
    """Returns (first-instance + appeal case rows, defendants columns, number of 刑初 cases)."""
    rng = ctx.rngs["criminal"]
    th = ctx.thresholds
    courts = ctx.courts
    # ---- cases and their offences -------------------------------------------------
    charge = categorical(rng, n_def, CHARGE_SHARES)
    size = np.ones(n_def, dtype=np.int64)
    r = rng.random(n_def)
    co = CO_DEFENDANTS_POSSIBLE[charge]
    size[co & (r < 0.22)] = 2
    size[co & (r < 0.07)] = 3
    cum = np.cumsum(size)
    n_cases = int(np.searchsorted(cum, n_def)) + 1
    charge, size = charge[:n_cases], size[:n_cases].copy()
    size[-1] -= cum[n_cases - 1] - n_def
    cause = charge.copy()
    second = np.full(n_cases, -1, dtype=np.int64)
    # 数罪并罚: ~3% of defendants, on single-defendant cases
    singles = np.flatnonzero(size == 1)
    multi = choose(rng, singles, int(round(0.03 * n_def)))
    combo = rng.integers(0, len(MULTI_COMBOS), len(multi))
    combos = np.array(MULTI_COMBOS)
    charge[multi] = combos[combo, 0]
    second[multi] = combos[combo, 1]
    cause[multi] = CAUSE_MULTI_BASE + combo
    is_multi = second >= 0

    amount, injury, grams, alcohol = draw_severity(rng, charge, th)
    tier, fmin, fmax, life_possible = frame_lookup(ctx.frames, charge, amount, injury, grams, alcohol)
    table = base_table(th)
    base = base_months(table, charge, tier, amount, injury, grams, alcohol)
    # the second offence of a multi-charge case
    mi = np.flatnonzero(is_multi)
    a2, i2, g2, al2 = draw_severity(rng, second[mi], th)
    t2, fmin2, fmax2, life2 = frame_lookup(ctx.frames, second[mi], a2, i2, g2, al2)
    base2 = base_months(table, second[mi], t2, a2, i2, g2, al2)
    # offence columns of the record: the first offence's measure, else the second's
    for col, v2 in ((amount, a2), (grams, g2), (alcohol, al2)):
        fill = np.isnan(col[mi])
        col[mi[fill]] = v2[fill]
    fill = injury[mi] < 0
    injury[mi[fill]] = i2[fill]

    # ---- court, judge, dates -----------------------------------------------------
    # Frames that reach life imprisonment are tried at the intermediate court (刑诉法 §21).
    serious = life_possible.copy()
    serious[mi] |= life2
    basic = courts.index[courts.level == C.LEVEL_BASIC].to_numpy()
    bw = courts.loc[basic, "weight"].to_numpy()
    court = rng.choice(basic, n_cases, p=bw / bw.sum())
    inter = courts.index[courts.level == C.LEVEL_INTERMEDIATE].to_numpy()
    iw = courts.loc[inter, "weight"].to_numpy()
    court[serious] = rng.choice(inter, int(serious.sum()), p=iw / iw.sum())
    judge = ctx.staff.pick(rng, C.POOL_CRIMINAL, court)
    filed = START + rng.integers(0, EXPORT - START + 1, n_cases)
    dur = np.where(charge == CH_DRUNK, lognormal_days(rng, n_cases, 20, 0.5, 7, 120),
                   lognormal_days(rng, n_cases, 45, 0.5, 10, 200))
    dur[serious] = lognormal_days(rng, int(serious.sum()), 110, 0.4, 30, 300)
    p_one = np.where(serious, 0.20, 0.04)
    p_two = np.where(serious, 0.05, 0.01)
    closed, extensions = trial_timeline(rng, filed, dur, p_one, p_two, judge, log)
    cases = case_frame(court=court, ctype=np.full(n_cases, T_CRIM), cause=cause, filed=filed,
                       closed=closed, judge=judge,
                       assignment=(rng.random(n_cases) < 0.05).astype(np.int64),
                       close_method=np.where(closed != MISSING, CM_JUDGMENT, MISSING),
                       extensions=extensions)

    # ---- defendants ------------------------------------------------------------------
    dcase = np.repeat(np.arange(n_cases), size)
    n = n_def
    starts = np.cumsum(size) - size
    position = np.arange(n) - starts[dcase]
    d_charge = charge[dcase]
    d_multi = is_multi[dcase]
    sentenced = closed[dcase] != MISSING
    age = np.clip(np.round(19 + rng.gamma(2.2, 9.0, n)), 18, 75).astype(np.int64)
    minor = rng.random(n) < 0.03
    # §17: under 16 only for grave offences (here: drug selling, serious injury or death)
    grave = (d_charge == CH_DRUGS) | ((d_charge == CH_INJURY) & (injury[dcase] >= 3))
    young = grave & (rng.random(n) < 0.25)
    age[minor] = np.where(young[minor], rng.integers(14, 16, int(minor.sum())),
                          rng.integers(16, 18, int(minor.sum())))
    minor = age < 18
    gender = (rng.random(n) < 0.12).astype(np.int64)
    ethnicity = categorical(rng, n, ETHNICITY_SHARES)
    local = rng.random(n) < 0.70
    property_crime = np.isin(d_charge, [CH_THEFT, CH_FRAUD])
    victim_harm = np.isin(d_charge, [CH_INJURY, CH_TRAFFIC])
    surrender = rng.random(n) < np.where(d_charge == CH_TRAFFIC, 0.5, 0.2)
    confession = ~surrender & (rng.random(n) < 0.65)
    plea = rng.random(n) < np.where(surrender | confession, 0.80, 0.45)
    meritorious = rng.random(n) < 0.04
    recidivist = ~minor & (rng.random(n) < 0.10)
    prior = ~recidivist & (rng.random(n) < 0.15)
    accessory = (position > 0) & (rng.random(n) < 0.85)
    attempted = property_crime & (rng.random(n) < 0.05)
    restitution = rng.random(n) < np.select([property_crime, victim_harm], [0.45, 0.55], 0.03)
    restitution &= d_charge != CH_DRUNK
    forgiven = restitution & victim_harm & (rng.random(n) < 0.65) | \
        restitution & property_crime & (rng.random(n) < 0.3)

    # Adjustments as shares of the base sentence, inside the guideline's ranges.
    u = lambda lo, hi: rng.uniform(lo, hi, n)  # noqa: E731
    adj = np.ones(n)
    adj *= np.where(minor, np.where(age < 16, u(0.4, 0.7), u(0.5, 0.9)), 1.0)
    adj *= np.where(accessory, u(0.5, 0.8), 1.0)
    adj *= np.where(attempted, u(0.5, 0.9), 1.0)
    adj *= np.where(surrender, u(0.6, 0.95), 1.0)
    adj *= np.where(confession, u(0.8, 0.97), 1.0)
    adj *= np.where(meritorious, u(0.8, 0.95), 1.0)
    adj *= np.where(restitution, u(0.75, 0.97), 1.0)
    adj *= np.where(forgiven, np.where(restitution, u(0.65, 0.9), u(0.82, 0.95)), 1.0)
    adj *= np.where(plea, u(0.7, 0.95), 1.0)
    adj *= np.where(prior, u(1.0, 1.1), 1.0)
    recid_factor = np.where(recidivist, u(1.1, 1.4), 1.0)

    def expected(b, who=slice(None)):
        pre = b * adj[who]
        return np.where(recidivist[who], np.maximum(pre * recid_factor[who], pre + 3), pre)

    noise = ctx.noise
    raw = expected(base[dcase]) * np.exp(noise * rng.standard_normal(n))
    d_fmin, d_fmax = fmin[dcase], fmax[dcase]
    lo = np.maximum(1, d_fmin)
    hi = np.minimum(d_fmax, np.where(d_charge == CH_DRUNK, 6, 180))
    life = life_possible[dcase] & ~d_multi & (raw > 1.3 * 180)
    R = np.clip(np.round(raw), lo, hi)
    # 数罪并罚 (§69): between the highest single term and the sum of the terms.
    dm = np.flatnonzero(d_multi)
    if len(dm):
        pos2 = np.searchsorted(mi, dcase[dm])
        raw2 = expected(base2[pos2], dm) * np.exp(noise * rng.standard_normal(len(dm)))
        hi2 = np.minimum(fmax2[pos2], np.where(second[mi][pos2] == CH_DRUNK, 6, 180))
        r1 = R[dm]
        r2 = np.clip(np.round(raw2), np.maximum(1, fmin2[pos2]), hi2)
        w = rng.uniform(0.3, 0.8, len(dm))
        both_short = np.maximum(r1, r2) < 6
        top = np.maximum(r1, r2)
        det_total = np.minimum(12, np.round(top + w * (r1 + r2 - top)))
        f1 = np.where(r1 >= 6, r1, 0)
        f2 = np.where(r2 >= 6, r2, 0)
        ftop = np.maximum(f1, f2)
        fixed_total = np.clip(np.round(ftop + w * (f1 + f2 - ftop)), 6, 240)
        R[dm] = np.where(both_short, det_total, fixed_total)
        lo[dm] = np.where(both_short, 1, 6)
        hi[dm] = np.where(both_short, 12, 240)

    # ---- planted court-level effects (judge bias, disparity) --------------------------
    d_court = court[dcase]
    d_judge = judge[dcase]
    factor = np.ones(n)
    basic_mask = courts.level.to_numpy()[d_court] == C.LEVEL_BASIC
    per_court = np.bincount(d_court[sentenced & basic_mask], minlength=len(courts))
    n_disp = min(plant_count(1, ctx.scale), max(1, len(basic) // 10))
    disp_courts = np.argsort(-per_court, kind="stable")[:n_disp]
    in_disp = np.isin(d_court, disp_courts)
    factor[in_disp & ~local] = 1.35
    ctx.plant("sentencing_disparity", "court", "criminal", court=disp_courts, magnitude=1.35,
              note="非本地户籍被告人刑期×1.35")
    per_judge = np.bincount(d_judge[sentenced & basic_mask & ~in_disp & ~d_multi],
                            minlength=len(ctx.staff.judges))
    crim_judges = ctx.staff.pools[C.POOL_CRIMINAL][0]
    n_bias = min(plant_count(3, ctx.scale), max(1, len(crim_judges) // 20))
    eligible = np.flatnonzero(per_judge >= 40)
    if len(eligible) < n_bias:
        eligible = np.argsort(-per_judge, kind="stable")[:n_bias]
    bias_judges = np.sort(choose(rng, eligible, n_bias))
    lenient = np.arange(len(bias_judges)) % 3 == 2
    bias = np.where(lenient, rng.uniform(0.65, 0.70, len(bias_judges)), rng.uniform(1.30, 1.40, len(bias_judges)))
    by_judge = np.ones(len(ctx.staff.judges))
    by_judge[bias_judges] = bias
    in_bias = np.isin(d_judge, bias_judges)
    factor = factor * by_judge[d_judge]

    # ---- the court's decision ----------------------------------------------------------
    # Prosecutor's recommendation ≈ the expected sentence (with the case's own noise);
    # The court adopts it exactly or departs by at most ±15%; in whole months that is
    # possible only from 7 months up, where ~40% depart (shorter terms are adopted as is).
    adopt = (R < 7) | (rng.random(n) < 0.60)
    step = np.maximum(1, np.floor(R * rng.uniform(0, 0.15, n)))
    jitter = np.where(rng.random(n) < 0.5, -step, step)
    term = np.where(plea & ~adopt, R + jitter, R)
    planted_shift = factor != 1.0
    shifted = np.round(term * factor)
    shifted = np.where(plea, np.clip(shifted, np.ceil(0.6 * R), np.floor(1.5 * R)), shifted)
    term = np.where(planted_shift, shifted, term)
    term = np.clip(term, lo, hi)

    kind = np.where(term >= 7, SK_FIXED_TERM, SK_DETENTION)
    six = term == 6
    kind[six] = np.where(rng.random(int(six.sum())) < 0.5, SK_FIXED_TERM, SK_DETENTION)
    kind[d_charge == CH_DRUNK] = SK_DETENTION
    if len(dm):
        kind[dm] = np.where(hi[dm] == 12, SK_DETENTION, SK_FIXED_TERM)
    light = (kind == SK_DETENTION) & ~d_multi & (d_charge != CH_DRUNK) & (d_fmin == 0)
    r = rng.random(n)
    kind[light & (r < 0.20)] = SK_FINE_ONLY
    kind[light & (r >= 0.20) & (r < 0.24)] = SK_EXEMPT
    control = light & (r >= 0.24) & (r < 0.28)
    kind[control] = SK_CONTROL
    term[control] = rng.integers(3, 13, int(control.sum()))
    kind[life] = SK_LIFE
    custodial = np.isin(kind, [SK_DETENTION, SK_FIXED_TERM])

    # Probation last: §72 (detention or ≤ 3 years), §74 (never a recidivist).
    lawful = custodial & (term <= 36) & ~recidivist
    score = (-0.9 + 1.0 * plea + 0.7 * restitution + 0.6 * forgiven + 0.5 * surrender
             + 0.5 * minor + 0.4 * accessory - 0.8 * prior - 0.06 * (term - 6))
    probation = lawful & (rng.random(n) < 1 / (1 + np.exp(-score)))
    prob_months = np.where(probation, probation_period(rng, kind, term), np.nan)

    fine_charge = FINE_CHARGES[d_charge] | (d_multi & FINE_CHARGES[np.where(second[dcase] >= 0, second[dcase], 0)])
    fine = np.where(fine_charge, np.maximum(1000, np.round(np.maximum(term, 1) * 1000 * np.exp(0.4 * rng.standard_normal(n)), -3)), 0.0)
    drunk = d_charge == CH_DRUNK
    fine[drunk] = np.maximum(1000, np.round(term[drunk] * rng.uniform(1000, 3000, int(drunk.sum())), -3))
    fine[kind == SK_FINE_ONLY] = np.round(rng.uniform(2000, 20000, int((kind == SK_FINE_ONLY).sum())), -3)
    fine[np.isin(kind, [SK_EXEMPT, SK_LIFE])] = 0.0

    rec = np.where(plea & custodial & (rng.random(n) >= 0.05), R, np.nan)
    rec[~plea | np.isin(kind, [SK_EXEMPT, SK_FINE_ONLY, SK_CONTROL, SK_LIFE])] = np.nan

    D = dict(case=dcase, gender=gender, age=age, ethnicity=ethnicity, local=local,
             charge=cause[dcase], amount=amount[dcase], injury=injury[dcase], grams=grams[dcase],
             alcohol=alcohol[dcase], surrender=surrender, confession=confession, plea=plea,
             meritorious=meritorious, recidivist=recidivist, prior=prior, minor=minor,
             accessory=accessory, attempted=attempted, restitution=restitution, forgiven=forgiven,
             kind=kind.astype(np.int64), term=term.astype(np.float64), probation=probation.astype(np.int64),
             prob_months=prob_months, fine=fine, rec=rec)
    for key in ("kind",):
        D[key][~sentenced] = MISSING
    for key in ("term", "prob_months", "fine"):
        D[key][~sentenced] = np.nan
    D["probation"][~sentenced] = MISSING
    D["term"][~np.isin(D["kind"], [SK_CONTROL, SK_DETENTION, SK_FIXED_TERM])] = np.nan

    # ground truth for the biased judges (custodial defendants counted after sentencing)
    cust = np.isin(D["kind"], [SK_DETENTION, SK_FIXED_TERM])
    n_cust = np.array([int(((d_judge == j) & cust).sum()) for j in bias_judges])
    ctx.plant("judge_sentencing_bias", "judge", "criminal", judge=bias_judges,
              court=ctx.staff.judges.court.to_numpy()[bias_judges], magnitude=np.round(bias, 3),
              note=[f"全部刑期×{b:.2f}（监禁刑被告人{k}名）" for b, k in zip(bias, n_cust)])

    frame = dict(fmin=d_fmin, fmax=d_fmax, multi=d_multi, charge=d_charge, court=d_court, judge=d_judge)
    used = _plant_sentences(ctx, rng, D, frame, sentenced & ~in_bias & ~in_disp & ~d_multi)
    # E2 (defendants.combined_term_months): the 决定执行刑; equal to the term, nothing combined
    D["combined"] = D["term"].copy()
    # blanks that real exports leave (a blank fine is unknown: missing_mandatory_fine skips it)
    blank = lambda share: rng.random(n) < share  # noqa: E731
    D["gender"][blank(0.04)] = MISSING
    D["ethnicity"][blank(0.08)] = MISSING
    D["local_known"] = ~blank(0.06)
    D["age"][blank(0.02)] = MISSING
    D["fine"][blank(0.03)] = np.nan
    _plant_law_audit(ctx, D, frame, sentenced & ~in_bias & ~in_disp & ~used, cases)
    _plant_probation_favour(ctx, D, frame, score, sentenced & basic_mask & ~in_bias & ~in_disp, bias_judges)
    _plant_penalty_kind_favour(ctx, D, frame, sentenced & basic_mask & ~in_bias & ~in_disp & ~d_multi, bias_judges)

    # ---- appeals (刑终) ------------------------------------------------------------
    parent = courts.parent.to_numpy()[court]
    p_appeal = np.where(serious, 0.35, 0.10)
    app_rows, app_idx, outcome = appeals(
        rng, cases, p_appeal, 1.0, parent, T_CRIM_APPEAL,
        lambda c: ctx.staff.pick(rng, C.POOL_CRIMINAL, c), criminal=True)
    cases["appeal"] = outcome
    all_cases = {k: np.concatenate([cases[k], app_rows[k]]) for k in cases}
    return all_cases, D, n_cases


def _reach_and_top(frames, charge, D, idx):
    """Per defendant: the most months its recorded severity allows counting circumstances the export cannot show
    (law.frames reach_lower; the bottom frame always), and the most any frame of its charge allows."""
    values = {"amount_involved": D["amount"], "injury_level": D["injury"].astype(np.float64),
              "drug_grams": D["grams"], "blood_alcohol": D["alcohol"]}
    reach = np.zeros(len(idx))
    top = np.zeros(len(idx))
    for k, (ch, i) in enumerate(zip(charge, idx)):
        sub = frames[frames.charge == CHARGES[ch]]
        measure = MEASURE[ch]
        v = 0.0 if measure is None else float(values[measure][i])
        ok = (sub["tier"] == sub["tier"].min()) | (v >= sub["reach_lower"])
        reach[k] = sub.loc[ok, "max_months"].max()
        top[k] = sub["max_months"].max()
    return reach, top


def _plant_sentences(ctx: Context, rng, D, frame, pool):
    """Legality violations (one rule each) and deviations kept inside the law."""
    kind, term, probation, rec = D["kind"], D["term"], D["probation"], D["rec"]
    fmin, fmax, charge = frame["fmin"], frame["fmax"], frame["charge"]
    used = np.zeros(len(kind), dtype=bool)
    custodial = np.isin(kind, [SK_DETENTION, SK_FIXED_TERM])
    no_rec = np.isnan(rec)

    def pick(mask, k, prefer=None):
        cand = np.flatnonzero(mask & pool & ~used)
        if prefer is not None:
            first = cand[prefer[cand]]
            chosen = choose(rng, first, k)
            if len(chosen) < k:
                rest = np.setdiff1d(cand, chosen)
                chosen = np.concatenate([chosen, choose(rng, rest, k - len(chosen))])
        else:
            chosen = choose(rng, cand, k)
        chosen = np.sort(chosen)
        used[chosen] = True
        return chosen

    def record(kind_name, idx, magnitude=None, note=None, detector_domain="criminal"):
        ctx.plant(kind_name, "defendant", detector_domain, defendant=idx, case=D["case"][idx],
                  judge=frame["judge"][idx], court=frame["court"][idx], magnitude=magnitude, note=note)

    s = ctx.scale
    # 9. probation for a recidivist (§74)
    idx = pick(D["recidivist"] & custodial & (term <= 36) & (probation == 0), plant_count(15, s))
    probation[idx] = 1
    D["prob_months"][idx] = probation_period(rng, kind[idx], term[idx])
    record("probation_for_recidivist", idx, note="累犯适用缓刑")
    # 10. probation with a fixed term over three years (§72)
    base_mask = ~D["recidivist"] & (kind == SK_FIXED_TERM) & (probation == 0)
    idx = pick(base_mask & (term >= 37) & (term <= 60), plant_count(15, s), prefer=no_rec)
    k_more = plant_count(15, s) - len(idx)
    if k_more > 0:
        more = pick(base_mask & (term >= 30) & (term <= 72) & (fmax >= 37) & (fmin <= 60), k_more, prefer=no_rec)
        term[more] = np.clip(term[more], 37, 60)
        idx = np.sort(np.concatenate([idx, more]))
    probation[idx] = 1
    D["prob_months"][idx] = uniform_int(rng, term[idx], 60)
    fix_rec = idx[~np.isnan(rec[idx])]
    rec[fix_rec] = term[fix_rec]
    record("probation_term_over_3_years", idx, note=[f"有期徒刑{int(t)}个月适用缓刑" for t in term[idx]])
    # 11. detention outside 1–6 months (§42)
    idx = pick((charge != CH_DRUNK) & custodial & (term >= 4) & (term <= 14) & (fmin <= 7) & (fmax >= 11)
               & (probation == 0), plant_count(15, s), prefer=no_rec)
    kind[idx] = SK_DETENTION
    term[idx] = rng.integers(7, 12, len(idx))
    fix_rec = idx[~np.isnan(rec[idx])]
    rec[fix_rec] = term[fix_rec]
    record("detention_out_of_range", idx, note=[f"拘役{int(t)}个月" for t in term[idx]])
    # 12. fixed term above the frame's maximum
    idx = pick((fmax == 36) & custodial & (term >= 18) & (probation == 0), plant_count(15, s), prefer=no_rec)
    kind[idx] = SK_FIXED_TERM
    term[idx] = rng.integers(40, 61, len(idx))
    # Above the recorded tier yet within a higher frame the recorded severity cannot reach: the record and the
    # term cannot both be right (record_facts_inconsistent, data quality). Above every frame of the charge
    # (帮信: all ≤ 36 months), or reachable through a circumstance the export cannot show (其他严重情节) and so
    # pushed above every frame without drawing from the RNG: the statute is broken (term_above_statutory_max).
    reach, top = _reach_and_top(ctx.frames, charge[idx], D, idx)
    lawful = (term[idx] <= reach) & (term[idx] <= top)
    if len(idx) > 1 and not (lawful | (term[idx] > top)).any():
        lawful[0] = True  # every rule is planted: the first is pushed above every frame
    term[idx[lawful]] = top[lawful] + term[idx[lawful]] - 36
    above = term[idx] > top
    fix_rec = idx[~np.isnan(rec[idx])]
    rec[fix_rec] = term[fix_rec]
    record("term_above_statutory_max", idx[above],
           note=[f"有期徒刑{int(t)}个月 超过该罪各档上限{int(m)}个月" for t, m in zip(term[idx[above]], top[above])])
    record("record_facts_inconsistent", idx[~above],
           note=[f"有期徒刑{int(t)}个月 记录的事实最多{int(r)}个月" for t, r in zip(term[idx[~above]], reach[~above])])

    # 16. single sentences far from their peers: ×f harsher, ×1/f more lenient (a third).
    n_out = plant_count(60, s)
    per_factor = max(1, n_out // len(OUTLIER_FACTORS))
    for f in OUTLIER_FACTORS:
        n_lenient = per_factor // 3 if per_factor >= 3 else 0
        for mult, k in ((f, per_factor - n_lenient), (1.0 / f, n_lenient)):
            if k <= 0:
                continue
            new = np.round(term * mult)
            kind_lo = np.where(kind == SK_FIXED_TERM, 6, 1)
            kind_hi = np.where(kind == SK_FIXED_TERM, 180, 6)
            ok = (custodial & (probation == 0) & no_rec & (new >= np.maximum(kind_lo, fmin))
                  & (new <= np.minimum(kind_hi, fmax)) & (np.abs(new / np.maximum(term, 1) / mult - 1) <= 0.1))
            # fixed terms first: integer months keep the factor exact
            idx = pick(ok, k, prefer=(kind == SK_FIXED_TERM))
            old = term[idx].copy()
            term[idx] = np.round(old * mult)
            label = f"1/{f:g}" if mult < 1 else f"{f:g}"
            note = [f"刑期×{label}（{int(a)}→{int(b)}个月）" for a, b in zip(old, term[idx])]
            record("sentence_outlier", idx, magnitude=round(mult, 4), note=note)

    # 18. sentence far from the prosecutor's recommendation on a guilty plea
    n_plea = plant_count(20, s)
    ok = (kind == SK_FIXED_TERM) & (probation == 0) & ~no_rec & (rec >= 12)
    harsh_f = rng.uniform(1.6, 2.5, len(term))
    soft_f = rng.uniform(0.40, 0.55, len(term))
    harsh_new = np.ceil(rec * harsh_f)
    soft_new = np.floor(rec * soft_f)
    ok_h = ok & (harsh_new <= np.minimum(fmax, 180)) & (harsh_new >= fmin)
    ok_s = ok & (soft_new >= np.maximum(6, fmin)) & (soft_new <= fmax)
    idx_h = pick(ok_h, n_plea - n_plea // 2)
    idx_s = pick(ok_s, n_plea // 2)
    term[idx_h] = harsh_new[idx_h]
    term[idx_s] = soft_new[idx_s]
    idx = np.sort(np.concatenate([idx_h, idx_s]))
    ratio = term[idx] / rec[idx]
    record("plea_recommendation_deviation", idx, magnitude=np.round(ratio, 3),
           note=[f"量刑建议{int(a)}个月 判处{int(b)}个月" for a, b in zip(rec[idx], term[idx])])
    return used


def _fine_must(D, frame, th) -> np.ndarray:
    """Single-charge sentences that must carry a 罚金 on their recorded facts (missing_mandatory_fine's reading:
    never where 没收财产 could stand in its place — the top frame of theft and fraud, §347 ¶2)."""
    charge, term = frame["charge"], D["term"]
    amount = D["amount"]
    sentenced = np.isin(D["kind"], [SK_CONTROL, SK_DETENTION, SK_FIXED_TERM]) & ~frame["multi"]
    top = {CH_THEFT: 0.5 * th["theft_especially_huge"], CH_FRAUD: 0.8 * th["fraud_especially_huge"]}
    must = np.isin(charge, [CH_DRUNK, CH_AIDING, CH_GAMBLING])
    for ch, reach in top.items():
        must |= (charge == ch) & ~np.isnan(amount) & (amount < reach)
    must |= (charge == CH_DRUGS) & (term < 84)
    return sentenced & must


def _plant_law_audit(ctx: Context, D, frame, pool, cases):
    """The law audit's plants (issue 15), drawn from their own generator so the rest of the sample keeps its draws:
    breaches of the rules it added or sharpened, and lawful exceptions that look like a breach to a naive rule
    (lawful_exceptions.csv names the rule that must leave each one unflagged)."""
    rng = ctx.rngs["audit"]
    kind, term, probation, rec = D["kind"], D["term"], D["probation"], D["rec"]
    charge, th, s = frame["charge"], ctx.thresholds, ctx.scale
    multi_pool = pool & frame["multi"]
    pool = pool & ~frame["multi"]
    taken = np.zeros(len(kind), dtype=bool)
    plain = np.isin(kind, [SK_DETENTION, SK_FIXED_TERM]) & (probation == 0)

    def pick(mask, k, within=None):
        chosen = np.sort(choose(rng, np.flatnonzero(mask & (pool if within is None else within) & ~taken), k))
        taken[chosen] = True
        return chosen

    def ids(idx):
        return dict(defendant=idx, case=D["case"][idx], judge=frame["judge"][idx], court=frame["court"][idx])

    def sentence(idx, kinds, months):
        kind[idx] = kinds
        term[idx] = months
        D["combined"][idx] = months
        fix = idx[~np.isnan(rec[idx])]
        rec[fix] = term[fix]  # the court followed the recommendation: no plea-deviation plant by accident

    frame_rules = ("term_above_statutory_max", "record_facts_inconsistent")
    k = plant_count(3, s)
    fines_must = _fine_must(D, frame, th)
    # -- a court whose export leaves fines at 0 (fine_records_incomplete); its sentences are lawful exceptions
    #    of missing_mandatory_fine (the export, not the court, is what to check)
    must_here = fines_must & pool & (D["fine"] > 0)
    per_court = np.bincount(frame["court"][must_here], minlength=len(ctx.courts))
    silent_court = int(np.argsort(-per_court, kind="stable")[min(2, len(per_court) - 1)])
    zeroed = np.flatnonzero(must_here & (frame["court"] == silent_court))
    D["fine"][zeroed] = 0.0
    taken[zeroed] = True
    ctx.plant("fine_records_incomplete", "court", "criminal", court=np.array([silent_court]),
              note=f"该院{len(zeroed)}件应当并处罚金的判决均记录罚金为0")
    ctx.lawful("lawful_fine_records_not_exported", ("missing_mandatory_fine",), "defendant", "criminal", **ids(zeroed),
               note="全院罚金未导出，不逐案提示")
    # -- breaches ------------------------------------------------------------------------------
    # 危险驾驶 (刑法 §133-1: 拘役 only): any 有期徒刑 is the wrong penalty kind, even of 6 months
    idx = pick(plain & (charge == CH_DRUNK), plant_count(5, s))
    sentence(idx, SK_FIXED_TERM, uniform_int(rng, np.full(len(idx), 6), 8).astype(np.float64))
    ctx.plant("term_above_statutory_max", "defendant", "criminal", **ids(idx),
              note=[f"危险驾驶罪判处有期徒刑{int(t)}个月" for t in term[idx]])
    # 刑法 §73: a probation period below the term, under a year for 有期徒刑, over a year for 拘役
    on_probation = (probation == 1) & np.isin(kind, [SK_DETENTION, SK_FIXED_TERM])
    k_rule = plant_count(6, s)
    idx_a = pick(on_probation & (kind == SK_FIXED_TERM) & (term >= 14), k_rule - 2 * (k_rule // 3))
    D["prob_months"][idx_a] = uniform_int(rng, np.full(len(idx_a), 12), term[idx_a] - 1)
    idx_b = pick(on_probation & (kind == SK_DETENTION), k_rule // 3)
    D["prob_months"][idx_b] = uniform_int(rng, np.full(len(idx_b), 13), 18)
    idx_c = pick(on_probation & (kind == SK_FIXED_TERM) & (term <= 10), k_rule // 3)
    D["prob_months"][idx_c] = uniform_int(rng, term[idx_c], 11)
    idx = np.sort(np.concatenate([idx_a, idx_b, idx_c]))
    ctx.plant("probation_period_out_of_range", "defendant", "criminal", **ids(idx),
              note=[f"{'拘役' if kind[i] == SK_DETENTION else '有期徒刑'}{int(term[i])}个月 缓刑考验期{int(D['prob_months'][i])}个月"
                    for i in idx])
    # 刑法 §45: 有期徒刑 of three to five months (a 拘役-length term recorded as 有期徒刑)
    idx = pick(plain & (kind == SK_DETENTION) & (term >= 3) & (term <= 5) & (charge != CH_DRUNK), plant_count(5, s))
    sentence(idx, SK_FIXED_TERM, term[idx].copy())
    ctx.plant("fixed_term_below_6_months", "defendant", "criminal", **ids(idx),
              note=[f"有期徒刑{int(t)}个月" for t in term[idx]])
    # 刑法 §38: 管制 of one or two months, or over two years on one charge
    idx = pick(plain & (frame["fmin"] == 0) & (charge != CH_DRUNK) & (term <= 36), plant_count(5, s))
    long = rng.random(len(idx)) < 0.6
    sentence(idx, SK_CONTROL, np.where(long, uniform_int(rng, np.full(len(idx), 25), 30),
                                       uniform_int(rng, np.ones(len(idx), np.int64), 2)).astype(np.float64))
    rec[idx] = np.nan  # no recommendation for 管制 in this sample
    ctx.plant("control_out_of_range", "defendant", "criminal", **ids(idx), note=[f"管制{int(t)}个月" for t in term[idx]])
    # 刑法 §69: two charges combined above twenty years; a 决定执行刑 below the 宣告刑
    idx_a = pick((kind == SK_FIXED_TERM) & (probation == 0), plant_count(3, s), within=multi_pool)
    sentence(idx_a, SK_FIXED_TERM, uniform_int(rng, np.full(len(idx_a), 241), 280).astype(np.float64))
    idx_b = pick(plain & (kind == SK_FIXED_TERM) & (term >= 12), plant_count(3, s))
    D["combined"][idx_b] = term[idx_b] - uniform_int(rng, np.ones(len(idx_b), np.int64), 6)
    idx = np.sort(np.concatenate([idx_a, idx_b]))
    ctx.plant("combined_sentence_over_cap", "defendant", "criminal", **ids(idx),
              note=[f"两罪决定执行有期徒刑{int(term[i])}个月" if i in set(idx_a) else
                    f"宣告刑{int(term[i])}个月 决定执行{int(D['combined'][i])}个月" for i in idx])
    # 刑法 §§264, 266, 133-1, 347, 287-2, 303: no 罚金 where it is mandatory — one per court at most, so no court
    # looks like one whose export leaves fines out
    cand = np.flatnonzero(fines_must & plain & pool & ~taken & (D["fine"] > 0))
    cand = cand[rng.permutation(len(cand))]
    _, first = np.unique(frame["court"][cand], return_index=True)
    idx = np.sort(cand[np.sort(first)][:plant_count(6, s)])
    taken[idx] = True
    D["fine"][idx] = 0.0
    ctx.plant("missing_mandatory_fine", "defendant", "criminal", **ids(idx),
              note=[f"{CHARGES[charge[i]]}未判处罚金" for i in idx])
    # -- lawful exceptions -----------------------------------------------------------------------
    # §73's edges: a period equal to the term (有期徒刑 from a year), two months for one month of 拘役
    idx = pick(on_probation & (kind == SK_FIXED_TERM) & (term >= 12), k)
    D["prob_months"][idx] = term[idx]
    ctx.lawful("lawful_probation_period_edges", ("probation_period_out_of_range",), "defendant", "criminal", **ids(idx),
               note="缓刑考验期等于原判刑期")
    # §69: two charges combined at exactly twenty years
    idx = pick((kind == SK_FIXED_TERM) & (probation == 0), plant_count(2, s), within=multi_pool)
    sentence(idx, SK_FIXED_TERM, np.full(len(idx), 240.0))
    ctx.lawful("lawful_two_charges_twenty_years", ("combined_sentence_over_cap",), "defendant", "criminal", **ids(idx),
               note="两罪决定执行有期徒刑二十年")
    # §264 / §266 top frame: 并处罚金或者没收财产 — no fine recorded, the 没收财产 is not in the export
    idx = pick(plain & (charge == CH_THEFT), k)
    D["amount"][idx] = np.round(th["theft_especially_huge"] * rng.uniform(1.0, 1.5, len(idx)))
    sentence(idx, SK_FIXED_TERM, uniform_int(rng, np.full(len(idx), 121), 150).astype(np.float64))
    D["fine"][idx] = 0.0
    ctx.lawful("lawful_fine_confiscation_top_frame", ("missing_mandatory_fine", *frame_rules), "defendant", "criminal",
               **ids(idx), note="盗窃数额特别巨大，并处没收财产（未导出）")
    # -- lawful exceptions -----------------------------------------------------------------------
    # 法释〔2013〕8号 第六条: 50% of 数额巨大 with 入户盗窃/携带凶器盗窃 etc. is 其他严重情节 (3–10 years)
    idx = pick(plain & (charge == CH_THEFT), k)
    D["amount"][idx] = np.round(th["theft_huge"] * rng.uniform(0.5, 0.95, len(idx)))
    sentence(idx, SK_FIXED_TERM, uniform_int(rng, np.full(len(idx), 37), 60).astype(np.float64))
    ctx.lawful("lawful_theft_other_serious", frame_rules, "defendant", "criminal", **ids(idx),
               note="盗窃数额达数额巨大标准50%以上并有其他严重情节，判处三年以上有期徒刑")
    # 法释〔2011〕7号 第二条第二款: 接近 (80%) 数额巨大 with a listed circumstance
    idx = pick(plain & (charge == CH_FRAUD), k)
    D["amount"][idx] = np.round(th["fraud_huge"] * rng.uniform(0.8, 0.98, len(idx)))
    sentence(idx, SK_FIXED_TERM, uniform_int(rng, np.full(len(idx), 37), 60).astype(np.float64))
    ctx.lawful("lawful_fraud_near_huge", frame_rules, "defendant", "criminal", **ids(idx),
               note="诈骗数额接近数额巨大标准（80%以上）并有酌情从严情节，判处三年以上有期徒刑")
    # 法发〔2016〕32号: telecom fraud is 数额巨大 from 30,000 yuan, below the province's fraud standard
    if 0.8 * th["fraud_huge"] > 30000:
        idx = pick(plain & (charge == CH_FRAUD), k)
        D["amount"][idx] = np.round(rng.uniform(30000, 0.8 * th["fraud_huge"], len(idx)))
        sentence(idx, SK_FIXED_TERM, uniform_int(rng, np.full(len(idx), 37), 60).astype(np.float64))
        cases["cause"][D["case"][idx]] = CAUSE_TELECOM_FRAUD
        ctx.lawful("lawful_telecom_fraud", frame_rules, "defendant", "criminal", **ids(idx),
                   note="电信网络诈骗三万元以上为数额巨大（法发〔2016〕32号），判处三年以上有期徒刑")
    # 刑法 §347 ¶2: 首要分子/武装掩护/暴力抗拒检查/国际贩毒 — 15 years whatever the quantity, with 没收财产
    idx = pick(plain & (charge == CH_DRUGS), k)
    D["grams"][idx] = np.round(rng.uniform(0.5, 9.5, len(idx)), 2)
    sentence(idx, SK_FIXED_TERM, np.full(len(idx), 180.0))
    D["fine"][idx] = 0.0
    ctx.lawful("lawful_drug_para2", (*frame_rules, "missing_mandatory_fine"), "defendant", "criminal", **ids(idx),
               note="毒品数量不满十克，具有第三百四十七条第二款情节，判处有期徒刑十五年并处没收财产")
    # 刑法 §234 ¶2: 以特别残忍手段致人重伤造成严重残疾 — 10 years or more, from 重伤二级
    idx = pick(plain & (charge == CH_INJURY), k)
    D["injury"][idx] = 3
    sentence(idx, SK_FIXED_TERM, uniform_int(rng, np.full(len(idx), 121), 150).astype(np.float64))
    ctx.lawful("lawful_injury_cruel_means", frame_rules, "defendant", "criminal", **ids(idx),
               note="重伤二级，以特别残忍手段致人严重残疾，判处十年以上有期徒刑")
    # 刑法 §§70, 71, 77: the 宣告刑 within the charge's frame, the 决定执行刑 combined with an earlier judgment
    idx = pick(plain & (charge == CH_THEFT) & (D["amount"] < 0.5 * th["theft_huge"]) & (kind == SK_FIXED_TERM)
               & (term >= 8) & (term <= 30), k)
    D["combined"][idx] = term[idx] + uniform_int(rng, np.full(len(idx), 12), 36)
    ctx.lawful("lawful_combined_with_earlier_sentence", (*frame_rules, "combined_sentence_over_cap"), "defendant",
               "criminal", **ids(idx),
               note=[f"宣告刑{int(t)}个月，与前罪未执行刑罚并罚，决定执行{int(c)}个月"
                     for t, c in zip(term[idx], D["combined"][idx])])
    idx = pick(plain & (kind == SK_DETENTION) & (term >= 2) & (term <= 5), k)
    D["combined"][idx] = np.minimum(12, term[idx] + uniform_int(rng, np.full(len(idx), 3), 6))
    ctx.lawful("lawful_combined_detention", ("detention_out_of_range",), "defendant", "criminal", **ids(idx),
               note=[f"拘役{int(t)}个月，与前罪拘役并罚，决定执行{int(c)}个月"
                     for t, c in zip(term[idx], D["combined"][idx])])
    # an export that does not always say whether a term was combined: E2 blank on a few other rows
    blank = pool & ~taken & (rng.random(len(kind)) < 0.02)
    D["combined"][blank] = np.nan


# A favour judge grants probation as if the case's log-odds were this much higher: the first planted judge by the
# first value (odds ×7.4), the next by the second (×4.5), and so on in turn, so `make eval` shows two strengths.
PROBATION_FAVOUR_LOGODDS = (2.0, 1.5)


def _plant_probation_favour(ctx: Context, D, frame, score, pool, bias_judges):
    """Judges who grant probation (缓刑) where peers give prison (judge_probation_deviation, issue 15): among their
    sentences §§72, 74 leave probation open for, probation is drawn with the log-odds raised by
    PROBATION_FAVOUR_LOGODDS. From a generator spawned off the criminal one (spawning draws nothing from it) and
    applied after every other plant, on defendants no other plant uses, so the rest of the sample stays identical."""
    rng = ctx.rngs["criminal"].spawn(1)[0]
    kind, term, probation = D["kind"], D["term"], D["probation"]
    planted = np.zeros(len(kind), dtype=bool)
    for t in ctx.truth + ctx.exceptions:
        if t["domain"] == "criminal":
            d = t["defendant"][t["defendant"] >= 0]
            planted[d] = True
    eligible = (pool & ~planted & np.isin(kind, [SK_DETENTION, SK_FIXED_TERM]) & (term <= 36)
                & ~D["recidivist"].astype(bool) & (probation != MISSING))
    judge = frame["judge"]
    per_judge = np.bincount(judge[eligible], minlength=len(ctx.staff.judges))
    per_judge[bias_judges] = 0
    candidates = np.flatnonzero(per_judge >= 40)
    if len(candidates) == 0:
        candidates = np.argsort(-per_judge, kind="stable")[:1]
    judges = choose(rng, candidates, plant_count(2, ctx.scale))
    shift = np.resize(np.asarray(PROBATION_FAVOUR_LOGODDS), len(judges))
    by_judge = np.zeros(len(ctx.staff.judges))
    by_judge[judges] = shift
    mine = eligible & np.isin(judge, judges)
    idx = np.flatnonzero(mine)
    p0 = 1 / (1 + np.exp(-score[idx]))
    p1 = 1 / (1 + np.exp(-(score[idx] + by_judge[judge[idx]])))
    flip = idx[(probation[idx] == 0) & (rng.random(len(idx)) < (p1 - p0) / np.maximum(1 - p0, 1e-9))]
    probation[flip] = 1
    D["prob_months"][flip] = probation_period(rng, kind[flip], term[flip])
    notes = [f"缓刑几率×{np.exp(b):.1f}（可缓刑被告人{int((mine & (judge == j)).sum())}名，"
             f"缓刑{int(((probation == 1) & mine & (judge == j)).sum())}名）" for j, b in zip(judges, shift)]
    ctx.plant("judge_probation_favour", "judge", "criminal", judge=judges,
              court=ctx.staff.judges.court.to_numpy()[judges], magnitude=np.round(np.exp(shift), 3), note=notes)


# A penalty-kind favour judge gives 拘役 of 4–6 months for this share of the 有期徒刑 of 7–12 months that peers give
# where the tier allows both (single charges, no minimum term, not 危险驾驶).
PENALTY_KIND_FAVOUR_SHARE = 0.7


def _plant_penalty_kind_favour(ctx: Context, D, frame, pool, bias_judges):
    """Judges who give 拘役 where peers give 有期徒刑 (judge_penalty_kind_deviation, issue 15), from a second generator
    spawned off the criminal one, after every other plant and on defendants and judges no other plant uses."""
    rng = ctx.rngs["criminal"].spawn(1)[0]
    kind, term, probation = D["kind"], D["term"], D["probation"]
    planted = np.zeros(len(kind), dtype=bool)
    busy = set(int(j) for j in bias_judges)
    for t in ctx.truth + ctx.exceptions:
        if t["domain"] == "criminal":
            planted[t["defendant"][t["defendant"] >= 0]] = True
            if t["subject_type"] == "judge":
                busy |= set(int(j) for j in t["judge"])
    judge = frame["judge"]
    choice = (pool & ~planted & (frame["fmin"] == 0) & (frame["charge"] != CH_DRUNK)
              & np.isin(kind, [SK_DETENTION, SK_FIXED_TERM]))
    shortened = choice & (kind == SK_FIXED_TERM) & (term >= 7) & (term <= 12)
    per_judge = np.bincount(judge[shortened], minlength=len(ctx.staff.judges))
    per_judge[list(busy)] = 0
    candidates = np.flatnonzero(per_judge >= 15)
    if len(candidates) == 0:
        candidates = np.argsort(-per_judge, kind="stable")[:1]
    judges = np.sort(choose(rng, candidates, plant_count(2, ctx.scale)))
    idx = np.flatnonzero(shortened & np.isin(judge, judges))
    idx = idx[rng.random(len(idx)) < PENALTY_KIND_FAVOUR_SHARE]
    kind[idx] = SK_DETENTION
    term[idx] = uniform_int(rng, np.full(len(idx), 4), 6).astype(np.float64)
    D["combined"][idx] = term[idx]
    suspended = idx[probation[idx] == 1]
    D["prob_months"][suspended] = probation_period(rng, kind[suspended], term[suspended])
    fix = idx[~np.isnan(D["rec"][idx])]
    D["rec"][fix] = term[fix]  # the recommendation followed: no plea-deviation plant by accident
    notes = [f"有期徒刑7–12个月改判拘役（{int((np.isin(idx, np.flatnonzero(judge == j))).sum())}名，"
             f"可选刑种判决{int((choice & (judge == j)).sum())}件）" for j in judges]
    ctx.plant("judge_penalty_kind_favour", "judge", "criminal", judge=judges,
              court=ctx.staff.judges.court.to_numpy()[judges], magnitude=PENALTY_KIND_FAVOUR_SHARE, note=notes)

"""The patrol of irregular conduct in the sample (不规范司法行为巡查, issue 15): procedures, time limits
kept, who approved each extension, and the planted overdue, long-pending and extension-concentrated records.

Called from generator.py after every case exists and before the integrity events (the plants and lawful
exceptions are recorded after them, by the callable it returns):
- `cases["procedure"]`: the procedure each first-instance trial was tried under (contract extension E6), the
  short procedures only where the case fits their limit (速裁 and 简易 for quick criminal cases, 小额 and
  简易 for civil ones; a case that needs longer is tried under 普通程序, as a court converts it);
- every other case is kept within its statutory limit the way courts do it: an enforcement case that runs
  past six months has the president's extension (法释〔2000〕29号 art. 5), and past nine months the
  periods not counted (评估、拍卖、暂缓执行: `cases["deducted"]`, E6); a criminal case past three months
  has the days of supplementary investigation or appraisal not counted (刑诉 §208 ¶3, 法释〔2000〕29号
  art. 9); a few civil cases are suspended (中止 … 恢复, event suspension_end);
- every extension event gets its approver (events.approver_id): a leader of the court, or of the court
  above where the law says so (刑诉 §208: 上一级人民法院; §243: 高级人民法院; 民诉 §152's second
  extension: 上级人民法院);
- plants: cases past their limit (case_past_time_limit), long-pending cases (case_long_pending — every
  case pending more than [rules] long_pending_months is listed, planted or not, since the heuristic's
  definition is met), a criminal judge with many extensions (extension_concentrated_judge) and a leader
  who approves every extension of one enforcement officer (extension_concentrated_approver); and the
  lawful records the time-limit rule must not flag (lawful_exceptions.csv).
Nothing here changes a filing or closing date the other detectors read, except the few civil cases
made long pending (no appeal, no other plant).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from courtwatch.detectors.rules.case_past_time_limit import TIME_LIMITS

from . import courts as C
from .common import (
    AP_NONE,
    CASE_TYPES,
    CH_DRUNK,
    EPOCH,
    EV_EXTENSION,
    EV_SUSPENSION,
    EV_SUSPENSION_END,
    EXPORT,
    MISSING,
    NOTE_EXTENSION,
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

# cases.procedure codes (contract extension E6), index = internal code.
PROCEDURES = [("ordinary", "普通程序"), ("simplified", "简易程序"), ("summary", "速裁程序"),
              ("small_claims", "小额诉讼程序"), ("private_prosecution", "自诉")]
P_ORDINARY, P_SIMPLIFIED, P_SUMMARY, P_SMALL_CLAIMS, P_PRIVATE = range(len(PROCEDURES))
SMALL_CLAIM_YUAN = 50_000      # 小额诉讼: about half the province's average annual wage (民诉法 §165)
MARGIN = 3                      # lawful records end at least this many days inside their limit
UNKNOWN_PROCEDURE_SHARE = 0.03  # trials whose export leaves the procedure blank
UNKNOWN_DEDUCTION_SHARE = 0.05  # cases whose deducted days are not exported (never one that relies on them)
LEADERS_PER_COURT = 3           # 院长 and vice-presidents who approve extensions
EXTENDED_SHARE = 0.3            # the extension-concentrated judge: 30% of the criminal cases extended


def add_months(days: np.ndarray, months) -> np.ndarray:
    """Day numbers plus whole months, the last day of a shorter month where the day does not exist
    (as DuckDB's date + INTERVAL and Spark's add_months, and the SPC's reading of 民诉法 §85)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64)
    last = (target + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    out = np.minimum(target.astype("datetime64[D]") + day_of_month, last)
    return (out - EPOCH).astype(np.int64)


def _limit_arrays(ctype: np.ndarray, procedure: np.ndarray):
    """Per case, the TIME_LIMITS row of its type and procedure: (has, base (m, d), ext1 (m, d), ext2 (m, d), fixed, open)."""
    names = [p for p, _ in PROCEDURES]
    n = len(ctype)
    has = np.zeros(n, dtype=bool)
    cols = {k: np.zeros(n, dtype=np.int64) for k in ("base_months", "base_days", "ext1_months", "ext1_days",
                                                    "ext2_months", "ext2_days", "fixed_extensions")}
    open_beyond = np.zeros(n, dtype=bool)
    for t, type_name in enumerate(CASE_TYPES):
        for p in range(-1, len(names)):
            limit = TIME_LIMITS.get((type_name, "unknown" if p < 0 else names[p]))
            sel = (ctype == t) & (procedure == p)
            if limit is None or not sel.any():
                continue
            has[sel] = True
            for k in cols:
                cols[k][sel] = limit[k]
            open_beyond[sel] = limit["open_beyond"]
    return has, cols, open_beyond


def deadlines(filed, ctype, procedure, extensions):
    """(has a limit, base deadline, deadline with the recorded extensions the law fixes a length for, the
    extensions beyond those are of unfixed length) — as queries/case_past_time_limit.sql computes them."""
    has, c, open_beyond = _limit_arrays(ctype, procedure)
    ext = np.maximum(np.asarray(extensions, dtype=np.int64), 0)
    base = add_months(filed, c["base_months"]) + c["base_days"]
    months = c["base_months"] + (ext >= 1) * c["ext1_months"] + (ext >= 2) * c["ext2_months"]
    days = c["base_days"] + (ext >= 1) * c["ext1_days"] + (ext >= 2) * c["ext2_days"]
    full = add_months(filed, months) + days
    unfixed = open_beyond & (ext > c["fixed_extensions"])
    return has, base, full, unfixed


class Patrol:
    """The state one call works on: the cases, their end dates and which cases other plants hold."""

    def __init__(self, ctx: Context, cases: dict, offsets: dict, logs: dict[str, EventLog]):
        self.ctx, self.cases, self.offsets, self.logs = ctx, cases, offsets, logs
        self.rng = ctx.rngs["patrol"]
        n = len(cases["filed"])
        self.n = n
        self.taken = np.zeros(n, dtype=bool)   # cases of another plant or lawful exception: left alone
        truth_judges = set()
        for t in ctx.truth + ctx.exceptions:
            c = t["case"][t["case"] >= 0]
            self.taken[c + offsets[t["domain"]]] = True
            truth_judges |= set(t["judge"][t["judge"] >= 0].tolist())
        self.truth_judges = np.array(sorted(truth_judges), dtype=np.int64)
        cases["procedure"] = np.full(n, MISSING, dtype=np.int64)
        cases["deducted"] = np.zeros(n, dtype=np.int64)
        self.deduction_needed = np.zeros(n, dtype=bool)  # the case is lawful only because of its deducted days
        self.patrol_plants = np.zeros(n, dtype=bool)     # this module's own plants (left as planted)
        # recorded by the callable generate returns, after the integrity events
        self.lawful: list[tuple[str, dict]] = []
        self.plants: list[tuple[str, str, dict]] = []
        self.grace = int(ctx.rules["time_limit_grace_days"])

    # ---- helpers ------------------------------------------------------------------------
    @property
    def end(self) -> np.ndarray:
        closed = self.cases["closed"]
        return np.where(closed != MISSING, closed, EXPORT)

    def over(self, extensions=None) -> np.ndarray:
        """Days past each case's limit (deductions included; negative = inside it); NaN where no limit applies
        or the law leaves the length of a recorded extension open (the rule skips those)."""
        c = self.cases
        ext = c["extensions"] if extensions is None else extensions
        has, _, full, unfixed = deadlines(c["filed"], c["ctype"], c["procedure"], ext)
        over = (self.end - (full + c["deducted"])).astype(np.float64)
        return np.where(has & ~unfixed, over, np.nan)

    def fits(self, idx, procedure: int, extensions=None) -> np.ndarray:
        """Whether the cases idx end at least MARGIN days inside the limit of `procedure`."""
        c = self.cases
        ext = (c["extensions"] if extensions is None else extensions)[idx]
        has, _, full, unfixed = deadlines(c["filed"][idx], c["ctype"][idx], np.full(len(idx), procedure), ext)
        return has & ~unfixed & (self.end[idx] <= full + c["deducted"][idx] - MARGIN)

    def record(self, kind: str, idx, note, magnitude=None, lawful: bool = False) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx) == 0:
            return
        c = self.cases
        ids = dict(case=idx, judge=c["judge"][idx], court=c["court"][idx], magnitude=magnitude, note=note)
        if lawful:
            self.lawful.append((kind, ids))
        else:
            self.plant(kind, "case", **ids)
            self.patrol_plants[idx] = True
        self.taken[idx] = True

    def plant(self, kind: str, subject_type: str, **ids) -> None:
        """A plant of this module, recorded after the integrity events (see generate)."""
        self.plants.append((kind, subject_type, ids))

    def add_extension(self, idx, due) -> None:
        """One more approved extension on the cases idx, approved 5–15 days before `due` (法发〔2006〕35号
        art. 1: asked for before the period expires), never before filing nor after the case ended."""
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx) == 0:
            return
        c = self.cases
        when = np.asarray(due, dtype=np.int64) - uniform_int(self.rng, np.full(len(idx), 5), 15)
        when = np.clip(when, c["filed"][idx] + 1, self.end[idx] - 1)
        c["extensions"][idx] += 1
        self.logs["all"].add(idx, EV_EXTENSION, timestamps(self.rng, when), c["judge"][idx], note=NOTE_EXTENSION)


def generate(ctx: Context, cases: dict, offsets: dict, logs: dict[str, EventLog]) -> Callable[[], None]:
    """Procedures, lawful time limits, approvers and the patrol plants (see the module docstring).

    Returns what records the plants and the lawful exceptions: generator.py calls it after the integrity
    events, so that the integrity part draws from the same cases as without this module (its figures stay as
    they were); that call also drops the integrity part's random suspensions on the cases planted past their
    limit (a suspension would make them lawful)."""
    p = Patrol(ctx, cases, offsets, logs)
    _procedures(p)
    overdue = _plant_overdue(p)
    _plant_long_pending(p)
    _keep_within_limits(p, overdue)
    _plant_extension_judge(p)
    _label_long_pending(p)
    _approvers(p)
    _unknown_deductions(p)

    own_parts = len(logs["all"].parts)
    overdue_cases = set()
    for kind, _, ids in p.plants:
        if kind == "case_past_time_limit":
            overdue_cases |= set(np.asarray(ids["case"]).tolist())

    def record() -> None:
        for part in logs["all"].parts[own_parts:]:  # the integrity part's events
            drop = (part["event"] == EV_SUSPENSION) & np.isin(part["case"], list(overdue_cases))
            if drop.any():
                for key in part:
                    part[key] = part[key][~drop]
        for kind, subject_type, ids in p.plants:
            ctx.plant(kind, subject_type, "all", **ids)
        for kind, ids in p.lawful:
            ctx.lawful(kind, ("case_past_time_limit",), "case", "all", **ids)
    return record


# ---- procedures ----------------------------------------------------------------------------

def _procedures(p: Patrol) -> None:
    c, rng = p.cases, p.rng
    ctype, courts = c["ctype"], p.ctx.courts
    level = courts.level.to_numpy()[c["court"]]
    u = rng.random(p.n)
    proc = c["procedure"]
    proc[np.isin(ctype, [T_CRIM_APPEAL, T_CIVIL_APPEAL])] = P_ORDINARY
    # criminal first instance: 速裁 mostly for drunk driving, 简易 for quick cases; never at the intermediate
    # court (a possible life sentence or death excludes them: 刑诉 §215)
    crim = np.flatnonzero((ctype == T_CRIM))
    proc[crim] = P_ORDINARY
    basic = crim[level[crim] == C.LEVEL_BASIC]
    quick = basic[(u[basic] < np.where(c["cause"][basic] == CH_DRUNK, 0.7, 0.25)) & p.fits(basic, P_SUMMARY)]
    proc[quick] = P_SUMMARY
    rest = np.setdiff1d(basic, quick)
    simple = rest[(u[rest] < 0.85) & p.fits(rest, P_SIMPLIFIED)]
    proc[simple] = P_SIMPLIFIED
    # civil first instance: 小额 for small claims, 简易 for most of the rest that fit, else 普通
    civ = np.flatnonzero(ctype == T_CIVIL)
    proc[civ] = P_ORDINARY
    small = civ[(c["claim"][civ] <= SMALL_CLAIM_YUAN) & (u[civ] < 0.5) & p.fits(civ, P_SMALL_CLAIMS)]
    proc[small] = P_SMALL_CLAIMS
    rest = np.setdiff1d(civ, small)
    simple = rest[(u[rest] < 0.9) & p.fits(rest, P_SIMPLIFIED)]
    proc[simple] = P_SIMPLIFIED
    # a few exports leave it blank: the rule uses the longest limit of the kind (a heuristic)
    trials = np.flatnonzero(np.isin(ctype, [T_CRIM, T_CIVIL]))
    proc[trials[rng.random(len(trials)) < UNKNOWN_PROCEDURE_SHARE]] = MISSING


# ---- plants: past the limit ----------------------------------------------------------------

def _plant_overdue(p: Patrol) -> np.ndarray:
    """Cases left past their limit (no extension, no deduction): enforcement closed late and still pending,
    criminal ordinary procedure, civil kept under 简易程序 past its months, a trial of unknown procedure
    past even the longest limit. Returns them."""
    c, rng, s = p.cases, p.rng, p.ctx.scale
    ctype, ext = c["ctype"], c["extensions"]
    free = ~p.taken & (c["filed"] >= 0)
    need = p.grace + 10  # clearly past: the grace days and ten more
    over = p.over()
    closed = c["closed"] != MISSING
    chosen = []

    def pick(mask, k, label, extra=None):
        idx = np.sort(choose(rng, np.flatnonzero(mask & free & ~np.isin(np.arange(p.n), chosen_flat())), k))
        if extra is not None:
            extra(idx)
        chosen.append((idx, label))
        return idx

    def chosen_flat():
        return np.concatenate([i for i, _ in chosen]) if chosen else np.zeros(0, np.int64)

    enf = np.isin(ctype, [T_ENF, T_ENF_RESUMED]) & (ext == 0)
    pick(enf & closed & (over > need), plant_count(6, s), "执行案件超过六个月执行期限且未经批准延长")
    pick(enf & ~closed & (over > need), plant_count(3, s), "执行案件超过六个月仍未执结且未经批准延长")
    crim = (ctype == T_CRIM) & (c["procedure"] == P_ORDINARY) & (ext == 0)
    pick(crim & closed & (over > need), plant_count(3, s), "刑事公诉案件普通程序超过三个月审限")
    # civil: decided after 3 months + grace but within 6 under 简易程序 and no extension: not converted in time
    civ = (ctype == T_CIVIL) & (ext == 0) & closed & (c["procedure"] != MISSING)
    simple_end = deadlines(c["filed"], ctype, np.full(p.n, P_SIMPLIFIED), ext)[2]
    late = civ & (p.end > simple_end + need) & (p.end < simple_end + 80)

    def as_simple(idx):
        c["procedure"][idx] = P_SIMPLIFIED
    pick(late, plant_count(3, s), "民事简易程序超过三个月审限且未延长、未转普通程序", as_simple)

    # unknown procedure, past even the longest limit of its kind (a criminal first-instance case: 6 months)
    unknown_end = deadlines(c["filed"], ctype, np.full(p.n, MISSING), ext)[2]
    crim_any = (ctype == T_CRIM) & (ext == 0) & closed & (p.end > unknown_end + need)

    def as_unknown(idx):
        c["procedure"][idx] = MISSING
    pick(crim_any, max(1, plant_count(1, s)), "程序未载明：超过第一审刑事案件最长审限（六个月）", as_unknown)

    all_idx = []
    for idx, label in chosen:
        if len(idx) == 0:
            continue
        days = p.over()[idx]
        p.record("case_past_time_limit", idx, [f"{CASE_TYPES[t]} {label}，超过{int(d)}天" for t, d in zip(ctype[idx], days)],
                 magnitude=days)
        all_idx.append(idx)
    return np.concatenate(all_idx) if all_idx else np.zeros(0, np.int64)


# ---- plants: long pending ------------------------------------------------------------------

def _plant_long_pending(p: Patrol) -> None:
    """Civil first-instance cases left open more than long_pending_months: most suspended (中止, no end: within
    the time limit, since the suspended days do not count), one also past its limit (no suspension)."""
    c, rng, s = p.cases, p.rng, p.ctx.scale
    months = int(p.ctx.rules["long_pending_months"])
    limit_day = add_months(np.array([EXPORT]), -months)[0]
    old = (c["ctype"] == T_CIVIL) & (c["closed"] != MISSING) & (c["appeal"] == AP_NONE) & ~p.taken \
        & (c["filed"] < limit_day - 60) & (c["extensions"] == 0) & ~np.isin(c["judge"], p.truth_judges)
    idx = np.sort(choose(rng, np.flatnonzero(old), plant_count(5, s)))
    if len(idx) == 0:
        return
    for key in ("closed", "close_method", "prevailing", "appeal"):
        c[key][idx] = MISSING
    c["procedure"][idx] = P_ORDINARY
    overdue = idx[:1] if len(idx) > 1 else idx[:0]
    suspended = np.setdiff1d(idx, overdue)
    start = c["filed"][suspended] + uniform_int(rng, np.full(len(suspended), 40), 150)
    p.logs["all"].add(suspended, EV_SUSPENSION, timestamps(rng, start), c["judge"][suspended], note=NOTE_SUSPENSION_TRIAL)
    c["deducted"][suspended] = EXPORT - start  # the system counts the suspension so far
    days = EXPORT - c["filed"][idx]
    p.record("case_long_pending", idx, [f"民事一审立案{int(d)}天未结" + ("（中止审理中）" if i in set(suspended) else "")
                                        for i, d in zip(idx, days)], magnitude=days.astype(np.float64))
    over = p.over()[overdue]
    p.plant("case_past_time_limit", "case", case=overdue, judge=c["judge"][overdue],
            court=c["court"][overdue], magnitude=over,
                note=[f"民初 普通程序立案{int(d)}天未结，超过六个月审限{int(o)}天且未经批准延长" for d, o in
                      zip(EXPORT - c["filed"][overdue], over)])


# ---- everything else within its limit --------------------------------------------------------

def _keep_within_limits(p: Patrol, overdue: np.ndarray) -> None:
    c, rng = p.cases, p.rng
    ctype = c["ctype"]
    # every case but this module's own plants, whatever else it carries: no other rule reads the
    # extension count of an enforcement case or the deducted days
    keep = np.ones(p.n, dtype=bool)
    keep[overdue] = False
    keep[p.patrol_plants] = False
    over = p.over()
    enf = np.flatnonzero(keep & np.isin(ctype, [T_ENF, T_ENF_RESUMED]) & (over > -MARGIN) & (c["extensions"] == 0))
    if len(enf):
        _, base, _, _ = deadlines(c["filed"][enf], ctype[enf], c["procedure"][enf], c["extensions"][enf])
        p.add_extension(enf, base)  # 院长批准延长三个月 (法释〔2000〕29号 art. 5)
        lawful_ext = enf[~(p.over()[enf] > -MARGIN) & ~p.taken[enf]]
        p.record("lawful_time_limit_extended", lawful_ext, "执行案件超过六个月，经院长批准延长三个月", lawful=True)
    over = p.over()
    # whatever is still past its limit: the days not counted (enforcement 评估、拍卖、暂缓执行; criminal 补充侦查、
    # 鉴定; civil 公告、鉴定), as the court's system records them
    rest = np.flatnonzero(keep & (over > -MARGIN))
    if len(rest):
        c["deducted"][rest] += (over[rest] + MARGIN).astype(np.int64) + uniform_int(rng, np.zeros(len(rest), np.int64), 25)
        p.deduction_needed[rest] = True
        notes = np.where(np.isin(ctype[rest], [T_ENF, T_ENF_RESUMED]), "执行案件评估、拍卖或暂缓执行期间不计入执行期限",
                         np.where(np.isin(ctype[rest], [T_CRIM, T_CRIM_APPEAL]), "刑事案件补充侦查、鉴定期间不计入审限",
                                  "民事案件公告、鉴定期间不计入审限"))
        p.record("lawful_time_limit_deducted", rest[~p.taken[rest]], list(notes[~p.taken[rest]]), lawful=True)
    # a few civil cases suspended and resumed (中止 … 恢复审理): those days are not counted either
    civ = np.flatnonzero((ctype == T_CIVIL) & (c["closed"] != MISSING) & ~p.taken & (c["closed"] - c["filed"] > 60))
    pair = np.sort(choose(rng, civ, max(1, int(round(0.02 * len(civ))))))
    if len(pair):
        span = c["closed"][pair] - c["filed"][pair]
        start = c["filed"][pair] + uniform_int(rng, np.full(len(pair), 10), span // 3)
        stop = np.minimum(start + uniform_int(rng, np.full(len(pair), 15), 60), c["closed"][pair] - 1)
        p.logs["all"].add(pair, EV_SUSPENSION, timestamps(rng, start), c["judge"][pair], note=NOTE_SUSPENSION_TRIAL)
        p.logs["all"].add(pair, EV_SUSPENSION_END, timestamps(rng, stop), c["judge"][pair])
    # unknown procedure, past the ordinary limit but inside the longest: the rule cannot know, and stays silent
    has, _, full_ordinary, unfixed = deadlines(c["filed"], ctype, np.full(p.n, P_ORDINARY), c["extensions"])
    unknown = np.flatnonzero((c["procedure"] == MISSING) & np.isin(ctype, [T_CRIM, T_CIVIL]) & ~p.taken & has & ~unfixed
                             & (p.end > full_ordinary + c["deducted"] + p.grace) & ~(p.over() > -MARGIN))
    p.record("lawful_time_limit_unknown_procedure", unknown, "程序未载明：超过普通程序审限但未超过该类案件最长审限", lawful=True)


# ---- plants: extensions concentrated on one judge ----------------------------------------------

def _plant_extension_judge(p: Patrol) -> None:
    """A basic-court criminal judge with colleagues in the court whose cases get an extension (approved by
    the court above) about four times as often as theirs: lawful each time, concentrated on one judge."""
    c, rng, ctx = p.cases, p.rng, p.ctx
    jt = ctx.staff.judges
    members = ctx.staff.pools[C.POOL_CRIMINAL][0]
    level = ctx.courts.level.to_numpy()
    crim = (c["ctype"] == T_CRIM) & (c["closed"] != MISSING)
    load = np.bincount(c["judge"][crim], minlength=len(jt))
    court_of = jt.court.to_numpy()
    per_court = np.bincount(court_of[members], minlength=len(ctx.courts))
    cand = members[(level[court_of[members]] == C.LEVEL_BASIC) & (per_court[court_of[members]] >= 3)
                   & ~np.isin(members, p.truth_judges)]
    if len(cand) == 0:
        cand = members[~np.isin(members, p.truth_judges)]
    cand = cand[np.argsort(-load[cand], kind="stable")][:max(3, len(cand) // 4)]  # a busy judge
    judge = int(choose(rng, cand, 1)[0])
    mine = np.flatnonzero(crim & (c["judge"] == judge) & (c["extensions"] == 0) & ~p.taken
                          & (c["closed"] - c["filed"] >= 30) & (c["procedure"] != P_SUMMARY))
    target = int(round(EXTENDED_SHARE * (crim & (c["judge"] == judge)).sum()))  # ~4× the criminal peers' share
    extend = np.sort(choose(rng, mine, target))
    c["procedure"][extend] = np.where(c["procedure"][extend] == MISSING, MISSING, P_ORDINARY)
    due = np.minimum(c["closed"][extend], add_months(c["filed"][extend], 3))
    p.add_extension(extend, due)
    mine_all = crim & (c["judge"] == judge)
    peers = crim & (c["court"] == court_of[judge]) & ~mine_all
    n, k = int(mine_all.sum()), int((mine_all & (c["extensions"] > 0)).sum())
    peer_share = float((peers & (c["extensions"] > 0)).sum()) / max(int(peers.sum()), 1)
    ratio = f"约为同院同行（{100 * peer_share:.0f}%）的{k / max(n, 1) / peer_share:.1f}倍" if peer_share > 0 else "同院同行无延长"
    p.plant("extension_concentrated_judge", "judge", judge=np.array([judge]),
            court=np.array([court_of[judge]]), magnitude=np.array([k / max(n, 1)]),
            note=[f"刑事案件{n}件中{k}件经批准延长审限 {ratio}"])
    p.taken[extend] = True


# ---- long pending: the definition is met, planted or not -------------------------------------

def _label_long_pending(p: Patrol) -> None:
    c = p.cases
    months = int(p.ctx.rules["long_pending_months"])
    limit_day = add_months(np.array([EXPORT]), -months)[0]
    planted = set()
    for kind, _, ids in p.plants:
        if kind == "case_long_pending":
            planted |= set(np.asarray(ids["case"]).tolist())
    natural = np.flatnonzero((c["closed"] == MISSING) & (c["filed"] < limit_day) & (c["filed"] >= 0))
    natural = natural[~np.isin(natural, list(planted))]
    days = EXPORT - c["filed"][natural]
    p.plant("case_long_pending", "case", case=natural, judge=c["judge"][natural], court=c["court"][natural],
            magnitude=days.astype(np.float64),
                note=[f"{CASE_TYPES[t]}立案{int(d)}天未结（未另行设置）" for t, d in zip(c["ctype"][natural], days)])


# ---- approvers -------------------------------------------------------------------------------

def _approvers(p: Patrol) -> None:
    """Each extension's approver, and the planted leader who approves every extension of one officer."""
    c, rng, ctx = p.cases, p.rng, p.ctx
    jt = ctx.staff.judges
    court_of, role = jt.court.to_numpy(), jt.role.to_numpy()
    n_courts = len(ctx.courts)
    leaders: list[np.ndarray] = []
    for court in range(n_courts):
        judges = np.flatnonzero((court_of == court) & (role == 0))
        pool = judges if len(judges) else np.flatnonzero(court_of == court)
        leaders.append(np.sort(choose(rng, pool, min(LEADERS_PER_COURT, len(pool)))))
    parent = ctx.courts.parent.to_numpy()
    high = int(np.flatnonzero(ctx.courts.level.to_numpy() == C.LEVEL_HIGH)[0])

    parts = [(name, part) for name in ("criminal", "civil", "enforcement", "all") for part in p.logs[name].parts]
    ext_parts = [(name, part) for name, part in parts if (part["event"] == EV_EXTENSION).any()]
    # global case number and order of each extension within its case
    rows = []
    for k, (name, part) in enumerate(ext_parts):
        sel = np.flatnonzero(part["event"] == EV_EXTENSION)
        rows.append(np.column_stack([np.full(len(sel), k), sel, part["case"][sel] + p.offsets[name], part["ts"][sel]]))
    if not rows:
        return
    ev = np.concatenate(rows)
    order = np.lexsort((ev[:, 3], ev[:, 2]))
    ev = ev[order]
    first = np.ones(len(ev), dtype=bool)
    first[1:] = ev[1:, 2] != ev[:-1, 2]
    nth = np.arange(len(ev)) - np.maximum.accumulate(np.where(first, np.arange(len(ev)), 0))
    case = ev[:, 2]
    ctype, court, judge = c["ctype"][case], c["court"][case], c["judge"][case]
    # who may approve (刑诉 §208: the court above; §243: the high court; 民诉 §152: the second extension by the court above)
    approving = court.copy()
    up = (ctype == T_CRIM) | ((ctype == T_CIVIL) & (nth >= 1))
    approving[up] = np.where(parent[court[up]] >= 0, parent[court[up]], court[up])
    approving[ctype == T_CRIM_APPEAL] = high
    approver = np.array([_pick_leader(rng, leaders[a], j) for a, j in zip(approving, judge)], dtype=np.int64)

    # the planted leader: every extension of one enforcement officer of a court with two or more leaders
    enf = np.isin(ctype, [T_ENF, T_ENF_RESUMED]) & (approving == court)
    counts = np.bincount(judge[enf], minlength=len(jt))
    ok = np.array([len(leaders[court_of[j]]) >= 2 for j in range(len(jt))]) & ~np.isin(np.arange(len(jt)), p.truth_judges)
    ok &= np.array([j not in set(leaders[court_of[j]].tolist()) for j in range(len(jt))])
    extending = np.bincount(court_of[counts > 0], minlength=n_courts)  # officers with extensions, per court
    cand = np.flatnonzero(ok & (counts > 0) & (extending[court_of] >= 3))  # colleagues to compare with
    if len(cand):
        cand = cand[np.argsort(-counts[cand], kind="stable")][:max(3, len(cand) // 10)]
        officer = int(choose(rng, cand, 1)[0])
        leader = int(choose(rng, leaders[court_of[officer]], 1)[0])
        mine = enf & (judge == officer)
        approver[mine] = leader
        in_court = enf & (court == court_of[officer])
        others = in_court & ~mine
        p.plant("extension_concentrated_approver", "judge", judge=np.array([leader]),
                court=np.array([court_of[leader]]), magnitude=np.array([float(mine.sum())]),
                  note=[f"批准执行员J{int(jt.code.iat[officer]):06d}的全部{int(mine.sum())}次延长审限（本院其他执行案件延长"
                        f"{int(others.sum())}次由{len(leaders[court_of[officer]])}名院领导分别批准）"])
    for k, (name, part) in enumerate(ext_parts):
        mine = ev[:, 0] == k
        part["approver"][ev[mine, 1]] = approver[mine]


def _pick_leader(rng, leaders: np.ndarray, judge: int) -> int:
    """A leader of the approving court, never the case's own judge (no one approves their own extension)."""
    pool = leaders[leaders != judge]
    if len(pool) == 0:
        return MISSING
    return int(pool[rng.integers(0, len(pool))])


# ---- unknown deductions --------------------------------------------------------------------

def _unknown_deductions(p: Patrol) -> None:
    """Some exports leave deducted_days blank; never where a case relies on it to be lawful."""
    c = p.cases
    blank = (p.rng.random(p.n) < UNKNOWN_DEDUCTION_SHARE) & ~p.deduction_needed & (c["deducted"] == 0)
    c["deducted"][blank] = MISSING


"""The patrol of irregular conduct (issue 15, 不规范司法行为巡查): cases past their statutory time limit, long-pending
cases, and extension approvals concentrated on one judge or one approver.

Hand-written folders hold a lawful and an unlawful record of each case: within the limit, over it with the
extension or the deduction that makes it lawful (not flagged), over it without (flagged), an unknown
procedure (the longest limit, heuristic wording); then the sample's planted records are found and its
lawful ones left alone.
"""
from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest
from helpers import COURTS, case, small_import, write_table

from courtwatch.core.config import load_config
from courtwatch.core.contract import TABLES
from courtwatch.detectors.base import DetectContext, finish_flags
from courtwatch.detectors.patterns.extension_approval_concentration import ExtensionApprovalConcentration
from courtwatch.detectors.rules import RULE_DETECTORS, RuleDetector, case_long_pending, case_past_time_limit
from courtwatch.pipeline.ingest import ingest

EXPORT = dt.date(2024, 12, 31)
AS_OF = dt.date(2024, 12, 31)
TIME_LIMIT = case_past_time_limit.DETECTOR
LONG_PENDING = RuleDetector(case_long_pending.RULE)

# case number → (fields, expected: True flag / None skipped / False not returned)
F = "2024-01-10"
CASES = {
    # 民初 普通程序: six months, six more with the president's approval (民诉法 §152)
    "(2024)浙0102民初1号": (dict(procedure="ordinary", closed_on="2024-06-20", extensions="0"), False),
    "(2024)浙0102民初2号": (dict(procedure="ordinary", closed_on="2024-11-01", extensions="1"), False),
    # 简易程序: three months, one more with approval (§164); deductions and suspensions are not counted
    "(2024)浙0102民初3号": (dict(procedure="simplified", closed_on="2024-05-01", extensions="0", deducted_days="30"), False),
    "(2024)浙0102民初4号": (dict(procedure="simplified", closed_on="2024-05-01", extensions="0"), False),  # suspended 33 days
    "(2024)浙0102民初5号": (dict(procedure="简易程序", closed_on="2024-06-15", extensions="0", deducted_days="0"), True),
    "(2024)浙0102民初6号": (dict(procedure="simplified", closed_on="2024-04-15", extensions="0", deducted_days="0"), False),
    "(2024)浙0102民初7号": (dict(procedure="simplified", closed_on="2024-05-05", extensions="1", deducted_days="0"), False),
    "(2024)浙0102民初8号": (dict(procedure="small_claims", closed_on="2024-04-20", extensions="0", deducted_days="0"), True),
    # 刑初 普通程序: at the latest three months, three more with the court above (刑诉法 §208)
    "(2024)浙0102刑初1号": (dict(procedure="ordinary", closed_on="2024-05-20", extensions="0", deducted_days="0"), True),
    "(2024)浙0102刑初2号": (dict(procedure="ordinary", closed_on="2024-05-20", extensions="1"), False),
    "(2024)浙0102刑初3号": (dict(procedure="ordinary", closed_on="2024-09-20", extensions="2"), None),  # SPC: length open
    "(2024)浙0102刑初4号": (dict(procedure="ordinary", closed_on="2024-05-20", extensions=""), None),   # count unknown
    "(2024)浙0102刑初5号": (dict(procedure="ordinary", closed_on="2024-03-20", extensions=""), False),  # within the base
    # procedure not recorded: the longest first-instance criminal limit (a 自诉 case: six months), a heuristic
    "(2024)浙0102刑初6号": (dict(closed_on="2024-05-20", extensions="0"), False),
    "(2024)浙0102刑初7号": (dict(closed_on="2024-08-20", extensions="0", deducted_days="0"), True),
    "(2024)浙0102刑初8号": (dict(procedure="small_claims", closed_on="2024-05-20", extensions="0"), None),  # no such limit
    "(2024)浙0102刑初9号": (dict(procedure="summary", filed_on="2024-03-01", closed_on="2024-03-25", extensions="0",
                               deducted_days="0"), True),  # 速裁: fifteen days (§225), eight of grace
    # enforcement: six months, three more with approval (法释〔2000〕29号 art. 5); pending cases count to the as-of date
    "(2024)浙0102执1号": (dict(filed_on="2024-01-05", extensions="0", deducted_days="0"), True),
    "(2024)浙0102执2号": (dict(filed_on="2024-01-05", extensions="0", deducted_days="0"), False),  # suspended since March
    "(2024)浙0102执3号": (dict(filed_on="2024-01-05", closed_on="2024-09-01", extensions="1", deducted_days="0"), False),
    "(2024)浙0102执4号": (dict(filed_on="2024-01-05", closed_on="2024-09-01", extensions="0"), True),  # deduction unrecorded
    # appeals: 民终 three months (§183), 刑终 two (§243)
    "(2024)浙01民终1号": (dict(court_id="浙01", closed_on="2024-05-01", extensions="0", deducted_days="0"), True),
    "(2024)浙01刑终1号": (dict(court_id="浙01", closed_on="2024-03-01", extensions="0"), False),
    # no statutory limit in the rule (a retrial petition)
    "(2024)浙0102民申1号": (dict(closed_on="2024-12-01", extensions="0"), False),
}
PENDING = {  # long pending (12 months): case number → (filed, closed, deducted days, flagged)
    "(2023)浙0102民初1号": ("2023-06-01", "", "0", True),
    "(2024)浙0102民初9号": ("2024-03-01", "", "0", False),
    "(2022)浙0102民初1号": ("2022-01-01", "2024-06-01", "600", False),  # closed: not pending, whatever its length
}


def test_the_patrol_detectors_are_registered():
    from courtwatch.detectors.registry import by_name

    registered = by_name()
    assert isinstance(registered["case_past_time_limit"], case_past_time_limit.TimeLimitRuleDetector)
    assert registered["case_long_pending"].rule is case_long_pending.RULE
    assert isinstance(registered["extension_approval_concentration"], ExtensionApprovalConcentration)
    assert {"case_past_time_limit", "case_long_pending"} <= {d.name for d in RULE_DETECTORS}


def _event(case_id: str, event: str, at: str, approver: str = "", actor: str = "J1") -> dict:
    row = {c: "" for c in TABLES["events"].column_names}
    row.update({"case_id": case_id, "event": event, "occurred_at": at, "actor_id": actor, "approver_id": approver})
    return row


@pytest.fixture(scope="module")
def edge_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("patrol_edges")
    rows = []
    for cid, (fields, _) in CASES.items():
        cause = "盗窃罪" if "刑" in cid else "民间借贷纠纷"
        judge = "J2" if "执" in cid else "J1"
        rows.append(case(cid, cause=cause, judge_id=judge, **{"filed_on": F, **fields}))
    for cid, (filed, closed, deducted, _) in PENDING.items():
        rows.append(case(cid, cause="民间借贷纠纷", filed_on=filed, closed_on=closed, procedure="ordinary",
                         extensions="1", deducted_days=deducted))
    folder = small_import(root / "import", cases=rows)
    write_table(folder, "events", [
        _event("(2024)浙0102民初4号", "suspension", "2024-02-01T09:00:00"),
        _event("(2024)浙0102民初4号", "中止结束", "2024-03-05T09:00:00"),
        _event("(2024)浙0102执2号", "suspension", "2024-03-01T09:00:00", actor="J2"),
    ])
    db = root / "cw.duckdb"
    result = ingest(folder, db=db, export_date=EXPORT)
    assert sum(t["quarantined"] for t in result.summary()["tables"].values()) == 0, result.problems
    return root, db


def _ev(evidence) -> dict:
    """A flag's evidence: a dict as the detector returns it, JSON once the registry has stored it."""
    return evidence if isinstance(evidence, dict) else json.loads(evidence)


def _rows(db, detector) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return detector.query(DetectContext(con=con, as_of=AS_OF, config=load_config()))
    finally:
        con.close()


def test_lawful_cases_are_not_flagged_and_unlawful_ones_are(edge_db):
    _, db = edge_db
    rows = _rows(db, TIME_LIMIT).set_index("case_id")
    for cid, (_, expected) in CASES.items():
        if expected is False:
            assert cid not in rows.index, (cid, rows.loc[cid].to_dict() if cid in rows.index else None)
        elif expected is None:
            assert pd.isna(rows.loc[cid, "violated"]), cid
        else:
            assert rows.loc[cid, "violated"] == True, cid  # noqa: E712 (numpy bool)
    detection = TIME_LIMIT.flags_from_rows(rows.reset_index())
    expected_flags = {cid for cid, (_, v) in CASES.items() if v is True} | {"(2023)浙0102民初1号"}  # 19 months open
    assert set(detection.flags.subject_id) == expected_flags
    assert detection.rows_skipped == 3


def test_the_flag_gives_the_article_the_deduction_and_the_days(edge_db):
    _, db = edge_db
    # the level is set where every flag's is, in finish_flags (detectors/triage.py)
    flags = finish_flags(TIME_LIMIT, TIME_LIMIT.flags_from_rows(_rows(db, TIME_LIMIT)).flags, "run-1").set_index("subject_id")
    simple = flags.loc["(2024)浙0102民初5号"]
    assert "民事诉讼法（2023年修正）第一百六十四条" in simple.explanation
    assert "简易程序" in simple.explanation and "2024-04-10届满" in simple.explanation and "已超过66天" in simple.explanation
    assert "记录可能不完整" not in simple.explanation  # the deduction is recorded (0 days)
    evidence = _ev(simple.evidence)
    assert evidence["rule_kind"] == "statute" and evidence["observed"]["days_over"] == 66
    assert "第一百六十四条" in evidence["legal_basis"] and "法释〔2000〕29号）第九条" in evidence["deduction_basis"]
    assert "days before" in evidence["explanation_en"] and "simplified procedure" in evidence["explanation_en"]
    criminal = flags.loc["(2024)浙0102刑初1号"]
    assert "刑事诉讼法（2018年修正）第二百零八条第一款" in criminal.explanation and "已超过40天" in criminal.explanation
    pending = flags.loc["(2024)浙0102执1号"]
    assert "仍未执结" in pending.explanation and "法释〔2000〕29号）第五条" in pending.explanation
    unrecorded = flags.loc["(2024)浙0102执4号"]
    assert "记录可能不完整" in unrecorded.explanation
    assert "may be incomplete" in _ev(unrecorded.evidence)["explanation_en"]
    assert 0.5 <= simple.score <= 1 and simple.level in ("medium", "high")


def test_unknown_procedure_uses_the_longest_limit_and_says_it_is_a_heuristic(edge_db):
    _, db = edge_db
    flags = TIME_LIMIT.flags_from_rows(_rows(db, TIME_LIMIT)).flags.set_index("subject_id")
    unknown = flags.loc["(2024)浙0102刑初7号"]
    assert "程序未载明" in unknown.explanation and "启发式提示" in unknown.explanation
    assert "最长审限" in unknown.explanation and "六个月" in unknown.explanation
    evidence = _ev(unknown.evidence)
    assert evidence["rule_kind"] == "heuristic" and "heuristic" in evidence["peer_comparison"]
    assert "heuristic" in evidence["explanation_en"] and "longest limit" in evidence["explanation_en"]
    assert unknown.score <= 0.7  # never a high warning: the limit the case was bound by is not known
    assert _ev(flags.loc["(2024)浙0102刑初1号"].evidence)["rule_kind"] == "statute"


def test_a_heuristic_time_limit_warning_is_read_as_one(edge_db):
    """The level follows the kind each warning states (detectors/triage.py), not only the detector's."""
    _, db = edge_db
    detection = TIME_LIMIT.flags_from_rows(_rows(db, TIME_LIMIT))
    levels = finish_flags(TIME_LIMIT, detection.flags, "run-1").set_index("subject_id")["level"]
    assert levels["(2024)浙0102刑初7号"] == "low"  # procedure not recorded: a heuristic
    assert levels["(2024)浙0102刑初1号"] == "medium"  # the written limit: a statute rule of the patrol


def test_long_pending_cases_are_listed_as_a_heuristic(edge_db):
    _, db = edge_db
    detection = LONG_PENDING.flags_from_rows(_rows(db, LONG_PENDING))
    assert set(detection.flags.subject_id) == {cid for cid, (*_, v) in PENDING.items() if v}
    flag = detection.flags.iloc[0]
    assert "长期未结" in flag.explanation and "不等于违法" in flag.explanation and "579天" in flag.explanation
    evidence = _ev(flag.evidence)
    assert evidence["rule_kind"] == "heuristic" and "一年以上" in evidence["legal_basis"]
    assert evidence["observed"]["threshold_months"] == load_config().rules["long_pending_months"]
    assert finish_flags(LONG_PENDING, detection.flags, "run-1")["level"].iloc[0] != "high"


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_twins_give_identical_flags(edge_db):
    from courtwatch.pipeline import spark_engine

    root, db = edge_db
    spark_engine.export_parquet(db, root / "parquet")
    spark = spark_engine.spark_session()
    try:
        spark_engine._register_tables(spark, root / "parquet", spark_engine.schema_columns())
        ctx = DetectContext(con=None, as_of=AS_OF, config=load_config())
        spark_rows = {d.name: spark_engine._rule_rows(spark, d, ctx) for d in (TIME_LIMIT, LONG_PENDING)}
    finally:
        spark.stop()
    for detector in (TIME_LIMIT, LONG_PENDING):
        mine, theirs = detector.flags_from_rows(spark_rows[detector.name]), detector.flags_from_rows(_rows(db, detector))
        pd.testing.assert_frame_equal(mine.flags, theirs.flags)
        assert mine.rows_skipped == theirs.rows_skipped


# ---- extension approvals concentrated ----------------------------------------------------------

def _concentration_db(root, concentrated_approver: bool):
    """One court, six judges of 40 civil cases each, two leaders who approve extensions. J1 has 16 extended
    cases, the others 3 each; with `concentrated_approver` every one of J1's is approved by A1."""
    judges = [{"judge_id": f"J{i}", "court_id": "浙0102", "name": f"法官{i}", "role": "judge"} for i in range(1, 7)]
    judges += [{"judge_id": a, "court_id": "浙0102", "name": a, "role": "judge"} for a in ("A1", "A2")]
    cases, events = [], []
    seq = 0
    for i in range(1, 7):
        extended = 16 if i == 1 else 3
        for k in range(40):
            seq += 1
            cid = f"(2023)浙0102民初{seq}号"
            ext = k < extended
            cases.append(case(cid, cause="民间借贷纠纷", judge_id=f"J{i}", filed_on="2023-02-01",
                              closed_on="2023-11-01" if ext else "2023-06-01", extensions="1" if ext else "0",
                              procedure="ordinary", deducted_days="0"))
            if ext:
                approver = "A1" if (i == 1 and concentrated_approver) else ("A1", "A2")[(seq + i) % 2]
                events.append(_event(cid, "extension", "2023-07-25T10:00:00", approver=approver, actor=f"J{i}"))
    folder = root / "import"
    write_table(folder, "courts", COURTS)
    write_table(folder, "judges", judges)
    write_table(folder, "cases", cases)
    write_table(folder, "events", events)
    db = root / "cw.duckdb"
    ingest(folder, db=db, export_date=EXPORT)
    return db


def _concentration(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return ExtensionApprovalConcentration().detect(DetectContext(con=con, as_of=AS_OF, config=load_config()))
    finally:
        con.close()


def test_an_approver_who_signs_every_extension_of_one_judge_is_flagged(tmp_path):
    detection = _concentration(_concentration_db(tmp_path, concentrated_approver=True))
    flags = detection.flags.set_index("subject_id")
    assert set(flags.index) == {"J1", "A1"}
    approver = flags.loc["A1"]
    assert "法官J1的16次延长审限中16次由A1批准（100%）" in approver.explanation
    evidence = _ev(approver.evidence)
    test = evidence["tests"][0]
    assert test["test"] == "approver" and test["approvals_for_judge"] == 16 and test["extensions_of_judge"] == 16
    assert test["usual_share"] < 0.7 and test["other_judges"] == 5
    assert test["q_value"] < load_config().stats["false_discovery_rate"]
    assert "法释〔2000〕29号" in evidence["legal_basis"] and "usual share" in evidence["peer_comparison"]
    judge = _ev(flags.loc["J1"].evidence)
    assert judge["tests"][0]["test"] == "judge" and judge["tests"][0]["extended"] == 16
    assert judge["tests"][0]["peer_extended"] == 15 and judge["tests"][0]["approvers"] == {"A1": 16}
    assert "approver–judge test(s)" in detection.note


def test_spread_approvals_flag_the_judge_not_the_approver(tmp_path):
    detection = _concentration(_concentration_db(tmp_path, concentrated_approver=False))
    assert set(detection.flags.subject_id) == {"J1"}  # J1's extensions are many, but no leader favours J1


def test_no_approver_recorded_abstains_on_approvers(tmp_path):
    db = _concentration_db(tmp_path, concentrated_approver=True)
    con = duckdb.connect(str(db))
    con.execute("UPDATE events SET approver_id = NULL")
    con.close()
    detection = _concentration(db)
    assert set(detection.flags.subject_id) == {"J1"}
    assert "0 approver–judge test(s)" in detection.note and "without a recorded approver" in detection.note


# ---- the sample ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from courtwatch.sample_data import generate

    root = tmp_path_factory.mktemp("patrol_sample")
    generate(root / "import", scale=1.0, seed=1234)
    db = root / "cw.duckdb"
    ingest(root / "import", db=db, export_date=EXPORT)
    truth = pd.read_csv(root / "import" / "ground_truth.csv", dtype=str, keep_default_na=False)
    lawful = pd.read_csv(root / "import" / "lawful_exceptions.csv", dtype=str, keep_default_na=False)
    con = duckdb.connect(str(db), read_only=True)
    try:
        ctx = DetectContext(con=con, as_of=AS_OF, config=load_config())
        flags = {d.name: d.detect(ctx).flags for d in (TIME_LIMIT, LONG_PENDING, ExtensionApprovalConcentration())}
    finally:
        con.close()
    return {"root": root, "truth": truth, "lawful": lawful, "flags": flags}


def test_the_sample_flags_exactly_its_planted_overdue_and_long_pending_cases(sample):
    truth, flags = sample["truth"], sample["flags"]
    for rule in ("case_past_time_limit", "case_long_pending"):
        planted = set(truth.subject_id[truth.kind == rule])
        assert len(planted) >= 5, rule
        assert set(flags[rule].subject_id) == planted, (rule, sorted(set(flags[rule].subject_id) ^ planted)[:5])
    kinds = set(_ev(e)["rule_kind"] for e in flags["case_past_time_limit"].evidence)
    assert kinds == {"statute", "heuristic"}  # a planted case of unknown procedure is worded as a heuristic


def test_the_sample_keeps_its_lawful_cases_unflagged(sample):
    lawful = sample["lawful"]
    mine = lawful[lawful.detector == "case_past_time_limit"]
    assert {"lawful_time_limit_extended", "lawful_time_limit_deducted"} <= set(mine.kind)
    assert not set(mine.subject_id) & set(sample["flags"]["case_past_time_limit"].subject_id)


def test_the_sample_finds_the_extension_concentrated_judge_and_approver(sample):
    truth, flags = sample["truth"], sample["flags"]["extension_approval_concentration"]
    planted = truth[truth.detector == "extension_approval_concentration"]
    assert set(planted.kind) == {"extension_concentrated_judge", "extension_concentrated_approver"}
    assert set(planted.subject_id) <= set(flags.subject_id)
    # every other flag is a planted judge of another kind (the judges whose extension rate was raised)
    others = set(flags.subject_id) - set(planted.subject_id)
    assert others <= set(truth.subject_id[truth.subject_type == "judge"])


def test_the_sample_records_procedures_deductions_and_approvers(sample):
    cases = pd.read_csv(sample["root"] / "import" / "cases.csv", dtype=str, keep_default_na=False)
    events = pd.read_csv(sample["root"] / "import" / "events.csv", dtype=str, keep_default_na=False)
    trials = cases[cases.case_id.str.contains("民初|刑初")]
    assert (trials.procedure == "").mean() < 0.1 and trials.procedure.isin(["simplified", "简易程序"]).mean() > 0.3
    assert (cases.deducted_days != "").mean() > 0.9
    extensions = events[events.event.isin(["extension", "延长审限"])]
    assert (extensions.approver_id != "").mean() > 0.99
    assert (extensions.approver_id != extensions.actor_id).all()  # nobody approves their own extension
    assert (events.event == "suspension_end").any()


def test_the_exact_tests_equal_scipys_own():
    """The recurrence pmf is scipy's (Boost's) exact hypergeometric pmf, including court-sized N where Boost is
    slow; the convolved tail is the one-stratum sf; the vectorised pair tests are fisher_exact's and
    betabinom's / binom's one call per pair."""
    import numpy as np
    from scipy import stats as sps

    from courtwatch.detectors.patterns import extension_approval_concentration as eac

    for total, extended, drawn in [(1, 0, 1), (7, 7, 3), (10, 3, 9), (250, 40, 60), (60000, 4000, 1500),
                                   (60000, 100, 59950), (2, 1, 1)]:
        support = np.arange(min(drawn, extended) + 1)
        exact = sps.hypergeom.pmf(support, total, extended, drawn)
        got = eac._hypergeometric_pmf(total, extended, drawn)
        assert got.shape == exact.shape
        assert np.allclose(got, exact, rtol=1e-12, atol=1e-300), (total, extended, drawn)
    assert eac._sum_of_hypergeometric_sf([(30, 900, 120, 150)]) == pytest.approx(
        float(sps.hypergeom.sf(29, 900, 120, 150)), rel=1e-12)
    two = eac._sum_of_hypergeometric_sf([(3, 40, 6, 10), (5, 50, 10, 12)])
    brute = sum(sps.hypergeom.pmf(a, 40, 6, 10) * sps.hypergeom.pmf(b, 50, 10, 12)
                for a in range(7) for b in range(11) if a + b >= 8)
    assert two == pytest.approx(brute, rel=1e-12)
    rng = np.random.default_rng(3)
    tests = []
    for _ in range(40):
        k = int(rng.integers(2, 6))
        base_n = rng.integers(1, 30, size=k)
        base_x = rng.integers(0, base_n + 1)
        n = int(rng.integers(1, 30))
        tests.append((int(rng.integers(0, n + 1)), n, base_x, base_n, 0.25))
    shares = [eac._usual_share(base_x, base_n, floor) for _, _, base_x, base_n, floor in tests]
    p = eac._pair_tails(np.array([t[0] for t in tests]), np.array([t[1] for t in tests]),
                        np.array([u for u, _ in shares]), np.array([r for _, r in shares]),
                        np.array([int(t[2].sum()) for t in tests]), np.array([int(t[3].sum()) for t in tests]))
    for (x, n, base_x, base_n, floor), pi, (u, r) in zip(tests, p, shares):
        if r > 1e-6:
            tail = float(sps.betabinom.sf(x - 1, n, u * (1 / r - 1), (1 - u) * (1 / r - 1)))
        else:
            tail = float(sps.binom.sf(x - 1, n, u))
        ox, on = int(base_x.sum()), int(base_n.sum())
        fisher = float(sps.fisher_exact([[x, n - x], [ox, on - ox]], alternative="greater")[1])
        assert pi == max(tail, fisher)
    # and pair_tests' usual shares of several approvers at once are each approver's own
    approvals = rng.integers(0, 20, size=(5, 7))
    totals = approvals.sum(axis=0) + rng.integers(1, 10, size=7)
    usual, rho = eac._usual_shares(approvals, totals, 0.1)
    assert [(float(u), float(r)) for u, r in zip(usual, rho)] == [eac._usual_share(row, totals, 0.1) for row in approvals]

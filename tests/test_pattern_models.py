"""Statistical 终本 and integrity detectors (detectors/patterns/) on a generated province.

One scale-1 sample from held-out seed 1001 (tuning used seeds 1–99) is generated,
imported and scored once for this module. The floors below are what that seed
gave when measured, with margin; the mechanism tests edit a private copy of
the database to plant (or remove) one thing and check the detector's answer.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import time

import duckdb
import numpy as np
import pandas as pd
import pytest

from courtwatch.core.config import Config, load_config
from courtwatch.detectors.base import NOTICE_EN, NOTICE_ZH, DetectContext, finish_flags, level_for
from courtwatch.detectors.patterns import DETECTORS
from courtwatch.detectors.patterns.common import conformal_p
from courtwatch.detectors.registry import by_name
from courtwatch.detectors.stats import benjamini_hochberg, score_from_q
from courtwatch.pipeline.ingest import ingest
from courtwatch.sample_data import generate

SEED = 1001
EXPORT = dt.date(2024, 12, 31)
NAMES = [d.name for d in DETECTORS]
# planted kind → the detector that should raise it
KINDS = {
    "officer_termination_rate": "termination_rate",
    "termination_procedure_outlier": "termination_procedure_outlier",
    "judge_lawyer_affinity": "judge_lawyer_affinity",
    "judge_extension_rate": "judge_rate_outlier",
    "judge_reversal_rate": "judge_rate_outlier",
}


def _run(con, detector, config: Config | None = None):
    ctx = DetectContext(con=con, as_of=EXPORT, config=config or load_config())
    result = detector.detect(ctx)
    return result, finish_flags(detector, result.flags, "T")


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("patterns")
    generate(root / "import", scale=1.0, seed=SEED)
    db = root / "cw.duckdb"
    ingest(root / "import", db=db, export_date=EXPORT)
    truth = pd.read_csv(root / "import" / "ground_truth.csv", dtype=str)
    con = duckdb.connect(str(db), read_only=True)
    results, flags, seconds = {}, [], {}
    for detector in DETECTORS:
        began = time.process_time()   # CPU time: the test machine is shared, wall time is not ours
        results[detector.name], f = _run(con, detector)
        seconds[detector.name] = time.process_time() - began
        flags.append(f)
    con.close()
    return {"root": root, "db": db, "truth": truth, "results": results, "seconds": seconds,
            "flags": pd.concat(flags, ignore_index=True)}


@pytest.fixture
def editable(province, tmp_path):
    """A private, writable copy of the sample database."""
    path = tmp_path / "edit.duckdb"
    shutil.copy(province["db"], path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


def _correct(flags: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """A flag is correct when (detector, subject) is planted, or its subject is planted under another kind
    (for a judge: the judge of a planted judge-level or judge–lawyer anomaly)."""
    planted = set(zip(truth["detector"], truth["subject_id"]))
    subjects = set(truth["subject_id"])
    judges = set(truth.loc[truth["subject_type"].isin(["judge", "judge_lawyer"]), "judge_id"].dropna())
    return pd.Series([(d, s) in planted or s in subjects or (t == "judge" and s in judges)
                      for d, s, t in zip(flags["detector"], flags["subject_id"], flags["subject_type"])],
                     index=flags.index, dtype=bool)


def _detector(name):
    return by_name()[name]


# --------------------------------------------------------------------------- registry and flag format

def test_registry_lists_the_pattern_detectors_with_their_model_card():
    registered = by_name()
    for name in ("termination_rate", "termination_procedure_outlier", "judge_lawyer_affinity",
                 "judge_rate_outlier", "judge_profile_outlier"):
        d = registered[name]
        assert d.category in ("enforcement", "integrity")
        for field in ("title_zh", "title_en", "method", "legal_basis", "false_alarm_control", "limitations"):
            assert getattr(d, field), f"{name}.{field} is empty"


def test_flags_explain_in_plain_chinese_with_figures_and_legal_basis(province):
    flags = province["flags"]
    assert not flags.empty
    for row in flags.itertuples():
        evidence = json.loads(row.evidence)
        assert row.explanation.endswith("。") and any("\u4e00" <= ch <= "\u9fff" for ch in row.explanation)
        for key in ("explanation_en", "legal_basis", "method", "peer_comparison", "notice"):
            assert evidence.get(key), f"{row.detector} flag without {key}"
        assert NOTICE_ZH in evidence["notice"] and NOTICE_EN in evidence["notice"]
        assert row.level == level_for(row.score)
        assert row.score == pytest.approx(float(score_from_q([evidence["q_value"]])[0]), abs=1e-4)
        assert evidence["q_value"] <= load_config().stats["false_discovery_rate"]
    termination = flags[flags["detector"] == "termination_rate"]
    for evidence in map(json.loads, termination["evidence"]):
        for key in ("closed_cases", "terminated_cases", "observed_rate", "expected_rate", "ratio",
                    "upper_limit_998", "overdispersion_phi", "q_value"):
            assert evidence[key] is not None
        assert "法〔2016〕373号" in evidence["legal_basis"]
    procedure = flags[flags["detector"] == "termination_procedure_outlier"]
    for evidence in map(json.loads, procedure["evidence"]):
        assert len(evidence["drivers"]) == 3 and all(d["ecod_term"] > 0 for d in evidence["drivers"])


# --------------------------------------------------------------------------- held-out recall and precision
# Measured on seed 1001 (scale 1): recall 2/2, 76/76, 3/3, 2/2 for the four kinds below;
# judge_reversal_rate 0/2 (see the xfail). Precision of all pattern flags 89/91.

@pytest.mark.parametrize("kind", ["officer_termination_rate", "termination_procedure_outlier",
                                  "judge_lawyer_affinity", "judge_extension_rate"])
def test_planted_kind_is_flagged_on_the_held_out_seed(province, kind):
    truth, flags = province["truth"], province["flags"]
    planted = truth[truth["kind"] == kind]
    assert len(planted) > 0
    raised = set(flags.loc[flags["detector"] == KINDS[kind], "subject_id"])
    recall = planted["subject_id"].isin(raised).mean()
    assert recall >= 0.9, f"{kind}: recall {recall:.2f}; missed {sorted(set(planted['subject_id']) - raised)[:5]}"


@pytest.mark.xfail(strict=True, reason=(
    "not detectable at the sample's volumes: even the busiest civil judges of a scale-1 sample have under "
    "20 appealed cases, and 3× the 18% reversal rate on 15 appeals has one-sided p ≈ 0.003, above the "
    "Benjamini–Hochberg threshold across ~800 judge × metric tests. docs/quality.md shows recall by appealed "
    "volume and docs/quality-scale10.md the larger caseloads; "
    "test_reversal_rate_is_flagged_at_a_detectable_size shows the metric working."))
def test_planted_reversal_rate_is_flagged_on_the_held_out_seed(province):
    truth, flags = province["truth"], province["flags"]
    planted = truth[truth["kind"] == "judge_reversal_rate"]
    raised = set(flags.loc[flags["detector"] == "judge_rate_outlier", "subject_id"])
    assert planted["subject_id"].isin(raised).mean() >= 0.9


def test_precision_of_the_pattern_flags(province):
    flags = province["flags"]
    correct = _correct(flags, province["truth"])
    assert len(flags) >= 80
    assert correct.mean() >= 0.9, flags.loc[~correct, ["detector", "subject_id"]].to_string()


@pytest.mark.parametrize("name,most", [("termination_rate", 1), ("termination_procedure_outlier", 5),
                                       ("judge_lawyer_affinity", 1), ("judge_rate_outlier", 2),
                                       ("judge_profile_outlier", 2)])
def test_clean_subjects_are_rarely_flagged(province, name, most):
    """Subjects planted under no kind: measured 0, 2, 0, 0, 0 false flags on seed 1001."""
    flags = province["flags"][province["flags"]["detector"] == name]
    false = flags[~_correct(flags, province["truth"])]
    assert len(false) <= most, false[["subject_id", "explanation"]].to_string()


def test_opposing_counsel_of_a_favoured_lawyer_is_not_flagged(province):
    truth, flags = province["truth"], province["flags"]
    pairs = truth[truth["kind"] == "judge_lawyer_affinity"]["subject_id"]
    raised = set(flags.loc[flags["detector"] == "judge_lawyer_affinity", "subject_id"])
    for pair in pairs:
        judge = pair.split("|")[0]
        others = {s for s in raised if s.startswith(judge + "|")} - {pair}
        assert not others, f"other lawyers of {judge} flagged: {others}"


def test_pattern_detectors_run_well_within_budget(province):
    """All five at scale 1 (CPU seconds, including PyOD's import and JIT on first use)."""
    assert sum(province["seconds"].values()) < 30, province["seconds"]


# --------------------------------------------------------------------------- small groups abstain

def _closed_enforcement_cases_of_one_court(con, truth, k):
    planted_officers = set(truth.loc[truth["kind"] == "officer_termination_rate", "judge_id"])
    rows = con.execute("""
        SELECT c.case_id, c.judge_id, c.court_id FROM cases c JOIN enforcement e USING (case_id)
        WHERE c.case_kind = 'enforcement' AND c.closed_on IS NOT NULL AND c.claim_amount IS NOT NULL
          AND e.respondent_kind IS NOT NULL
        ORDER BY c.court_id, c.case_id""").df()
    rows = rows[~rows["judge_id"].isin(planted_officers)]
    court = rows.groupby("court_id").size().idxmax()
    picked = rows[rows["court_id"] == court].head(k)
    assert len(picked) == k
    return list(picked["case_id"])


def test_officer_below_the_minimum_abstains_and_at_the_minimum_is_tested(province, editable):
    minimum = load_config().section("patterns")["termination_min_cases"]
    cases = _closed_enforcement_cases_of_one_court(editable, province["truth"], 2 * minimum - 1)
    # two new officers who terminated every case "for this round": one just below the minimum
    for officer, ids in (("JSMALL", cases[:minimum - 1]), ("JTESTED", cases[minimum - 1:])):
        for case_id in ids:
            editable.execute("UPDATE cases SET judge_id = ?, close_method = 'terminated_this_round' "
                             "WHERE case_id = ?", [officer, case_id])
    result, flags = _run(editable, _detector("termination_rate"))
    raised = set(flags["subject_id"])
    assert "JTESTED" in raised
    assert "JSMALL" not in raised
    assert "abstain" in result.note


def _judge_with_closed_civil_cases(con, truth, k):
    """A basic-court civil judge (not planted) sharing the court with other civil judges, and k closed cases."""
    planted = set(truth.loc[truth["subject_type"].isin(["judge", "judge_lawyer"]), "judge_id"])
    rows = con.execute("""
        WITH civ AS (SELECT * FROM cases WHERE case_type = '民初'),
             share AS (SELECT court_id, count(DISTINCT judge_id) AS judges FROM civ GROUP BY court_id)
        SELECT civ.judge_id, count(*) AS n FROM civ JOIN share USING (court_id)
        WHERE share.judges >= 2 AND civ.closed_on IS NOT NULL AND civ.prevailing_side IS NOT NULL
        GROUP BY civ.judge_id ORDER BY n DESC, civ.judge_id""").df()
    judge = rows[~rows["judge_id"].isin(planted) & (rows["n"] >= k)]["judge_id"].iloc[0]
    ids = [r[0] for r in con.execute("SELECT case_id FROM cases WHERE judge_id = ? AND case_type = '民初' AND "
                                     "closed_on IS NOT NULL AND prevailing_side IS NOT NULL ORDER BY case_id",
                                     [judge]).fetchall()]
    return judge, ids[:k]


def test_pair_below_the_minimum_abstains_and_at_twelve_cases_is_flagged(province, editable):
    minimum = load_config().section("patterns")["affinity_min_shared_cases"]
    judge, ids = _judge_with_closed_civil_cases(editable, province["truth"], minimum - 1 + 12)
    # a lawyer who always wins, always in designated cases, before this judge only
    for lawyer, cases in (("LSMALL", ids[:minimum - 1]), ("LTESTED", ids[minimum - 1:])):
        for case_id in cases:
            editable.execute("INSERT INTO representations VALUES (?, 'plaintiff', ?, 'FTEST')", [case_id, lawyer])
            editable.execute("UPDATE cases SET prevailing_side = 'plaintiff', assignment = 'designated' "
                             "WHERE case_id = ?", [case_id])
    _, flags = _run(editable, _detector("judge_lawyer_affinity"))
    raised = set(flags["subject_id"])
    assert f"{judge}|LTESTED" in raised
    assert f"{judge}|LSMALL" not in raised


def test_pair_brought_together_but_not_winning_more_is_not_flagged(province, editable):
    judge, ids = _judge_with_closed_civil_cases(editable, province["truth"], 15)
    # designated together 15 times, but the lawyer's side loses every time: no sign of favour
    for case_id in ids:
        editable.execute("INSERT INTO representations VALUES (?, 'plaintiff', 'LLOSER', 'FTEST')", [case_id])
        editable.execute("UPDATE cases SET prevailing_side = 'defendant', assignment = 'designated' "
                         "WHERE case_id = ?", [case_id])
    _, flags = _run(editable, _detector("judge_lawyer_affinity"))
    assert f"{judge}|LLOSER" not in set(flags["subject_id"])


# --------------------------------------------------------------------------- mechanisms at a detectable size

def test_reversal_rate_is_flagged_at_a_detectable_size(province, editable):
    judge, ids = _judge_with_closed_civil_cases(editable, province["truth"], 30)
    editable.execute("UPDATE cases SET appeal_outcome = 'none' WHERE judge_id = ?", [judge])
    for i, case_id in enumerate(ids):   # 30 appealed, 15 amended or remanded (the province: about 17%)
        outcome = ("amended", "remanded")[i % 2] if i < 15 else "upheld"
        editable.execute("UPDATE cases SET appeal_outcome = ? WHERE case_id = ?", [outcome, case_id])
    _, flags = _run(editable, _detector("judge_rate_outlier"))
    mine = flags[flags["subject_id"] == judge]
    assert len(mine) == 1
    evidence = json.loads(mine["evidence"].iloc[0])
    assert "reversal" in evidence["metrics_out_of_bounds"]
    assert "上诉后改判发回率" in mine["explanation"].iloc[0]


def test_profile_flags_a_judge_high_on_several_rates_at_once(province, editable):
    truth = province["truth"]
    planted = set(truth["judge_id"].dropna())
    candidates = editable.execute("""
        SELECT c.judge_id, count(*) AS n FROM cases c JOIN courts co USING (court_id)
        WHERE c.case_type = '刑初' AND co.level = 'basic' AND c.closed_on IS NOT NULL
        GROUP BY c.judge_id HAVING n BETWEEN 55 AND 70 ORDER BY c.judge_id""").df()
    judge = candidates[~candidates["judge_id"].isin(planted)]["judge_id"].iloc[0]
    ids = [r[0] for r in editable.execute("SELECT case_id FROM cases WHERE judge_id = ? AND closed_on IS NOT NULL "
                                          "ORDER BY case_id", [judge]).fetchall()]
    editable.execute("UPDATE cases SET extensions = 0, assignment = 'random' WHERE judge_id = ?", [judge])
    editable.execute("DELETE FROM events WHERE event IN ('post_close_edit', 'interference_record') AND case_id IN "
                     "(SELECT case_id FROM cases WHERE judge_id = ?)", [judge])
    # each rate about 3× its peers — extensions 10, designations 10, post-closing edits 6, interference 2
    for case_id in ids[0:10]:
        editable.execute("UPDATE cases SET extensions = 1 WHERE case_id = ?", [case_id])
    for case_id in ids[10:20]:
        editable.execute("UPDATE cases SET assignment = 'designated' WHERE case_id = ?", [case_id])
    for case_id in ids[20:26]:
        editable.execute("INSERT INTO events (case_id, event, occurred_at, actor_id, amount, note) "
                         "SELECT case_id, 'post_close_edit', closed_on::TIMESTAMP + INTERVAL 3 DAY, "
                         "judge_id, NULL, 'test' FROM cases WHERE case_id = ?", [case_id])
    for case_id in ids[26:28]:
        editable.execute("INSERT INTO events (case_id, event, occurred_at, actor_id, amount, note) "
                         "SELECT case_id, 'interference_record', filed_on::TIMESTAMP + "
                         "INTERVAL 3 DAY, judge_id, NULL, 'test' FROM cases WHERE case_id = ?", [case_id])
    _, flags = _run(editable, _detector("judge_profile_outlier"))
    mine = flags[flags["subject_id"] == judge]
    assert len(mine) == 1, flags[["subject_id", "explanation"]].to_string()
    drivers = json.loads(mine["evidence"].iloc[0])["drivers"]
    assert len(drivers) >= 2 and "多项同时偏高" in mine["explanation"].iloc[0]


def test_procedure_model_partitions_by_court_and_still_finds_the_plants(province, editable):
    values = copy.deepcopy(load_config().values)
    values["patterns"]["procedure_partition_max_cases"] = 1200
    result, flags = _run(editable, _detector("termination_procedure_outlier"), Config(values))
    partitions = int(result.note.split(" partition")[0].rsplit(" ", 1)[-1])
    assert partitions >= 3
    planted = province["truth"][province["truth"]["kind"] == "termination_procedure_outlier"]["subject_id"]
    assert planted.isin(set(flags["subject_id"])).mean() >= 0.9


def test_detectors_skip_gracefully_without_their_tables(editable):
    for table in ("enforcement", "representations", "events"):
        editable.execute(f"DELETE FROM {table}")
    for name in ("termination_rate", "termination_procedure_outlier", "judge_lawyer_affinity"):
        result, flags = _run(editable, _detector(name))
        assert flags.empty and result.note, name
    result, flags = _run(editable, _detector("judge_rate_outlier"))
    assert "judge × metric" in result.note
    for evidence in map(json.loads, flags["evidence"]):
        assert "post_close_edit" not in evidence["metrics_tested"]
    _run(editable, _detector("judge_profile_outlier"))


def test_detection_is_deterministic(province):
    con = duckdb.connect(str(province["db"]), read_only=True)
    try:
        for name in ("termination_procedure_outlier", "judge_profile_outlier"):
            _, again = _run(con, _detector(name))
            first = province["flags"][province["flags"]["detector"] == name].reset_index(drop=True)
            columns = ["subject_id", "score", "level", "explanation", "evidence"]
            assert again[columns].astype(str).values.tolist() == first[columns].astype(str).values.tolist()
    finally:
        con.close()


# --------------------------------------------------------------------------- p-values

def test_conformal_p_values_stay_calibrated_and_find_a_cluster_of_outliers():
    rng = np.random.default_rng(7)
    null = 6 * np.log(2) + rng.gamma(6.0, 1.0, 5000)        # ECOD-like scores of ordinary cases
    reject, _ = benjamini_hochberg(conformal_p(null, null), 0.05)
    assert reject.sum() <= 2
    # 3% irregular cases scoring alike: rank p-values alone could never reject them (≈ k/n each)
    outliers = null.max() + 6 + rng.gamma(2.0, 1.0, 150)
    scores = np.concatenate([null, outliers])
    reject, _ = benjamini_hochberg(conformal_p(scores, scores), 0.05)
    assert reject[len(null):].mean() >= 0.95
    assert reject[:len(null)].sum() <= 5
    ranks_only = (1 + len(scores) - np.searchsorted(np.sort(scores), outliers, "left")) / (len(scores) + 1)
    assert benjamini_hochberg(np.concatenate([np.ones(len(null)), ranks_only]), 0.05)[0].sum() == 0

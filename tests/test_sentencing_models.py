"""Statistical sentencing detectors on a real generated sample: planted in → flag out, clean → no flag, abstain.

One sample (tuning seed 11, scale 0.5) is generated and ingested once for the module; the
tests that need changed data share one copy carrying independent edits on distinct defendants.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from courtwatch.core.config import Config, load_config
from courtwatch.detectors.base import NOTICE_ZH, DetectContext, finish_flags
from courtwatch.detectors.sentencing import (
    DETECTORS,
    CourtSentencingDeviation,
    JudgeSentencingDeviation,
    PleaRecommendationDeviation,
    SentenceDeviation,
    SentencingDisparityAudit,
)
from courtwatch.detectors.sentencing.design import MULTI_GROUP
from courtwatch.detectors.sentencing.fit import fit_model

AS_OF = dt.date(2024, 12, 31)
SEED, SCALE = 11, 0.5


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.sample_data import generate
    root = tmp_path_factory.mktemp("sentencing")
    generate(root / "import", scale=SCALE, seed=SEED, noise=0.35)
    ingest(root / "import", db=root / "base.duckdb", export_date=AS_OF)
    truth = pd.read_csv(root / "import" / "ground_truth.csv", dtype=str, keep_default_na=False)
    return root, truth


@pytest.fixture(scope="module")
def con(sample):
    """The sample database as ingested (read-only: every test here sees the same fit)."""
    root, _ = sample
    connection = duckdb.connect(str(root / "base.duckdb"), read_only=True)
    yield connection
    connection.close()


def ctx_for(con, **stats) -> DetectContext:
    config = load_config()
    if stats:
        values = json.loads(config.to_json())
        values["stats"].update(stats)
        config = Config(values)
    return DetectContext(con=con, as_of=AS_OF, config=config)


def planted(truth: pd.DataFrame, kind: str) -> pd.DataFrame:
    return truth[truth["kind"] == kind]


def clean_defendants(con, truth: pd.DataFrame) -> pd.DataFrame:
    """Scored single-charge defendants the generator left alone (no plant of any kind, unbiased judge and court)."""
    model = fit_model(ctx_for(con))
    rows = model.rows
    altered_judges = set(planted(truth, "judge_sentencing_bias")["subject_id"])
    altered_courts = set(planted(truth, "sentencing_disparity")["subject_id"])
    keep = (~rows["defendant_id"].isin(truth["subject_id"]) & ~rows["judge_id"].isin(altered_judges)
            & ~rows["court_id"].isin(altered_courts) & (rows["peer_group"] != MULTI_GROUP) & rows["testable"])
    return rows[keep].sort_values("defendant_id")


@pytest.fixture(scope="module")
def mutated(sample, con, tmp_path_factory):
    """A copy of the database with independent edits on distinct defendants, detected once.

    harsh: a clean sentence ×8; lenient: a long clean sentence ÷8; thin: 30 theft defendants moved to a
    charge nobody else has (one of them ×10); unknown: a theft amount blanked (and its term ×8);
    blank: surrender left blank for 25 theft defendants; plea_blank: 7 guilty pleas left blank;
    protected attributes blanked for everybody.
    """
    root, truth = sample
    clean = clean_defendants(con, truth)
    short = clean[(clean["sentence_kind"] == "fixed_term") & (clean["z"].abs() < 0.5)
                  & clean["term_months"].between(8, 30)]
    theft = clean[clean["peer_group"] == "盗窃罪"]
    targets = {
        "harsh": short.iloc[0],
        "lenient": clean[(clean["sentence_kind"] == "fixed_term") & (clean["z"].abs() < 0.5)
                         & (clean["term_months"] >= 60)].iloc[0],
        "thin": theft["defendant_id"].iloc[:30].tolist(),
        "unknown": theft.iloc[30],
        "blank": theft["defendant_id"].iloc[31:56].tolist(),
    }
    path = tmp_path_factory.mktemp("mutated") / "copy.duckdb"
    shutil.copyfile(root / "base.duckdb", path)
    connection = duckdb.connect(str(path))
    run = connection.execute
    run("UPDATE defendants SET term_months = term_months * 8 WHERE defendant_id = ?", [targets["harsh"]["defendant_id"]])
    run("UPDATE defendants SET term_months = round(term_months / 8) WHERE defendant_id = ?",
        [targets["lenient"]["defendant_id"]])
    run("UPDATE defendants SET charge = '非法经营罪' WHERE list_contains(?, defendant_id)", [targets["thin"]])
    run("UPDATE defendants SET term_months = term_months * 10 WHERE defendant_id = ?", [targets["thin"][0]])
    run("UPDATE defendants SET amount_involved = NULL, term_months = term_months * 8 WHERE defendant_id = ?",
        [targets["unknown"]["defendant_id"]])
    run("UPDATE defendants SET surrender = NULL WHERE list_contains(?, defendant_id)", [targets["blank"]])
    run("UPDATE defendants SET guilty_plea = NULL WHERE defendant_id IN (SELECT defendant_id FROM defendants "
        "JOIN cases USING (case_id) WHERE guilty_plea AND recommended_months IS NOT NULL AND closed_on IS NOT NULL "
        "AND sentence_kind IN ('detention', 'fixed_term') ORDER BY defendant_id DESC LIMIT 7)")
    run("UPDATE defendants SET gender = NULL, ethnicity = NULL, local_resident = NULL")
    edited = {targets["harsh"]["defendant_id"], targets["lenient"]["defendant_id"], targets["unknown"]["defendant_id"],
              *targets["thin"], *targets["blank"]}
    plea_blank = set(connection.execute("SELECT defendant_id FROM defendants WHERE guilty_plea IS NULL").df()["defendant_id"])
    assert len(plea_blank) >= 7 and not plea_blank & edited  # the edits do not overlap
    ctx = ctx_for(connection)
    results = {d.name: d.detect(ctx) for d in DETECTORS}
    yield {"targets": targets, "results": results, "model": fit_model(ctx), "con": connection}
    connection.close()


# ---- sentence_deviation ------------------------------------------------------------------------


def test_planted_sentence_in_flag_out(mutated):
    target = mutated["targets"]["harsh"]
    flags = finish_flags(SentenceDeviation(), mutated["results"]["sentence_deviation"].flags, "R")
    hit = flags[flags["subject_id"] == target["defendant_id"]]
    assert len(hit) == 1
    flag = hit.iloc[0]
    evidence = json.loads(flag["evidence"])
    assert evidence["observed_term_months"] == pytest.approx(target["term_months"] * 8)
    low, high = evidence["expected_range_95_months"]
    assert low < evidence["expected_term_months"] < high < evidence["observed_term_months"]
    assert evidence["q"] <= 0.05 and evidence["p"] <= evidence["q"]
    assert evidence["peer_comparison"]["peer_group"] == target["peer_group"]
    assert evidence["peer_comparison"]["n"] >= 40
    similar = evidence["similar_cases"]
    assert 1 <= len(similar) <= 5
    assert all(s["case_id"] != target["case_id"] for s in similar)
    assert all({"case_id", "term_months", "factors"} <= set(s) for s in similar)
    assert re.search(r"被判处有期徒刑\d+个月，约为同类案件预期（[\d.]+个月，通常范围[\d.]+–[\d.]+个月）的[\d.]+倍",
                     flag["explanation"])
    assert "错误发现率" in flag["explanation"]
    assert NOTICE_ZH in evidence["notice"] and evidence["explanation_en"] and "法发〔2021〕21号" in evidence["legal_basis"]
    assert flag["level"] in ("low", "medium", "high") and 0 < flag["score"] <= 1


def test_lenient_planted_sentence_is_flagged_too(mutated):
    flags = mutated["results"]["sentence_deviation"].flags
    hit = flags[flags["subject_id"] == mutated["targets"]["lenient"]["defendant_id"]]
    assert len(hit) == 1 and "仅为同类案件预期" in hit.iloc[0]["explanation"]


def test_clean_cases_are_not_flagged(con, sample):
    _, truth = sample
    clean = clean_defendants(con, truth)
    flags = SentenceDeviation().detect(ctx_for(con)).flags
    ordinary = clean[clean["z"].abs() < 2.5]["defendant_id"]
    assert len(ordinary) > 3000
    assert not flags["subject_id"].isin(ordinary).any()
    # false flags among all clean defendants stay rare (BH at 5% plus model error)
    assert flags["subject_id"].isin(clean["defendant_id"]).sum() <= 2


def test_thin_peer_group_abstains_and_is_counted(mutated):
    ids = mutated["targets"]["thin"]
    result = mutated["results"]["sentence_deviation"]
    assert not result.flags["subject_id"].isin(ids).any()
    assert "非法经营罪" in result.note and "abstained" in result.note
    model = mutated["model"]
    assert model.groups["非法经营罪"].status == "thin"
    assert model.skipped["abstained (thin peer group)"] >= 30
    assert result.rows_skipped >= 30


def test_unknown_severity_is_skipped_not_guessed(con, mutated):
    before = fit_model(ctx_for(con)).skipped.get("涉案金额 (amount_involved) unknown", 0)
    victim = mutated["targets"]["unknown"]["defendant_id"]
    assert victim not in set(mutated["results"]["sentence_deviation"].flags["subject_id"])
    assert victim not in set(mutated["model"].rows["defendant_id"])
    assert mutated["model"].skipped["涉案金额 (amount_involved) unknown"] == before + 1


def test_blank_circumstance_is_not_read_as_false(mutated):
    """Enough blanks → a 'not recorded' indicator of their own; the rows stay scored."""
    model = mutated["model"]
    assert "surrender_not_recorded" in model.groups["盗窃罪"].columns
    assert set(mutated["targets"]["blank"]) <= set(model.rows["defendant_id"])


def test_multi_charge_defendants_only_meet_multi_charge_peers(con):
    model = fit_model(ctx_for(con))
    multi = model.rows[model.rows["charge"].str.contains("；")]
    assert len(multi) > 0 and (multi["peer_group"] == MULTI_GROUP).all()
    assert not model.rows.loc[model.rows["peer_group"] != MULTI_GROUP, "charge"].str.contains("；").any()
    # 盗窃罪；诈骗罪: two amounts, one amount column — fitted, never tested case by case
    two_amounts = multi[multi["charge"] == "盗窃罪；诈骗罪"]
    assert len(two_amounts) > 0 and not two_amounts["testable"].any()
    flags = SentenceDeviation().detect(ctx_for(con)).flags
    assert not flags["subject_id"].isin(two_amounts["defendant_id"]).any()


# ---- caseloads -----------------------------------------------------------------------------------


def test_biased_judges_are_flagged_with_their_direction(con, sample):
    _, truth = sample
    biased = planted(truth, "judge_sentencing_bias")
    flags = JudgeSentencingDeviation().detect(ctx_for(con)).flags.set_index("subject_id")
    assert set(biased["subject_id"]) <= set(flags.index)
    for row in biased.itertuples():
        evidence = flags.at[row.subject_id, "evidence"]
        assert evidence["n_sentences"] >= 15
        assert np.sign(evidence["mean_deviation_pct"]) == np.sign(float(row.magnitude) - 1)
        low, high = evidence["interval_95_pct"]
        assert low < evidence["mean_deviation_pct"] < high
        assert evidence["peer_comparison"]["unit_deviation_pct_quantiles"]
    assert len(flags) <= len(biased) + 1


def test_judges_with_few_cases_are_not_tested(con, sample):
    result = JudgeSentencingDeviation().detect(ctx_for(con, sentencing_min_judge_cases=10_000))
    assert result.flags.empty and "0 judges tested" in result.note


def test_court_detector_runs_and_validates(con, sample):
    detector = CourtSentencingDeviation()
    flags = finish_flags(detector, detector.detect(ctx_for(con)).flags, "R")
    assert (flags["subject_type"] == "court").all() if len(flags) else True


# ---- plea recommendations --------------------------------------------------------------------------


def test_plea_deviations_are_flagged_and_adoptions_are_not(con, sample):
    _, truth = sample
    plants = planted(truth, "plea_recommendation_deviation")
    result = PleaRecommendationDeviation().detect(ctx_for(con))
    flagged = set(result.flags["subject_id"])
    assert len(set(plants["subject_id"]) & flagged) >= 0.85 * len(plants)
    adopted = con.execute("SELECT defendant_id FROM defendants WHERE guilty_plea AND term_months = recommended_months"
                          ).df()["defendant_id"]
    assert not flagged & set(adopted)
    evidence = result.flags.iloc[0]["evidence"]
    assert {"recommended_months", "term_months", "ratio_to_recommendation"} <= set(evidence)
    assert 0 < evidence["peer_comparison"]["share_adopted_exactly"] < 1
    assert "第二百零一条" in evidence["legal_basis"]


def test_plea_without_recorded_plea_is_skipped(con, mutated):
    base = PleaRecommendationDeviation().detect(ctx_for(con))
    assert mutated["results"]["plea_recommendation_deviation"].rows_skipped == base.rows_skipped + 7


# ---- disparity audit ----------------------------------------------------------------------------


def test_disparity_court_is_flagged(con, sample):
    _, truth = sample
    court = planted(truth, "sentencing_disparity")["subject_id"].iloc[0]
    flags = SentencingDisparityAudit().detect(ctx_for(con)).flags.set_index("subject_id")
    assert court in flags.index
    effects = {e["attribute"]: e for e in flags.at[court, "evidence"]["effects"]}
    assert effects["non_local"]["significant"] and effects["non_local"]["effect_pct"] >= 10
    assert "非本地户籍" in flags.at[court, "explanation"]
    assert len(flags) <= 2


def test_disparity_audit_without_attributes_tests_nothing(mutated):
    result = mutated["results"]["sentencing_disparity_audit"]
    assert result.flags.empty and result.rows_skipped > 0


# ---- contract ---------------------------------------------------------------------------------------


def test_every_detector_fits_the_contract(con, sample):
    ctx = ctx_for(con)
    names = set()
    for detector in DETECTORS:
        assert detector.category == "sentencing" and detector.title_zh and detector.method and detector.legal_basis
        assert detector.false_alarm_control and detector.limitations
        flags = finish_flags(detector, detector.detect(ctx).flags, "R")
        names.add(detector.name)
        for record in flags.to_dict("records"):
            evidence = json.loads(record["evidence"])
            assert {"explanation_en", "legal_basis", "method", "peer_comparison", "notice"} <= set(evidence)
            assert re.search(r"[\u4e00-\u9fff]", record["explanation"]) and record["explanation"].endswith("。")
    assert names == {"sentence_deviation", "judge_sentencing_deviation", "court_sentencing_deviation",
                     "plea_recommendation_deviation", "judge_probation_deviation", "court_probation_deviation",
                     "judge_penalty_kind_deviation", "court_penalty_kind_deviation", "sentencing_disparity_audit"}

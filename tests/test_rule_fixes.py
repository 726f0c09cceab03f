"""Issue 13, item 6: zb_assets_found_but_terminated counts a find that covers a large share of a small
claim; both engines give the same flags on hand-built edge cases. (The import fix is in test_ingest.py.)"""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
from helpers import case, small_import, write_table

from courtwatch.core.config import load_config
from courtwatch.core.contract import TABLES
from courtwatch.detectors.base import DetectContext
from courtwatch.detectors.rules import RULE_DETECTORS
from courtwatch.pipeline.ingest import ingest

EXPORT = dt.date(2024, 12, 31)
AS_OF = dt.date(2024, 12, 31)
RULE = next(d for d in RULE_DETECTORS if d.name == "zb_assets_found_but_terminated")

# case number → (claim, recovered, assets found, expected violated: True flag / None skipped / False not returned)
CASES = {
    "(2023)浙0102执1号": ("5000", "", "3000", True),        # 60% of a small claim, below 10,000 yuan
    "(2023)浙0102执2号": ("5000", "", "2000", False),       # 40%: under both shares
    "(2023)浙0102执3号": ("100", "", "60", False),          # 60%, but under the 1,000-yuan floor
    "(2023)浙0102执4号": ("200000", "", "50000", True),     # 25% and ≥ 10,000: substantial in itself
    "(2023)浙0102执5号": ("200000", "", "9000", False),     # 4.5% and under 10,000
    "(2023)浙0102执6号": ("", "", "3000", None),            # claim unknown, and the find could cover it
    "(2023)浙0102执7号": ("", "", "500", False),            # claim unknown, but under both floors
    "(2023)浙0102执8号": ("5000", "", "", None),            # find unknown
    "(2023)浙0102执9号": ("8000", "6000", "1200", True),    # 60% of the 2,000 yuan still outstanding
    "(2023)浙0102执10号": ("5000", "", "2500", True),       # exactly half
    "(2023)浙0102执11号": ("3000", "", "0", False),         # nothing found
}


def _enforcement_row(case_id: str, recovered: str, assets: str) -> dict:
    row = {c: "" for c in TABLES["enforcement"].column_names}
    row.update({"case_id": case_id, "recovered_amount": recovered, "assets_found_value": assets,
                "notice_on": "2023-01-06", "report_order_on": "2023-01-06", "restriction_order_on": "2023-01-10",
                "online_inquiries": "2", "last_online_inquiry_on": "2023-03-01", "applicant_informed_on": "2023-05-01",
                "respondent_missing": "false"})
    return row


@pytest.fixture(scope="module")
def edge_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("zb_assets")
    cases = [case(cid, cause="民间借贷纠纷", judge_id="J2", claim_amount=claim, closed_on="2023-06-01",
                  close_method="terminated_this_round") for cid, (claim, *_rest) in CASES.items()]
    folder = small_import(root / "import", cases=cases)
    write_table(folder, "enforcement", [_enforcement_row(cid, rec, assets) for cid, (_, rec, assets, _v) in CASES.items()])
    db = root / "cw.duckdb"
    result = ingest(folder, db=db, export_date=EXPORT)
    assert result.summary()["tables"]["enforcement"]["quarantined"] == 0
    return root, db


def _duckdb_rows(db) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return RULE.query(DetectContext(con=con, as_of=AS_OF, config=load_config()))
    finally:
        con.close()


def test_config_has_both_branches():
    rules = load_config().rules
    assert rules["zb_assets_found_cover_share"] > rules["zb_assets_found_min_share"]
    assert 0 < rules["zb_assets_found_cover_min_yuan"] < rules["zb_assets_found_min_yuan"]


def test_a_large_share_of_a_small_claim_flags_and_unknowns_are_skipped_not_cleared(edge_db):
    _, db = edge_db
    rows = _duckdb_rows(db).set_index("case_id")
    for cid, (*_, expected) in CASES.items():
        if expected is False:
            assert cid not in rows.index, cid
        elif expected is None:
            assert pd.isna(rows.loc[cid, "violated"]), cid
        else:
            assert rows.loc[cid, "violated"] == True, cid  # noqa: E712 (numpy bool)
    detection = RULE.flags_from_rows(rows.reset_index())
    flagged = set(detection.flags.subject_id)
    assert flagged == {cid for cid, (*_, v) in CASES.items() if v is True}
    assert detection.rows_skipped == 2


def test_the_flag_says_it_is_a_heuristic_not_a_breach(edge_db):
    _, db = edge_db
    flags = RULE.flags_from_rows(_duckdb_rows(db)).flags.set_index("subject_id")
    small = flags.loc["(2023)浙0102执1号"]
    assert "60%" in small.explanation and "3,000元" in small.explanation
    assert "启发式规则" in small.explanation and "财产可能无法处置" in small.explanation
    assert small.explanation.endswith("。")
    assert "启发式规则" in RULE.limitations and "财产可能无法处置" in RULE.limitations
    assert "heuristic" in RULE.rule.explain_en(_duckdb_rows(db).iloc[0].to_dict())
    assert 0.6 <= small.score <= 1


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_twin_gives_identical_rows_and_flags(edge_db):
    from courtwatch.pipeline import spark_engine

    root, db = edge_db
    spark_engine.export_parquet(db, root / "parquet")
    spark = spark_engine.spark_session()
    try:
        spark_engine._register_tables(spark, root / "parquet", spark_engine.schema_columns())
        spark_rows = spark_engine._rule_rows(spark, RULE, DetectContext(con=None, as_of=AS_OF, config=load_config()))
    finally:
        spark.stop()
    duck_rows = _duckdb_rows(db)
    columns = ["case_id", "violated", "outstanding", "assets_found_value"]
    pd.testing.assert_frame_equal(spark_rows[columns].reset_index(drop=True), duck_rows[columns].reset_index(drop=True),
                                  check_dtype=False)
    mine, theirs = RULE.flags_from_rows(spark_rows), RULE.flags_from_rows(duck_rows)
    pd.testing.assert_frame_equal(mine.flags, theirs.flags)
    assert mine.rows_skipped == theirs.rows_skipped == 2


def test_the_generator_plants_no_unintended_find(tmp_path):
    """Clean 终本 cases of the sample stay under both branches, so every flag of the rule is a planted one."""
    from courtwatch.sample_data import generate

    generate(tmp_path / "import", scale=0.2, seed=31)
    cases = pd.read_csv(tmp_path / "import" / "cases.csv", dtype=str)
    enf = pd.read_csv(tmp_path / "import" / "enforcement.csv", dtype=str)
    truth = pd.read_csv(tmp_path / "import" / "ground_truth.csv", dtype=str)
    zb = enf.merge(cases, on="case_id")
    zb = zb[zb.close_method == "terminated_this_round"]
    num = lambda s: pd.to_numeric(s.str.replace(",", ""), errors="coerce")  # noqa: E731
    claim, recovered, assets = num(zb.claim_amount), num(zb.recovered_amount).fillna(0), num(zb.assets_found_value)
    outstanding = (claim - recovered).clip(lower=0)
    r = load_config().rules
    hit = ((assets >= r["zb_assets_found_min_share"] * outstanding) & (assets >= r["zb_assets_found_min_yuan"])) | \
          ((assets >= r["zb_assets_found_cover_share"] * outstanding) & (assets >= r["zb_assets_found_cover_min_yuan"]))
    hit &= zb.assets_undisposable.str.lower().map({"true": True, "是": True, "1": True}).fillna(False) == False  # noqa: E712 (E4: lawful)
    planted = set(truth.subject_id[truth.kind == "zb_assets_found_but_terminated"])
    assert planted and set(zb.case_id[hit]) == planted

"""Statutory frames per province (detectors/law.py) and the two rules built on them.

term_above_statutory_max is a legal warning only when no frame of the charge allows the term;
record_facts_inconsistent (data_quality) when the recorded severity cannot reach the frame the term
needs but a higher frame of the charge holds it. Small hand-written imports, as tests/helpers.py makes.
"""
from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest
from helpers import COURTS, JUDGES, case, defendant, write_table

from courtwatch.core.config import Config, load_config
from courtwatch.detectors import law
from courtwatch.detectors.base import CATEGORIES, DetectContext
from courtwatch.detectors.registry import by_name
from courtwatch.pipeline.ingest import ingest

AS_OF = dt.date(2024, 1, 1)


def _run(tmp_path, defendants, province="浙江", config: Config | None = None):
    """Import one court of `province` with these defendants; the two rules' flags by detector name."""
    folder = tmp_path / "import"
    code = {"浙江": "浙", "安徽": "皖", "江西": "赣", "": "浙"}[province]
    courts = [dict(c, court_id=code + c["court_id"][1:], province=province,
                   parent_id=(code + c["parent_id"][1:]) if c["parent_id"] else "") for c in COURTS]
    judges = [dict(j, court_id=code + j["court_id"][1:]) for j in JUDGES]
    cases = [case(f"(2023){code}0102刑初{i + 1}号", court_id=f"{code}0102", closed_on="2023-03-01",
                  close_method="judgment") for i in range(len(defendants))]
    # combined_term_months (E2) = the term unless a test says otherwise: the sentence combines nothing
    rows = [defendant(f"D{i + 1}", cases[i]["case_id"],
                      **{"combined_term_months": d.get("term_months", "10"), **d}) for i, d in enumerate(defendants)]
    write_table(folder, "courts", courts)
    write_table(folder, "judges", judges)
    write_table(folder, "cases", cases)
    write_table(folder, "defendants", rows)
    db = tmp_path / "cw.duckdb"
    ingest(folder, db=db, export_date=AS_OF)
    con = duckdb.connect(str(db), read_only=True)
    ctx = DetectContext(con, AS_OF, config or load_config())
    detectors = by_name()
    try:
        return {name: detectors[name].detect(ctx).flags
                for name in ("term_above_statutory_max", "record_facts_inconsistent")}
    finally:
        con.close()


def _ev(flags) -> dict:
    evidence = flags["evidence"].iloc[0]
    return json.loads(evidence) if isinstance(evidence, str) else evidence


def test_frame_sets_hold_each_configured_province_and_the_national_lowest():
    config = load_config()
    table = law.frame_sets_for(config)
    assert set(table["province"]) == set(config.law_provinces) | {law.NATIONAL, law.TELECOM}
    national = table[(table["province"] == law.NATIONAL) & (table["charge"] == "盗窃罪")].sort_values("tier")
    assert national["lower"].tolist() == [1000, 30000, 300000]
    fraud = table[(table["province"] == law.NATIONAL) & (table["charge"] == "诈骗罪")].sort_values("tier")
    assert fraud["lower"].tolist() == [3000, 30000, 500000]
    anhui = table[(table["province"] == "安徽") & (table["charge"] == "盗窃罪")].sort_values("tier")
    assert anhui["lower"].tolist() == [2000, 50000, 400000]  # 皖高法〔2013〕254号
    assert anhui["standard"].str.contains("皖高法〔2013〕254号").all()
    # every configured province's thresholds lie within the national ranges (法释〔2013〕8号, 法释〔2011〕7号)
    ranges = {"theft_large": (1000, 3000), "theft_huge": (30000, 100000), "theft_especially_huge": (300000, 500000),
              "fraud_large": (3000, 10000), "fraud_huge": (30000, 100000), "fraud_especially_huge": (500000, 500000)}
    for name, values in config.law_provinces.items():
        for key, (low, high) in ranges.items():
            if key in values:
                assert low <= values[key] <= high, (name, key, values[key])


def test_a_lawful_tier_two_theft_in_a_province_with_a_lower_threshold_is_not_flagged(tmp_path):
    # 安徽: 数额巨大 from 50,000 (皖高法〔2013〕254号); 浙江 (the default province) only from 80,000.
    flags = _run(tmp_path, [{"charge": "盗窃罪", "amount_involved": "60000", "term_months": "42"}], province="安徽")
    assert flags["term_above_statutory_max"].empty
    assert flags["record_facts_inconsistent"].empty


def test_a_term_above_every_frame_is_a_legal_warning_naming_the_standard(tmp_path):
    flags = _run(tmp_path, [{"charge": "盗窃罪", "amount_involved": "60000", "term_months": "200"}], province="安徽")
    above = flags["term_above_statutory_max"]
    assert above["subject_id"].tolist() == ["D1"]
    text = above["explanation"].iloc[0]
    assert "任何一档法定刑的上限180个月" in text and "按安徽省标准" in text and "皖高法〔2013〕254号" in text
    assert "刑期也可能有误" in text
    evidence = _ev(above)
    assert evidence["observed"]["standard_province"] == "安徽" and evidence["observed"]["tier"] == 2
    assert flags["record_facts_inconsistent"].empty  # one warning, not two


def test_an_unconfigured_province_uses_the_national_lowest_thresholds(tmp_path):
    # 江西 has no [law.provinces] entry: 数额巨大 from 30,000, so 35,000 yuan allows 3–10 years
    # (under 浙江's 80,000 the same record would read as a tier-1 amount).
    flags = _run(tmp_path, [{"charge": "盗窃罪", "amount_involved": "35000", "term_months": "48"},
                            {"charge": "盗窃罪", "amount_involved": "35000", "term_months": "190"}], province="江西")
    assert flags["record_facts_inconsistent"].empty
    above = flags["term_above_statutory_max"]
    assert above["subject_id"].tolist() == ["D2"]
    assert "未配置该省标准，按全国最低数额标准" in above["explanation"].iloc[0]
    assert _ev(above)["observed"]["standard_province"] == law.NATIONAL


def test_a_court_without_a_province_uses_the_default_province(tmp_path):
    # [general] province = 浙江 still applies where courts.province is not recorded (back-compatibility)
    flags = _run(tmp_path, [{"charge": "盗窃罪", "amount_involved": "5000", "term_months": "100"}], province="")
    assert flags["record_facts_inconsistent"]["subject_id"].tolist() == ["D1"]
    assert "按浙江省标准" in flags["record_facts_inconsistent"]["explanation"].iloc[0]


def test_a_tier_three_term_on_a_tier_one_amount_is_a_data_quality_warning(tmp_path):
    flags = _run(tmp_path, [{"charge": "诈骗罪", "amount_involved": "8000", "term_months": "150"}], province="安徽")
    assert flags["term_above_statutory_max"].empty  # a lawful reading (数额特别巨大) exists: not a legal warning
    found = flags["record_facts_inconsistent"]
    assert found["subject_id"].tolist() == ["D1"]
    text = found["explanation"].iloc[0]
    assert text.startswith("记录的涉案金额（8,000元）与刑期不能同时成立")
    assert "记录的涉案金额或刑期可能有误，请核对案卷" in text
    assert "第3档" in text and "按安徽省标准" in text
    assert "违法" not in text
    evidence = _ev(found)
    assert "not a finding that the sentence is unlawful" in evidence["explanation_en"]
    assert evidence["observed"]["tier"] == 1 and evidence["observed"]["term_tier"] == 3
    assert by_name()["record_facts_inconsistent"].category == "data_quality" in CATEGORIES


def test_circumstances_the_export_cannot_show_count_in_the_sentences_favour(tmp_path):
    flags = _run(tmp_path, [
        # 其他严重情节: theft from 50% of 数额巨大 (法释〔2013〕8号 第六条) — 安徽 50,000 → 25,000
        {"charge": "盗窃罪", "amount_involved": "30000", "term_months": "60"},
        # 首要分子 etc. (§347 ¶2): ≥15 years whatever the quantity
        {"charge": "走私、贩卖、运输、制造毒品罪", "amount_involved": "", "drug_grams": "3", "term_months": "180"},
        # 特别残忍手段致人重伤造成严重残疾 (§234 ¶2): ≥10 years from 重伤二级
        {"charge": "故意伤害罪", "amount_involved": "", "injury_level": "serious_2", "term_months": "150"},
        # but a minor injury never reaches 3–10 years: the injury or the term is wrong
        {"charge": "故意伤害罪", "amount_involved": "", "injury_level": "minor_2", "term_months": "60"},
        # 数罪并罚 is never held to one charge's frame
        {"charge": "盗窃罪；诈骗罪", "amount_involved": "5000", "term_months": "170"},
    ], province="安徽")
    assert flags["term_above_statutory_max"].empty
    found = flags["record_facts_inconsistent"]
    assert found["subject_id"].tolist() == ["D4"]
    assert found["explanation"].iloc[0].startswith("记录的伤情（轻伤二级）与刑期不能同时成立")


def test_an_unknown_severity_is_skipped_not_flagged_unless_every_frame_is_exceeded(tmp_path):
    flags = _run(tmp_path, [{"charge": "诈骗罪", "amount_involved": "", "term_months": "100"},
                            {"charge": "诈骗罪", "amount_involved": "", "term_months": "200"}], province="安徽")
    assert flags["record_facts_inconsistent"].empty
    assert flags["term_above_statutory_max"]["subject_id"].tolist() == ["D2"]


def test_a_province_configured_in_an_override_file_applies_to_its_courts(tmp_path):
    base = load_config()
    values = json.loads(base.to_json())
    values["general"]["province"] = "安徽"
    values["law"]["provinces"]["江西"] = {"theft_large": 2000, "theft_huge": 60000, "theft_especially_huge": 400000,
                                         "theft_standard": "测试用文件"}
    config = Config(values, source="test")
    flags = _run(tmp_path, [{"charge": "盗窃罪", "amount_involved": "40000", "term_months": "48"}],
                 province="江西", config=config)
    found = flags["record_facts_inconsistent"]  # 40,000 < 50% of 60,000? no: 30,000 ≤ 40,000 → reachable
    assert found.empty
    flags = _run(tmp_path / "b", [{"charge": "盗窃罪", "amount_involved": "20000", "term_months": "48"}],
                 province="江西", config=config)
    assert flags["record_facts_inconsistent"]["subject_id"].tolist() == ["D1"]
    assert "按江西省标准（测试用文件）" in flags["record_facts_inconsistent"]["explanation"].iloc[0]


@pytest.mark.parametrize("province", ["浙江", "安徽", "四川", "云南", law.NATIONAL])
def test_every_frame_set_keeps_the_statutes_frames(province):
    table = law.frame_sets_for(load_config())
    part = table[table["province"] == province]
    tops = part.groupby("charge")["max_months"].max()
    assert tops["盗窃罪"] == tops["诈骗罪"] == tops["故意伤害罪"] == 180
    assert tops["走私、贩卖、运输、制造毒品罪"] == 180 and tops["帮助信息网络犯罪活动罪"] == 36
    drugs = part[part["charge"] == "走私、贩卖、运输、制造毒品罪"]
    assert drugs.loc[drugs["tier"] == 3, "reach_lower"].item() == 0  # §347 ¶2 (2)–(5)

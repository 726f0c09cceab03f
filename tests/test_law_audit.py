"""Issue 15, the law audited: each fixed rule leaves a lawful case unflagged and flags an unlawful one, and
each legality rule added from detectors/law.py does the same. Small hand-written imports (tests/helpers.py),
one province (浙江: theft 3,000 / 80,000 / 400,000, fraud 6,000 / 100,000 / 500,000 in config.toml)."""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from helpers import COURTS, JUDGES, case, defendant, write_table

from courtwatch.core.config import load_config
from courtwatch.core.contract import TABLES
from courtwatch.detectors.base import DetectContext
from courtwatch.detectors.rules import RULE_DETECTORS
from courtwatch.pipeline.ingest import ingest

EXPORT = dt.date(2024, 12, 31)
AS_OF = dt.date(2024, 12, 31)
BY_NAME = {d.name: d for d in RULE_DETECTORS}


class Checked:
    """One rule's rows and flags on a small import: which subjects it flags, which it skips."""

    def __init__(self, rows: pd.DataFrame, detector):
        self.rows = rows
        self.detection = detector.flags_from_rows(rows)
        self.flags = self.detection.flags.set_index("subject_id")

    @property
    def flagged(self) -> set[str]:
        return set(self.flags.index)

    @property
    def skipped(self) -> set[str]:
        return set(self.rows.loc[self.rows["violated"].isna(), "subject_id"].astype(str))

    def text(self, subject: str) -> str:
        return self.flags.loc[subject, "explanation"]


def run(tmp_path, names, *, cases=(), defendants=(), enforcement=(), events=(), courts=None, judges=None,
        as_of=AS_OF, config=None) -> dict[str, Checked]:
    folder = tmp_path / "import"
    write_table(folder, "courts", courts or COURTS)
    write_table(folder, "judges", judges or JUDGES)
    write_table(folder, "cases", list(cases))
    for table, rows in (("defendants", defendants), ("enforcement", enforcement), ("events", events)):
        if rows:
            write_table(folder, table, list(rows))
    db = tmp_path / "cw.duckdb"
    result = ingest(folder, db=db, export_date=EXPORT)
    quarantined = {t: r["quarantined"] for t, r in result.summary()["tables"].items() if r["quarantined"]}
    assert not quarantined, quarantined
    con = duckdb.connect(str(db), read_only=True)
    try:
        ctx = DetectContext(con=con, as_of=as_of, config=config or load_config())
        return {name: Checked(BY_NAME[name].query(ctx), BY_NAME[name]) for name in names}
    finally:
        con.close()


def criminal(specs: dict[str, dict], cause: dict[str, str] | None = None):
    """Cases and defendants from {defendant_id: defendant columns}; one case each, cause = the charge
    unless `cause` names another. combined_term_months (E2) = the term unless the spec says otherwise."""
    cases, defendants = [], []
    for i, (did, spec) in enumerate(specs.items(), start=1):
        cid = f"(2023)浙0102刑初{i}号"
        charge = spec.get("charge", "盗窃罪")
        cases.append(case(cid, cause=(cause or {}).get(did, charge), closed_on="2023-06-01", close_method="judgment"))
        defendants.append(defendant(did, cid, **{"combined_term_months": spec.get("term_months", "10"), **spec}))
    return cases, defendants


FRAME_RULES = ("term_above_statutory_max", "record_facts_inconsistent")


# ---- item 1: theft and fraud tiers ---------------------------------------------------------------------

def test_theft_and_fraud_other_serious_circumstances_and_telecom_fraud(tmp_path):
    specs = {
        # 浙江 theft 数额巨大 80,000: from 50% (40,000) 其他严重情节 can reach 3–10 years (法释〔2013〕8号 第六条)
        "THEFT_LAWFUL": dict(amount_involved="45000", term_months="48"),
        "THEFT_RECORD": dict(amount_involved="30000", term_months="48"),
        # 浙江 fraud 数额巨大 100,000: from 80% (80,000) (法释〔2011〕7号 第二条第二款)
        "FRAUD_LAWFUL": dict(charge="诈骗罪", amount_involved="85000", term_months="48"),
        "FRAUD_RECORD": dict(charge="诈骗罪", amount_involved="70000", term_months="48"),
        # telecom fraud: 数额巨大 from 30,000 (法发〔2016〕32号), whatever the province's standard
        "TELECOM_LAWFUL": dict(charge="诈骗罪", amount_involved="50000", term_months="48"),
        "TELECOM_RECORD": dict(charge="诈骗罪", amount_involved="20000", term_months="48"),
        "NOT_TELECOM": dict(charge="诈骗罪", amount_involved="50000", term_months="48"),
    }
    cause = {"TELECOM_LAWFUL": "诈骗罪（电信网络诈骗）", "TELECOM_RECORD": "电信诈骗"}
    cases, defs = criminal(specs, cause)
    out = run(tmp_path, FRAME_RULES, cases=cases, defendants=defs)
    assert out["record_facts_inconsistent"].flagged == {"THEFT_RECORD", "FRAUD_RECORD", "TELECOM_RECORD", "NOT_TELECOM"}
    assert out["term_above_statutory_max"].flagged == set()
    telecom = out["record_facts_inconsistent"].text("TELECOM_RECORD")
    assert "电信网络诈骗数额标准" in telecom and "法发〔2016〕32号" in telecom
    assert "浙江" in out["record_facts_inconsistent"].text("NOT_TELECOM")


# ---- item 2: drugs, §347 ¶2 ------------------------------------------------------------------------------

def test_drug_para2_allows_fifteen_years_at_any_quantity(tmp_path):
    cases, defs = criminal({
        "PARA2": dict(charge="走私、贩卖、运输、制造毒品罪", amount_involved="", drug_grams="5", term_months="180"),
        "ABOVE": dict(charge="走私、贩卖、运输、制造毒品罪", amount_involved="", drug_grams="5", term_months="200"),
        "UNKNOWN_QTY": dict(charge="走私、贩卖、运输、制造毒品罪", amount_involved="", drug_grams="", term_months="150"),
    })
    out = run(tmp_path, FRAME_RULES, cases=cases, defendants=defs)
    assert out["record_facts_inconsistent"].flagged == set()
    assert out["term_above_statutory_max"].flagged == {"ABOVE"}  # no fixed term for one charge exceeds 15 years


# ---- item 2: drug type conversion (contract extension E7, 法释〔2016〕8号 arts. 1–2) ----------------------------

def test_the_conversion_table_puts_every_listed_drug_on_the_heroin_tiers():
    from courtwatch.detectors import law
    assert law.heroin_equivalent_grams(1000, "opium") == 50 and law.heroin_equivalent_grams(200, "opium") == 10
    assert law.heroin_equivalent_grams(500, "ketamine") == 50 and law.heroin_equivalent_grams(100, "ketamine") == 10
    assert law.heroin_equivalent_grams(10, "cocaine") == 10 and law.heroin_equivalent_grams(30, "methamphetamine") == 30
    # art. 2's 数量较大 is one fifth of art. 1's 数量大 for every listed drug, so one factor keeps both thresholds
    assert all(large == 5 * relatively for _, large, relatively, _ in law.DRUG_TYPES.values())
    assert law.heroin_equivalent_grams(300, "other") is None  # art. 1 (十七): not listed, no scale: unknown
    assert law.heroin_equivalent_grams(0.002, "dihydroetorphine") == 10 and law.heroin_equivalent_grams(400, "ghb") == 10
    assert law.heroin_equivalent_grams(500000, "diazepam") == 50 and law.heroin_equivalent_grams(10000, "triazolam") == 10
    # every item (一)–(十六) of art. 1 has a row, and each row's source names its item
    items = {law.DRUG_TYPES[c][3].split("第一条")[1].split("项")[0] for c in law.DRUG_TYPES if "8号" in law.DRUG_TYPES[c][3]}
    assert items == {f"第（{n}）" for n in "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六".split()}
    assert law.heroin_equivalent_grams(30, None) == 30        # no type: v1, already the heroin equivalent
    thresholds = law.province_thresholds(load_config())
    assert law.frame_for("走私、贩卖、运输、制造毒品罪", {"drug_grams": 600.0, "drug_type": "opium"}, thresholds)["tier"] == 2
    assert law.frame_for("走私、贩卖、运输、制造毒品罪", {"drug_grams": 600.0}, thresholds)["tier"] == 3


def test_drug_frames_read_the_recorded_type(tmp_path):
    """§347 ¶2 (首要分子, 武装掩护, 暴力抗拒检查, 国际贩毒: ≥15 years at any quantity; not exported) means no fixed
    term up to 15 years is unlawful for any quantity, so the quantity never decides a verdict: a lawful 鸦片
    sentence is not flagged on either scale. What the type changes is the frame the record selects, which a
    warning states: 600 g of opium is the 200–1,000 g tier (7–15 years), not the ≥50 g heroin tier."""
    drug = dict(charge="走私、贩卖、运输、制造毒品罪", amount_involved="")
    cases, defs = criminal({
        "OPIUM_LAWFUL": dict(drug, drug_grams="600", drug_type="鸦片", term_months="96"),
        "OPIUM_ABOVE": dict(drug, drug_grams="600", drug_type="opium", term_months="200"),
        "HEROIN_ABOVE": dict(drug, drug_grams="600", drug_type="海洛因", term_months="200"),
        "KETAMINE_ABOVE": dict(drug, drug_grams="40", drug_type="氯胺酮", term_months="200"),
        "OTHER_ABOVE": dict(drug, drug_grams="300", drug_type="other", term_months="200"),
        "UNTYPED_ABOVE": dict(drug, drug_grams="600", term_months="200"),
        # 法释〔2016〕8号 art. 1 (五) / art. 2 (五): 二氢埃托啡 10 mg / 2 mg; (九): 曲马多 2 kg / 400 g
        "DHE_ABOVE": dict(drug, drug_grams="0.005", drug_type="二氢埃托啡", term_months="200"),
        "TRAMADOL_ABOVE": dict(drug, drug_grams="2500", drug_type="曲马多", term_months="200"),
    })
    out = run(tmp_path, FRAME_RULES, cases=cases, defendants=defs)
    above = out["term_above_statutory_max"]
    assert above.flagged == {"OPIUM_ABOVE", "HEROIN_ABOVE", "KETAMINE_ABOVE", "OTHER_ABOVE", "UNTYPED_ABOVE",
                             "DHE_ABOVE", "TRAMADOL_ABOVE"}
    tiers = above.rows.set_index("subject_id")["tier"]
    assert tiers["OPIUM_ABOVE"] == 2 and tiers["HEROIN_ABOVE"] == 3 and tiers["UNTYPED_ABOVE"] == 3
    assert tiers["DHE_ABOVE"] == 2 and tiers["TRAMADOL_ABOVE"] == 3  # 5 mg: 2–10 mg; 2.5 kg: ≥ 2 kg
    # the recorded quantity as a warning words it (record_facts_inconsistent): the scale the row was read on,
    # its own source, and no conversion for heroin itself
    from courtwatch.detectors.rules.common import _severity_en, _severity_zh
    rows = {r["subject_id"]: dict(r, measure="drug_grams") for r in above.rows.to_dict("records")}
    assert _severity_zh(rows["OPIUM_ABOVE"]) == "鸦片600.00克，按刑法第347条第2款第1项、第3款的数量标准折合海洛因30.00克"
    assert _severity_zh(rows["HEROIN_ABOVE"]) == "海洛因600.00克" and _severity_en(rows["HEROIN_ABOVE"]) == "600.00 g of heroin"
    assert _severity_zh(rows["DHE_ABOVE"]).startswith("二氢埃托啡5毫克，按法释〔2016〕8号第一条第（五）项、第二条第（五）项")
    assert "(Fa Shi [2016] No. 8 art. 1 (9), art. 2 (9))" in _severity_en(rows["TRAMADOL_ABOVE"])
    assert tiers["KETAMINE_ABOVE"] == 1                       # 40 g ketamine = 4 g heroin: below 10 g
    assert pd.isna(tiers["OTHER_ABOVE"])                      # no scale: the frame is not told
    equivalent = above.rows.set_index("subject_id")["drug_equivalent_grams"]
    assert equivalent["OPIUM_ABOVE"] == 30 and equivalent["KETAMINE_ABOVE"] == 4 and pd.isna(equivalent["OTHER_ABOVE"])
    assert "第2档（上限180个月）" in above.text("OPIUM_ABOVE") and "第1档（上限84个月）" in above.text("KETAMINE_ABOVE")


def test_an_export_without_the_drug_type_column_behaves_as_before(tmp_path):
    drug = dict(charge="走私、贩卖、运输、制造毒品罪", amount_involved="")
    cases, defs = criminal({"A": dict(drug, drug_grams="600", term_months="200"),
                            "B": dict(drug, drug_grams="5", term_months="150")})
    folder = tmp_path / "v1"
    write_table(folder, "courts", COURTS)
    write_table(folder, "judges", JUDGES)
    write_table(folder, "cases", cases)
    columns = [c for c in TABLES["defendants"].column_names if c != "drug_type"]
    pd.DataFrame(defs)[columns].to_csv(folder / "defendants.csv", index=False)
    ingest(folder, db=tmp_path / "v1.duckdb", export_date=EXPORT)
    con = duckdb.connect(str(tmp_path / "v1.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM defendants WHERE drug_type IS NULL").fetchall() == [(2,)]
        ctx = DetectContext(con=con, as_of=AS_OF, config=load_config())
        v1 = {name: BY_NAME[name].query(ctx) for name in FRAME_RULES}
    finally:
        con.close()
    typed_empty = run(tmp_path / "with_column", FRAME_RULES, cases=cases, defendants=defs)
    for name in FRAME_RULES:
        assert v1[name]["subject_id"].tolist() == typed_empty[name].rows["subject_id"].tolist()
    rows = v1["term_above_statutory_max"].set_index("subject_id")
    assert rows.loc["A", "tier"] == 3 and rows.loc["A", "drug_equivalent_grams"] == 600  # the v1 heroin scale
    assert set(rows.index[rows["violated"].fillna(False).astype(bool)]) == {"A"}


# ---- item 3: §234 ¶2 ---------------------------------------------------------------------------------------

def test_injury_by_especially_cruel_means_from_serious_2(tmp_path):
    injury = dict(charge="故意伤害罪", amount_involved="")
    cases, defs = criminal({
        "CRUEL": dict(injury, injury_level="serious_2", term_months="140"),
        "MINOR": dict(injury, injury_level="minor_1", term_months="140"),
        "ABOVE": dict(injury, injury_level="serious_1", term_months="190"),
    })
    out = run(tmp_path, FRAME_RULES, cases=cases, defendants=defs)
    assert out["record_facts_inconsistent"].flagged == {"MINOR"}
    assert out["term_above_statutory_max"].flagged == {"ABOVE"}


# ---- item 4: 数罪并罚 and §§70, 71, 77 — 宣告刑 vs 决定执行刑 (contract extension E2) -----------------------

def test_a_term_combined_with_an_earlier_sentence_and_unknown_combination(tmp_path):
    cases, defs = criminal({
        # 宣告刑 30 months for a first-tier theft, 决定执行 50 with an earlier judgment's remaining term (§71)
        "COMBINED": dict(amount_involved="5000", term_months="30", combined_term_months="50"),
        "UNKNOWN": dict(amount_involved="5000", term_months="50", combined_term_months=""),
        "DECLARED": dict(amount_involved="5000", term_months="50"),
        "DETENTION_COMBINED": dict(sentence_kind="detention", term_months="5", combined_term_months="10"),
        "DETENTION_UNKNOWN": dict(sentence_kind="detention", term_months="9", combined_term_months=""),
        "DETENTION_DECLARED": dict(sentence_kind="detention", term_months="9"),
        "DETENTION_MULTI": dict(charge="盗窃罪；诈骗罪", sentence_kind="detention", term_months="9"),
        "DETENTION_OVER_YEAR": dict(sentence_kind="detention", term_months="13", combined_term_months=""),
    })
    out = run(tmp_path, (*FRAME_RULES, "detention_out_of_range"), cases=cases, defendants=defs)
    facts = out["record_facts_inconsistent"]
    assert facts.flagged == {"DECLARED"} and "UNKNOWN" in facts.skipped
    assert out["term_above_statutory_max"].flagged == set()
    detention = out["detention_out_of_range"]
    assert detention.flagged == {"DETENTION_DECLARED", "DETENTION_OVER_YEAR"}
    assert detention.skipped == {"DETENTION_UNKNOWN"}
    assert "skipped" in detention.detection.note


def test_an_export_without_the_extension_columns_loads_them_as_unknown(tmp_path):
    folder = tmp_path / "import"
    cases, defs = criminal({"D1": dict(term_months="50")})
    write_table(folder, "courts", COURTS)
    write_table(folder, "judges", JUDGES)
    write_table(folder, "cases", cases)
    v1 = [c for c in TABLES["defendants"].column_names if not TABLES["defendants"].columns[
        TABLES["defendants"].column_names.index(c)].optional]
    pd.DataFrame(defs)[v1].to_csv(folder / "defendants.csv", index=False)
    ingest(folder, db=tmp_path / "cw.duckdb", export_date=EXPORT)
    con = duckdb.connect(str(tmp_path / "cw.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT term_months, combined_term_months FROM defendants").fetchall() == [(50.0, None)]
    finally:
        con.close()


# ---- item 5: 危险驾驶 — the wrong penalty kind ------------------------------------------------------------------

def test_dangerous_driving_fixed_term_is_the_wrong_kind(tmp_path):
    drunk = dict(charge="危险驾驶罪", amount_involved="", blood_alcohol="150")
    cases, defs = criminal({
        "FIXED_SIX": dict(drunk, term_months="6"),
        "DETENTION": dict(drunk, sentence_kind="detention", term_months="5"),
        "FIXED_UNKNOWN": dict(drunk, term_months="8", combined_term_months=""),
    })
    out = run(tmp_path, FRAME_RULES, cases=cases, defendants=defs)
    above = out["term_above_statutory_max"]
    assert above.flagged == {"FIXED_SIX"} and above.skipped == {"FIXED_UNKNOWN"}
    text = above.text("FIXED_SIX")
    assert "法定刑为拘役" in text and "不得判处有期徒刑" in text and "上限" not in text
    assert out["record_facts_inconsistent"].flagged == set()


# ---- the legality rules whose limits detectors/law.py holds ---------------------------------------------------

def test_probation_period_within_article_73(tmp_path):
    probation = dict(probation="true")
    cases, defs = criminal({
        "FIXED_EQUAL": dict(probation, term_months="24", probation_months="24"),   # 原判刑期以上: equal is lawful
        "FIXED_SHORT": dict(probation, term_months="24", probation_months="18"),
        "FIXED_UNDER_YEAR": dict(probation, term_months="8", probation_months="10"),
        "DET_TWO": dict(probation, sentence_kind="detention", term_months="1", probation_months="2"),
        "DET_ONE": dict(probation, sentence_kind="detention", term_months="1", probation_months="1"),
        "DET_LONG": dict(probation, sentence_kind="detention", term_months="4", probation_months="18"),
        # combined with an earlier 有期徒刑 (§69: the sentence served is 有期徒刑): up to five years may be lawful
        "DET_LONG_COMBINED": dict(probation, sentence_kind="detention", term_months="4", combined_term_months="10",
                                  probation_months="18"),
        "DET_LONG_UNKNOWN": dict(probation, sentence_kind="detention", term_months="4", combined_term_months="",
                                 probation_months="18"),
        "BELOW_COMBINED": dict(probation, term_months="12", combined_term_months="30", probation_months="24"),
    })
    out = run(tmp_path, ("probation_period_out_of_range",), cases=cases, defendants=defs)["probation_period_out_of_range"]
    assert out.flagged == {"FIXED_SHORT", "FIXED_UNDER_YEAR", "DET_ONE", "DET_LONG", "BELOW_COMBINED"}
    assert out.skipped == {"DET_LONG_COMBINED", "DET_LONG_UNKNOWN"}
    assert "不能少于一年" in out.text("FIXED_UNDER_YEAR") and "决定执行30个月" in out.text("BELOW_COMBINED")


def test_fixed_term_under_six_months_and_control_outside_3_to_24_months(tmp_path):
    cases, defs = criminal({
        "FIXED_SIX": dict(term_months="6"),
        "FIXED_FIVE": dict(term_months="5"),
        "CONTROL_THREE": dict(sentence_kind="control", term_months="3"),
        "CONTROL_TWO": dict(sentence_kind="control", term_months="2"),
        "CONTROL_30": dict(sentence_kind="control", term_months="30"),
        "CONTROL_30_UNKNOWN": dict(sentence_kind="control", term_months="30", combined_term_months=""),
        "CONTROL_30_MULTI": dict(charge="盗窃罪；诈骗罪", sentence_kind="control", term_months="30"),
        "CONTROL_40_MULTI": dict(charge="盗窃罪；诈骗罪", sentence_kind="control", term_months="40"),
    })
    out = run(tmp_path, ("fixed_term_below_6_months", "control_out_of_range"), cases=cases, defendants=defs)
    assert out["fixed_term_below_6_months"].flagged == {"FIXED_FIVE"}
    control = out["control_out_of_range"]
    assert control.flagged == {"CONTROL_TWO", "CONTROL_30", "CONTROL_40_MULTI"}
    assert control.skipped == {"CONTROL_30_UNKNOWN"}


def test_combined_sentences_within_article_69(tmp_path):
    two = dict(charge="盗窃罪；诈骗罪")
    three = dict(charge="盗窃罪；诈骗罪；故意伤害罪")
    cases, defs = criminal({
        "TWO_240": dict(two, term_months="240"),
        "TWO_250": dict(two, term_months="250"),
        "THREE_280": dict(three, term_months="280"),   # a total of 35 years or more allows 25
        "COMBINED_ABOVE": dict(term_months="20", combined_term_months="44"),
        "COMBINED_BELOW": dict(term_months="20", combined_term_months="14"),
    })
    out = run(tmp_path, ("combined_sentence_over_cap",), cases=cases, defendants=defs)["combined_sentence_over_cap"]
    assert out.flagged == {"TWO_250", "COMBINED_BELOW"}
    assert "二十年" in out.text("TWO_250") and "低于其中的宣告刑" in out.text("COMBINED_BELOW")


def _fine_specs() -> dict[str, dict]:
    return {
        "THEFT_NO_FINE": dict(amount_involved="5000", term_months="10", fine_yuan="0"),
        "THEFT_FINE": dict(amount_involved="5000", term_months="10", fine_yuan="2000"),
        "THEFT_UNKNOWN_FINE": dict(amount_involved="5000", term_months="10", fine_yuan=""),
        # 数额特别巨大 (浙江 400,000; the top frame from 50%): 并处罚金或者没收财产 — confiscation is not exported
        "THEFT_TOP_FRAME": dict(amount_involved="450000", term_months="130", fine_yuan="0"),
        "THEFT_UNKNOWN_AMOUNT_SHORT": dict(amount_involved="", term_months="20", fine_yuan="0"),
        "THEFT_UNKNOWN_AMOUNT_LONG": dict(amount_involved="", term_months="60", fine_yuan="0"),
        "DRUNK_NO_FINE": dict(charge="危险驾驶罪", amount_involved="", blood_alcohol="120", sentence_kind="detention",
                              term_months="3", fine_yuan="0"),
        # §347 ¶2 (并处没收财产) at any quantity from a 7-year term; below it the fine is mandatory
        "DRUG_LONG": dict(charge="走私、贩卖、运输、制造毒品罪", amount_involved="", drug_grams="3", term_months="90",
                          fine_yuan="0"),
        "DRUG_SHORT": dict(charge="走私、贩卖、运输、制造毒品罪", amount_involved="", drug_grams="3", term_months="20",
                           fine_yuan="0"),
        "INJURY": dict(charge="故意伤害罪", amount_involved="", injury_level="minor_2", term_months="10", fine_yuan="0"),
        "EXEMPT": dict(sentence_kind="exempt", term_months="", fine_yuan="0"),
    }


def test_a_missing_mandatory_fine_where_no_confiscation_can_stand_in(tmp_path):
    cases, defs = criminal(_fine_specs())
    out = run(tmp_path, ("missing_mandatory_fine", "fine_records_incomplete"), cases=cases, defendants=defs)
    # four zeros of 5 sentences that must carry a fine would read as a court that records none: a wider court
    fine = out["missing_mandatory_fine"]
    assert fine.skipped >= {"THEFT_UNKNOWN_FINE", "THEFT_TOP_FRAME", "THEFT_UNKNOWN_AMOUNT_LONG", "DRUG_LONG"}
    assert out["fine_records_incomplete"].flagged == {"浙0102"}
    assert fine.flagged == set()


def test_a_court_that_records_fines_gets_case_warnings(tmp_path):
    specs = _fine_specs()
    # 40 sentences with their fines beside the four without: under 10%, so the omissions are the court's
    specs.update({f"PAID{i}": dict(amount_involved="5000", term_months="10", fine_yuan="2000") for i in range(40)})
    cases, defs = criminal(specs)
    out = run(tmp_path, ("missing_mandatory_fine", "fine_records_incomplete"), cases=cases, defendants=defs)
    fine = out["missing_mandatory_fine"]
    assert fine.flagged == {"THEFT_NO_FINE", "THEFT_UNKNOWN_AMOUNT_SHORT", "DRUNK_NO_FINE", "DRUG_SHORT"}
    assert {"THEFT_TOP_FRAME", "DRUG_LONG", "THEFT_UNKNOWN_FINE"} <= fine.skipped
    assert out["fine_records_incomplete"].flagged == set()
    assert "并处罚金" in fine.text("DRUNK_NO_FINE")


def test_a_small_court_inherits_its_province_export_habit(tmp_path):
    """Two zeros in a court of four sentences cannot show a habit; a province whose export records no fine on a
    third of its sentences can, so the small court's zeros are not warnings either."""
    courts = COURTS + [{"court_id": "浙0103", "name": "杭州市下城区人民法院", "province": "浙江", "level": "basic",
                        "parent_id": "浙01"}]
    judges = JUDGES + [{"judge_id": "J3", "court_id": "浙0103", "name": "王五", "role": "judge"}]
    specs = {f"BIG{i}": dict(amount_involved="5000", term_months="10", fine_yuan="0" if i % 3 == 0 else "2000")
             for i in range(30)}
    cases, defs = criminal(specs)
    small = [case(f"(2023)浙0103刑初{i}号", court_id="浙0103", judge_id="J3", closed_on="2023-06-01",
                  close_method="judgment") for i in range(1, 5)]
    defs += [defendant(f"SMALL{i}", c["case_id"], fine_yuan="0" if i < 2 else "2000", combined_term_months="10")
             for i, c in enumerate(small)]
    out = run(tmp_path, ("missing_mandatory_fine", "fine_records_incomplete"), cases=cases + small, defendants=defs,
              courts=courts, judges=judges)
    assert out["missing_mandatory_fine"].flagged == set()
    notes = out["fine_records_incomplete"]
    assert notes.flagged == {"浙0102", "浙0103"}
    assert "全省导出数据" in notes.text("浙0103")


# ---- enforcement: the 终本 rules, funds ---------------------------------------------------------------------

def enforcement_row(case_id: str, **values) -> dict:
    """A 终本 record that meets every procedural condition, unless `values` says otherwise."""
    row = {c: "" for c in TABLES["enforcement"].column_names}
    row.update({"case_id": case_id, "notice_on": "2023-01-06", "report_order_on": "2023-01-06",
                "restriction_order_on": "2023-01-10", "online_inquiries": "1", "last_online_inquiry_on": "2023-03-01",
                "applicant_informed_on": "2023-03-02", "respondent_missing": "false", "assets_found_value": "0",
                "termination_basis": "standard", "assets_undisposable": "false"})
    row.update(values)
    return row


def event(case_id: str, kind: str, when: str, amount: str = "") -> dict:
    row = {c: "" for c in TABLES["events"].column_names}
    row.update({"case_id": case_id, "event": kind, "occurred_at": when, "actor_id": "J2", "amount": amount})
    return row


def zb_case(n: int, closed_on: str, filed_on: str = "2023-01-05", **values) -> dict:
    return case(f"(2023)浙0102执{n}号", cause="民间借贷纠纷", judge_id="J2", filed_on=filed_on, closed_on=closed_on,
                close_method="terminated_this_round", claim_amount=values.pop("claim_amount", "50000"), **values)


def test_termination_within_three_months_and_its_lawful_grounds(tmp_path):
    closed = {1: ("2023-03-20", "standard"), 2: ("2023-03-20", "instalment_settlement"),
              3: ("2023-03-20", "applicant_consent"), 4: ("2023-03-20", "hardship_relief"), 5: ("2023-03-20", ""),
              6: ("2023-04-05", "standard"), 7: ("2023-04-06", "standard")}
    cases = [zb_case(n, c) for n, (c, _) in closed.items()]
    enforcement = [enforcement_row(f"(2023)浙0102执{n}号", termination_basis=b) for n, (_, b) in closed.items()]
    out = run(tmp_path, ("zb_terminated_within_3_months",), cases=cases, enforcement=enforcement)
    rule = out["zb_terminated_within_3_months"]
    # three months exactly (5 Jan → 5 Apr) is not "已超过三个月"
    assert rule.flagged == {"(2023)浙0102执1号", "(2023)浙0102执6号"}
    assert rule.skipped == {"(2023)浙0102执5号"}
    assert "未超过规定的三个月" in rule.text("(2023)浙0102执1号") and "未满" not in rule.text("(2023)浙0102执1号")


def test_inquiries_after_termination_resumption_and_telling_the_applicant(tmp_path):
    every_five = ["2023-06-10", "2023-11-10", "2024-04-10", "2024-09-10"]
    cases = [zb_case(n, "2023-01-20", filed_on="2022-09-01") for n in range(1, 5)]
    cid = lambda n: f"(2023)浙0102执{n}号"  # noqa: E731
    events = []
    for n in (1, 2, 4):   # 1: on time and told; 2: on time, never told; 4: resumed, then nothing
        dates = every_five if n != 4 else every_five[:1]
        events += [event(cid(n), "post_termination_inquiry", d + "T09:00:00") for d in dates]
        if n != 2:
            events += [event(cid(n), "inquiry_result_notified", d + "T15:00:00") for d in dates]
    events.append(event(cid(4), "resumption", "2023-08-01T10:00:00"))
    events += [event(cid(3), "post_termination_inquiry", d + "T09:00:00") for d in ("2023-06-10", "2024-06-10")]
    events.append(event(cid(3), "inquiry_result_notified", "2023-06-12T09:00:00"))
    cases = [dict(c, case_id=c["case_id"].replace("(2023)", "(2022)"), filed_on="2022-09-01") for c in cases]
    events = [dict(e, case_id=e["case_id"].replace("(2023)", "(2022)")) for e in events]
    out = run(tmp_path, ("zb_no_inquiry_after_termination", "zb_inquiry_log_incomplete"), cases=cases, events=events)
    rule = out["zb_no_inquiry_after_termination"]
    assert rule.flagged == {"(2022)浙0102执2号", "(2022)浙0102执3号"}
    assert "告知申请执行人" in rule.text("(2022)浙0102执2号")
    assert "天未通过网络执行查控系统查询财产" in rule.text("(2022)浙0102执3号")
    assert out["zb_inquiry_log_incomplete"].flagged == set()


def test_a_court_whose_inquiry_log_is_incomplete_gets_one_note(tmp_path):
    cases = [zb_case(n, "2023-01-20", filed_on="2022-09-01") for n in range(1, 23)]
    cases = [dict(c, case_id=c["case_id"].replace("(2023)", "(2022)")) for c in cases]
    events = [event("(2022)浙0102执1号", "post_termination_inquiry", "2023-06-10T09:00:00")]
    out = run(tmp_path, ("zb_no_inquiry_after_termination", "zb_inquiry_log_incomplete"), cases=cases, events=events)
    assert out["zb_no_inquiry_after_termination"].flagged == set()
    assert len(out["zb_no_inquiry_after_termination"].skipped) == 22
    note = out["zb_inquiry_log_incomplete"]
    assert note.flagged == {"浙0102"} and "总对总" in note.text("浙0102")


def test_funds_clock_deferrals_and_partial_payouts(tmp_path):
    cases = [case(f"(2024)浙0102执{n}号", cause="民间借贷纠纷", judge_id="J2", filed_on="2024-01-02",
                  close_method="", closed_on="") for n in range(1, 8)]
    cid = lambda n: f"(2024)浙0102执{n}号"  # noqa: E731
    events = [
        # 1: received at 09:00, paid on the 30th day at 17:00 — within 三十日 (the old timestamp test flagged it)
        event(cid(1), "funds_received", "2024-01-10T09:00:00", "10000"), event(cid(1), "funds_disbursed", "2024-02-09T17:00:00", "10000"),
        # 2: paid on the 36th day
        event(cid(2), "funds_received", "2024-01-10T09:00:00", "10000"), event(cid(2), "funds_disbursed", "2024-02-15T09:00:00", "10000"),
        # 3: deferred (suspension), resumed, paid within 30 days of the resumption
        event(cid(3), "funds_received", "2024-01-10T09:00:00", "10000"), event(cid(3), "suspension", "2024-01-20T09:00:00"),
        event(cid(3), "resumption", "2024-04-01T09:00:00"), event(cid(3), "funds_disbursed", "2024-04-20T09:00:00", "10000"),
        # 4: deferred and still deferred: nothing is due
        event(cid(4), "funds_received", "2024-01-10T09:00:00", "10000"), event(cid(4), "suspension", "2024-01-20T09:00:00"),
        # 5: a small partial payout of a large receipt
        event(cid(5), "funds_received", "2024-01-10T09:00:00", "100000"), event(cid(5), "funds_disbursed", "2024-01-20T09:00:00", "10000"),
        # 6: 95% paid out in time (执行费 settled)
        event(cid(6), "funds_received", "2024-01-10T09:00:00", "100000"), event(cid(6), "funds_disbursed", "2024-01-20T09:00:00", "95000"),
        # 7: two receipts, the first payout covers only the first
        event(cid(7), "funds_received", "2024-01-10T09:00:00", "5000"), event(cid(7), "funds_disbursed", "2024-01-20T09:00:00", "5000"),
        event(cid(7), "funds_received", "2024-03-01T09:00:00", "5000"),
    ]
    out = run(tmp_path, ("funds_not_disbursed_30_days",), cases=cases, events=events)
    rule = out["funds_not_disbursed_30_days"]
    assert rule.flagged == {cid(2), cid(5), cid(7)}
    assert "仅发放了其中一小部分" in rule.text(cid(5))
    assert "条文序号未查得" in BY_NAME["funds_not_disbursed_30_days"].legal_basis


def test_assets_found_is_a_heuristic_and_undisposable_property_is_lawful(tmp_path):
    values = {1: "true", 2: "false", 3: ""}
    cases = [zb_case(n, "2023-06-01", claim_amount="200000") for n in values]
    enforcement = [enforcement_row(f"(2023)浙0102执{n}号", assets_found_value="50000", assets_undisposable=v)
                   for n, v in values.items()]
    out = run(tmp_path, ("zb_assets_found_but_terminated",), cases=cases, enforcement=enforcement)
    rule = out["zb_assets_found_but_terminated"]
    assert rule.flagged == {"(2023)浙0102执2号", "(2023)浙0102执3号"}
    detector = BY_NAME["zb_assets_found_but_terminated"]
    assert detector.kind == "heuristic" and "启发式" in detector.title_zh and "启发式" in detector.legal_basis
    assert "第四条" in detector.legal_basis and "启发式规则" in rule.text("(2023)浙0102执2号")


def test_an_online_inquiry_long_before_termination(tmp_path):
    last = {1: ("2023-01-20", "1"), 2: ("2023-08-01", "1"), 3: ("", "0"), 4: ("", "2")}
    cases = [zb_case(n, "2023-12-01") for n in last]
    enforcement = [enforcement_row(f"(2023)浙0102执{n}号", last_online_inquiry_on=d, online_inquiries=k)
                   for n, (d, k) in last.items()]
    out = run(tmp_path, ("zb_online_inquiry_stale", "zb_no_online_inquiry"), cases=cases, enforcement=enforcement)
    stale = out["zb_online_inquiry_stale"]
    assert stale.flagged == {"(2023)浙0102执1号"} and stale.skipped == {"(2023)浙0102执4号"}
    assert BY_NAME["zb_online_inquiry_stale"].kind == "heuristic" and "六个月" in stale.text("(2023)浙0102执1号")
    assert out["zb_no_online_inquiry"].flagged == {"(2023)浙0102执3号"}


# ---- item 11: interference records — recording is the duty; the risk is under-recording -----------------------

def test_a_recorded_interference_alone_is_lawful_a_change_after_it_is_noted(tmp_path):
    cid = lambda n: f"(2023)浙0102民初{n}号"  # noqa: E731
    cases = [case(cid(n), cause="民间借贷纠纷", closed_on="2023-06-01", close_method="judgment",
                  assignment="designated" if n == 3 else "random") for n in range(1, 6)]
    events = [event(cid(n), "interference_record", "2023-02-01T10:00:00") for n in range(1, 5)]
    events += [event(cid(2), "reassignment", "2023-02-10T10:00:00"),         # judge changed after the record
               event(cid(4), "post_close_edit", "2023-09-01T10:00:00"),      # closing record edited long after
               event(cid(5), "reassignment", "2023-02-10T10:00:00")]         # no record: not this rule's concern
    out = run(tmp_path, ("interference_followed_by_change",), cases=cases, events=events)
    rule = out["interference_followed_by_change"]
    assert rule.flagged == {cid(2), cid(3), cid(4)}
    assert "变更承办人" in rule.text(cid(2)) and "指定分案" in rule.text(cid(3))
    assert "如实登记过问是规定要求的做法" in rule.text(cid(2))
    detector = BY_NAME["interference_followed_by_change"]
    assert detector.kind == "heuristic" and "中办发〔2015〕23号" in detector.legal_basis
    assert "司法机关内部人员过问案件的记录和责任追究规定" in detector.legal_basis


def test_a_court_that_records_no_interference_where_its_province_does(tmp_path):
    courts = COURTS + [{"court_id": "浙0103", "name": "杭州市下城区人民法院", "province": "浙江", "level": "basic",
                        "parent_id": "浙01"}]
    judges = JUDGES + [{"judge_id": "J3", "court_id": "浙0103", "name": "王五", "role": "judge"}]
    busy = [case(f"(2023)浙0102民初{n}号", cause="民间借贷纠纷") for n in range(1, 101)]
    quiet = [case(f"(2023)浙0103民初{n}号", court_id="浙0103", judge_id="J3", cause="民间借贷纠纷") for n in range(1, 101)]
    # 浙0102 records on 12 of its 100 cases: 12 of 200 in the province, so 6 expected at 浙0103
    events = [event(f"(2023)浙0102民初{n}号", "interference_record", "2023-02-01T10:00:00") for n in range(1, 13)]
    out = run(tmp_path, ("interference_records_absent",), cases=busy + quiet, events=events, courts=courts, judges=judges)
    rule = out["interference_records_absent"]
    assert rule.flagged == {"浙0103"} and "可能是漏记" in rule.text("浙0103")
    # a province that records few (4 of 200: 2 expected) shows nothing about the quiet court
    out = run(tmp_path / "few", ("interference_records_absent",), cases=busy + quiet, events=events[:4],
              courts=courts, judges=judges)
    assert out["interference_records_absent"].flagged == set()


def test_an_unrecognised_drug_type_costs_the_row_only_its_type(tmp_path):
    """E7 is optional: a drug_type the table does not know (a misspelling, a drug named otherwise) is loaded
    as `other` (a drug without a listed scale: its quantity unknown to the rules, never read as heroin grams)
    and counted in the import's summary; the row, its charge and its sentence are kept."""
    drug = dict(charge="走私、贩卖、运输、制造毒品罪", amount_involved="")
    cases, defs = criminal({"KNOWN": dict(drug, drug_grams="600", drug_type="鸦片", term_months="96"),
                            "MISSPELT": dict(drug, drug_grams="600", drug_type="鸦 片片", term_months="96"),
                            "NEW_NAME": dict(drug, drug_grams="3", drug_type="LSD", term_months="30")})
    folder = tmp_path / "typed"
    write_table(folder, "courts", COURTS)
    write_table(folder, "judges", JUDGES)
    write_table(folder, "cases", cases)
    write_table(folder, "defendants", defs)
    result = ingest(folder, db=tmp_path / "typed.duckdb", export_date=EXPORT)
    counts = result.summary()["tables"]["defendants"]
    assert (counts["read"], counts["loaded"], counts["quarantined"]) == (3, 3, 0)
    assert counts["unknown_values"] == {"drug_type": {"rows": 2, "values": ["LSD", "鸦 片片"]}}
    assert "unknown_values" not in result.summary()["tables"]["cases"]
    con = duckdb.connect(str(tmp_path / "typed.duckdb"), read_only=True)
    try:
        rows = dict(con.execute("SELECT defendant_id, drug_type FROM defendants").fetchall())
    finally:
        con.close()
    assert rows == {"KNOWN": "opium", "MISSPELT": "other", "NEW_NAME": "other"}


def test_the_sentencing_models_read_typed_drug_quantities_on_the_heroin_scale(tmp_path):
    """E7 reaches the statistical models too: sentence_deviation's peers and the penalty-kind model compare an
    opium or ketamine sentence with heroin sentences on one scale and one tier, as the frame rules read them."""
    from courtwatch.detectors.sentencing.fit import stage_features

    drug = dict(charge="走私、贩卖、运输、制造毒品罪", amount_involved="")
    cases, defs = criminal({"OPIUM": dict(drug, drug_grams="600", drug_type="鸦片", term_months="96"),
                            "HEROIN": dict(drug, drug_grams="30", drug_type="海洛因", term_months="96"),
                            "UNTYPED": dict(drug, drug_grams="30", term_months="96"),
                            "OTHER": dict(drug, drug_grams="30", drug_type="other", term_months="96")})
    run(tmp_path, [], cases=cases, defendants=defs)
    con = duckdb.connect(str(tmp_path / "cw.duckdb"))
    try:
        ctx = DetectContext(con=con, as_of=AS_OF, config=load_config())
        stage_features(ctx)
        staged = con.execute("SELECT defendant_id, drug_grams, tier FROM sentencing_features_staged").df()
    finally:
        con.close()
    staged = staged.set_index("defendant_id")
    assert staged.loc["OPIUM", "drug_grams"] == 30 and staged.loc["HEROIN", "drug_grams"] == 30
    assert staged.loc["UNTYPED", "drug_grams"] == 30  # contract v1: heroin grams
    assert staged.loc["OPIUM", "tier"] == staged.loc["HEROIN", "tier"] == 2  # 10–50 g heroin: the middle tier
    assert pd.isna(staged.loc["OTHER", "drug_grams"]) and pd.isna(staged.loc["OTHER", "tier"])

"""Statutory sentencing frames (刑法) used by the legality rules and the sample generator.

One table says, for each charge and severity tier, the lawful range of a
fixed-term sentence. Where the record cannot tell two frames apart (for
example whether a traffic offender fled), the wider frame is used, so a
legality warning is never raised on a lawful sentence.
Sources: 刑法 §§38, 42, 45, 72–74, 133, 133-1, 234, 264, 266, 287-2, 303, 347
(see shared domain notes); province thresholds come from config.

Amount thresholds (盗窃, 诈骗) are set by each province within national ranges
(法释〔2013〕8号 第一条; 法释〔2011〕7号 第一条). `frame_sets` gives one frame
set per configured province plus the national-lowest set (NATIONAL), used for
a court whose province has none configured: the lowest lawful thresholds put
every amount in the highest tier any province could give it, so a legality
warning never rests on a threshold the court was not bound by. Drug quantities
and injury levels are national (刑法 §§234, 347); the drug frames are in heroin/methamphetamine
grams, and a quantity recorded with its drug type (contract extension E7) is converted by
`DRUG_TYPES` (法释〔2016〕8号 arts. 1–2).

`reach_lower` is the lowest recorded severity at which a frame can still apply
through a circumstance the export cannot show (其他严重情节, 特别残忍手段,
首要分子 …). A term above every frame of its charge breaks the statute whatever
the facts (term_above_statutory_max); a term above the frames the recorded
severity can reach, but within a higher one, means the record and the sentence
cannot both be right (record_facts_inconsistent, a data-quality warning).
"""
from __future__ import annotations

import math

import pandas as pd

# Ordinal scale of the contract's injury_level codes, mildest first.
INJURY_ORDER = {"none": 0, "minor_2": 1, "minor_1": 2, "serious_2": 3, "serious_1": 4, "death": 5}

# General frames of the penalties themselves (刑法 §§38, 42, 45, 69, 72, 73).
CONTROL_MONTHS = (3, 24)          # 管制 §38
CONTROL_MONTHS_COMBINED = (3, 36)  # §69: 管制最高不能超过三年
DETENTION_MONTHS = (1, 6)         # 拘役 §42 (§69: up to 12 for several charges)
DETENTION_MONTHS_COMBINED = (1, 12)
FIXED_TERM_MONTHS = (6, 180)      # 有期徒刑 §45, single charge
FIXED_TERM_MONTHS_COMBINED = (6, 300)  # §69 数罪并罚, up to 25 years
# §69: 有期徒刑总和刑期不满三十五年的，最高不能超过二十年；总和刑期在三十五年以上的，最高不能超过二十五年.
COMBINED_FIXED_TERM_CAP = 240
COMBINED_TOTAL_LONG = 420         # 35 years: from this total the cap is 25 years (FIXED_TERM_MONTHS_COMBINED)
PROBATION_MAX_TERM_MONTHS = 36    # §72: 拘役 or 有期徒刑 ≤ 3 years
PROBATION_PERIOD_DETENTION = (2, 12)   # §73
PROBATION_PERIOD_FIXED_TERM = (12, 60)

# 罚金 the statute always adds (并处罚金 / 并处或者单处罚金), by charge, and when 没收财产 may stand in its place — which
# the export does not record, so a rule abstains where that frame could apply:
#   tier3_amount: 盗窃 §264 / 诈骗 §266 数额特别巨大 (并处罚金或者没收财产): from the amount the top frame can reach
#                 (law_frames.reach_lower), or a term of at least CONFISCATION_TERM_FROM["tier3_amount"] months when
#                 the amount is unknown (§63 ¶1 减轻 goes one frame down: 10 years → 3–10 years);
#   drug_para2:   §347 ¶2 (并处没收财产), which needs no quantity (首要分子 …): a term of at least
#                 CONFISCATION_TERM_FROM["drug_para2"] months (15 years, one frame down → 7–15 years).
MANDATORY_FINE = (
    ("盗窃罪", "刑法第264条", "tier3_amount"),
    ("诈骗罪", "刑法第266条", "tier3_amount"),
    ("危险驾驶罪", "刑法第133条之一", "none"),
    ("走私、贩卖、运输、制造毒品罪", "刑法第347条", "drug_para2"),
    ("帮助信息网络犯罪活动罪", "刑法第287条之二", "none"),
    ("赌博罪", "刑法第303条", "none"),
    ("开设赌场罪", "刑法第303条", "none"),
)
CONFISCATION_TERM_FROM = {"tier3_amount": 36, "drug_para2": 84}


# Drug-type conversion (contract extension E7, defendants.drug_type; docs/import.md). 刑法 §347 sets its tiers
# for 鸦片 (1,000 g / 200 g) and 海洛因、甲基苯丙胺 (50 g / 10 g); 最高人民法院关于审理毒品犯罪案件适用法律若干问题的
# 解释 (法释〔2016〕8号) 第一条 (其他毒品数量大, §347 ¶2 (1)) and 第二条 (数量较大, §347 ¶3, one fifth of art. 1 for every
# drug listed) set them for the others. The frames below (`frames`) are in heroin/methamphetamine grams, so a
# recorded quantity of drug X is read as grams × 50 / (X's 数量大 threshold): both thresholds of every listed
# drug then fall exactly on 50 g and 10 g. Every item (一)–(十六) of art. 1 is here, with its art. 2 figure;
# art. 1 (十七) / art. 2 (十七), a drug the interpretation does not list (`other`), has no scale: its quantity
# is unknown to the rules, which abstain where the quantity decides. (Art. 1's last sentence: a medicine of a
# state-designated manufacturer counts by its content of the drug — the export's drug_grams must already be so.) drug_type empty: drug_grams is already the
# heroin/methamphetamine equivalent (contract v1), as before E7.
# code → (name, 数量大 threshold in grams, 数量较大 threshold in grams, source)
DRUG_TYPES = {
    "heroin": ("海洛因", 50, 10, "刑法第347条第2款第1项、第3款"),
    "methamphetamine": ("甲基苯丙胺", 50, 10, "刑法第347条第2款第1项、第3款"),
    "opium": ("鸦片", 1000, 200, "刑法第347条第2款第1项、第3款"),
    "cocaine": ("可卡因", 50, 10, "法释〔2016〕8号第一条第（一）项、第二条第（一）项"),
    "mdma": ("3,4-亚甲二氧基甲基苯丙胺（MDMA）等苯丙胺类毒品（甲基苯丙胺除外）", 100, 20,
             "法释〔2016〕8号第一条第（二）项、第二条第（二）项"),
    "morphine": ("吗啡", 100, 20, "法释〔2016〕8号第一条第（二）项、第二条第（二）项"),
    "fentanyl": ("芬太尼", 125, 25, "法释〔2016〕8号第一条第（三）项、第二条第（三）项"),
    "methcathinone": ("甲卡西酮", 200, 40, "法释〔2016〕8号第一条第（四）项、第二条第（四）项"),
    "pethidine": ("哌替啶（度冷丁）", 250, 50, "法释〔2016〕8号第一条第（六）项、第二条第（六）项"),
    "ketamine": ("氯胺酮", 500, 100, "法释〔2016〕8号第一条第（七）项、第二条第（七）项"),
    "methadone": ("美沙酮", 1000, 200, "法释〔2016〕8号第一条第（八）项、第二条第（八）项"),
    "cannabis_oil": ("大麻油", 5000, 1000, "法释〔2016〕8号第一条第（十）项、第二条第（十）项"),
    "cannabis_resin": ("大麻脂", 10000, 2000, "法释〔2016〕8号第一条第（十）项、第二条第（十）项"),
    "cannabis_leaf": ("大麻叶及大麻烟", 150000, 30000, "法释〔2016〕8号第一条第（十）项、第二条第（十）项"),
    "dihydroetorphine": ("二氢埃托啡", 0.01, 0.002, "法释〔2016〕8号第一条第（五）项、第二条第（五）项"),
    "tramadol": ("曲马多", 2000, 400, "法释〔2016〕8号第一条第（九）项、第二条第（九）项"),
    "ghb": ("γ-羟丁酸", 2000, 400, "法释〔2016〕8号第一条第（九）项、第二条第（九）项"),
    "codeine": ("可待因", 5000, 1000, "法释〔2016〕8号第一条第（十一）项、第二条第（十一）项"),
    "buprenorphine": ("丁丙诺啡", 5000, 1000, "法释〔2016〕8号第一条第（十一）项、第二条第（十一）项"),
    "triazolam": ("三唑仑", 50000, 10000, "法释〔2016〕8号第一条第（十二）项、第二条第（十二）项"),
    "methaqualone": ("安眠酮", 50000, 10000, "法释〔2016〕8号第一条第（十二）项、第二条第（十二）项"),
    "alprazolam": ("阿普唑仑", 100000, 20000, "法释〔2016〕8号第一条第（十三）项、第二条第（十三）项"),
    "khat": ("恰特草", 100000, 20000, "法释〔2016〕8号第一条第（十三）项、第二条第（十三）项"),
    "caffeine": ("咖啡因", 200000, 40000, "法释〔2016〕8号第一条第（十四）项、第二条第（十四）项"),
    "poppy_husk": ("罂粟壳", 200000, 40000, "法释〔2016〕8号第一条第（十四）项、第二条第（十四）项"),
    "barbital": ("巴比妥", 250000, 50000, "法释〔2016〕8号第一条第（十五）项、第二条第（十五）项"),
    "phenobarbital": ("苯巴比妥", 250000, 50000, "法释〔2016〕8号第一条第（十五）项、第二条第（十五）项"),
    "anaca": ("安钠咖", 250000, 50000, "法释〔2016〕8号第一条第（十五）项、第二条第（十五）项"),
    "nimetazepam": ("尼美西泮", 250000, 50000, "法释〔2016〕8号第一条第（十五）项、第二条第（十五）项"),
    "chlordiazepoxide": ("氯氮卓", 500000, 100000, "法释〔2016〕8号第一条第（十六）项、第二条第（十六）项"),
    "estazolam": ("艾司唑仑", 500000, 100000, "法释〔2016〕8号第一条第（十六）项、第二条第（十六）项"),
    "diazepam": ("地西泮", 500000, 100000, "法释〔2016〕8号第一条第（十六）项、第二条第（十六）项"),
    "bromazepam": ("溴西泮", 500000, 100000, "法释〔2016〕8号第一条第（十六）项、第二条第（十六）项"),
}
DRUG_TYPE_OTHER = "other"  # 第一条第（十七）项 / 第二条第（十七）项: a drug the interpretation does not list; no scale
HEROIN_LARGE_GRAMS = 50


def drug_equivalents() -> pd.DataFrame:
    """The law_drug_equivalents table the frame rules join on defendants.drug_type (E7).

    Columns: drug_type, drug_name, to_heroin (heroin/methamphetamine grams per gram), large_grams,
    relatively_large_grams, source. `other` has no row: its quantity is unknown to the rules."""
    rows = [(code, name, HEROIN_LARGE_GRAMS / large, float(large), float(relatively), source)
            for code, (name, large, relatively, source) in DRUG_TYPES.items()]
    return pd.DataFrame(rows, columns=["drug_type", "drug_name", "to_heroin", "large_grams",
                                       "relatively_large_grams", "source"])


def heroin_equivalent_grams(drug_grams, drug_type) -> float | None:
    """A recorded quantity in heroin/methamphetamine grams (None when unknown or of a drug without a scale)."""
    if drug_grams is None or (isinstance(drug_grams, float) and math.isnan(drug_grams)) or drug_grams is pd.NA:
        return None
    if drug_type is None or drug_type is pd.NA or (isinstance(drug_type, float) and math.isnan(drug_type)) \
            or str(drug_type) == "":
        return float(drug_grams)
    known = DRUG_TYPES.get(str(drug_type))
    return None if known is None else float(drug_grams) * HEROIN_LARGE_GRAMS / known[1]


def fine_rules() -> pd.DataFrame:
    """The fine_rules table missing_mandatory_fine joins: charge, article, alternative, alternative_from_months."""
    return pd.DataFrame([(c, a, alt, CONFISCATION_TERM_FROM.get(alt)) for c, a, alt in MANDATORY_FINE],
                        columns=["charge", "article", "alternative", "alternative_from_months"]).astype(
        {"alternative_from_months": "float64"})


# Charges joined in one defendant row (数罪并罚) are separated by this mark;
# 走私、贩卖、运输、制造毒品罪 itself contains 、, so that cannot be the separator.
MULTI_CHARGE_SEPARATOR = "；"

INF = math.inf

# Key of the fallback frame set in law_frames.province: the lowest lawful national thresholds.
NATIONAL = "全国最低"
# Key of the telecom-fraud frame set: 法发〔2016〕32号 第二部分第（一）项 sets 3,000 / 30,000 / 500,000 yuan for
# 诈骗罪 committed through telecommunication networks, nationally, whatever the province's fraud standard.
# A case whose cases.cause matches TELECOM_FRAUD_CAUSE (an RE2 / Java regular expression) uses it.
TELECOM = "电信网络诈骗"
TELECOM_FRAUD_CAUSE = "电信网络诈骗|电信诈骗|网络诈骗"
TELECOM_FRAUD = {"fraud_large": 3000, "fraud_huge": 30000, "fraud_especially_huge": 500000}
TELECOM_STANDARD = "按电信网络诈骗数额标准（法发〔2016〕32号第二部分第（一）项）"
# 法释〔2013〕8号 第一条 (theft 1,000–3,000 / 30,000–100,000 / 300,000–500,000) and 法释〔2011〕7号
# 第一条 (fraud 3,000–10,000 / 30,000–100,000 / 500,000): the bottom of each range.
NATIONAL_LOWEST = {"theft_large": 1000, "theft_huge": 30000, "theft_especially_huge": 300000,
                   "fraud_large": 3000, "fraud_huge": 30000, "fraud_especially_huge": 500000}
THRESHOLD_KEYS = tuple(NATIONAL_LOWEST)
NATIONAL_STANDARD = {
    # 最高人民法院、最高人民检察院关于办理盗窃刑事案件适用法律若干问题的解释 / 关于办理诈骗刑事案件具体应用法律若干问题的解释
    "theft": "法释〔2013〕8号第一条",
    "fraud": "法释〔2011〕7号第一条",
}
# Share of a 数额巨大 / 数额特别巨大 threshold from which 其他严重情节 / 其他特别严重情节 can lift an
# amount into the higher frame through circumstances the export does not show:
# theft 50% (法释〔2013〕8号 第六条: 入户盗窃、携带凶器盗窃 or 第二条第三至八项);
# fraud 80% (法释〔2011〕7号 第二条第二款 "接近"; 法发〔2016〕32号 第二部分: "接近"一般掌握在相应数额标准的
# 百分之八十以上 — the same share is used for fraud that is not telecom fraud, the only figure published).
OTHER_SERIOUS_SHARE = {"theft": 0.5, "fraud": 0.8}


def standard_zh(province: str, kind: str, source: str | None) -> str:
    """Which amount standard a frame set applies, as a flag says it ('按安徽省标准（皖高法〔2013〕254号）')."""
    if province == TELECOM and kind == "fraud":
        return TELECOM_STANDARD
    if province == NATIONAL or not source:
        return f"未配置该省标准，按全国最低数额标准（{NATIONAL_STANDARD[kind]}）"
    return f"按{province}省标准（{source}）"


def frames(province_thresholds: dict[str, float], province: str = NATIONAL) -> pd.DataFrame:
    """Statutory frames: one row per (charge, tier) with the severity measure's range.

    Columns: charge, article, measure, lower (inclusive), upper (exclusive),
    tier, min_months, max_months, life_possible, detention_only, reach_lower,
    standard. `measure` names the defendants column that selects the tier;
    injury levels are compared on INJURY_ORDER. A threshold the province does
    not set (or a `<kind>_standard` it does not cite) is the national lowest.
    `province` only labels the standard (NATIONAL: the national-lowest set).
    """
    given = {k: v for k, v in (province_thresholds or {}).items() if k in THRESHOLD_KEYS}
    t = {**NATIONAL_LOWEST, **given}
    sourced = {kind: province != NATIONAL and all(f"{kind}_{level}" in given for level in ("large", "huge", "especially_huge"))
               for kind in ("theft", "fraud")}
    standard = {kind: standard_zh(province if sourced[kind] else NATIONAL, kind,
                                  (province_thresholds or {}).get(f"{kind}_standard"))
                for kind in ("theft", "fraud")}
    rows = [
        # charge, article, measure, lower, upper, tier, min, max, life, detention_only
        ("盗窃罪", "刑法第264条", "amount_involved", t["theft_large"], t["theft_huge"], 1, 0, 36, False, False),
        ("盗窃罪", "刑法第264条", "amount_involved", t["theft_huge"], t["theft_especially_huge"], 2, 36, 120, False, False),
        ("盗窃罪", "刑法第264条", "amount_involved", t["theft_especially_huge"], INF, 3, 120, 180, True, False),
        ("诈骗罪", "刑法第266条", "amount_involved", t["fraud_large"], t["fraud_huge"], 1, 0, 36, False, False),
        ("诈骗罪", "刑法第266条", "amount_involved", t["fraud_huge"], t["fraud_especially_huge"], 2, 36, 120, False, False),
        ("诈骗罪", "刑法第266条", "amount_involved", t["fraud_especially_huge"], INF, 3, 120, 180, True, False),
        ("故意伤害罪", "刑法第234条", "injury_level", INJURY_ORDER["minor_2"], INJURY_ORDER["serious_2"], 1, 0, 36, False, False),
        # 重伤二级: 3–10 years; 重伤一级 may be grave disability (≥10 years), so the wider frame.
        ("故意伤害罪", "刑法第234条", "injury_level", INJURY_ORDER["serious_2"], INJURY_ORDER["serious_1"], 2, 36, 120, False, False),
        ("故意伤害罪", "刑法第234条", "injury_level", INJURY_ORDER["serious_1"], INF, 3, 36, 180, True, False),
        ("危险驾驶罪", "刑法第133条之一", "blood_alcohol", 80, INF, 1, 1, 6, False, True),
        # Flight is not in the export: ≤3 years, 3–7 with flight; death after flight ≥7 years.
        ("交通肇事罪", "刑法第133条", "injury_level", 0, INJURY_ORDER["death"], 1, 0, 84, False, False),
        ("交通肇事罪", "刑法第133条", "injury_level", INJURY_ORDER["death"], INF, 2, 0, 180, False, False),
        # <10 g: ≤3 years, or 3–7 when serious: the wider frame.
        ("走私、贩卖、运输、制造毒品罪", "刑法第347条", "drug_grams", 0, 10, 1, 0, 84, False, False),
        ("走私、贩卖、运输、制造毒品罪", "刑法第347条", "drug_grams", 10, 50, 2, 84, 180, False, False),
        ("走私、贩卖、运输、制造毒品罪", "刑法第347条", "drug_grams", 50, INF, 3, 180, 180, True, False),
        # ≤5 years, 5–10 when serious; seriousness is not in the export.
        ("开设赌场罪", "刑法第303条", None, -INF, INF, 1, 0, 120, False, False),
        ("帮助信息网络犯罪活动罪", "刑法第287条之二", None, -INF, INF, 1, 0, 36, False, False),
    ]
    table = pd.DataFrame(
        rows,
        columns=["charge", "article", "measure", "lower", "upper", "tier",
                 "min_months", "max_months", "life_possible", "detention_only"],
    )
    # reach_lower: by default a frame applies only from its own lower bound.
    table["reach_lower"] = table["lower"].astype(float)
    for kind, charge in (("theft", "盗窃罪"), ("fraud", "诈骗罪")):
        upper_tiers = (table["charge"] == charge) & (table["tier"] >= 2)
        table.loc[upper_tiers, "reach_lower"] = table.loc[upper_tiers, "lower"] * OTHER_SERIOUS_SHARE[kind]
    # §234 ¶2: ≥10 years also for 以特别残忍手段致人重伤造成严重残疾 — from 重伤二级, the means not exported.
    table.loc[(table["charge"] == "故意伤害罪") & (table["tier"] == 3), "reach_lower"] = INJURY_ORDER["serious_2"]
    # §347 ¶2 (2)–(5): ≥15 years whatever the quantity for 首要分子, 武装掩护, 暴力抗拒检查, 国际贩毒 (not exported).
    table.loc[(table["charge"] == "走私、贩卖、运输、制造毒品罪") & (table["tier"] == 3), "reach_lower"] = 0.0
    table["standard"] = [standard["theft"] if c == "盗窃罪" else standard["fraud"] if c == "诈骗罪"
                         else f"按全国统一标准（{a}）" for c, a in zip(table["charge"], table["article"])]
    return table


def frame_sets(provinces: dict[str, dict]) -> pd.DataFrame:
    """The law_frames table: one frame set per configured province plus the national-lowest set.

    Columns: province (a configured province, or NATIONAL), then those of `frames`.
    The queries pick a defendant's set by its court's province (queries/term_above_statutory_max.sql).
    """
    sets = [frames(thresholds, name).assign(province=name) for name, thresholds in sorted((provinces or {}).items())
            if name not in (NATIONAL, TELECOM)]
    sets.append(frames({}, NATIONAL).assign(province=NATIONAL))
    sets.append(frames(TELECOM_FRAUD, TELECOM).assign(province=TELECOM))
    table = pd.concat(sets, ignore_index=True)
    return table[["province", *[c for c in table.columns if c != "province"]]]


def frame_params(default_province: str | None, provinces: dict[str, dict]) -> dict[str, str]:
    """Query parameters that choose a court's frame set: a court with no recorded province takes the
    configured default ([general] province) when that has thresholds, else the national lowest."""
    default = default_province if default_province in (provinces or {}) else NATIONAL
    return {"default_frames": default, "national": NATIONAL, "telecom_frames": TELECOM,
            "telecom_cause": TELECOM_FRAUD_CAUSE}


def severity_value(row: dict | pd.Series, measure: str | None) -> float | None:
    """The defendant's value on a frame's severity measure (None when unknown)."""
    if measure is None:
        return 0.0
    value = row.get(measure)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if measure == "injury_level":
        return float(INJURY_ORDER.get(str(value), -1)) if str(value) in INJURY_ORDER else None
    if measure == "drug_grams":  # E7: a recorded drug type is converted to the heroin scale of the frames
        return heroin_equivalent_grams(value, row.get("drug_type"))
    return float(value)


def frame_for(charge: str, row: dict | pd.Series, province_thresholds: dict[str, float]) -> pd.Series | None:
    """The statutory frame that applies to one defendant, or None if it cannot be told."""
    table = frames(province_thresholds)
    candidates = table[table["charge"] == charge]
    for _, frame in candidates.iterrows():
        value = severity_value(row, frame["measure"])
        if value is None:
            return None
        if frame["lower"] <= value < frame["upper"]:
            return frame
    return None


def province_thresholds(config) -> dict[str, float]:
    """The default province's thresholds; a threshold it does not set is the national lowest."""
    configured = config.law_provinces.get(config.province, {})
    return {**NATIONAL_LOWEST, **{k: v for k, v in configured.items() if k in THRESHOLD_KEYS}}


def frame_sets_for(config) -> pd.DataFrame:
    """The law_frames table the legality queries join on a court's province (frame_sets)."""
    return frame_sets(config.law_provinces)


def frame_params_for(config) -> dict[str, str]:
    """Parameters that pick a court's frame set in those queries (frame_params)."""
    return frame_params(config.province, config.law_provinces)

"""Statutory sentencing frames (刑法) used by the legality rules and the sample generator.

One table says, for each charge and severity tier, the lawful range of a
fixed-term sentence. Where the record cannot tell two frames apart (for
example whether a traffic offender fled), the wider frame is used, so a
legality warning is never raised on a lawful sentence.
Sources: 刑法 §§38, 42, 45, 72–74, 133, 133-1, 234, 264, 266, 287-2, 303, 347
(see shared domain notes); province thresholds come from config.
"""
from __future__ import annotations

import math

import pandas as pd

# Ordinal scale of the contract's injury_level codes, mildest first.
INJURY_ORDER = {"none": 0, "minor_2": 1, "minor_1": 2, "serious_2": 3, "serious_1": 4, "death": 5}

# General frames of the penalties themselves (刑法 §§38, 42, 45, 69, 72, 73).
CONTROL_MONTHS = (3, 24)          # 管制 §38
DETENTION_MONTHS = (1, 6)         # 拘役 §42 (§69: up to 12 for several charges)
DETENTION_MONTHS_COMBINED = (1, 12)
FIXED_TERM_MONTHS = (6, 180)      # 有期徒刑 §45, single charge
FIXED_TERM_MONTHS_COMBINED = (6, 300)  # §69 数罪并罚, up to 25 years
PROBATION_MAX_TERM_MONTHS = 36    # §72: 拘役 or 有期徒刑 ≤ 3 years
PROBATION_PERIOD_DETENTION = (2, 12)   # §73
PROBATION_PERIOD_FIXED_TERM = (12, 60)

# Charges joined in one defendant row (数罪并罚) are separated by this mark;
# 走私、贩卖、运输、制造毒品罪 itself contains 、, so that cannot be the separator.
MULTI_CHARGE_SEPARATOR = "；"

INF = math.inf


def frames(province_thresholds: dict[str, float]) -> pd.DataFrame:
    """Statutory frames: one row per (charge, tier) with the severity measure's range.

    Columns: charge, article, measure, lower (inclusive), upper (exclusive),
    tier, min_months, max_months, life_possible, detention_only.
    `measure` names the defendants column that selects the tier; injury
    levels are compared on INJURY_ORDER.
    """
    t = province_thresholds
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
    return pd.DataFrame(
        rows,
        columns=["charge", "article", "measure", "lower", "upper", "tier",
                 "min_months", "max_months", "life_possible", "detention_only"],
    )


def severity_value(row: dict | pd.Series, measure: str | None) -> float | None:
    """The defendant's value on a frame's severity measure (None when unknown)."""
    if measure is None:
        return 0.0
    value = row.get(measure)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if measure == "injury_level":
        return float(INJURY_ORDER.get(str(value), -1)) if str(value) in INJURY_ORDER else None
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

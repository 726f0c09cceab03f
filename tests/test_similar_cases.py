"""The similar cases behind a sentencing warning, chosen as the 2020 类案检索 guidance orders them
(detectors/sentencing/similar.py): superior/own court and the last three years first among legally similar
cases, deviant peers left out, the spread of the chosen cases' sentences stated.

The full-scan equivalence on a generated province is tests/test_perf_equivalence.py; these are the rules
on hand-made rows where the right answer is known.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from courtwatch.core.config import load_config
from courtwatch.detectors.sentencing import similar_text
from courtwatch.detectors.sentencing.fit import SentencingModel
from courtwatch.detectors.sentencing.similar import TOLERANCE, deviant_defendants, ordered_peers

COURTS = {  # court → (province, level, parent)
    "浙": ("浙江", "high", ""), "浙01": ("浙江", "intermediate", "浙"), "浙0102": ("浙江", "basic", "浙01"),
    "浙0103": ("浙江", "basic", "浙01"), "苏0102": ("江苏", "basic", "苏01"),
    "无省01": ("", "basic", ""),  # a court whose province the export does not record
}


def _rows(spec):
    """spec: (defendant id, case id, court, judgment year, weighted factor value[, judge])."""
    ids = np.array([s[0] for s in spec], dtype=object)
    cases = np.array([s[1] for s in spec], dtype=object)
    courts = [s[2] for s in spec]
    where = {"court": np.array(courts, dtype=object), "year": np.array([s[3] for s in spec], dtype=np.int64),
             "province": np.array([COURTS[c][0] for c in courts], dtype=object),
             "level": np.array([COURTS[c][1] for c in courts], dtype=object),
             "parent": np.array([COURTS[c][2] for c in courts], dtype=object)}
    weighted = np.array([[s[4]] for s in spec], dtype=float)
    return weighted, ids, cases, where


def _judges(spec):
    """Each row's judge: the sixth field, else one judge per case (nobody shares a judge)."""
    return np.array([s[5] if len(s) > 5 else f"J_{s[1]}" for s in spec], dtype=object)


def _choose(spec, k, eligible=None, with_left_out=False):
    weighted, ids, cases, where = _rows(spec)
    eligible = np.ones(len(ids), dtype=bool) if eligible is None else eligible
    peers, distances, classes, left_out = ordered_peers(weighted, ids, cases, where, eligible, np.array([0]), k,
                                                        _judges(spec))
    if with_left_out:
        return [ids[j] for j in peers[0]], distances[0], classes[0], left_out[0]
    return [ids[j] for j in peers[0]], distances[0], classes[0]


def test_a_recent_case_beats_an_older_one_at_equal_distance():
    spec = [("T", "C0", "浙0102", 2024, 0.0),
            ("A_old", "C1", "浙0103", 2019, 0.0),   # same province, same factors, decided five years earlier
            ("B_new", "C2", "浙0103", 2023, 0.0)]   # larger id, but within the last three years
    chosen, _, classes = _choose(spec, 1)
    assert chosen == ["B_new"]
    chosen, _, classes = _choose(spec, 2)
    assert chosen == ["B_new", "A_old"] and classes[0] % 2 == 0 and classes[1] % 2 == 1


def test_the_same_province_before_another_province_and_own_court_first():
    spec = [("T", "C0", "浙0102", 2024, 0.0),
            ("A_jiangsu", "C1", "苏0102", 2024, 0.0),   # nearest id, recent, but another province
            ("B_sibling", "C2", "浙0103", 2024, 0.0),   # the province's other court
            ("C_own", "C3", "浙0102", 2024, 0.05),      # own court, a little farther but within TOLERANCE
            ("D_far_own", "C4", "浙0102", 2024, 0.5)]   # own court but not legally similar: not chosen
    chosen, distances, _ = _choose(spec, 3)
    assert chosen == ["C_own", "B_sibling", "A_jiangsu"]
    assert distances[0] == 0.05 and 0.05 < TOLERANCE


def test_the_nearest_are_kept_when_too_few_are_within_tolerance():
    # only one case within TOLERANCE: the pool widens to the k nearest, so the farther own-court case leads
    spec = [("T", "C0", "浙0102", 2024, 0.0), ("A", "C1", "浙0103", 2024, 0.01),
            ("B", "C2", "浙0102", 2024, 0.3), ("C", "C3", "浙0102", 2024, 0.9)]
    chosen, _, _ = _choose(spec, 2)
    assert chosen == ["B", "A"], "pool = the 2 nearest (A, B); the own court's B first"


def test_a_deviant_peer_is_left_out():
    spec = [("T", "C0", "浙0102", 2024, 0.0), ("A", "C1", "浙0102", 2024, 0.0), ("B", "C2", "浙0103", 2020, 0.2)]
    eligible = np.array([True, False, True])  # A's own sentence deviates
    chosen, _, _ = _choose(spec, 2, eligible)
    assert chosen == ["B"], "A (nearer, own court, recent) deviates; B is the only precedent left"


def test_the_flagged_judges_own_cases_are_left_out():
    # J1 decided the flagged case and two more, nearest and in the same court: left out, so the judge is not
    # measured against himself; the same court's other judge and the province's other court remain
    spec = [("T", "C0", "浙0102", 2024, 0.0, "J1"),
            ("A_same_judge", "C1", "浙0102", 2024, 0.0, "J1"),
            ("B_same_judge", "C2", "浙0102", 2023, 0.01, "J1"),
            ("C_colleague", "C3", "浙0102", 2024, 0.02, "J2"),
            ("D_sibling", "C4", "浙0103", 2024, 0.0, "J3")]
    chosen, _, _ = _choose(spec, 3)
    assert chosen == ["C_colleague", "D_sibling"]
    # a row without a recorded judge is left out only with its own case (its co-defendants)
    spec = [("T", "C0", "浙0102", 2024, 0.0, None), ("A_codefendant", "C0", "浙0102", 2024, 0.0, None),
            ("B_other", "C1", "浙0102", 2024, 0.0, None)]
    assert _choose(spec, 2)[0] == ["B_other"]


def test_the_deviant_cases_within_reach_are_counted():
    spec = [("T", "C0", "浙0102", 2024, 0.0),
            ("A", "C1", "浙0102", 2024, 0.0), ("A2", "C1", "浙0102", 2024, 0.01),  # one deviant case, two rows
            ("B", "C2", "浙0103", 2024, 0.05),                                      # deviant, within TOLERANCE
            ("C", "C3", "浙0103", 2024, 0.9),                                       # deviant, out of reach
            ("D", "C4", "浙0103", 2024, 0.02), ("E", "C5", "浙0102", 2024, 0.03),
            ("F", "C6", "浙0102", 2024, 0.0, "J_C0")]                               # the own judge's: not counted
    eligible = np.array([True, False, False, False, False, True, True, False])
    chosen, _, _, left_out = _choose(spec, 2, eligible, with_left_out=True)
    assert chosen == ["E", "D"] and left_out == 2  # cases C1 and C2 (reach = TOLERANCE)


def test_the_last_three_years_are_the_judgments_year_and_the_two_before():
    spec = [("T", "C0", "浙0102", 2024, 0.0), ("A_y3", "C1", "浙0103", 2021, 0.0),
            ("B_y2", "C2", "浙0103", 2022, 0.01), ("C_later", "C3", "浙0103", 2025, 0.0)]
    chosen, _, classes = _choose(spec, 3)
    # Y−2 = 2022 is recent, Y−3 = 2021 is not; a judgment after the flagged one's year is not 'recent' either
    assert chosen == ["B_y2", "A_y3", "C_later"] and classes == [6, 7, 7]


def test_a_court_without_a_recorded_province_ranks_every_other_court_last():
    spec = [("T", "C0", "无省01", 2024, 0.0), ("A_zhe", "C1", "浙0103", 2024, 0.0),
            ("B_own", "C2", "无省01", 2024, 0.05), ("C_su", "C3", "苏0102", 2024, 0.01)]
    chosen, _, classes = _choose(spec, 3)
    assert chosen == ["B_own", "A_zhe", "C_su"] and classes == [4, 8, 8]
    assert similar_text.PRECEDENCE["other_province"][0] == "外省或未记录省份的法院裁判"


def test_deviant_defendants_are_the_rejected_and_the_clipped():
    n = 200
    rows = pd.DataFrame({"defendant_id": [f"D{i:03d}" for i in range(n)], "testable": [True] * n,
                         "p": [0.5] * n, "z": [0.1] * n})
    rows.loc[3, ["p", "z"]] = [1e-9, 6.0]     # rejected by Benjamini–Hochberg and clipped
    rows.loc[4, ["p", "z"]] = [0.01, 2.6]     # not rejected among 200 at 5%, but beyond the clip 2.5
    rows.loc[5, ["p", "z"]] = [0.02, -2.4]    # neither
    model = SentencingModel(rows=rows, groups={}, skipped={}, clip_z=2.5)
    assert deviant_defendants(SimpleNamespace(config=load_config()), model) == {"D003", "D004"}


def test_the_spread_of_the_similar_sentences():
    s = similar_text.spread([10, 2, 6, 8, 4])
    assert s == {"n": 5, "min_months": 2.0, "q25_months": 4.0, "median_months": 6.0, "q75_months": 8.0,
                 "max_months": 10.0}
    assert similar_text.spread([3, 9]) == {"n": 2, "min_months": 3.0, "q25_months": 4.5, "median_months": 6.0,
                                            "q75_months": 7.5, "max_months": 9.0}
    assert similar_text.spread([]) is None
    assert similar_text.spread_zh(s) == "所列5件类案刑期2–10个月，中位数6个月（四分位4–8个月）"
    assert np.isclose(s["q25_months"], np.quantile([10, 2, 6, 8, 4], 0.25))


def test_the_rule_names_its_document_and_item():
    line = similar_text.rule_zh(TOLERANCE, 2.5, 0.05)
    assert "法发〔2020〕24号" in line and "第四条" in line and "近三年" in line and "\n" not in line
    assert "承办法官本人审理的案件不作为类案" in line and "own judge" in similar_text.rule_en(TOLERANCE, 2.5, 0.05)


def test_the_flag_page_states_the_spread_and_the_rule():
    """dashboard: the similar-case table gives each case's place in the guidance's order, and the caption under
    it the spread and the rule (from the evidence; counted from the listed cases for a run before them)."""
    from courtwatch.dashboard import data_flags, labels
    peers = [{"case_id": f"C{i}", "term_months": m, "expected_months": 8.0, "factors": "涉案金额5,000元；自首",
              "precedence": "superior_or_own_court" if i < 2 else "same_province", "judgment_year": 2023,
              "recent": i != 1} for i, m in enumerate([6, 8, 10, 12])]
    spread = similar_text.spread([p["term_months"] for p in peers])
    record = {"case_id": "T", "evidence": {"observed_term_months": 30, "expected_term_months": 9, "similar_cases": peers,
                                           "factors": {"factors_zh": "涉案金额5,000元", "similar_spread": spread,
                                                       "similar_deviant_left_out": 3,
                                                       "similar_rule": similar_text.rule_zh(TOLERANCE, 2.5, 0.05),
                                                       "similar_rule_en": similar_text.rule_en(TOLERANCE, 2.5, 0.05)}}}
    table = labels.similar_cases_table(data_flags.similar_cases(record))
    assert table[labels.tr("col_precedence")].tolist() == ["上一级法院或本院（近三年）", "上一级法院或本院",
                                                           "本省其他法院（近三年）", "本省其他法院（近三年）", ""]
    note = labels.similar_cases_note(data_flags.similar_cases_basis(record))
    assert "所列4件类案刑期6–12个月，中位数9个月（四分位7.5–10.5个月）" in note and "法发〔2020〕24号" in note
    assert "另有3件相近案件本身偏离，未列为类案" in note
    older = {"case_id": "T", "evidence": {"observed_term_months": 30, "similar_cases": peers}}  # before the rule
    assert data_flags.similar_cases_basis(older)["spread"] == spread
    assert data_flags.similar_cases_basis(older)["rule_zh"] is None


def test_another_courts_case_shows_one_class_on_the_flag_page():
    """A one-court user's anonymised peer (courtwatch/storage/store.py) has precedence other_court: the table
    says 其他法院, never which court of the order it was."""
    from courtwatch.dashboard import data_flags, labels
    peer = {"term_months": 8.0, "sentence": "有期徒刑8个月", "expected_months": 8.0, "factors": "自首",
            "factor_distance": 0.0, "recent": True, "court_level": "basic", "other_court": True,
            "precedence": "other_court", "precedence_zh": "其他法院裁判"}
    record = {"case_id": "T", "evidence": {"observed_term_months": 30, "similar_cases": [peer]}}
    table = labels.similar_cases_table(data_flags.similar_cases(record))
    assert table[labels.tr("col_precedence")].tolist() == ["其他法院（近三年）", ""]
    assert table[labels.tr("col_case")].tolist()[0] == labels.tr("review_other_court")
    assert table[labels.tr("col_judgment_year")].tolist() == ["—", "—"]  # no year: it would find the judgment

"""Warning levels: one mapping (detectors/triage.py) that keeps "high" a minority a president can read."""
from __future__ import annotations

import pytest

from courtwatch.core.vocabulary import LEVELS
from courtwatch.detectors import triage
from courtwatch.detectors.registry import DETECTORS, by_name


def test_every_detector_has_a_known_kind():
    for detector in DETECTORS:
        assert triage.kind_of(detector) in triage.KINDS, detector.name


@pytest.mark.parametrize("name, score, level", [
    ("term_above_statutory_max", 1.0, "high"),        # a sentence the statute does not allow: liberty
    ("zb_no_restriction_order", 1.0, "medium"),        # a procedural duty of 终本
    ("zb_assets_found_but_terminated", 1.0, "low"),    # a heuristic
    ("record_facts_inconsistent", 1.0, "low"),         # the record may be wrong
    ("sentence_deviation", 0.85, "high"),
    ("sentence_deviation", 0.6, "medium"),
    ("sentence_deviation", 0.3, "low"),
])
def test_the_mapping(name, score, level):
    assert triage.triage_level(by_name()[name], score) == level


def test_a_rule_score_does_not_move_its_level():
    rule = by_name()["zb_no_restriction_order"]
    assert {triage.triage_level(rule, s) for s in (0.0, 0.4, 1.0)} == {"medium"}


def test_high_is_a_minority_on_the_sample_province(province):
    """The sample is dense with planted anomalies; even there fewer than a quarter are high."""
    levels = province["run"].flags["level"]
    assert set(levels) <= set(LEVELS)
    assert (levels == "high").mean() < 0.25
    assert (levels == "high").sum() > 0


def test_score_words():
    zh, en = triage.score_words("statistical", 0.8)
    assert "十万分之一" in zh and "one in 100,000" in en
    zh, en = triage.score_words("statistical", 1.0)
    assert "百万" in zh and "million" in en
    zh, en = triage.score_words("statute", 1.0)
    assert "规则" in zh and "not a degree" in en

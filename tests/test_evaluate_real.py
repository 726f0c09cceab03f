"""The real-judgment evaluation (courtwatch/devtools/evaluate_real.py): its scoring rules, and floors on one fixed seed.

The floors are what `make eval-real` measured on the converter's default seed (docs/quality-real.md),
with margin. The real set is small and noisy on purpose: if a change makes the sentencing detectors
work only on our own generator, these floors fail.
"""
from __future__ import annotations

import pandas as pd
import pytest

from courtwatch.devtools.evaluate_real import RealSeed, evaluate_seed, realdata_dir, render, summarise

FIXED_SEED = 20261124
REALDATA = realdata_dir()
needs_realdata = pytest.mark.skipif(REALDATA is None, reason="shared/realdata not beside the checkout")


def _seed(flags_rows, p=None) -> RealSeed:
    defendants = pd.DataFrame({
        "defendant_id": ["A", "B", "C", "D", "E"],
        "judge_id": ["J1", "J1", "J2", "J2", "J3"],
        "custodial": [True, True, True, True, False],
        "planted": [True, False, False, False, False],
        "of_planted_judge": [False, False, True, True, False],
    })
    flags = pd.DataFrame(flags_rows, columns=["category", "detector", "subject_id"])
    baseline = {2.5: {"case_flags": {"A", "B"}, "judge_flags": {"J1"}, "modelled": 4},
                3.0: {"case_flags": {"A"}, "judge_flags": set(), "modelled": 4}}
    return RealSeed(1, defendants, {"J2"}, 3, flags, pd.Series(p or {}, dtype=float), baseline)


def test_untouched_excludes_planted_sentences_and_planted_judges_cases():
    seed = _seed([])
    assert list(seed.defendants.loc[seed.untouched, "defendant_id"]) == ["B"]


def test_scoring_counts_the_same_way_for_both_methods():
    seed = _seed([("sentencing", "sentence_deviation", "A"), ("sentencing", "term_above_statutory_max", "B"),
                  ("sentencing", "judge_sentencing_deviation", "J2"), ("sentencing", "judge_sentencing_deviation", "J3")])
    ours = seed.ours()
    assert (ours["sentences_found"], ours["untouched_flagged"], ours["untouched"]) == (1, 1, 1)
    assert (ours["judges_found"], ours["unplanted_judges_flagged"]) == (1, 1)
    assert ours["legality_on_untouched"] == {"term_above_statutory_max": 1}
    base = seed.baseline_figures(2.5)
    assert (base["sentences_found"], base["untouched_flagged"], base["judges_found"], base["unplanted_judges_flagged"]) \
        == (1, 1, 0, 1)


def test_recall_at_the_baseline_rate_stops_at_as_many_untouched_flags():
    seed = _seed([], p={"B": 0.001, "A": 0.01, "C": 0.02})
    assert seed.ours_at_rate(0) == 0   # B (untouched) comes first: no room for A
    assert seed.ours_at_rate(1) == 1


@needs_realdata
def test_floors_on_the_fixed_real_seed(tmp_path):
    result = evaluate_seed(FIXED_SEED, REALDATA, tmp_path)
    ours = result.ours()
    base = result.baseline_figures(2.5)
    # judges: at least the baseline's planted judges, no unplanted judge
    assert ours["judges_found"] >= max(1, base["judges_found"])
    assert ours["unplanted_judges_flagged"] == 0
    # no legality warning on a real sentence that a lawful reading allows
    assert ours["legality_on_untouched"].get("term_above_statutory_max", 0) == 0
    # single sentences: false-flag rate bounded, some planted sentences found
    assert ours["untouched_flagged"] / ours["untouched"] <= 0.015
    assert ours["sentences_found"] >= 3
    report = summarise([result])
    report["meta"] = {"command": "test", "generated_at": "now", "python": "3"}
    text = render(report)
    assert "| courtwatch |" in text and "baseline, Z = 2.5" in text


def test_a_wrong_realdata_folder_is_refused_not_replaced(tmp_path, monkeypatch):
    monkeypatch.delenv("COURTWATCH_REALDATA", raising=False)
    assert realdata_dir(tmp_path / "missing") is None

"""What detection finds on a fixed province is what it found before the performance work of issue 16.

tests/data/results_scale1_seed4242.csv is the digest (courtwatch/devtools/flag_digest.py) of a full run on the
`province` fixture's data (scale 1, seed 4242, exported 2024-12-31), written by commit ed9ff43, before the
issue's fourth pass. Every flag's detector, subject, ids, score, level, explanation and evidence (numbers to 9
significant digits), and every review-list entry's rank, z and similar cases per court and year, must be the same.
A change that alters results on purpose (a new rule, a changed threshold) rewrites the file and says so in its
commit: `python -m courtwatch.devtools.flag_digest DB tests/data/results_scale1_seed4242.csv` on a database
made as the fixture makes it.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from courtwatch.devtools.flag_digest import digest

EXPECTED = Path(__file__).parent / "data" / "results_scale1_seed4242.csv"


def test_a_full_run_finds_exactly_what_it_found_before(province):
    expected = pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)
    found = digest(province["db"], province["run"].run_id)
    assert len(found[found["kind"] == "flag"]) > 300 and len(found[found["kind"] == "review"]) > 50
    merged = expected.merge(found, how="outer", indicator=True, on=list(expected.columns))
    changed = merged[merged["_merge"] != "both"].sort_values(["kind", "detector", "subject_id"])
    assert changed.empty, f"{len(changed)} digest lines differ:\n{changed.head(20).to_string()}"

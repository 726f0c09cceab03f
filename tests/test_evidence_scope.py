"""Evidence is scoped like rows: a one-court user never reads another court's case numbers through a flag.

Sentencing warnings carry their legally similar cases, drawn from every court of the province. For a
user limited to some courts, a peer case of another court stays in the evidence as an anonymous peer
(its sentence, factors, expected term and court level) without case number, defendant or court —
decided once, in the scoped views of courtwatch/storage/store.py, so every page and export that reads
through them (flags export, flag detail, review list) is covered.
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from courtwatch.access import auth
from courtwatch.storage import store
from courtwatch.storage.opsstore import OpsStore


@pytest.fixture(scope="module")
def two_courts(province):
    """A court whose sentencing warnings cite similar cases of other courts, and its flags' foreign peers."""
    flags = province["run"].flags
    sentencing = flags[flags["detector"] == "sentence_deviation"]
    for court, group in sentencing.groupby("court_id"):
        foreign = {p["case_id"] for e in group["evidence"] for p in json.loads(e)["similar_cases"]
                   if p["court_id"] != court}
        if foreign:
            return court, foreign
    pytest.skip("no sentencing warning cites another court's case")


def _similar(con, court):
    rows = con.execute("SELECT evidence FROM flags WHERE detector = 'sentence_deviation' AND court_id = ?",
                       [court]).fetchall()
    return [p for (e,) in rows for p in json.loads(e)["similar_cases"]]


def test_a_scoped_view_keeps_foreign_peers_anonymous(province, two_courts):
    court, foreign = two_courts
    everyone = store.open_for_read(province["db"])
    scoped = store.open_for_read(province["db"], court_ids=[court])
    try:
        full, limited = _similar(everyone, court), _similar(scoped, court)
        levels = dict(everyone.execute("SELECT court_id, level FROM courts").fetchall())
    finally:
        everyone.close()
        scoped.close()
    assert len(full) == len(limited)  # nobody is left out: the comparison still has its peers
    for before, after in zip(full, limited):
        if before["court_id"] == court:
            assert after == before
        else:
            # an allow-list: nothing that names the court or finds the judgment (case, court, year, the
            # 类案检索 class that says SPC / high court / superior court), whatever the evidence adds later
            assert set(after) == {"term_months", "sentence", "expected_months", "factors", "factor_distance",
                                  "recent", "court_level", "other_court", "precedence", "precedence_zh"}
            assert after["other_court"] is True
            assert (after["precedence"], after["precedence_zh"]) == ("other_court", "其他法院裁判")
            assert "judgment_year" in before and before["precedence"] != "other_court"
            assert after["court_level"] == levels[before["court_id"]]
            assert {k: after[k] for k in store.ANONYMOUS_PEER_FIELDS} == {k: before[k] for k in store.ANONYMOUS_PEER_FIELDS}


def test_the_flags_export_of_a_one_court_user_names_no_other_courts_case(province, two_courts, tmp_path):
    court, foreign = two_courts
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    auth.add_user(OpsStore.open(url), "li", "李检查", "inspector", [court], "correct horse battery")
    base = [sys.executable, "-m", "courtwatch.cli", "flags", "--db", str(province["db"]), "--ops-url", url,
            "--as-user", "li"]
    for fmt in ("json", "csv"):
        done = subprocess.run(base + ["--format", fmt], capture_output=True, text=True, check=True)
        assert not [c for c in foreign if c in done.stdout], fmt
    rows = list(csv.DictReader(io.StringIO(subprocess.run(base + ["--format", "csv"], capture_output=True,
                                                          text=True, check=True).stdout)))
    assert any("other_court" in r["evidence"] for r in rows)
    # the unscoped export still names them (otherwise this test could not fail)
    admin = subprocess.run([sys.executable, "-m", "courtwatch.cli", "flags", "--db", str(province["db"]),
                            "--format", "json"], capture_output=True, text=True, check=True)
    assert all(c in admin.stdout for c in foreign)

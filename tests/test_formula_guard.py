"""Formula injection: every text cell a spreadsheet may open goes through one guard (courtwatch.core.cells).

The flags CSV and the audit CSV are built from imported identifiers and user names; a cell such as
`=HYPERLINK("http://x")` must arrive as inert text. The JSON export stays lossless: it is data for
programs, not a sheet (docs/security.md).
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from courtwatch.storage import store

# What OWASP lists as formula starts; the guard may cover more, never less.
STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("http://x")', "+SUM(A1:A9)", "-2+3", "@cmd", "\tX", "\rX", "＝1+1"]


def test_the_guard_prefixes_every_formula_start_and_leaves_the_rest():
    from courtwatch.core import cells
    for text in HOSTILE:
        guarded = cells.neutralise_formula(text)
        assert guarded == "'" + text
    for text in ("(2023)浙0102刑初1号", "J1", "盗窃罪", "", "a=b", "{\"x\": 1}"):
        assert cells.neutralise_formula(text) == text
    assert cells.guard_cell(None) is None and cells.guard_cell(-1.5) == -1.5 and cells.guard_cell(3) == 3


def test_briefings_use_the_same_guard():
    from courtwatch.core import cells
    from courtwatch.reporting.briefing import cells as briefing_cells
    assert briefing_cells.neutralise_formula is cells.neutralise_formula
    assert briefing_cells.FORMULA_PREFIXES is cells.FORMULA_PREFIXES


def _db_with_hostile_flag(tmp_path):
    db = tmp_path / "cw.duckdb"
    with store.open_for_write(db) as con:
        con.execute("INSERT INTO runs (run_id, started_at, finished_at, as_of, code_version, config, data_fingerprint, "
                    "flag_count) VALUES ('R1', now(), now(), DATE '2024-06-30', 'test', '{}', 'fp', 1)")
        con.execute("INSERT INTO flags VALUES ('F1', 'R1', 'integrity', 'judge_rate_outlier', 'judge', ?, NULL, ?, "
                    "'浙0102', 0.9, 'high', ?, ?)",
                    ['=HYPERLINK("http://x")', '=HYPERLINK("http://x")', "-the judge's rate", '{"rate": -0.5}'])
    return db


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "courtwatch.cli", *args], capture_output=True, text=True)


def test_flags_csv_cells_are_inert_and_json_stays_lossless(tmp_path):
    db = _db_with_hostile_flag(tmp_path)
    done = _cli("flags", "--db", str(db), "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    header, row = rows[0], rows[1]
    assert header[:3] == ["flag_id", "run_id", "category"]  # the export's columns, unchanged
    record = dict(zip(header, row))
    assert record["subject_id"] == record["judge_id"] == '\'=HYPERLINK("http://x")'
    assert record["explanation"] == "'-the judge's rate"
    assert float(record["score"]) == 0.9
    assert not [c for c in row if c[:1] in STARTS]
    done = _cli("flags", "--db", str(db), "--format", "json")
    assert done.returncode == 0, done.stderr
    (flag,) = json.loads(done.stdout)
    assert flag["judge_id"] == '=HYPERLINK("http://x")' and flag["evidence"] == {"rate": -0.5}


def test_audit_csv_cells_are_inert(tmp_path):
    from courtwatch.storage.opsstore import OpsStore
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    OpsStore.open(url).audit("=cmd|' /C calc'!A0", "export", "@SUM(1)", {"note": "x"})
    done = _cli("audit", "export", "--ops-url", url)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[1][2] == "'=cmd|' /C calc'!A0" and rows[1][4] == "'@SUM(1)"
    assert not [c for r in rows for c in r if c[:1] in STARTS]


def test_the_guard_covers_what_owasp_lists():
    from courtwatch.core import cells
    assert set(STARTS) <= set(cells.FORMULA_PREFIXES)


def test_serve_turns_off_the_unguarded_table_export_of_the_dashboard(tmp_path):
    """st.dataframe's own CSV download and clipboard copy write cells as they are (Streamlit 1.67 quotes,
    never guards): the dashboard is started with them off; guarded downloads go through the guard."""
    import argparse

    from courtwatch import cli
    command, _env = cli.serve_command(argparse.Namespace(db=str(tmp_path / "cw.duckdb"), port=8599))
    assert command[command.index("--client.disableDataExport") + 1] == "true"

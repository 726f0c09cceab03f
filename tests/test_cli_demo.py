"""`courtwatch demo` (what `make demo` runs): sample → ingest → detect → account, end to end on a small province.

Its steps are the commands' own; it once built detect's arguments by hand and broke when detect gained
--since, unnoticed because no test ran it."""
from __future__ import annotations

import duckdb

from courtwatch.cli import main


def test_demo_without_serving_samples_ingests_detects_and_makes_an_account(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURTWATCH_OPS_URL", f"sqlite:///{tmp_path / 'ops.sqlite'}")
    db = tmp_path / "demo.duckdb"
    main(["demo", "--db", str(db), "--data", str(tmp_path / "import"), "--scale", "0.1", "--no-serve"])
    out = capsys.readouterr().out
    assert "detect: run" in out and "sign in to the dashboard as  demo" in out
    con = duckdb.connect(str(db), read_only=True)
    try:
        runs, flags = con.execute("SELECT count(*), (SELECT count(*) FROM flags) FROM runs").fetchall()[0]
    finally:
        con.close()
    assert runs == 1 and flags > 0

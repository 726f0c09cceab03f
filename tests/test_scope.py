"""Scope is enforced where data is opened: a scoped connection cannot see another court's rows."""
from __future__ import annotations

import re
from importlib import resources

from courtwatch.storage import store


def test_every_table_of_the_schema_has_a_scope_rule():
    schema = resources.files("courtwatch.queries").joinpath("schema.sql").read_text(encoding="utf-8")
    tables = set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", schema))
    assert tables == set(store.SCOPED_VIEWS)


def test_no_query_reaches_around_the_scope():
    for sql in resources.files("courtwatch.queries").iterdir():
        if sql.name.endswith(".sql"):
            assert "published." not in sql.read_text(encoding="utf-8"), sql.name


def test_scoped_connection_sees_only_its_courts(province):
    full = store.open_for_read(province["db"])
    courts = [r[0] for r in full.execute("SELECT court_id FROM courts WHERE level = 'basic' ORDER BY court_id LIMIT 2").fetchall()]
    totals = {t: full.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("cases", "defendants", "flags")}
    full.close()
    scoped = store.open_for_read(province["db"], court_ids=courts[:1])
    try:
        assert {r[0] for r in scoped.execute("SELECT DISTINCT court_id FROM cases").fetchall()} == {courts[0]}
        assert {r[0] for r in scoped.execute("SELECT DISTINCT court_id FROM flags").fetchall()} <= {courts[0]}
        leaked = scoped.execute("SELECT count(*) FROM defendants d JOIN published.main.cases c USING (case_id) "
                                "WHERE c.court_id <> ?", [courts[0]]).fetchone()[0]
        assert leaked == 0
        for table, total in totals.items():
            assert scoped.execute(f"SELECT count(*) FROM {table}").fetchone()[0] < total
        assert scoped.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    finally:
        scoped.close()
    empty = store.open_for_read(province["db"], court_ids=[])
    assert empty.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    empty.close()


def test_cli_flags_as_a_user_exports_only_that_users_courts_and_audits_it(province, tmp_path):
    import csv
    import io
    import subprocess
    import sys

    from courtwatch.access import auth
    from courtwatch.storage.opsstore import OpsStore

    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    ops = OpsStore.open(url)
    flags = province["run"].flags
    court = flags["court_id"].dropna().value_counts().index[0]
    auth.add_user(ops, "li", "李检查", "inspector", [court], "correct horse battery")
    auth.add_user(ops, "ana", "分析员", "analyst", [], "correct horse battery")
    base = [sys.executable, "-m", "courtwatch.cli", "flags", "--db", str(province["db"]), "--ops-url", url]
    done = subprocess.run(base + ["--as-user", "li"], capture_output=True, text=True, check=True)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and {r["court_id"] for r in rows} == {court}
    assert len(rows) == (flags["court_id"] == court).sum()
    refused = subprocess.run(base + ["--as-user", "ana"], capture_output=True, text=True)
    assert refused.returncode == 2 and "analysts see aggregates only" in refused.stderr
    assert [r["action"] for r in ops.audit_rows(limit=1)] == ["export"]


def test_cli_brief_as_a_user_is_refused_outside_the_users_courts(province, tmp_path):
    import subprocess
    import sys

    from courtwatch.access import auth
    from courtwatch.storage.opsstore import OpsStore

    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    flags = province["run"].flags
    own, other = flags["court_id"].dropna().value_counts().index[:2]
    auth.add_user(OpsStore.open(url), "li", "李检查", "inspector", [own], "correct horse battery")
    base = [sys.executable, "-m", "courtwatch.cli", "brief", "--db", str(province["db"]), "--ops-url", url,
            "--period", "2024-06", "--format", "html", "--as-user", "li"]
    refused = subprocess.run(base + ["--court", other, "--out", str(tmp_path / "x.html")], capture_output=True, text=True)
    assert refused.returncode == 2 and f"li may brief only on {own}" in refused.stderr
    assert not (tmp_path / "x.html").exists()
    done = subprocess.run(base + ["--court", own, "--out", str(tmp_path / "own.html")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "own.html").read_text(encoding="utf-8")
    assert own in html and other not in html
    assert OpsStore.open(url).audit_rows(limit=1)[0]["actor"] == "li"


def test_every_sql_rule_runs_on_a_scoped_connection(province):
    """A court-scoped connection's tables are views (no rowid, no indexes): every SQL detector's query must still
    bind and run there, and see only the court's cases."""
    from courtwatch.core.config import load_config
    from courtwatch.detectors.base import DetectContext, SqlDetector
    from courtwatch.detectors.registry import DETECTORS
    from courtwatch.pipeline.runs import default_as_of

    full = store.open_for_read(province["db"])
    court = full.execute("SELECT court_id FROM cases WHERE case_kind = 'enforcement' GROUP BY court_id "
                         "ORDER BY count(*) DESC LIMIT 1").fetchall()[0][0]
    full.close()
    scoped = store.open_for_read(province["db"], court_ids=[court])
    try:
        ctx = DetectContext(con=scoped, as_of=default_as_of(scoped), config=load_config())
        sql_detectors = [d for d in DETECTORS if isinstance(d, SqlDetector)]
        assert sql_detectors
        for detector in sql_detectors:
            rows = detector.query(ctx)
            if "court_id" in rows.columns:
                assert set(rows["court_id"].dropna()) <= {court}, detector.name
    finally:
        scoped.close()

"""Scope is enforced where data is opened: a scoped connection cannot see another court's rows."""
from __future__ import annotations

import re
from importlib import resources

import duckdb

from courtwatch import store


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

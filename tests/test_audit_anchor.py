"""The audit chain is anchored: deleting its newest rows is detected, not reported as an intact trail.

The head (sequence, hash) is kept outside the chain — in a head file beside a SQLite operational store
after every append, in the published analytical database at every ingest and detect, and wherever an
administrator writes down `courtwatch audit head` (checked with `audit verify --anchor`).
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading

import duckdb
from helpers import small_import

from courtwatch.pipeline.ingest import ingest
from courtwatch.storage.opsstore import OpsStore, audit_log

EXPORT = dt.date(2024, 12, 31)


def _trail(path, rows: int) -> OpsStore:
    ops = OpsStore.open(f"sqlite:///{path}")
    for n in range(rows):
        ops.audit("inspector.li", "view_flag", f"F{n}")
    return ops


def _delete_from(ops: OpsStore, seq: int) -> None:
    with ops.engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq >= seq))


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "courtwatch.cli", *args], capture_output=True, text=True)


def test_deleting_the_newest_audit_rows_is_reported_as_a_truncated_trail(tmp_path):
    ops = _trail(tmp_path / "ops.sqlite", 5)
    assert ops.verify_audit() == (True, "audit trail intact: 5 rows")
    _delete_from(ops, 4)
    ok, message = ops.verify_audit()
    assert not ok
    assert message.startswith("audit trail truncated: rows 4–5 are missing after row 3"), message
    assert "head file" in message


def test_cli_audit_verify_reports_a_truncated_tail_and_exits_non_zero(tmp_path):
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    ops = _trail(tmp_path / "ops.sqlite", 3)
    assert _cli("audit", "verify", "--ops-url", url).returncode == 0
    _delete_from(ops, 3)
    done = _cli("audit", "verify", "--ops-url", url)
    assert done.returncode == 2
    assert "TAMPERING DETECTED: audit trail truncated: rows 3–3 are missing after row 2" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_appending_after_a_truncation_neither_moves_the_anchor_nor_hides_the_gap(tmp_path):
    ops = _trail(tmp_path / "ops.sqlite", 5)
    _delete_from(ops, 3)
    for n in range(3):  # new rows 3, 4, 5 chain onto row 2: the chain alone looks intact
        ops.audit("someone", "view_flag", f"G{n}")
    ok, message = ops.verify_audit()
    assert not ok and message.startswith("audit row 5 does not match the head file"), message
    ops.audit("someone", "view_flag", "G9")  # row 6: still the old anchor, still detected
    assert not ops.verify_audit()[0]


def test_each_publish_anchors_the_head_in_the_published_database(tmp_path):
    db = tmp_path / "cw.duckdb"
    ops_path = tmp_path / "cw.ops.sqlite"  # the default store beside the database
    ops = _trail(ops_path, 4)
    ingest(small_import(tmp_path / "import"), db=db, export_date=EXPORT)
    con = duckdb.connect(str(db), read_only=True)
    try:
        (seq, digest, where), = con.execute("SELECT seq, hash, ops_store FROM audit_anchors").fetchall()
    finally:
        con.close()
    assert seq == 4 and digest == ops.audit_rows(limit=1)[0]["hash"] and where.endswith("cw.ops.sqlite")
    # the head file goes with the rows: the published database still knows the head
    _delete_from(ops, 3)
    (tmp_path / "cw.ops.sqlite.head").unlink()
    done = _cli("audit", "verify", "--db", str(db))
    assert done.returncode == 2, done.stdout
    assert "audit trail truncated: rows 3–4 are missing after row 2" in done.stderr
    assert "published database cw.duckdb" in done.stderr


def test_an_anchor_written_down_elsewhere_is_checked(tmp_path):
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    ops = _trail(tmp_path / "ops.sqlite", 3)
    done = _cli("audit", "head", "--ops-url", url)
    assert done.returncode == 0, done.stderr
    anchor = done.stdout.strip()
    assert anchor == f"3:{ops.audit_rows(limit=1)[0]['hash']}"
    _delete_from(ops, 2)
    (tmp_path / "ops.sqlite.head").unlink()
    assert _cli("audit", "verify", "--ops-url", url).returncode == 0  # nothing else knows the head …
    done = _cli("audit", "verify", "--ops-url", url, "--anchor", anchor)
    assert done.returncode == 2 and "rows 2–3 are missing after row 1" in done.stderr  # … but the written anchor does
    assert "--anchor" in done.stderr
    done = _cli("audit", "verify", "--ops-url", url, "--anchor", "three:abc")
    assert done.returncode == 2 and "SEQ:HASH" in done.stderr


def test_concurrent_writers_leave_the_head_file_at_the_last_row(tmp_path):
    ops = OpsStore.open(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    threads = [threading.Thread(target=lambda n=n: [ops.audit(f"u{n}", "view_flag", f"F{k}") for k in range(5)])
               for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    head = json.loads((tmp_path / "ops.sqlite.head").read_text())
    assert head["seq"] == 40 and head["hash"] == ops.audit_rows(limit=1)[0]["hash"]
    assert ops.verify_audit() == (True, "audit trail intact: 40 rows")

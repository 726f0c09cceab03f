"""The operational store on SQLite and on a real PostgreSQL server: dispositions, accounts, audit chain."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from courtwatch.access import auth
from courtwatch.core.errors import UserError
from courtwatch.storage.opsstore import OpsStore, audit_log


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away PostgreSQL cluster on 127.0.0.1, started from the Debian package's binaries."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; `make test` installs the Debian package postgresql")
        pytest.skip("PostgreSQL server binaries not installed (make system-deps installs them)")
    bin_dir = Path(binaries[-1]).parent
    data = Path(tempfile.mkdtemp(prefix="courtwatch-pg-"))
    port = _free_port()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(data, "postgres", "postgres")
    subprocess.run(as_postgres + [str(bin_dir / "initdb"), "-D", str(data / "db"), "-U", "courtwatch", "-A", "trust",
                                  "--no-sync"], check=True, capture_output=True)
    subprocess.run(as_postgres + [str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-w", "-l", str(data / "log"),
                                  "-o", f"-p {port} -h 127.0.0.1 -k {data} -c fsync=off", "start"],
                   check=True, capture_output=True)
    try:
        subprocess.run(as_postgres + [str(bin_dir.parent / "bin" / "createdb") if (bin_dir / "createdb").exists()
                                      else "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "courtwatch", "ops"],
                       check=True, capture_output=True)
        yield f"postgresql+psycopg://courtwatch@127.0.0.1:{port}/ops"
    finally:
        subprocess.run(as_postgres + [str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def ops(request, tmp_path):
    if request.param == "sqlite":
        store = OpsStore.open(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    else:
        store = OpsStore.open(request.getfixturevalue("postgres_url"))
        with store.engine.begin() as conn:  # a clean slate per test on the shared server
            for table in ("dispositions", "audit_log", "users"):
                conn.execute(sa.text(f"DELETE FROM {table}"))
    yield store
    store.engine.dispose()


def test_dispositions_keep_their_history_and_need_a_reason(ops):
    ops.record_disposition("F1", "needs_information", "ask the court for the file", "inspector.li", run_id="R1")
    ops.record_disposition("F1", "dismiss", "the record was corrected on paper", "inspector.wang", run_id="R2")
    assert ops.current()["F1"]["decision"] == "dismiss"
    history = ops.history("F1")
    assert [h["decided_by"] for h in history] == ["inspector.li", "inspector.wang"]
    with pytest.raises(UserError, match="needs a reason"):
        ops.record_disposition("F1", "dismiss", "   ", "inspector.li")
    with pytest.raises(UserError, match="decision must be one of"):
        ops.record_disposition("F1", "approve", "x", "inspector.li")


def test_twenty_concurrent_writers_lose_nothing_and_the_chain_verifies(ops):
    errors = []

    def writer(n: int) -> None:
        try:
            for k in range(5):
                ops.record_disposition(f"F{n}", "escalate", f"reason {n}-{k}", f"inspector{n}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert all(len(ops.history(f"F{n}")) == 5 for n in range(20))
    assert {h["reason"] for n in range(20) for h in ops.history(f"F{n}")} == \
        {f"reason {n}-{k}" for n in range(20) for k in range(5)}
    ok, message = ops.verify_audit()
    assert ok, message
    assert message == "audit trail intact: 100 rows"


def test_tampering_with_one_audit_row_is_detected(ops):
    for n in range(5):
        ops.audit("inspector.li", "view_flag", f"F{n}")
    with ops.engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == 3).values(target="F999"))
    ok, message = ops.verify_audit()
    assert not ok and "audit row 3" in message


def test_deleting_an_audit_row_is_detected(ops):
    for n in range(4):
        ops.audit("inspector.li", "view_flag", f"F{n}")
    with ops.engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == 2))
    ok, message = ops.verify_audit()
    assert not ok and "audit row 2 is missing" in message


def test_accounts_hash_passwords_and_refuse_disabled_users(ops):
    auth.add_user(ops, "li", "李检查", "inspector", ["浙0102", "浙0106"], "correct horse battery")
    with ops.engine.connect() as conn:
        stored = conn.execute(sa.select(auth.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    user = auth.authenticate(ops, "li", "correct horse battery")
    assert user.role == "inspector" and user.court_ids == ("浙0102", "浙0106")
    assert auth.authenticate(ops, "li", "wrong password!") is None
    assert auth.authenticate(ops, "nobody", "whatever12345") is None
    auth.set_disabled(ops, "li")
    assert auth.authenticate(ops, "li", "correct horse battery") is None
    actions = [r["action"] for r in reversed(ops.audit_rows())]
    assert actions == ["user_add", "sign_in", "sign_in_failed", "sign_in_failed", "user_disable", "sign_in_failed"]


def test_cli_audit_verify_reports_tampering(tmp_path):
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    ops = OpsStore.open(url)
    ops.audit("admin", "export", "brief-2024.pdf")
    ops.audit("admin", "export", "brief-2025.pdf")
    command = [sys.executable, "-m", "courtwatch.cli", "audit", "verify", "--ops-url", url]
    assert subprocess.run(command, capture_output=True, text=True).returncode == 0
    with ops.engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == 1).values(actor="someone else"))
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 2 and "TAMPERING DETECTED: audit row 1 was altered" in done.stderr

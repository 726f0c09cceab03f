"""Crash safety: a batch job killed with SIGKILL mid-run leaves the last good database intact.

The job is killed once it has started writing its private building copy (we
watch for that file, so the kill lands mid-write, not before or after).
The published database must still open, hold the previous run, and the next
job must complete.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from courtwatch.pipeline.ingest import ingest
from courtwatch.pipeline.runs import detect
from courtwatch.sample_data import generate
from courtwatch.storage.opsstore import OpsStore


def _building_files(db: Path) -> list[Path]:
    return list(db.parent.glob(f".{db.name}.*.building*"))


def _kill_when_building(command: list[str], db: Path, env: dict) -> int:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not _building_files(db) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # polling for the file, not waiting for time to pass
    assert process.poll() is None, "the job finished before it could be killed; use more data"
    os.kill(process.pid, signal.SIGKILL)
    return process.wait(timeout=30)


def _counts(db: Path) -> tuple[int, int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("cases", "runs", "flags"))
    finally:
        con.close()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    generate(root / "import", scale=0.5, seed=99)
    generate(root / "import2", scale=0.6, seed=98)
    db = root / "cw.duckdb"
    ingest(root / "import", db=db, export_date=dt.date(2024, 12, 31))
    detect(db)
    return root, db


@pytest.mark.parametrize("job", ["detect", "ingest"])
def test_sigkill_mid_run_leaves_the_last_good_database(loaded, job):
    root, db = loaded
    ops = OpsStore.open(f"sqlite:///{root / 'ops.sqlite'}")
    ops.record_disposition("Fkept", "escalate", "recorded before the crash", "inspector.li")
    before = _counts(db)
    env = dict(os.environ, COURTWATCH_DB=str(db))
    command = [sys.executable, "-m", "courtwatch.cli", job] + ([str(root / "import2"), "--export-date", "2024-12-31"]
                                                                if job == "ingest" else [])
    assert _kill_when_building(command, db, env) == -signal.SIGKILL
    assert _counts(db) == before                      # the published file is untouched and readable
    assert _building_files(db)                        # the killed job's private copy is left behind
    assert ops.current()["Fkept"]["reason"] == "recorded before the crash"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert not _building_files(db)                    # the next job cleaned up
    after = _counts(db)
    assert after[1] == before[1] + (1 if job == "detect" else 0)

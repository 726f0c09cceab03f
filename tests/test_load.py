"""Load, CI-sized: concurrent dashboard sessions walk overview → flags → flag detail while a new run is published.

`python -m courtwatch.devtools.loadtest --sessions 30` is the full-size run (docs/reliability.md); here 8 sessions
keep the suite within CI's budget on 2 cores. No page may show an exception or time out, and the
published run must be swapped in while sessions are open.
"""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from courtwatch.access import auth
from courtwatch.devtools.loadtest import run_load
from courtwatch.pipeline.runs import load_flags
from courtwatch.storage.opsstore import OpsStore

pytestmark = pytest.mark.browser


def test_concurrent_sessions_while_a_run_is_published(province, tmp_path):
    db = tmp_path / "cw.duckdb"
    shutil.copyfile(province["db"], db)
    ops_url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    auth.add_user(OpsStore.open(ops_url), "load", "压测", "admin", [], "correct horse battery")
    flag_id = load_flags(db)["flag_id"].iloc[0]
    runs_before = len(load_flags(db)["run_id"].unique())

    def publish():
        subprocess.run([sys.executable, "-m", "courtwatch.cli", "detect", "--db", str(db)], check=True,
                       capture_output=True, timeout=600)

    result = run_load(db, sessions=8, flag_id=flag_id, publish=publish,
                      env={"COURTWATCH_OPS_URL": ops_url}, credentials=("load", "correct horse battery"))
    print(result.summary())
    assert not result.errors, result.errors[:3]
    assert all(len(result.page_seconds[page]) == 8 for page in ("overview", "flags", "flag"))
    assert runs_before == 1

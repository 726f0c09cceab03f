"""Shared fixtures. Tests import small-folder helpers from this folder (helpers.py)."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

EXPORT_DATE = dt.date(2024, 12, 31)


@pytest.fixture(scope="session")
def province(tmp_path_factory):
    """A scale-1 province from seed 4242 (used by no detector's tuning), imported and detected once."""
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.pipeline.runs import detect
    from courtwatch.sample_data import generate

    root = tmp_path_factory.mktemp("province")
    generate(root / "import", scale=1.0, seed=4242)
    db = root / "cw.duckdb"
    ingest(root / "import", db=db, export_date=EXPORT_DATE)
    run = detect(db)
    truth = pd.read_csv(root / "import" / "ground_truth.csv", dtype=str)
    return {"root": root, "db": db, "run": run, "truth": truth}


def shared_province(tmp_path_factory) -> Path:
    """Scale 0.3, seed 77, imported and detected once per test session (dashboard and browser tests share it).

    Users of it only read it: a test that needs to write copies it first.
    """
    import shutil

    from courtwatch.pipeline.ingest import ingest
    from courtwatch.pipeline.runs import detect
    from courtwatch.sample_data import generate

    root = tmp_path_factory.getbasetemp() / "dashboard_province_s0.3_seed77"
    db = root / "cw.duckdb"
    if not (root / "complete").exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(root / "import", scale=0.3, seed=77)
        ingest(root / "import", db=db, export_date=EXPORT_DATE)
        detect(db)
        (root / "complete").touch()
    return db

"""The published analytical database and how batch jobs replace it.

DuckDB lets no other process open a file, not even read-only, while one
process writes it. So a batch job (ingest, detect) never writes the published
file: it copies it to a private building file, writes there, checkpoints, and
publishes with an atomic rename. Readers (the dashboard, `flags`, `brief`)
open the published file read-only; a reader that opened the old file keeps
reading it until it reopens. A lock file serialises writers, and a job that
fails or is killed leaves the published file as it was.
See docs/architecture.md.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from . import queries
from .errors import UserError

DEFAULT_DB = "courtwatch.duckdb"

# Nothing may be fetched at run time: only the built-in extensions are used.
DUCKDB_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def db_path(db: str | os.PathLike | None) -> Path:
    """--db, else COURTWATCH_DB, else courtwatch.duckdb in the working directory."""
    return Path(db or os.environ.get("COURTWATCH_DB") or DEFAULT_DB).resolve()


@contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise UserError(f"{path.name} is being updated by another ingest or detect; wait for it to finish and run again") from None
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


@contextmanager
def open_for_write(db: str | os.PathLike | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a private copy of the database, published atomically on success."""
    path = db_path(db)
    with writer_lock(path):
        building = path.with_name(f".{path.name}.{os.getpid()}.building")
        for stale in path.parent.glob(f".{path.name}.*.building*"):
            stale.unlink(missing_ok=True)  # left by a killed job; we hold the lock
        if path.exists():
            shutil.copyfile(path, building)
        con = duckdb.connect(str(building), config=DUCKDB_CONFIG)
        try:
            queries.execute(con, "schema")
            yield con
            con.execute("CHECKPOINT")
            con.close()
        except BaseException:
            con.close()
            building.unlink(missing_ok=True)
            Path(str(building) + ".wal").unlink(missing_ok=True)
            raise
        with open(building, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(building, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def open_for_read(db: str | os.PathLike | None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published database."""
    path = db_path(db)
    if not path.exists():
        raise UserError(f"no database at {path}; run `courtwatch ingest FOLDER` first (or set --db / COURTWATCH_DB)")
    try:
        return duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG)
    except duckdb.IOException as exc:
        raise UserError(f"cannot open {path}: {exc}; is another program writing it directly?") from None


def version_token(db: str | os.PathLike | None) -> tuple[int, int] | None:
    """Changes whenever a new database is published (inode and mtime), for cache keys."""
    try:
        st = db_path(db).stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)

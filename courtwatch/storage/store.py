"""The published analytical database and how batch jobs replace it.

DuckDB lets no other process open a file, not even read-only, while one
process writes it. So a batch job (ingest, detect) never writes the published
file: it copies it to a private building file, writes there, checkpoints, and
publishes with an atomic rename. Readers (the dashboard, `flags`, `brief`)
open the published file read-only; a reader that opened the old file keeps
reading it until it reopens. A lock file serialises writers, and a job that
fails or is killed leaves the published file as it was.
Every publish also anchors the audit trail's head (sequence, hash) in the
file it publishes (`audit_anchors`), so deleting the newest audit rows later
is detected by `courtwatch audit verify` (docs/security.md).
See docs/architecture.md.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from courtwatch import queries
from courtwatch.core.contract import LOAD_ORDER
from courtwatch.core.duckdb_settings import DUCKDB_CONFIG  # noqa: F401 (callers use store.DUCKDB_CONFIG)
from courtwatch.core.errors import UserError

DEFAULT_DB = "courtwatch.duckdb"



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
            record_audit_anchor(con, path)
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


def record_audit_anchor(con, db: Path) -> None:
    """Write the operational store's audit head into the database being published.

    The store is the one the dashboard and the CLI use for this database (COURTWATCH_OPS_URL, else
    SQLite beside it). No store yet, an empty trail, or a store that cannot be reached: nothing to
    anchor, and the batch job is not held up for it.
    """
    from courtwatch.storage import opsstore
    url = opsstore.default_url(db)
    sqlite = opsstore.sqlite_file(url)
    if sqlite is not None and not sqlite.exists():
        return
    try:
        ops = opsstore.OpsStore.open(url)
        try:
            head = ops.head()
        finally:
            ops.engine.dispose()
    except Exception:  # noqa: BLE001 - an unreachable store must not stop an import or a detection run
        return
    if head is None:
        return
    queries.execute(con, "audit_anchors_schema")
    queries.execute(con, "record_audit_anchor", ops_store=ops.identity, seq=head[0], hash=head[1])


def audit_anchors(db, ops_store: str) -> list[tuple]:
    """(anchored_at, seq, hash) of the published database's anchors for one operational store, newest first;
    empty when there is no database or it has never anchored one."""
    path = db_path(db)
    if not path.exists():
        return []
    con = open_for_read(path)
    try:
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'audit_anchors'").fetchall()[0][0]:
            return []
        return list(queries.run(con, "audit_anchors", ops_store=ops_store).itertuples(index=False, name=None))
    finally:
        con.close()


def open_for_read(db: str | os.PathLike | None, court_ids: list[str] | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published database.

    With `court_ids`, the connection sees only those courts: every table name
    resolves to a view restricted to the scope, so no query run through it can
    reach another court's rows, whatever its SQL says (issue 5's "scope in the
    query layer"). `None` means unrestricted (batch jobs, administrators).
    """
    path = db_path(db)
    if not path.exists():
        raise UserError(f"no database at {path}; run `courtwatch ingest FOLDER` first (or set --db / COURTWATCH_DB)")
    try:
        if court_ids is None:
            return duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG)
        con = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
        con.execute(f"ATTACH '{_sql_string(str(path))}' AS published (READ_ONLY)")
    except duckdb.IOException as exc:
        raise UserError(f"cannot open {path}: {exc}; is another program writing it directly?") from None
    con.execute("CREATE TEMP TABLE scope_courts (court_id VARCHAR PRIMARY KEY)")
    if court_ids:
        con.executemany("INSERT INTO scope_courts VALUES (?)", [[c] for c in sorted(set(court_ids))])
    for name, where in SCOPED_VIEWS.items():
        con.execute(f"CREATE TEMP VIEW {name} AS SELECT {SCOPED_COLUMNS.get(name, '*')} FROM published.main.{name} {where}")
    return con


def _sql_string(text: str) -> str:
    return text.replace("'", "''")


_IN_SCOPE = "WHERE court_id IN (SELECT court_id FROM scope_courts)"
_CASE_IN_SCOPE = "WHERE case_id IN (SELECT case_id FROM published.main.cases WHERE court_id IN (SELECT court_id FROM scope_courts))"
# How each table is restricted to a user's courts. Tables that hold no court data pass through;
# the quarantine holds raw rows of any court, so only unrestricted users see it.
SCOPED_VIEWS = {
    "courts": _IN_SCOPE,
    "judges": _IN_SCOPE,
    "cases": _IN_SCOPE,
    "defendants": _CASE_IN_SCOPE,
    "enforcement": _CASE_IN_SCOPE,
    "events": _CASE_IN_SCOPE,
    "representations": _CASE_IN_SCOPE,
    "flags": _IN_SCOPE,
    "sentencing_review": _IN_SCOPE,
    "case_fingerprints": _CASE_IN_SCOPE,
    "reference_fingerprints": _CASE_IN_SCOPE,
    # the models' fitted states hold coefficients, not one court's rows; the per-case figures are a case's
    "model_states": "",
    "model_case_values": _CASE_IN_SCOPE,
    "quarantine": "WHERE FALSE",
    "runs": "",
    "run_detectors": "",
    "imports": "",
    "import_files": "",
}

# Peer cases in a row's evidence (the similar cases behind a sentencing warning, the review list's
# comparisons) are scoped like rows, decided here for every page and export: a peer case of a court
# outside the user's scope keeps only the fields of this allow-list — its sentence, legal factors, expected
# term, distance, whether it is of the last three years and its court's level — and its place in the
# 类案检索 order collapses to one class, another court ('other_court'): the order's classes (SPC, the
# province's high court, the superior court) and the judgment year would name the court or find the
# judgment. A field added to the evidence later stays out until it is added here.
ANONYMOUS_PEER_FIELDS = ("term_months", "sentence", "expected_months", "factors", "factor_distance", "recent")
OTHER_COURT_PRECEDENCE = ("other_court", "其他法院裁判")


def _anonymised_peers(array_sql: str) -> str:
    """SQL of the JSON array `array_sql` with each element of another court made anonymous (order kept;
    NULL stays NULL, an empty array stays empty)."""
    items = f"from_json(({array_sql}), '[\"JSON\"]')"
    kept = ", ".join(f"'{f}', s -> '{f}'" for f in ANONYMOUS_PEER_FIELDS)
    code, zh = OTHER_COURT_PRECEDENCE
    other = (f"json_object({kept}, 'precedence', '{code}', 'precedence_zh', '{zh}', 'other_court', true, "
             "'court_level', (SELECT level FROM published.main.courts c WHERE c.court_id = (s ->> 'court_id')))")
    return (f"(SELECT CASE WHEN ({array_sql}) IS NULL THEN NULL ELSE coalesce(to_json(list("
            f"CASE WHEN (s ->> 'court_id') IN (SELECT court_id FROM scope_courts) "
            f"THEN s ELSE {other} END ORDER BY i)), '[]'::JSON) END "
            f"FROM (SELECT unnest({items}) AS s, generate_subscripts({items}, 1) AS i))")


SCOPED_COLUMNS = {
    "sentencing_review": f"* REPLACE ({_anonymised_peers('similar_cases')} AS similar_cases)",
    "flags": ("* REPLACE (CASE WHEN json_type(evidence, '$.similar_cases') = 'ARRAY' THEN json_merge_patch(evidence, "
              "json_object('similar_cases', " + _anonymised_peers("evidence -> 'similar_cases'") + ")) "
              "ELSE evidence END AS evidence)"),
}


def version_token(db: str | os.PathLike | None) -> tuple[int, int] | None:
    """Changes whenever a new database is published (inode and mtime), for cache keys."""
    try:
        st = db_path(db).stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def data_fingerprint(con) -> str:
    """A hash of every loaded row: equal data, equal fingerprint (row order does not matter)."""
    parts = []
    for table in LOAD_ORDER:
        count, total = con.execute(f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {table} t").fetchall()[0]
        parts.append(f"{table}:{count}:{total}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

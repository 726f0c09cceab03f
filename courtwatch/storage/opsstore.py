"""The operational store: what people write — dispositions of flags and the audit trail.

It lives outside the analytical DuckDB file, which batch jobs replace
wholesale (docs/architecture.md). SQLite beside the database by default;
PostgreSQL when `COURTWATCH_OPS_URL` (or `ops_url`) names one — one data-access
layer (SQLAlchemy Core) for both. Rows are only ever appended: a new
disposition supersedes the previous one for its flag, and the history stays.
The audit trail is a hash chain, so changing or deleting a past row is
detected by `verify_audit`. Deleting the newest rows leaves a shorter chain that
is still valid, so the head (sequence, hash) is also anchored outside it: in a
head file beside a SQLite store after every append, in the published analytical
database at every ingest and detect (courtwatch/storage/store.py), and wherever
an administrator writes down `courtwatch audit head`. `verify_audit` checks the
chain against every anchor it is given (docs/security.md).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from courtwatch.core.errors import UserError
from courtwatch.core.vocabulary import DECISIONS
from courtwatch.storage import store

metadata = sa.MetaData()

dispositions = sa.Table(
    "dispositions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("flag_id", sa.String(32), nullable=False, index=True),
    sa.Column("decision", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("decided_by", sa.String(200), nullable=False),
    sa.Column("decided_at", sa.DateTime, nullable=False),
    # what the reviewer saw: the run, detector and subject, kept for the record
    sa.Column("run_id", sa.String(64)),
    sa.Column("detector", sa.String(100)),
    sa.Column("subject_id", sa.String(200)),
    sa.Column("court_id", sa.String(64)),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),  # view_flag, view_case, reveal_name, export, dispose, …
    sa.Column("target", sa.String(400)),
    sa.Column("detail", sa.Text),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

GENESIS = "0" * 64


def default_url(db=None) -> str:
    url = os.environ.get("COURTWATCH_OPS_URL")
    if url:
        return url
    path = store.db_path(db)
    return f"sqlite:///{path.with_name(path.stem + '.ops.sqlite')}"


def store_identity(url: str) -> str:
    """The store's URL as anchors record it: a SQLite file by its absolute path, a server without password."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return url
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return f"sqlite:///{Path(parsed.database).resolve()}"
    return parsed.render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite store; None for a server store (or an in-memory one)."""
    identity = store_identity(url)
    return Path(identity[len("sqlite:///"):]) if identity.startswith("sqlite:///") else None


def head_file_for(url: str) -> Path | None:
    """The head file of a SQLite store (`ops.sqlite` → `ops.sqlite.head`); None for a server store."""
    path = sqlite_file(url)
    return path.with_name(path.name + ".head") if path else None


@dataclass(frozen=True)
class Anchor:
    """A (sequence, hash) the chain once reached, kept outside it; `source` says where, for messages."""

    seq: int
    hash: str
    source: str

    @classmethod
    def parse(cls, text: str, source: str = "anchor given with --anchor") -> "Anchor":
        """`SEQ:HASH`, as `courtwatch audit head` prints it."""
        seq, _, digest = text.strip().partition(":")
        if not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise UserError(f"anchor {text!r} is not SEQ:HASH (e.g. 42:<64 hex digits>, as `courtwatch audit head` "
                            "prints it)")
        return cls(int(seq), digest, source)


@dataclass
class OpsStore:
    engine: sa.Engine
    head_file: Path | None = None
    identity: str = ""

    @classmethod
    def open(cls, url: str | None = None, db=None) -> "OpsStore":
        url = url or default_url(db)
        try:
            engine = sa.create_engine(url, future=True, pool_pre_ping=True)
            if engine.dialect.name == "sqlite":
                _sqlite_pragmas(engine)
            metadata.create_all(engine)
        except sa.exc.SQLAlchemyError as exc:
            raise UserError(f"cannot open the operational store {engine_url_safe(url)}: {exc.__class__.__name__}; "
                            "check COURTWATCH_OPS_URL and that the database server is running") from None
        return cls(engine, head_file_for(url), store_identity(url))

    # ------------------------------------------------------------ dispositions
    def record_disposition(self, flag_id: str, decision: str, reason: str, decided_by: str, *,
                           run_id: str | None = None, detector: str | None = None,
                           subject_id: str | None = None, court_id: str | None = None,
                           at: dt.datetime | None = None) -> int:
        if decision not in DECISIONS:
            raise UserError(f"decision must be one of {', '.join(DECISIONS)}")
        if not reason or not reason.strip():
            raise UserError("a disposition needs a reason")
        if not decided_by or not decided_by.strip():
            raise UserError("a disposition needs the name of the person deciding")
        at = at or dt.datetime.now()
        with self._writing() as conn:
            new_id = conn.execute(dispositions.insert().values(
                flag_id=flag_id, decision=decision, reason=reason.strip(), decided_by=decided_by.strip(),
                decided_at=at, run_id=run_id, detector=detector, subject_id=subject_id, court_id=court_id,
            )).inserted_primary_key[0]
            self._append_audit(conn, decided_by, "dispose", flag_id,
                               {"decision": decision, "reason": reason.strip(), "disposition_id": new_id}, at)
        return int(new_id)

    def history(self, flag_id: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(dispositions).where(dispositions.c.flag_id == flag_id)
                                .order_by(dispositions.c.decided_at, dispositions.c.id)).mappings().all()
        return [dict(r) for r in rows]

    def current(self, flag_ids=None) -> dict[str, dict]:
        """The latest disposition of each flag (optionally only the given flags)."""
        latest = sa.select(dispositions.c.flag_id, sa.func.max(dispositions.c.id).label("id")) \
            .group_by(dispositions.c.flag_id).subquery()
        query = sa.select(dispositions).join(latest, dispositions.c.id == latest.c.id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        wanted = set(flag_ids) if flag_ids is not None else None
        return {r["flag_id"]: dict(r) for r in rows if wanted is None or r["flag_id"] in wanted}

    # ------------------------------------------------------------ audit trail
    def audit(self, actor: str, action: str, target: str | None = None, detail: dict | None = None) -> None:
        with self._writing() as conn:
            self._append_audit(conn, actor, action, target, detail or {}, dt.datetime.now())

    def audit_rows(self, limit: int | None = None) -> list[dict]:
        query = sa.select(audit_log).order_by(audit_log.c.seq.desc())
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings().all()]

    def head(self) -> tuple[int, str] | None:
        """The newest row's (sequence, hash); None for an empty trail."""
        with self.engine.connect() as conn:
            last = conn.execute(sa.select(audit_log.c.seq, audit_log.c.hash)
                                .order_by(audit_log.c.seq.desc()).limit(1)).first()
        return (int(last[0]), last[1]) if last else None

    def head_anchor(self) -> Anchor | None:
        """The head file's anchor; None when there is no head file. UserError when it is unreadable."""
        if self.head_file is None or not self.head_file.exists():
            return None
        try:
            recorded = json.loads(self.head_file.read_text(encoding="utf-8"))
            return Anchor(int(recorded["seq"]), str(recorded["hash"]), f"head file {self.head_file.name}")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UserError(f"the audit head file {self.head_file} cannot be read ({exc.__class__.__name__}); it "
                            "anchors the audit trail, so treat this as tampering until explained") from None

    def verify_audit(self, anchors=()) -> tuple[bool, str]:
        """Recompute the hash chain and check it against the anchors (the head file's and `anchors`);
        (ok, message naming the first broken row, or the rows missing after the chain's end)."""
        try:
            own = self.head_anchor()
        except UserError as exc:
            return False, str(exc)
        anchors = [*anchors, *([own] if own else [])]
        wanted: dict[int, list[Anchor]] = {}
        for anchor in anchors:
            wanted.setdefault(anchor.seq, []).append(anchor)
        previous = GENESIS
        expected_seq = 1
        with self.engine.connect() as conn:
            for row in conn.execute(sa.select(audit_log).order_by(audit_log.c.seq)).mappings():
                if row["seq"] != expected_seq:
                    return False, f"audit row {expected_seq} is missing (next is {row['seq']})"
                if row["prev_hash"] != previous or _row_hash(previous, row) != row["hash"]:
                    return False, f"audit row {row['seq']} was altered (its hash does not match its content)"
                for anchor in wanted.get(row["seq"], ()):
                    if anchor.hash != row["hash"]:
                        return False, (f"audit row {row['seq']} does not match the {anchor.source} (anchored hash "
                                       f"{anchor.hash[:12]}…, stored {row['hash'][:12]}…): rows were deleted and "
                                       "the trail rewritten after it was anchored")
                previous = row["hash"]
                expected_seq += 1
        last = expected_seq - 1
        beyond = [a for a in anchors if a.seq > last]
        if beyond:
            top = max(beyond, key=lambda a: a.seq)
            return False, (f"audit trail truncated: rows {last + 1}–{top.seq} are missing after row {last} "
                           f"(the {top.source} anchored row {top.seq}); the newest rows were deleted")
        return True, f"audit trail intact: {last} rows"

    # ------------------------------------------------------------ internals
    def _writing(self):
        """A write transaction that serialises appends to the audit chain; the head file follows its commit."""
        return _Writing(self.engine, self._advance_head)

    def _append_audit(self, conn, actor, action, target, detail, at) -> None:
        last = conn.execute(sa.select(audit_log.c.seq, audit_log.c.hash)
                            .order_by(audit_log.c.seq.desc()).limit(1)).first()
        seq, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
        row = {"seq": seq, "at": at.replace(microsecond=0), "actor": actor, "action": action,
               "target": target, "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)}
        row["prev_hash"] = previous
        row["hash"] = _row_hash(previous, row)
        conn.execute(audit_log.insert().values(**row))
        conn.info[_APPENDED] = (seq, row["hash"])

    def _advance_head(self, seq: int, digest: str) -> None:
        """Move the head file to a committed row — only forward, and only along the chain it anchors.

        Called after the commit, so the file never names a row that is not stored. Writers race to
        here in any order: a lock file serialises them and an older head never replaces a newer one.
        If the anchored row is gone or changed, the file is left as it is: it is the evidence
        `verify_audit` reports, and a later append must not erase it.
        """
        if self.head_file is None:
            return
        try:
            with open(self.head_file.with_name(self.head_file.name + ".lock"), "a+") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    current = self.head_anchor()
                except UserError:
                    return  # unreadable: kept for verify to report
                if current is not None:
                    if current.seq >= seq:
                        return
                    with self.engine.connect() as conn:
                        anchored = conn.execute(sa.select(audit_log.c.hash)
                                                .where(audit_log.c.seq == current.seq)).scalar()
                    if anchored != current.hash:
                        return
                temp = self.head_file.with_name(f".{self.head_file.name}.{os.getpid()}.part")
                with open(temp, "w", encoding="utf-8") as fh:
                    json.dump({"seq": seq, "hash": digest, "at": dt.datetime.now().isoformat(timespec="seconds")}, fh)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(temp, self.head_file)
        except OSError as exc:  # the row is stored; only its anchor is missing, which verify still sees
            warnings.warn(f"audit head file {self.head_file} not updated ({exc.strerror})", stacklevel=2)


_APPENDED = "courtwatch_audit_appended"  # connection info key: the (seq, hash) this transaction appended


class _Writing:
    def __init__(self, engine: sa.Engine, after_commit=None):
        self.engine = engine
        self.after_commit = after_commit

    def __enter__(self):
        self.conn = self.engine.connect()
        self.conn.info.pop(_APPENDED, None)
        if self.engine.dialect.name == "sqlite":
            self.conn.exec_driver_sql("BEGIN IMMEDIATE")  # one writer at a time; others wait (busy_timeout)
        else:
            self.conn.begin()
            self.conn.execute(sa.text("SELECT pg_advisory_xact_lock(7020160373)"))  # serialise chain appends
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        appended = self.conn.info.pop(_APPENDED, None)
        try:
            if exc_type is None:
                self.conn.commit() if self.engine.dialect.name != "sqlite" else self.conn.exec_driver_sql("COMMIT")
            else:
                self.conn.rollback() if self.engine.dialect.name != "sqlite" else self.conn.exec_driver_sql("ROLLBACK")
                appended = None
        finally:
            self.conn.close()
        if appended and self.after_commit:
            self.after_commit(*appended)
        return False


def _row_hash(previous: str, row) -> str:
    at = row["at"]
    at_text = at.replace(microsecond=0).isoformat() if isinstance(at, dt.datetime) else str(at)
    canonical = json.dumps([previous, row["seq"], at_text, row["actor"], row["action"], row["target"], row["detail"]],
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _sqlite_pragmas(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN IMMEDIATE ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


def engine_url_safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparseable URL)"

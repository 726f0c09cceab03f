"""Users, roles and scopes.

Roles (issue 5 of the plan):
- `president`: a court and every court under it (courts.parent_id hierarchy);
- `inspector`: the courts assigned to him or her;
- `analyst`: aggregates only, never a case, defendant or named subject;
- `admin`: users, settings and the audit trail; sees every court.
Accounts live in the operational store; passwords are hashed with Argon2id
(argon2-cffi). The scope a user gets is computed here and enforced where data
is opened (`store.open_for_read(db, court_ids=...)`).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from courtwatch import queries
from courtwatch.core.errors import UserError
from courtwatch.storage import store
from courtwatch.storage.opsstore import OpsStore, metadata

ROLES = ("president", "inspector", "analyst", "admin")

users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(100), primary_key=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("court_ids", sa.Text, nullable=False),  # JSON list: the court (president) or assigned courts
    sa.Column("password_hash", sa.String(200)),        # NULL for single-sign-on accounts
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    court_ids: tuple[str, ...]

    @property
    def sees_cases(self) -> bool:
        return self.role != "analyst"

    @property
    def manages(self) -> bool:
        return self.role == "admin"


def add_user(ops: OpsStore, username: str, display_name: str, role: str, court_ids: list[str],
             password: str | None, actor: str = "cli") -> None:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if role in ("president", "inspector") and not court_ids:
        raise UserError(f"a {role} needs at least one court (--court)")
    if role == "president" and len(court_ids) != 1:
        raise UserError("a president heads exactly one court; its subordinate courts are included automatically")
    if password is not None and len(password) < 10:
        raise UserError("passwords need at least 10 characters")
    with ops.engine.begin() as conn:
        if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise UserError(f"user {username} exists; disable it or choose another name")
        conn.execute(users.insert().values(
            username=username, display_name=display_name, role=role, court_ids=json.dumps(sorted(court_ids)),
            password_hash=_hasher.hash(password) if password else None, disabled=False, created_at=dt.datetime.now()))
    ops.audit(actor, "user_add", username, {"role": role, "court_ids": sorted(court_ids)})


def set_disabled(ops: OpsStore, username: str, disabled: bool = True, actor: str = "cli") -> None:
    with ops.engine.begin() as conn:
        changed = conn.execute(users.update().where(users.c.username == username).values(disabled=disabled)).rowcount
    if not changed:
        raise UserError(f"no user {username}; `courtwatch user list` shows them")
    ops.audit(actor, "user_disable" if disabled else "user_enable", username)


def set_password(ops: OpsStore, username: str, password: str, actor: str = "cli") -> None:
    if len(password) < 10:
        raise UserError("passwords need at least 10 characters")
    with ops.engine.begin() as conn:
        changed = conn.execute(users.update().where(users.c.username == username)
                               .values(password_hash=_hasher.hash(password))).rowcount
    if not changed:
        raise UserError(f"no user {username}; `courtwatch user list` shows them")
    ops.audit(actor, "password_set", username)


def list_users(ops: OpsStore) -> list[dict]:
    with ops.engine.connect() as conn:
        rows = conn.execute(sa.select(users.c.username, users.c.display_name, users.c.role, users.c.court_ids,
                                      users.c.disabled, users.c.created_at).order_by(users.c.username)).mappings().all()
    return [dict(r, court_ids=json.loads(r["court_ids"])) for r in rows]


def authenticate(ops: OpsStore, username: str, password: str) -> User | None:
    """The user when the password matches an enabled account; None otherwise (same answer for every failure)."""
    with ops.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    if row is None or row["disabled"] or not row["password_hash"]:
        _hasher.hash(password)  # spend the same time whether or not the user exists
        ops.audit(username or "?", "sign_in_failed", username)
        return None
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ops.audit(username, "sign_in_failed", username)
        return None
    ops.audit(username, "sign_in", username)
    return User(row["username"], row["display_name"], row["role"], tuple(json.loads(row["court_ids"])))


def user_by_name(ops: OpsStore, username: str) -> User | None:
    """An enabled account by name (for single sign-on, where the identity provider checked the password)."""
    with ops.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    if row is None or row["disabled"]:
        return None
    return User(row["username"], row["display_name"], row["role"], tuple(json.loads(row["court_ids"])))


def court_scope(user: User, db=None) -> list[str] | None:
    """The court ids the user may see; None = every court (admin and province-wide analysts)."""
    if user.role == "admin" or (user.role == "analyst" and not user.court_ids):
        return None
    if user.role == "president":
        con = store.open_for_read(db)
        try:
            subtree = queries.run(con, "court_subtree", court_id=user.court_ids[0])["court_id"].tolist()
        finally:
            con.close()
        return sorted(set(subtree) | {user.court_ids[0]})
    return sorted(user.court_ids)

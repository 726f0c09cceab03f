"""The operational store for the pages: reviewers' dispositions and the audit trail, uncached (they change
when a reviewer acts), and the audited reveal of a judge's name.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from courtwatch.core import vocabulary
from courtwatch.core.errors import UserError

from .data import query_in_scope, user_scope


@st.cache_resource(show_spinner=False)
def _ops(url: str):
    from courtwatch.storage.opsstore import OpsStore
    return OpsStore.open(url=url)


def ops():
    """The operational store (dispositions, audit trail): COURTWATCH_OPS_URL, else SQLite beside the database."""
    from courtwatch.storage.opsstore import default_url
    return _ops(default_url(None))


def current_dispositions() -> dict:
    try:
        return ops().current()
    except UserError:
        return {}


def current_review(flag_id: str) -> str:
    """The latest decision on a flag, or 'unreviewed'."""
    latest = current_dispositions().get(flag_id)
    return latest["decision"] if latest else vocabulary.UNREVIEWED


def disposition_history(flag_id: str) -> pd.DataFrame:
    rows = ops().history(flag_id)
    return pd.DataFrame(rows, columns=["id", "flag_id", "decision", "reason", "decided_by", "decided_at", "run_id",
                                       "detector", "subject_id", "court_id"])


def display_names() -> dict[str, str]:
    """Login → the person's name, for showing who decided (dispositions record the login)."""
    from courtwatch.access import auth
    return {u["username"]: u["display_name"] for u in auth.list_users(ops()) if u.get("display_name")}


def record_disposition(record: dict, decision: str, reason: str, reviewer: str) -> int:
    """Store a reviewer's decision on a flag (UserError without a decision, a reason or a reviewer)."""
    if not reviewer or not reviewer.strip():
        raise UserError("a disposition needs the reviewer's name")
    return ops().record_disposition(record["flag_id"], decision, reason, reviewer, run_id=record.get("run_id"),
                                    detector=record.get("detector"), subject_id=record.get("subject_id"),
                                    court_id=record.get("court_id"))


def audit_view(actor: str, flag_id: str) -> None:
    ops().audit(actor, "view_flag", flag_id)


def audit(actor: str, action: str, target: str | None = None, detail: dict | None = None) -> None:
    ops().audit(actor, action, target, detail)


def reveal_judge_name(judge_id: str, actor: str) -> str | None:
    """A judge's real name, for a user whose role allows it; the reveal is written to the audit trail."""
    frame = query_in_scope("judge_name", scope=user_scope(), judge_id=judge_id)  # never cached: every reveal is audited
    name = frame["name"].iloc[0] if not frame.empty else None
    ops().audit(actor, "reveal_name", judge_id, {"found": name is not None})
    return name

"""Who is signed in: the sign-in page, the session's user (signed out when idle), and what their role may see.

app.py shows no page and loads no data before `session_user()` returns a user; sign-ins, sign-outs and
expiries go to the audit trail (data_ops.py). Every rerun re-reads the account from the operational store
(one primary-key lookup), so a disabled account is signed out at its next click and a new role or new
courts apply from the next click on (issue 17).
"""
from __future__ import annotations

import streamlit as st

from . import data_ops
from .labels import tr


def current_user() -> dict | None:
    """The signed-in user: username, display_name, role, scope (court ids, or None = every court)."""
    return st.session_state.get("signed_in")


def require_signed_in() -> None:
    """Stop a page that runs without a signed-in user: only possible when Streamlit runs a page file
    directly instead of app.py (the first request after a restart naming a file under pages/)."""
    if current_user() is None:
        st.stop()


def reviewer() -> str:
    """Who decides: the signed-in account (dispositions and the audit trail record it)."""
    user = current_user()
    return user["username"] if user else ""


def sees_cases() -> bool:
    user = current_user()
    return bool(user) and user["role"] != "analyst"


def aggregates_only_stop() -> None:
    """Analysts see figures, never a case, a defendant or a named subject."""
    if not sees_cases():
        st.info(tr("analyst_only_aggregates"), icon=":material/lock:")
        st.stop()


def session_user() -> dict | None:
    """The signed-in user of this session, or None; an idle session, or one whose account was disabled or
    removed since, is signed out here, and a changed role or court list replaces the session's.

    No page renders data unless this returns a user (app.py shows the sign-in page otherwise).
    """
    import datetime as dt

    from courtwatch.access import signin
    settings = signin.settings()
    now = dt.datetime.now()
    user = current_user()
    if user and signin.expired(st.session_state.get("last_seen"), now, settings.idle_timeout):
        data_ops.audit(user["username"], "session_expired", user["username"])
        st.session_state.pop("signed_in", None)
        st.session_state["expired_notice"] = True
        return None
    if user:
        user = _follow_account(user)
    if user:
        st.session_state["last_seen"] = now
    return user


def _follow_account(user: dict) -> dict | None:
    """The session's user as the account stands now; None (signed out) when it is disabled or gone."""
    from courtwatch.access import auth
    account = auth.user_by_name(data_ops.ops(), user["username"])  # None for a disabled or removed account
    if account is None:
        data_ops.audit(user["username"], "signed_out_account_disabled", user["username"])
        st.session_state.pop("signed_in", None)
        st.session_state["account_notice"] = True
        return None
    current = _session_record(account)
    if current != user:
        data_ops.audit(user["username"], "session_account_updated", user["username"],
                       {"role": [user.get("role"), current["role"]], "scope": [user.get("scope"), current["scope"]]})
        st.session_state["signed_in"] = current
    return current


def _session_record(account) -> dict:
    """What the session keeps of an account: who, the role, and the court ids it may see (None = all)."""
    return {"username": account.username, "display_name": account.display_name, "role": account.role,
            "court_ids": list(account.court_ids), "scope": _scope(account.role, tuple(account.court_ids))}


def _scope(role: str, court_ids: tuple[str, ...]) -> list[str] | None:
    from courtwatch.core.errors import UserError
    from courtwatch.storage import store
    try:
        return _cached_scope(role, court_ids, store.version_token(None))
    except UserError:  # no database yet (only a president's scope reads it): the court itself, until its tree is known
        return sorted(court_ids)


@st.cache_data(max_entries=256, show_spinner=False)
def _cached_scope(role: str, court_ids: tuple[str, ...], version) -> list[str] | None:
    """A president's scope reads the court tree: cached per published file, so a rerun costs no query."""
    from courtwatch.access import auth
    return auth.court_scope(auth.User("", "", role, court_ids))


def sign_in_page() -> None:
    """The only page a visitor who has not signed in can reach."""
    from courtwatch.access import signin
    settings = signin.settings()
    account = _identify(settings)
    if account is None:
        return
    import datetime as dt
    st.session_state["signed_in"] = _session_record(account)
    st.session_state["last_seen"] = dt.datetime.now()
    st.session_state.pop("expired_notice", None)
    st.session_state.pop("account_notice", None)
    st.rerun()


def signed_in_sidebar(user: dict) -> None:
    st.sidebar.caption(tr("signed_in_as", name=user["display_name"], role=tr(f"role_{user['role']}")))
    if st.sidebar.button(tr("sign_out"), key="sign_out"):
        data_ops.audit(user["username"], "sign_out", user["username"])
        st.session_state.pop("signed_in", None)
        st.rerun()


def _identify(settings):
    """Ask who this is, by the configured mode; an account or None (the form is on screen)."""
    from courtwatch.access import auth
    if settings.mode == "header":
        # the header is believed only from the court's sign-in proxy (docs/security.md)
        from courtwatch.access import signin
        from courtwatch.core.errors import UserError
        try:
            signin.check_proxy(st.context.ip_address, settings)
        except UserError as refused:
            st.error(str(refused))
            return None
        name = st.context.headers.get(settings.header_name)
        account = auth.user_by_name(data_ops.ops(), name) if name else None
        if account is None:
            st.error(tr("header_unknown_user"))
        else:
            data_ops.audit(account.username, "sign_in", account.username, {"mode": "header"})
        return account
    if settings.mode == "oidc":
        if not getattr(st.user, "is_logged_in", False):
            st.title(tr("sign_in_title"))
            if st.button(tr("sign_in_sso")):
                st.login()
            return None
        account = auth.user_by_name(data_ops.ops(), st.user.get("email") or st.user.get("sub"))
        if account is None:
            st.error(tr("sso_unknown_user"))
        return account
    st.title(tr("sign_in_title"))
    if st.session_state.get("expired_notice"):
        st.warning(tr("session_expired"))
    if st.session_state.get("account_notice"):
        st.warning(tr("account_changed"))
    with st.form("sign_in"):
        username = st.text_input(tr("username"), key="sign_in_user")
        password = st.text_input(tr("password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(tr("sign_in"))
    if not submitted:
        return None
    account = auth.authenticate(data_ops.ops(), username.strip(), password)
    if account is None:
        st.error(tr("sign_in_failed"))
    return account

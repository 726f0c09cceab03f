"""How a dashboard user is identified: built-in accounts, OIDC single sign-on, or a trusted proxy header.

Configured in config.toml `[auth]` (or the COURTWATCH_AUTH_MODE environment
variable) and checked at start-up: a misconfiguration stops the dashboard
with one line saying what to fix, rather than letting anyone in.

- `password` (default): accounts made with `courtwatch user add`, Argon2id hashes.
- `oidc`: the court's identity provider through Streamlit's `st.login`; needs
  an `[auth]` section in `.streamlit/secrets.toml` (redirect_uri, cookie_secret,
  client_id, client_secret, server_metadata_url). The signed-in e-mail or
  subject must match an enabled courtwatch account (role and courts live here).
- `header`: a reverse proxy that authenticates users and sets a header
  (e.g. `X-Remote-User`); only safe when the proxy strips that header from
  client requests and the dashboard is reachable only through the proxy, so
  it requires `trusted_proxy = true` and the dashboard bound to 127.0.0.1.
"""
from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from courtwatch.core.config import Config, load_config
from courtwatch.core.errors import UserError

MODES = ("password", "oidc", "header")


@dataclass(frozen=True)
class SignInSettings:
    mode: str
    idle_timeout: dt.timedelta
    header_name: str = "X-Remote-User"


def settings(config: Config | None = None, secrets_path: Path | None = None) -> SignInSettings:
    """The sign-in settings, validated; UserError names what is misconfigured."""
    section = (config or load_config()).section("auth")
    mode = os.environ.get("COURTWATCH_AUTH_MODE") or section.get("mode", "password")
    if mode not in MODES:
        raise UserError(f"auth mode {mode!r} is not one of {', '.join(MODES)}; fix [auth] mode or COURTWATCH_AUTH_MODE")
    minutes = int(section.get("idle_timeout_minutes", 30))
    if not 1 <= minutes <= 24 * 60:
        raise UserError("auth idle_timeout_minutes must be between 1 and 1440")
    if mode == "oidc":
        secrets_path = secrets_path or Path(".streamlit/secrets.toml")
        try:
            secrets = tomllib.loads(secrets_path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            secrets = {}
        needed = {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"}
        missing = sorted(needed - set(secrets.get("auth", {})))
        if missing:
            raise UserError(f"auth mode oidc needs [auth] {', '.join(missing)} in {secrets_path}; see docs/security.md")
    if mode == "header":
        if not section.get("trusted_proxy", False):
            raise UserError("auth mode header trusts a proxy's header: set [auth] trusted_proxy = true only when a "
                            "reverse proxy strips that header from clients; see docs/security.md")
    return SignInSettings(mode, dt.timedelta(minutes=minutes), section.get("header_name", "X-Remote-User"))


def expired(last_seen: dt.datetime | None, now: dt.datetime, timeout: dt.timedelta) -> bool:
    """A session idle longer than the timeout must sign in again."""
    return last_seen is None or now - last_seen > timeout

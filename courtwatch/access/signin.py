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
  it requires `trusted_proxy = true`, and the header is believed only from a
  connection whose peer is one of `trusted_proxies` (addresses or networks;
  default this machine, 127.0.0.1 and ::1): `check_proxy`, which the
  dashboard calls with `st.context.ip_address` before it reads the header.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from courtwatch.core.config import Config, load_config
from courtwatch.core.errors import UserError

MODES = ("password", "oidc", "header")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK = ("127.0.0.1", "::1")  # what Streamlit's st.context.ip_address reports as None


@dataclass(frozen=True)
class SignInSettings:
    mode: str
    idle_timeout: dt.timedelta
    header_name: str = "X-Remote-User"
    trusted_proxies: tuple[Network, ...] = ()


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
    proxies = _networks(section.get("trusted_proxies", list(LOOPBACK)))
    if mode == "header":
        if not section.get("trusted_proxy", False):
            raise UserError("auth mode header trusts a proxy's header: set [auth] trusted_proxy = true only when a "
                            "reverse proxy strips that header from clients; see docs/security.md")
        if not proxies:
            raise UserError("auth mode header needs at least one address in [auth] trusted_proxies (the reverse "
                            "proxy's, e.g. [\"127.0.0.1\"]); see docs/security.md")
    return SignInSettings(mode, dt.timedelta(minutes=minutes), section.get("header_name", "X-Remote-User"), proxies)


def _networks(entries) -> tuple[Network, ...]:
    if isinstance(entries, str) or not isinstance(entries, (list, tuple)):
        raise UserError("[auth] trusted_proxies must be a list of addresses, e.g. [\"127.0.0.1\", \"10.1.2.0/24\"]")
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            raise UserError(f"[auth] trusted_proxies entry {str(entry)!r} is not an IP address or network "
                            "(e.g. 127.0.0.1, ::1, 10.1.2.0/24); host names are not accepted") from None
    return tuple(networks)


def proxy_trusted(peer: str | None, trusted: tuple[Network, ...]) -> bool:
    """Whether a connection's peer address is one of the trusted proxies.

    `peer` is what the dashboard sees of the TCP peer: Streamlit's `st.context.ip_address`, which is
    None for a loopback peer (127.0.0.1 or ::1), so None counts as loopback. An IPv4 address written
    as IPv6 (::ffff:a.b.c.d) counts as the IPv4 address; anything that is not an address is untrusted.
    """
    candidates = LOOPBACK if peer is None else (peer,)
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate.strip().split("%", 1)[0])
        except ValueError:
            continue
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if any(address in network for network in trusted):
            return True
    return False


def check_proxy(peer: str | None, settings: SignInSettings) -> None:
    """Refuse header sign-in from a client that did not come through a trusted proxy (UserError, one line)."""
    if proxy_trusted(peer, settings.trusted_proxies):
        return
    shown = "this machine" if peer is None else (peer or "an unknown address")
    allowed = ", ".join(str(n) for n in settings.trusted_proxies)
    raise UserError(f"header sign-in refused: the connection comes from {shown}, which is not a trusted proxy "
                    f"([auth] trusted_proxies = {allowed}); open the dashboard through the court's sign-in proxy")


def expired(last_seen: dt.datetime | None, now: dt.datetime, timeout: dt.timedelta) -> bool:
    """A session idle longer than the timeout must sign in again."""
    return last_seen is None or now - last_seen > timeout

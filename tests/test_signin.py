"""Sign-in settings refuse misconfiguration; sessions expire after the idle timeout."""
from __future__ import annotations

import datetime as dt

import pytest

from courtwatch.access import signin
from courtwatch.core.config import Config, load_config
from courtwatch.core.errors import UserError


def config_with(**auth) -> Config:
    values = dict(load_config().values)
    values["auth"] = dict(values.get("auth", {}), **auth)
    return Config(values)


def test_password_mode_is_the_default(monkeypatch):
    monkeypatch.delenv("COURTWATCH_AUTH_MODE", raising=False)
    settings = signin.settings()
    assert settings.mode == "password" and settings.idle_timeout == dt.timedelta(minutes=30)


def test_oidc_without_secrets_is_refused_naming_what_is_missing(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nclient_id = "courtwatch"\n', encoding="utf-8")
    with pytest.raises(UserError, match="needs \\[auth\\] client_secret, cookie_secret, redirect_uri, server_metadata_url"):
        signin.settings(config_with(mode="oidc"), secrets_path=secrets)
    secrets.write_text('[auth]\nclient_id = "a"\nclient_secret = "b"\ncookie_secret = "c"\n'
                       'redirect_uri = "http://127.0.0.1:8501/oauth2callback"\n'
                       'server_metadata_url = "https://sso.court.example/.well-known/openid-configuration"\n',
                       encoding="utf-8")
    assert signin.settings(config_with(mode="oidc"), secrets_path=secrets).mode == "oidc"


def test_header_mode_needs_an_explicitly_trusted_proxy():
    with pytest.raises(UserError, match="trusted_proxy = true"):
        signin.settings(config_with(mode="header"))
    assert signin.settings(config_with(mode="header", trusted_proxy=True)).header_name == "X-Remote-User"


def test_unknown_mode_and_silly_timeouts_are_refused():
    with pytest.raises(UserError, match="is not one of password, oidc, header"):
        signin.settings(config_with(mode="none"))
    with pytest.raises(UserError, match="between 1 and 1440"):
        signin.settings(config_with(idle_timeout_minutes=0))


def test_idle_sessions_expire():
    now = dt.datetime(2024, 6, 1, 12, 0)
    timeout = dt.timedelta(minutes=30)
    assert not signin.expired(now - dt.timedelta(minutes=29), now, timeout)
    assert signin.expired(now - dt.timedelta(minutes=31), now, timeout)
    assert signin.expired(None, now, timeout)

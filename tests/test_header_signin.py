"""Header sign-in trusts the header only from the configured proxy addresses ([auth] trusted_proxies).

A client that reaches the dashboard's port directly could otherwise send `X-Remote-User: admin`
itself. The check is a pure function of the connection's peer address; the dashboard passes it
`st.context.ip_address` (None for a loopback peer, as Streamlit reports it).
"""
from __future__ import annotations

import argparse

import pytest

from courtwatch.access import signin
from courtwatch.core.config import Config, load_config
from courtwatch.core.errors import UserError


def header_settings(**auth) -> signin.SignInSettings:
    values = dict(load_config().values)
    values["auth"] = dict(values.get("auth", {}), mode="header", trusted_proxy=True, **auth)
    return signin.settings(Config(values))


def test_by_default_only_a_proxy_on_this_machine_is_trusted():
    settings = header_settings()
    for peer in (None, "127.0.0.1", "::1", "::ffff:127.0.0.1"):
        signin.check_proxy(peer, settings)  # no error
    for peer in ("203.0.113.5", "192.168.1.20", "10.0.0.1", "not-an-address", ""):
        with pytest.raises(UserError, match="not a trusted proxy") as refused:
            signin.check_proxy(peer, settings)
        assert "\n" not in str(refused.value) and "trusted_proxies" in str(refused.value)


def test_a_proxy_on_another_host_is_trusted_by_address_or_network():
    settings = header_settings(trusted_proxies=["10.0.0.0/8", "192.168.1.20"])
    signin.check_proxy("10.20.30.40", settings)
    signin.check_proxy("192.168.1.20", settings)
    for peer in ("192.168.1.21", "127.0.0.1", None):
        with pytest.raises(UserError, match="not a trusted proxy"):
            signin.check_proxy(peer, settings)


def test_misconfigured_proxy_lists_are_refused_naming_the_entry():
    with pytest.raises(UserError, match="trusted_proxies entry 'proxy.court.example' is not an IP address"):
        header_settings(trusted_proxies=["proxy.court.example"])
    with pytest.raises(UserError, match="needs at least one address in \\[auth\\] trusted_proxies"):
        header_settings(trusted_proxies=[])


def test_other_modes_do_not_consult_the_proxy_list():
    values = dict(load_config().values)
    assert signin.settings(Config(values)).mode == "password"
    assert "trusted_proxies" in values["auth"]  # the key exists, so a court's config file may set it


def test_serve_keeps_the_peer_address_the_proxy_connected_from(monkeypatch, tmp_path):
    """Behind a loopback proxy, uvicorn would otherwise replace the peer with X-Forwarded-For's client."""
    from courtwatch import cli
    config = tmp_path / "court.toml"
    config.write_text('[auth]\nmode = "header"\ntrusted_proxy = true\n', encoding="utf-8")
    monkeypatch.setenv("COURTWATCH_CONFIG", str(config))
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    command, env = cli.serve_command(argparse.Namespace(db=str(tmp_path / "cw.duckdb"), port=8599))
    assert env["FORWARDED_ALLOW_IPS"] == "" and "127.0.0.1" in command
    monkeypatch.delenv("COURTWATCH_CONFIG")
    _command, env = cli.serve_command(argparse.Namespace(db=str(tmp_path / "cw.duckdb"), port=8599))
    assert env["FORWARDED_ALLOW_IPS"] == "*"  # password mode: left as the administrator set it

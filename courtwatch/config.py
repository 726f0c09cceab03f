"""Configuration: thresholds and false-discovery targets from one TOML file.

The packaged `config.toml` holds the defaults; a court overrides any value
with its own file (`COURTWATCH_CONFIG` or `--config`). The merged result is
recorded with every run and shown on the model cards.
"""
from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import UserError


@dataclass(frozen=True)
class Config:
    """Merged configuration; `section(name)` returns one TOML table as a dict."""

    values: dict[str, Any] = field(default_factory=dict)
    source: str = "defaults"

    def section(self, name: str) -> dict[str, Any]:
        node: Any = self.values
        for part in name.split("."):
            node = node.get(part, {})
        return dict(node)

    @property
    def province(self) -> str:
        return self.values["general"]["province"]

    @property
    def province_thresholds(self) -> dict[str, float]:
        provinces = self.values["law"]["provinces"]
        if self.province not in provinces:
            raise UserError(f"config: no sentencing thresholds for province {self.province!r}; add [law.provinces.\"{self.province}\"]")
        return provinces[self.province]

    @property
    def rules(self) -> dict[str, Any]:
        return self.section("rules")

    @property
    def stats(self) -> dict[str, Any]:
        return self.section("stats")

    def to_json(self) -> str:
        return json.dumps(self.values, ensure_ascii=False, sort_keys=True)


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(path: str | os.PathLike | None = None) -> Config:
    defaults = tomllib.loads(resources.files("courtwatch").joinpath("config.toml").read_text(encoding="utf-8"))
    path = path or os.environ.get("COURTWATCH_CONFIG")
    if not path:
        return Config(defaults)
    try:
        override = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"config file {path} not found; fix --config or COURTWATCH_CONFIG") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"config file {path} is not valid TOML: {exc}") from None
    return Config(_merge(defaults, override), source=str(path))

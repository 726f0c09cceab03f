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

from courtwatch.core.errors import UserError


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
        """The default province ([general] province): its thresholds apply where a court's province is not recorded."""
        return self.values.get("general", {}).get("province", "")

    @property
    def detect_duckdb_memory_mb(self) -> int:
        """[general] detect_duckdb_memory_mb: DuckDB's memory limit during a detection run."""
        return int(self.values["general"]["detect_duckdb_memory_mb"])

    @property
    def law_provinces(self) -> dict[str, dict]:
        """[law.provinces]: each configured province's amount thresholds and the documents they come from."""
        return dict(self.values.get("law", {}).get("provinces", {}))

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


# Tables whose keys are names a court chooses (a province); their entries share one set of keys.
OPEN_TABLES = {("law", "provinces")}


def unknown_keys(defaults: dict, override: dict, path: tuple[str, ...] = ()) -> list[str]:
    """Dotted names of the override's keys that the packaged defaults do not have (a misspelling would
    otherwise be ignored silently and the default applied)."""
    found = []
    if path in OPEN_TABLES:
        allowed = set().union(*(entry.keys() for entry in defaults.values() if isinstance(entry, dict)))
        for name, entry in override.items():
            if not isinstance(entry, dict):
                found.append(".".join((*path, name)))
                continue
            found += [".".join((*path, name, key)) for key in entry if key not in allowed]
        return found
    for key, value in override.items():
        here = (*path, key)
        if key not in defaults:
            found.append(".".join(here))
        elif isinstance(value, dict) and isinstance(defaults[key], dict):
            found += unknown_keys(defaults[key], value, here)
    return found


def load_config(path: str | os.PathLike | None = None) -> Config:
    defaults = tomllib.loads(resources.files("courtwatch.core").joinpath("config.toml").read_text(encoding="utf-8"))
    path = path or os.environ.get("COURTWATCH_CONFIG")
    if not path:
        return Config(defaults)
    try:
        override = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"config file {path} not found; fix --config or COURTWATCH_CONFIG") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"config file {path} is not valid TOML: {exc}") from None
    unknown = unknown_keys(defaults, override)
    if unknown:
        raise UserError(f"config file {path}: unknown key {', '.join(unknown)} (a misspelling? the keys are those of "
                        "courtwatch/core/config.toml)")
    return Config(_merge(defaults, override), source=str(path))

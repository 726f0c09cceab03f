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
from typing import TYPE_CHECKING, Any

from .errors import UserError

if TYPE_CHECKING:
    import pandas as pd


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
    def law_provinces(self) -> dict[str, dict]:
        """[law.provinces]: each configured province's amount thresholds and the documents they come from."""
        return dict(self.values.get("law", {}).get("provinces", {}))

    @property
    def province_thresholds(self) -> dict[str, float]:
        """The default province's thresholds; a threshold it does not set is the national lowest (courtwatch/law.py)."""
        from . import law
        configured = self.law_provinces.get(self.province, {})
        return {**law.NATIONAL_LOWEST, **{k: v for k, v in configured.items() if k in law.THRESHOLD_KEYS}}

    def law_frames(self) -> "pd.DataFrame":
        """The law_frames table the legality queries join on a court's province (law.frame_sets)."""
        from . import law
        return law.frame_sets(self.law_provinces)

    def law_frame_params(self) -> dict[str, str]:
        """Parameters that pick a court's frame set in those queries (law.frame_params)."""
        from . import law
        return law.frame_params(self.province, self.law_provinces)

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

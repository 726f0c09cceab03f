"""Each detector family's typed settings come from config.toml alone: no default in code, and a key the
configuration lacks stops with its name."""
from __future__ import annotations

import copy
import dataclasses

import pytest

from courtwatch.core.config import Config, load_config
from courtwatch.core.errors import UserError
from courtwatch.detectors.patterns.common import PatternSettings
from courtwatch.detectors.rules import RuleSettings
from courtwatch.detectors.sentencing.fit import SentencingSettings

FAMILIES = [SentencingSettings, PatternSettings, RuleSettings]


@pytest.mark.parametrize("settings", FAMILIES, ids=lambda cls: cls.__name__)
def test_settings_read_every_field_from_the_configuration(settings):
    config = load_config()
    values = settings.from_config(config)
    for f in dataclasses.fields(settings):
        assert f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING, f.name
        expected = config.section(f.metadata.get("section", settings.section))[f.name]
        assert getattr(values, f.name) == (tuple(expected) if isinstance(expected, list) else expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(values, dataclasses.fields(settings)[0].name, None)


@pytest.mark.parametrize("settings, section, key", [
    (SentencingSettings, "stats", "sentencing_huber_t"),
    (SentencingSettings, "stats", "review_top_k"),
    (PatternSettings, "patterns", "procedure_min_cases"),
    (PatternSettings, "stats", "false_discovery_rate"),
    (RuleSettings, "rules", "funds_disbursement_days"),
])
def test_a_missing_key_is_an_error_naming_it(settings, section, key):
    values = copy.deepcopy(load_config().values)
    del values[section][key]
    with pytest.raises(UserError, match=rf"\[{section}\] {key}\b"):
        settings.from_config(Config(values))

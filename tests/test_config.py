"""A court's configuration file: values override the packaged defaults; an unknown key stops the run."""
from __future__ import annotations

import pytest

from courtwatch.core.config import load_config
from courtwatch.core.errors import UserError


def _override(tmp_path, text: str):
    path = tmp_path / "court.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_known_key_overrides_the_default(tmp_path):
    config = load_config(_override(tmp_path, "[stats]\nfalse_discovery_rate = 0.01\n"))
    assert config.stats["false_discovery_rate"] == 0.01
    assert config.stats["sentencing_min_peer_group"] == load_config().stats["sentencing_min_peer_group"]


@pytest.mark.parametrize("text, key", [
    ("[stats]\nfalse_discovery_rat = 0.01\n", "stats.false_discovery_rat"),
    ("[statistics]\nfalse_discovery_rate = 0.01\n", "statistics"),
    ('[law.provinces."江苏"]\ntheft_larg = 2000\n', "law.provinces.江苏.theft_larg"),
    ('[law.provinces."四川"]\nfraud_big = 2000\n', "law.provinces.四川.fraud_big"),
])
def test_an_unknown_key_is_named_in_one_line(tmp_path, text, key):
    with pytest.raises(UserError) as error:
        load_config(_override(tmp_path, text))
    message = str(error.value)
    assert key in message and "\n" not in message and str(tmp_path) in message


def test_a_new_province_takes_the_keys_every_province_has(tmp_path):
    config = load_config(_override(tmp_path, '[law.provinces."江苏"]\ntheft_large = 2000\n'
                                             'theft_standard = "苏高法〔2013〕0号"\n'
                                             '[law.provinces."四川"]\nfraud_large = 4000\n'))
    assert config.law_provinces["江苏"]["theft_large"] == 2000
    assert config.law_provinces["四川"]["fraud_large"] == 4000
    assert config.law_provinces["四川"]["theft_large"] == 1600  # the packaged value is kept

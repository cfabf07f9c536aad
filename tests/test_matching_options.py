"""park.toml [options] are checked, never silently ignored or misread."""

from __future__ import annotations

from pathlib import Path

import pytest
from park_builders import write_park

from matching import MatchOptions, OptionsError, resolve
from symbiosis import load_park


@pytest.mark.parametrize(("toml", "words"), [
    ('[options]\ninclude_scope2 = "false"\n', "true or false"),
    ("[options]\ntime_limt = 5\n", "unknown key"),
    ("[options]\ngap = inf\n", "gap"),
    ("[options]\ncarbon_price = -5\n", "carbon_price"),
])
def test_bad_park_options_are_errors(tmp_path: Path, toml: str, words: str) -> None:
    park = load_park(write_park(tmp_path / "p", park_toml=toml))
    with pytest.raises(OptionsError, match=words):
        resolve(park)


def test_good_park_options_are_used(tmp_path: Path) -> None:
    park = load_park(write_park(tmp_path / "p", park_toml="[options]\ninclude_scope2 = true\ngap = 0.01\n"))
    settings = resolve(park)
    assert settings.include_scope2 is True
    assert settings.gap == 0.01
    assert resolve(park, MatchOptions(gap=0.02)).gap == 0.02  # an explicit option wins


def test_one_carbon_price_default_and_an_explicit_zero_stays_zero(tmp_path: Path) -> None:
    from matching.options import DEFAULT_CARBON_PRICE, DEFAULTS

    plain = load_park(write_park(tmp_path / "a"))
    assert resolve(plain).carbon_price == DEFAULTS["carbon_price"] == DEFAULT_CARBON_PRICE == 100.0
    zero = load_park(write_park(tmp_path / "b", park_toml='[options]\nobjective = "cost"\ncarbon_price = 0\n'))
    assert resolve(zero).carbon_price == 0.0
    assert resolve(zero, MatchOptions(carbon_price=40.0)).carbon_price == 40.0
    assert resolve(plain, MatchOptions(carbon_price=0.0)).carbon_price == 0.0

"""Reference tables: countries, FX, HS codes and the USCC check character."""

from __future__ import annotations

import polars as pl
import pytest

from services.tradedata import countries, fx, hs
from services.tradedata.generator import GeneratorConfig, generate_tables

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_country_table_is_consistent() -> None:
    assert set(countries.COUNTRIES) <= countries.ISO_COUNTRY_CODES
    for c in countries.COUNTRIES.values():
        assert 0 <= c.category <= 7
        assert not c.high_income or c.category == 0
    assert countries.country_category("US") == 0
    assert countries.country_category("AQ") == countries.UNCLASSIFIED_CATEGORY


def test_fx_converts_to_usd() -> None:
    frame = pl.DataFrame({"amount": [100.0, 100.0, 5.0], "currency": ["USD", "EUR", "XXX"]})
    usd = frame.select(fx.to_usd("amount", "currency")).to_series().to_list()
    assert usd[0] == 100.0 and usd[1] == pytest.approx(107.13) and usd[2] is None
    assert {c.currency for c in countries.COUNTRIES.values()} & fx.CURRENCIES >= {"USD", "EUR"}


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("610910", True),
        ("8471300000", True),
        ("6109", False),
        ("770000", False),
        ("61091a", False),
        ("00123456", False),
    ],
)
def test_hs_code_rule(code: str, ok: bool) -> None:
    assert hs.is_valid_hs_code(code) is ok


def test_generated_uscc_check_characters_are_valid() -> None:
    data = generate_tables(
        GeneratorConfig(
            enterprises=40, months=4, seed=3, orders_per_month=2.0, typologies=_no_structures()
        )
    )
    for code in data.tables["enterprises"]["uscc"]:
        values = [_ALPHABET.index(ch) for ch in code]
        check = (31 - sum(v * w for v, w in zip(values[:17], _WEIGHTS, strict=True)) % 31) % 31
        assert values[17] == check, code


def _no_structures() -> object:
    from services.tradedata.generator import TypologyRates

    return TypologyRates(circular_trading=0, fan_in=0, fan_out=0, rapid_pass_through=0)

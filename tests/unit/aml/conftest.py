"""Hand-built trades and reference data for the AML detection tests."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.aml.domain import (
    Buyer,
    Declaration,
    Enterprise,
    Order,
    Payment,
    ReferenceData,
    Relation,
    Trade,
    WatchlistEntry,
    Waybill,
)
from services.aml.rules.engine import RuleEngine
from services.aml.rules.pricing import Cell, MarketReference
from services.aml.ruleset import RuleSet
from services.aml.screening import NameIndex

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
AS_OF = T0 + timedelta(days=120)
HS = "851712"


def make_trade(
    order_id: str = "O1",
    *,
    enterprise_id: str = "E1",
    buyer_id: str = "B1",
    at: datetime = T0,
    quantity: float = 100.0,
    unit_price: float = 100.0,
    currency: str = "USD",
    paid: float | None = None,
    payer: tuple[str, str] = ("Harbor Retail GmbH", "DE"),
    payer_account: str = "",
    payments: int = 1,
    paid_at: datetime | None = None,
    shipped: bool = True,
    declared: bool = True,
    kg_per_unit: float = 0.5,
) -> Trade:
    """A clean trade whose documents agree; keyword arguments bend one fact at a time."""
    amount = quantity * unit_price
    order = Order(order_id, enterprise_id, buyer_id, at, HS, quantity, unit_price, amount, currency)
    when = paid_at or at + timedelta(days=2)
    each = (amount if paid is None else paid) / payments
    pays = tuple(
        Payment(
            f"{order_id}-P{i}",
            order_id,
            payer[0],
            payer[1],
            when + timedelta(hours=6 * i),
            each,
            currency,
            payer_account,
        )
        for i in range(payments)
    )
    bills = (
        (Waybill(f"{order_id}-W", order_id, at + timedelta(days=3), "DE", quantity * kg_per_unit),)
        if shipped
        else ()
    )
    decls = (
        (
            Declaration(
                f"{order_id}-D", order_id, at + timedelta(days=3), HS, amount, currency, quantity
            ),
        )
        if declared
        else ()
    )
    return Trade(order, pays, bills, decls)


def bend(trade: Trade, **changes: object) -> Trade:
    """The trade with fields of its order, first waybill or declaration replaced."""
    order_fields = {k: v for k, v in changes.items() if k in Order.__dataclass_fields__}
    decl_fields = {k[5:]: v for k, v in changes.items() if k.startswith("decl_")}
    bill_fields = {k[5:]: v for k, v in changes.items() if k.startswith("bill_")}
    decls = (
        (replace(trade.declarations[0], **decl_fields), *trade.declarations[1:])
        if trade.declarations and decl_fields
        else trade.declarations
    )
    bills = (
        (replace(trade.waybills[0], **bill_fields), *trade.waybills[1:])
        if bill_fields
        else trade.waybills
    )
    return replace(
        trade, order=replace(trade.order, **order_fields), declarations=decls, waybills=bills
    )


class Kit:
    """The trade builders and fixed times, handed to tests as one fixture."""

    T0 = T0
    AS_OF = AS_OF
    HS = HS
    make_trade = staticmethod(make_trade)
    bend = staticmethod(bend)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit


@pytest.fixture
def reference() -> ReferenceData:
    return ReferenceData(
        enterprises={
            "E1": Enterprise(
                "E1",
                "Ningbo Ocean Star Trading Co., Ltd.",
                T0 - timedelta(days=2000),
                5_000_000.0,
                "85",
            ),
            "E2": Enterprise(
                "E2", "Shenzhen Bright Path Co., Ltd.", T0 - timedelta(days=60), 50_000.0, "85"
            ),
            "E3": Enterprise(
                "E3", "Xiamen Blue Sail Co., Ltd.", T0 - timedelta(days=3000), 8_000_000.0, "85"
            ),
        },
        buyers={
            "B1": Buyer("B1", "Harbor Retail GmbH", "DE"),
            "B2": Buyer("B2", "Orbit Imports FZE", "AE"),
            "B3": Buyer("B3", "Cedar Supplies Ltd", "GB"),
            "B4": Buyer("B4", "Pine Trading Ltd", "GB"),
        },
        watchlist=(
            WatchlistEntry(
                "WL1", "Ivanov General Trading LLC", "RU", "SANCTIONS", ("Иванов Генерал Трейдинг",)
            ),
            WatchlistEntry("WL2", "Golden Sun Import Export Co", "AE", "NEGATIVE_LIST"),
        ),
        relations=(
            Relation("E1", "B2", "OWNERSHIP"),
            Relation("E3", "B3", "OWNERSHIP"),
        ),
        usd_rates={"USD": 1.0, "EUR": 1.1, "CNY": 0.14},
    )


@pytest.fixture
def market() -> MarketReference:
    """Market price 100 USD per unit (sigma 0.1 in log), 0.5 kg per unit."""
    ref = MarketReference(period_months=3, min_samples=20)
    ref.price_hs[HS] = Cell(math.log(100.0), 0.1, 500)
    ref.weight_hs[HS] = Cell(math.log(0.5), 0.05, 500)
    return ref


@pytest.fixture
def engine_factory(reference: ReferenceData, market: MarketReference) -> Callable[..., RuleEngine]:
    def build(rules: RuleSet | None = None) -> RuleEngine:
        return RuleEngine.build(
            rules or RuleSet(), reference, market, NameIndex(reference.watchlist)
        )

    return build


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small labelled data set and a hold-out from another seed, a later year."""
    from datetime import date

    from services.tradedata.generator import GeneratorConfig, generate

    root = tmp_path_factory.mktemp("aml-data")
    train, holdout = root / "train", root / "holdout"
    generate(GeneratorConfig(enterprises=160, months=8, seed=11), train)
    generate(GeneratorConfig(enterprises=120, months=6, seed=12, start=date(2025, 1, 1)), holdout)
    return train, holdout


@pytest.fixture(scope="session")
def doubled_look_alikes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hold-out whose honest look-alikes (lots, instalments, platform settlement, national
    tariff lines, abbreviated names) are twice as common as in the training data."""
    from datetime import date

    from services.tradedata.generator import GeneratorConfig, LookAlikeRates, generate

    out = tmp_path_factory.mktemp("aml-doubled") / "holdout"
    doubled = LookAlikeRates().doubled()
    cfg = GeneratorConfig(
        enterprises=120, months=6, seed=13, start=date(2025, 1, 1), look_alikes=doubled
    )
    generate(cfg, out)
    return out

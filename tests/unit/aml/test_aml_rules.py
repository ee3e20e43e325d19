"""Each rule fires on a trade built to trigger it and stays quiet on a near miss."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.aml.domain import Party, Trade
from services.aml.rules.engine import RuleEngine
from services.aml.rules.specs import RULE_NAMES

Case = Callable[[], tuple[list[Trade], datetime]]
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
AS_OF = T0 + timedelta(days=120)


def cases(kit: Any) -> dict[str, tuple[Case, Case]]:
    """Trigger and near-miss builders per rule (made with the conftest's trade builders)."""
    make_trade, bend = kit.make_trade, kit.bend

    def _one(trade: Trade, as_of: datetime = AS_OF) -> tuple[list[Trade], datetime]:
        return [trade], as_of

    def _clean(**kw: object) -> Trade:
        return make_trade(**kw)  # type: ignore[arg-type]

    def _pass_through(days: float) -> tuple[list[Trade], datetime]:
        inflow = make_trade("O1", quantity=1000, paid_at=T0)
        outflow = make_trade(
            "O2",
            enterprise_id="E3",
            buyer_id="B2",
            quantity=980,
            paid_at=T0 + timedelta(days=days),
            payer=("Orbit Imports FZE", "AE"),
        )
        return [inflow, outflow], AS_OF

    def _loop(second_qty: float) -> tuple[list[Trade], datetime]:
        out = make_trade("O1", enterprise_id="E1", buyer_id="B3", quantity=1000)
        back = make_trade(
            "O2",
            enterprise_id="E3",
            buyer_id="B2",
            at=T0 + timedelta(days=10),
            quantity=second_qty,
            payer=("Orbit Imports FZE", "AE"),
        )
        return [out, back], AS_OF

    CASES: dict[str, tuple[Case, Case]] = {
        "doc_amount_mismatch": (
            lambda: _one(bend(_clean(), decl_declared_value=15_000.0)),
            lambda: _one(bend(_clean(), decl_declared_value=10_300.0)),
        ),
        "doc_currency_mismatch": (
            lambda: _one(bend(_clean(), decl_currency="EUR")),
            lambda: _one(_clean()),
        ),
        "doc_quantity_mismatch": (
            lambda: _one(bend(_clean(), decl_quantity=150.0)),
            lambda: _one(bend(_clean(), decl_quantity=104.0)),
        ),
        "doc_hs_mismatch": (
            lambda: _one(bend(_clean(), decl_hs_code="620342")),
            lambda: _one(bend(_clean(), decl_hs_code="8517120000")),
        ),
        "doc_party_mismatch": (
            lambda: _one(bend(_clean(), bill_destination_country="CA")),
            lambda: _one(bend(_clean(), bill_destination_country="DE")),
        ),
        "doc_date_order": (
            lambda: _one(bend(_clean(), bill_shipped_at=T0 - timedelta(days=10))),
            lambda: _one(bend(_clean(), bill_shipped_at=T0 - timedelta(days=1))),
        ),
        "payment_without_contract": (
            lambda: _one(_clean(paid=13_000.0)),
            lambda: _one(_clean(paid=10_400.0)),
        ),
        "phantom_shipment": (
            lambda: _one(_clean(shipped=False, declared=False)),
            lambda: _one(_clean(shipped=False, declared=False), T0 + timedelta(days=20)),
        ),
        "third_party_payer": (
            lambda: _one(_clean(payer=("Crest Prime Supplies Ltd", "HK"))),
            lambda: _one(_clean(payer=("HARBOR RETAIL G.M.B.H.", "DE"))),
        ),
        "high_risk_jurisdiction": (
            lambda: _one(_clean(payer=("Harbor Retail GmbH", "IR"))),
            lambda: _one(_clean(payer=("Harbor Retail GmbH", "AT"))),
        ),
        "line_of_business": (
            lambda: _one(bend(_clean(), hs_code="620342", decl_hs_code="620342")),
            lambda: _one(bend(_clean(), hs_code="851799", decl_hs_code="851799")),
        ),
        "doc_weight_anomaly": (
            lambda: _one(_clean(kg_per_unit=1.5)),
            lambda: _one(_clean(kg_per_unit=0.55)),
        ),
        "over_invoicing": (
            lambda: _one(_clean(unit_price=300.0)),
            lambda: _one(_clean(unit_price=130.0)),
        ),
        "under_invoicing": (
            lambda: _one(_clean(unit_price=30.0)),
            lambda: _one(_clean(unit_price=80.0)),
        ),
        "negative_list_party": (
            lambda: _one(_clean(payer=("Trading General Ivanow LLC", "RU"))),
            lambda: _one(_clean(payer=("Ivanova Textile Works", "RU"))),
        ),
        "structuring": (
            lambda: _one(_clean(quantity=1440, payments=3)),
            lambda: _one(_clean(quantity=960, payments=2)),
        ),
        "rapid_pass_through": (lambda: _pass_through(1.0), lambda: _pass_through(8.0)),
        "shell_exporter": (
            lambda: _one(_clean(enterprise_id="E2", quantity=400)),
            lambda: _one(_clean(enterprise_id="E2", quantity=20)),
        ),
        "round_trip": (lambda: _loop(990), lambda: _loop(2_000)),
    }

    return CASES


def _fired(engine: RuleEngine, trades: list[Trade], as_of: datetime) -> set[str]:
    hits: set[str] = set()
    for trade in trades:
        _, found = engine.evaluate(trade, as_of)
        hits = {h.rule for h in found}
    return hits


def test_every_rule_has_a_case(kit: Any) -> None:
    assert set(cases(kit)) == set(RULE_NAMES)


@pytest.mark.parametrize("rule", sorted(RULE_NAMES))
def test_rule_fires_on_its_trigger(
    rule: str, kit: Any, engine_factory: Callable[[], RuleEngine]
) -> None:
    trades, as_of = cases(kit)[rule][0]()
    assert rule in _fired(engine_factory(), trades, as_of)


@pytest.mark.parametrize("rule", sorted(RULE_NAMES))
def test_rule_quiet_on_near_miss(
    rule: str, kit: Any, engine_factory: Callable[[], RuleEngine]
) -> None:
    trades, as_of = cases(kit)[rule][1]()
    assert rule not in _fired(engine_factory(), trades, as_of)


def test_clean_trade_raises_no_hit(kit: Any, engine_factory: Callable[[], RuleEngine]) -> None:
    assert _fired(engine_factory(), [kit.make_trade()], AS_OF) == set()


def test_hit_evidence_names_documents_and_figures(
    kit: Any, engine_factory: Callable[[], RuleEngine]
) -> None:
    trade = kit.bend(kit.make_trade(), decl_quantity=150.0)
    _, hits = engine_factory().evaluate(trade, AS_OF)
    hit = next(h for h in hits if h.rule == "doc_quantity_mismatch")
    docs = {(d.document_type, d.document_id) for d in hit.evidence.documents}
    assert docs == {("ORDER", "O1"), ("DECLARATION", "O1-D")}
    assert hit.evidence.details["declared_quantity"] == 150.0
    assert hit.evidence.details["order_quantity"] == 100.0


def test_named_buyer_on_documents_is_screened(
    kit: Any, engine_factory: Callable[[], RuleEngine]
) -> None:
    trade = kit.make_trade()
    listed = Trade(
        trade.order,
        trade.payments,
        trade.waybills,
        trade.declarations,
        buyer=Party("B1", "Golden Sun Imp. Exp. Co.", "AE"),
    )
    _, hits = engine_factory().evaluate(listed, AS_OF)
    assert "negative_list_party" in {h.rule for h in hits}


def test_structuring_counts_a_payment_once_when_rescreened(
    kit: Any, engine_factory: Callable[[], RuleEngine]
) -> None:
    engine = engine_factory()
    trade = kit.make_trade(quantity=960, payments=2)
    for _ in range(3):
        _, hits = engine.evaluate(trade, AS_OF)
    assert "structuring" not in {h.rule for h in hits}


def test_structuring_pattern_completed_by_a_payment_screened_late(
    kit: Any, engine_factory: Callable[[], RuleEngine]
) -> None:
    """Payments on days 0, 3 and 6 screened in the order 6, 0, 3: the one screened last sees
    the other two, before and after it, and is the only one to fire."""
    engine = engine_factory()
    trades = {
        day: kit.make_trade(f"S{day}", quantity=480, paid_at=T0 + timedelta(days=day))
        for day in (0, 3, 6)
    }
    fired = []
    for day in (6, 0, 3):
        _, hits = engine.evaluate(trades[day], AS_OF)
        fired.append("structuring" in {h.rule for h in hits})
    assert fired == [False, False, True]

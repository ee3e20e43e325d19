"""Network typologies: cycles, fans and pass-through found in small hand-built flow sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl

from services.aml.domain import Flow
from services.aml.graph import Edge, RoundTripIndex
from services.aml.network import Window, scan, scan_counted, to_candidate
from services.aml.ruleset import RoundTripConfig, RuleSet

T0 = datetime(2025, 1, 1, tzinfo=UTC)
USD = {"USD": 1.0}


@dataclass
class Data:
    orders: pl.LazyFrame
    payments: pl.LazyFrame
    relations: pl.LazyFrame


def _data(
    orders: list[tuple[str, str, float, float]],
    owners: list[tuple[str, str]],
    *,
    kind: str = "OWNERSHIP",
    platform: frozenset[str] = frozenset(),
) -> Data:
    """Orders as (exporter, buyer, amount, day); owners as (exporter, buyer) links of `kind`;
    the buyers in `platform` are paid for by a marketplace (channel PSP)."""
    rows = [
        {
            "order_id": f"O{i}",
            "enterprise_id": e,
            "buyer_id": b,
            "amount": amt,
            "currency": "USD",
            "ordered_at": T0 + timedelta(days=day),
        }
        for i, (e, b, amt, day) in enumerate(orders)
    ]
    pays = [
        {
            "order_id": r["order_id"],
            "paid_at": r["ordered_at"] + timedelta(hours=12),
            "channel": "PSP" if r["buyer_id"] in platform else "BANK",
            "payer_name": "Amazon Payments Europe S.C.A."
            if r["buyer_id"] in platform
            else r["buyer_id"],
        }
        for r in rows
    ]
    rels = [{"party_a": a, "party_b": b, "relation": kind} for a, b in owners]
    rel_schema = {"party_a": pl.String, "party_b": pl.String, "relation": pl.String}
    return Data(pl.LazyFrame(rows), pl.LazyFrame(pays), pl.LazyFrame(rels, schema=rel_schema))


def _background(n: int = 40) -> list[tuple[str, str, float, float]]:
    """Ordinary repeat trade of unrelated exporters with their own buyers."""
    return [(f"N{i % 8}", f"NB{i % 8}", 1_000.0 + 37 * i, 1.0 + i * 3) for i in range(n)]


def _typologies(data: Data) -> list[str]:
    return sorted(s.typology for s in scan(data, RuleSet(), USD))


LOOP_OWNERS = [("E1", "A1"), ("E2", "A2"), ("E3", "A3")]


def test_cycle_of_related_parties_with_matching_amounts_is_found() -> None:
    loop = [("E1", "A2", 100_000.0, 40), ("E2", "A3", 99_000.0, 43), ("E3", "A1", 101_000.0, 46)]
    found = scan(_data(_background() + loop, LOOP_OWNERS), RuleSet(), USD)
    cycles = [s for s in found if s.typology == "CIRCULAR_TRADING"]
    assert len(cycles) == 1
    assert {f.document_id for f in cycles[0].flows} == {"O40", "O41", "O42"}
    assert {"E1", "E2", "E3"} <= set(cycles[0].members)


def test_cycle_with_unmatched_amounts_is_not_found() -> None:
    loop = [("E1", "A2", 100_000.0, 40), ("E2", "A3", 40_000.0, 43), ("E3", "A1", 100_000.0, 46)]
    assert "CIRCULAR_TRADING" not in _typologies(_data(_background() + loop, LOOP_OWNERS))


def test_cycle_needs_the_relations_that_close_it() -> None:
    loop = [("E1", "A2", 100_000.0, 40), ("E2", "A3", 99_000.0, 43), ("E3", "A1", 101_000.0, 46)]
    assert "CIRCULAR_TRADING" not in _typologies(_data(_background() + loop, []))


def test_fan_out_of_one_payer_to_many_exporters() -> None:
    fan = [(f"X{i}", "P1", 10_000.0 + 50 * i, 60 + i * 0.3) for i in range(10)]
    assert _typologies(_data(_background() + fan, [])) == ["FAN_OUT"]


def test_small_fan_out_is_ordinary() -> None:
    fan = [(f"X{i}", "P1", 10_000.0, 60 + i) for i in range(5)]
    assert _typologies(_data(_background() + fan, [])) == []


def test_fan_in_of_first_time_payers() -> None:
    fan = [("H1", f"F{i}", 12_000.0 + 40 * i, 60 + i * 0.3) for i in range(12)]
    assert _typologies(_data(_background() + fan, [])) == ["FAN_IN"]


def test_fan_in_with_scattered_amounts_is_ordinary() -> None:
    fan = [("H1", f"F{i}", 2_000.0 * (1.6**i), 60 + i * 0.3) for i in range(12)]
    assert _typologies(_data(_background() + fan, [])) == []


def test_fan_out_to_established_suppliers_is_ordinary() -> None:
    first = [(f"X{i}", "P1", 10_000.0, 5 + i * 2) for i in range(10)]
    restock = [(f"X{i}", "P1", 10_000.0 + 50 * i, 60 + i * 0.3) for i in range(10)]
    assert _typologies(_data(_background() + first + restock, [])) == []


def test_fan_in_a_marketplace_settled_is_ordinary() -> None:
    fan = [("H1", f"F{i}", 3_000.0, 60 + i * 0.3) for i in range(12)]
    consumers = frozenset(f"F{i}" for i in range(12))
    assert _typologies(_data(_background() + fan, [])) == ["FAN_IN"]
    assert _typologies(_data(_background() + fan, [], platform=consumers)) == []


def test_fan_moving_little_money_is_ordinary() -> None:
    fan = [("H1", f"F{i}", 150.0, 60 + i * 0.3) for i in range(12)]
    assert _typologies(_data(_background() + fan, [])) == []


def _gather_then_scatter(scatter_day: float) -> list[tuple[str, str, float, float]]:
    gather = [("H1", f"F{i}", 12_000.0 + 40 * i, 60 + i * 0.3) for i in range(9)]
    scatter = [(f"X{i}", "HB", 12_000.0 - 30 * i, scatter_day + i * 0.5) for i in range(9)]
    return _background() + gather + scatter


def test_gather_then_scatter_through_an_entity() -> None:
    found = _typologies(_data(_gather_then_scatter(66), [("H1", "HB")]))
    assert found == ["FAN_IN", "FAN_OUT", "GATHER_SCATTER"]


def test_gather_scatter_through_a_shared_director() -> None:
    data = _data(_gather_then_scatter(66), [("H1", "HB")], kind="SHARED_DIRECTOR")
    assert _typologies(data) == ["FAN_IN", "FAN_OUT", "GATHER_SCATTER"]
    assert _typologies(_data(_gather_then_scatter(66), [])) == ["FAN_IN", "FAN_OUT"]


def test_scatter_long_before_or_after_the_gathering_is_no_gather_scatter() -> None:
    for day in (40, 100):
        found = _typologies(_data(_gather_then_scatter(day), [("H1", "HB")]))
        assert found == ["FAN_IN", "FAN_OUT"], day


def test_pass_through_chain_is_one_structure() -> None:
    owners = [("E1", "A1"), ("E2", "A2")]
    chain = [("E1", "S1", 100_000.0, 50), ("E2", "A1", 98_500.0, 51), ("E3", "A2", 97_000.0, 52)]
    found = scan(_data(_background() + chain, owners), RuleSet(), USD)
    assert [s.typology for s in found] == ["RAPID_PASS_THROUGH"]
    assert found[0].order_ids == ("O40", "O41", "O42")


def test_pass_through_too_slow_is_ordinary() -> None:
    owners = [("E1", "A1")]
    chain = [("E1", "S1", 100_000.0, 50), ("E2", "A1", 98_500.0, 60)]
    assert _typologies(_data(_background() + chain, owners)) == []


def test_scan_candidate_key_does_not_depend_on_flow_order() -> None:
    loop = [("E1", "A2", 100_000.0, 40), ("E2", "A3", 99_000.0, 43), ("E3", "A1", 101_000.0, 46)]
    a = scan(_data(_background() + loop, LOOP_OWNERS), RuleSet(), USD)
    b = scan(_data(loop[::-1] + _background(), LOOP_OWNERS), RuleSet(), USD)
    assert to_candidate(a[0], "", "v1").dedup_key != ""
    assert {s.typology for s in a} == {s.typology for s in b} == {"CIRCULAR_TRADING"}
    members_a = to_candidate(a[0], "", "v1").members
    assert members_a == to_candidate(b[0], "", "v1").members


def _edge(src: str, dst: str, day: float, amount: float, doc: str) -> Edge:
    at = T0 + timedelta(days=day)
    return Edge(src, dst, at, amount, doc, Flow(src, dst, amount, "USD", at, doc))


def test_incoming_flow_that_closes_a_time_ordered_chain_is_a_round_trip() -> None:
    index = RoundTripIndex(RoundTripConfig())
    assert index.check_and_add(_edge("A", "B", 0, 100.0, "1")) is None
    assert index.check_and_add(_edge("B", "C", 2, 98.0, "2")) is None
    chain = index.check_and_add(_edge("C", "A", 4, 101.0, "3"))
    assert chain is not None and [e.doc_id for e in chain] == ["1", "2"]


def test_chain_out_of_time_order_is_not_a_round_trip() -> None:
    index = RoundTripIndex(RoundTripConfig())
    index.check_and_add(_edge("B", "C", 0, 98.0, "2"))  # C is paid before B is
    index.check_and_add(_edge("A", "B", 2, 100.0, "1"))
    assert index.check_and_add(_edge("C", "A", 4, 101.0, "3")) is None


def test_hubs_are_not_expanded() -> None:
    index = RoundTripIndex(RoundTripConfig(max_degree=3))
    for i in range(5):  # B is a platform with many counterparties
        index.check_and_add(_edge(f"S{i}", "B", 0, 10.0, f"s{i}"))
    index.check_and_add(_edge("A", "B", 1, 100.0, "1"))
    index.check_and_add(_edge("B", "C", 2, 100.0, "2"))
    assert index.check_and_add(_edge("C", "A", 3, 100.0, "3")) is None


def test_loop_longer_than_the_limit_is_not_searched() -> None:
    index = RoundTripIndex(RoundTripConfig(max_length=3))
    for i, (a, b) in enumerate([("A", "B"), ("B", "C"), ("C", "D")]):
        index.check_and_add(_edge(a, b, i, 100.0, str(i)))
    assert index.check_and_add(_edge("D", "A", 5, 100.0, "x")) is None


def test_scan_counts_the_flows_between_groups_in_the_window() -> None:
    # The order inside the owned group E1/A1 is no flow between groups, so it is not counted.
    data = _data([*_background(), ("E1", "A1", 5_000.0, 10)], [("E1", "A1")])
    assert scan_counted(data, RuleSet(), USD)[1] == 40
    # Flows are dated at their payment (day + 0.5): days 61, 64, ... are orders 20..39.
    later = Window(T0 + timedelta(days=61), None)
    assert scan_counted(data, RuleSet(), USD, later)[1] == 20
    assert scan_counted(data, RuleSet(), USD, Window(T0 + timedelta(days=999), None))[1] == 0

"""Network drawings: a cycle through related groups is a ring, a fan-in a star around its hub."""

from __future__ import annotations

from decimal import Decimal

from services.console.domain import Flow
from services.console.graph import draw


def _flow(a: str, b: str, amount: int = 100) -> Flow:
    return Flow(a, b, Decimal(amount), "USD", None, f"O-{a}-{b}")


def test_cycle_through_owned_buyers_is_drawn_as_a_ring_in_travel_order() -> None:
    flows = [_flow("B3", "E1"), _flow("B1", "E2"), _flow("B2", "E3")]
    owned = [("E1", "B1", "OWNERSHIP"), ("E2", "B2", "OWNERSHIP"), ("E3", "B3", "OWNERSHIP")]
    drawing = draw(["B3", "E1", "B1", "E2", "B2", "E3"], flows, owned)
    assert drawing is not None and drawing.shape == "ring"
    assert [n.party_id for n in drawing.nodes] == ["B3", "E1", "B1", "E2", "B2", "E3"]
    assert sum(e.relation for e in drawing.edges) == 3  # the ring closes on E3-B3
    assert sorted(e.label for e in drawing.edges if not e.relation) == ["USD 100"] * 3


def test_parallel_flows_are_drawn_once_with_their_total() -> None:
    drawing = draw([], [_flow("A", "B", 100), _flow("A", "B", 250), _flow("B", "A", 5)])
    assert drawing is not None
    assert sorted(e.label for e in drawing.edges) == ["USD 350 ×2", "USD 5"]


def test_fan_in_puts_the_hub_in_the_middle() -> None:
    drawing = draw(["H"], [_flow(p, "H") for p in ("A", "B", "C", "D")])
    assert drawing is not None and drawing.shape == "fan-in"
    (hub,) = [n for n in drawing.nodes if n.hub]
    assert hub.party_id == "H" and (hub.x, hub.y) == (drawing.width / 2, drawing.height / 2)


def test_fan_out_and_no_flows() -> None:
    drawing = draw([], [_flow("H", p) for p in ("A", "B", "C")])
    assert drawing is not None and drawing.shape == "fan-out"
    assert draw(["A", "B"], []) is None

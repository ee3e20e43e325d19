"""History windows live in the store, per tenant: replicas on one database see one pattern, and
one bank's payments never complete, or show up in, another bank's alert."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from google.protobuf import json_format

from services._proto.tradeguard.aml.v1 import aml_pb2
from services._proto.tradeguard.common.v1 import common_pb2

from .conftest import PAST, Callers, Harness, _money, _ts, aml_settings, screen, start_harness

PAYER = "Orion Trade Partners Ltd"


def near_threshold(
    order_id: str, day: int, account: str, payer: str = PAYER, buyer_id: str = "B-1"
) -> aml_pb2.ScreenTradeRequest:
    """A shipped trade of 48,000 USD to `buyer_id`, paid by `payer` (from `account`) on `day`."""
    request = screen(order_id)
    trade = request.trade
    trade.order.buyer_id = trade.buyer.party_id = buyer_id
    moment = PAST + timedelta(days=day)
    trade.order.ordered_at.CopyFrom(_ts(moment))
    trade.order.quantity = 480
    trade.order.amount.CopyFrom(_money(48_000.0))
    trade.buyer.name, trade.buyer.country_code = payer, "GB"
    trade.waybills[0].destination_country = "GB"
    del trade.payments[:]
    trade.payments.append(
        common_pb2.Payment(
            payment_id=f"P-{order_id}",
            order_id=order_id,
            payer_name=payer,
            payer_country="GB",
            payer_account=account,
            paid_at=_ts(moment + timedelta(days=1)),
            amount=_money(48_000.0),
            channel=common_pb2.BANK,
        )
    )
    trade.declaration.declared_value.CopyFrom(_money(48_000.0))
    trade.declaration.quantity = 480
    request.as_of.CopyFrom(_ts(moment + timedelta(days=3)))
    return request


def _alerts(h: Harness, who: str, typology: str) -> list[aml_pb2.Alert]:
    listed = h.stub.ListAlerts(aml_pb2.ListAlertsRequest(typology=typology), metadata=h.md(who))
    return list(listed.alerts)


@pytest.fixture
def replicas(
    tmp_path: Path, callers: tuple[Path, Callers], pg_url: str
) -> Iterator[tuple[Harness, Harness]]:
    tokens_file, who = callers
    started = [
        start_harness(aml_settings(tmp_path / name, tokens_file, pg_url), who)
        for name in ("a", "b")
    ]
    yield started[0], started[1]
    for h in started:
        h.channel.close()
        h.service.stop(0)


def test_structuring_split_over_two_replicas_raises_exactly_one_alert(
    replicas: tuple[Harness, Harness],
) -> None:
    a, b = replicas
    a.stub.ScreenTrade(near_threshold("S-1", 0, "GB-1"), metadata=a.md("bank-1"))
    b.stub.ScreenTrade(near_threshold("S-2", 3, "GB-2"), metadata=b.md("bank-1"))
    third = a.stub.ScreenTrade(near_threshold("S-3", 6, "GB-3"), metadata=a.md("bank-1"))
    assert [x.typology for x in third.alerts] == ["STRUCTURING"]
    found = _alerts(b, "bank-1", "STRUCTURING")
    assert len(found) == 1
    shown = json_format.MessageToJson(found[0])
    assert all(f"P-S-{i}" in shown for i in (1, 2, 3))


def test_another_banks_payments_neither_complete_nor_appear_in_an_alert(
    harness: Harness,
) -> None:
    for i in range(2):
        request = near_threshold(f"X-{i}", i, f"GB-X{i}")
        harness.stub.ScreenTrade(request, metadata=harness.md("bank-2"))
    own = harness.stub.ScreenTrade(near_threshold("Y-0", 2, "GB-Y"), metadata=harness.md("bank-1"))
    assert not own.alerts  # bank-2's two payments do not make bank-1's one a pattern
    for i in range(1, 3):
        harness.stub.ScreenTrade(
            near_threshold(f"Y-{i}", 2 + i, f"GB-Y{i}"), metadata=harness.md("bank-1")
        )
    [alert] = _alerts(harness, "bank-1", "STRUCTURING")
    shown = json_format.MessageToJson(alert)
    assert "Y-2" in shown and "X-0" not in shown and "X-1" not in shown
    assert _alerts(harness, "bank-2", "STRUCTURING") == []


PATTERNS = 12


def _pattern(i: int) -> tuple[str, str]:
    """The payer and the buyer of the i-th structuring pattern."""
    return f"Orion Trade Partners {i} Ltd", f"B-C{i}"


def _screen(h: Harness, who: str, request: aml_pb2.ScreenTradeRequest, stream: bool) -> None:
    if stream:
        message = aml_pb2.StreamScreenTradesRequest(requests=[request])
        [reply] = h.stub.StreamScreenTrades(iter([message]), metadata=h.md(who), timeout=60)
        assert [r.WhichOneof("outcome") for r in reply.results] == ["response"]
    else:
        h.stub.ScreenTrade(request, metadata=h.md(who), timeout=60)


def _split_patterns(a: Harness, b: Harness, *, stream: bool) -> None:
    """Of each structuring pattern, one payment is screened first; the other two arrive at the
    same moment (on `a` and on `b`), beside another bank's payment by the same payer."""
    for i in range(PATTERNS):
        payer, buyer = _pattern(i)
        request = near_threshold(f"C{i}-1", 0, f"GB-C{i}-1", payer, buyer)
        a.stub.ScreenTrade(request, metadata=a.md("bank-1"))
    for i in range(PATTERNS):
        payer, buyer = _pattern(i)
        calls = [
            (a, "bank-1", near_threshold(f"C{i}-2", 3, f"GB-C{i}-2", payer, buyer)),
            (b, "bank-1", near_threshold(f"C{i}-3", 6, f"GB-C{i}-3", payer, buyer)),
            (b, "bank-2", near_threshold(f"X{i}-1", 4, f"GB-X{i}", payer, buyer)),
        ]
        start = threading.Barrier(len(calls))

        def call(
            h: Harness,
            who: str,
            request: aml_pb2.ScreenTradeRequest,
            start: threading.Barrier = start,
        ) -> None:
            start.wait(timeout=30)
            _screen(h, who, request, stream)

        with ThreadPoolExecutor(len(calls)) as pool:
            for done in [pool.submit(call, *c) for c in calls]:
                done.result()


def _assert_one_alert_per_pattern(h: Harness) -> None:
    found = _alerts(h, "bank-1", "STRUCTURING")
    per_buyer = sorted(next(m for m in a.members if m.startswith("B-C")) for a in found)
    assert per_buyer == sorted(_pattern(i)[1] for i in range(PATTERNS))  # one alert each
    for alert in found:
        shown = json_format.MessageToJson(alert)
        i = next(n for n in range(PATTERNS) if f'"{_pattern(n)[1]}"' in shown)
        assert all(f"P-C{i}-{k}" in shown for k in (1, 2, 3)), shown
        assert "P-X" not in shown  # bank-2's payment neither counts nor shows
    assert _alerts(h, "bank-2", "STRUCTURING") == []


def test_a_pattern_split_across_concurrent_calls_on_two_replicas_raises_one_alert(
    replicas: tuple[Harness, Harness],
) -> None:
    """Each replica reads the payer's window only once the other's payment is committed (or
    before it was read), so the one screened second sees all three, whichever it is."""
    a, b = replicas
    _split_patterns(a, b, stream=False)
    _assert_one_alert_per_pattern(a)


def test_a_pattern_split_across_concurrent_streams_on_sqlite_raises_one_alert(
    harness: Harness,
) -> None:
    _split_patterns(harness, harness, stream=True)
    _assert_one_alert_per_pattern(harness)

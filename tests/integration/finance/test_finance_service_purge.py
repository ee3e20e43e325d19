"""The running service purges expired quotes on its own schedule and stops purging on
shutdown; a purged request id can be used again."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc

from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc
from services.finance.store import QuoteStore

from .conftest import Stack, short_term_request, start_finance


def _wait_purged(store: QuoteStore, tenant: str, request_id: str, seconds: float = 10.0) -> bool:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        if store.find_by_request(tenant, request_id) is None:
            return True
        time.sleep(0.02)
    return False


def test_expired_quotes_are_purged_by_the_server(stack: Stack, tmp_path: Path) -> None:
    now = [datetime(2026, 6, 1, tzinfo=UTC)]
    timed = start_finance(
        tmp_path, stack.tokens, stack.risk.server.port, stack.aml.port,
        clock=lambda: now[0], quote_validity_seconds=3600, purge_interval_seconds=0.05,
    )  # fmt: skip
    channel = grpc.insecure_channel(f"127.0.0.1:{timed.server.port}")
    stub = finance_pb2_grpc.CreditInsuranceStub(channel)
    try:
        first = stub.QuotePremium(short_term_request("purge-1"), metadata=stack.md(), timeout=10)
        now[0] += timedelta(minutes=30)
        later = stub.QuotePremium(short_term_request("purge-2"), metadata=stack.md(), timeout=10)
        assert timed.purger.running
        time.sleep(0.2)  # several purges run while both quotes are live
        assert timed.store.find_by_request("insurer-1", "purge-1") is not None
        now[0] += timedelta(minutes=30)  # the first has expired, the later one has not
        assert _wait_purged(timed.store, "insurer-1", "purge-1")
        assert timed.store.find_by_request("insurer-1", "purge-2") is not None
        # The request id is free again: another request under it is a new quote.
        again = stub.QuotePremium(
            short_term_request("purge-1", credit_days=60), metadata=stack.md(), timeout=10
        )
        assert again.outcome == finance_pb2.QUOTED
        assert again.quote_id not in (first.quote_id, later.quote_id)
    finally:
        channel.close()
        timed.stop(0)
    assert not timed.purger.running

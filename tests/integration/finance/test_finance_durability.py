"""kill -9 under unary load: every quote acknowledged before the kill is there after a restart,
and the same request gets the same quote back (no second quote, no lost one)."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import grpc
import pytest

from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc

from .conftest import Tokens, make_tokens, short_term_request, start_finance_process

pytestmark = pytest.mark.slow
IN_FLIGHT = 32


def _quote_until_killed(
    port: int, tokens: Tokens, process: subprocess.Popen[bytes], kill_after: int
) -> dict[str, finance_pb2.PremiumQuote]:
    """Unary quotes, IN_FLIGHT at a time, until ``kill_after`` are acknowledged: then kill -9."""
    acknowledged: dict[str, finance_pb2.PremiumQuote] = {}
    lock = threading.Lock()
    gate = threading.Semaphore(IN_FLIGHT)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = finance_pb2_grpc.CreditInsuranceStub(channel)

        def done(request_id: str, call: grpc.Future) -> None:
            gate.release()
            if call.exception() is None:
                with lock:
                    acknowledged[request_id] = call.result()
                    if len(acknowledged) == kill_after:
                        process.kill()

        for i in range(20 * kill_after):
            if process.poll() is not None:
                break
            gate.acquire()
            request_id = f"dur-{i}"
            call = stub.QuotePremium.future(
                short_term_request(request_id), metadata=tokens.md("insurer-1"), timeout=10
            )
            call.add_done_callback(lambda c, rid=request_id: done(rid, c))
        for _ in range(IN_FLIGHT):
            gate.acquire()
    process.wait(timeout=10)
    return acknowledged


def test_kill_9_under_unary_quotes_loses_no_acknowledged_quote(
    tmp_path: Path, free_port_factory: Callable[[], int]
) -> None:
    tokens = make_tokens(tmp_path)
    port = free_port_factory()
    db, log = tmp_path / "finance.db", tmp_path / "finance.log"
    process = start_finance_process(port, db, tokens.path, log)
    acknowledged = _quote_until_killed(port, tokens, process, kill_after=150)
    assert process.returncode == -9 and len(acknowledged) >= 150
    restarted = start_finance_process(port, db, tokens.path, log)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = finance_pb2_grpc.CreditInsuranceStub(channel)
            md = tokens.md("insurer-1")
            for request_id, quote in acknowledged.items():
                stored = stub.GetQuote(
                    finance_pb2.GetQuoteRequest(quote_id=quote.quote_id), metadata=md
                )
                assert stored.premium_quote == quote
                again = stub.QuotePremium(short_term_request(request_id), metadata=md, timeout=10)
                assert again == quote
    finally:
        restarted.terminate()
        restarted.wait(timeout=20)
    assert restarted.returncode == 0

"""Finance lists stay inside the message limit whatever the book holds, and page past it.

Limits and policy events are made through the API, then rewritten in the database with texts
far beyond today's request bounds (as rows written before those bounds existed, or by a tool
with database access, would be). The finance server's message limit is 64 KiB.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import sqlalchemy as sa

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc
from services.finance.migrations.schema import book_events, credit_limits

from .conftest import (
    KNOWN_ENTERPRISE,
    Stack,
    make_tokens,
    money,
    short_term_request,
    start_aml,
    start_finance,
    start_risk,
)

LIMIT = 64 * 1024
LARGE = 30_000  # characters: two such rows fill a page
HUGE = 1_000_000  # characters: more than a whole message
CLIPPED = "characters clipped]"


@pytest.fixture(scope="module")
def small_limit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root: Path = tmp_path_factory.mktemp("finance-page-bytes")
    tokens = make_tokens(root)
    risk, aml = start_risk(root, tokens), start_aml(root, tokens)
    finance = start_finance(root, tokens, risk.server.port, aml.port, max_message_bytes=LIMIT)
    channel = grpc.insecure_channel(f"127.0.0.1:{finance.server.port}")
    running = Stack(
        risk, aml, finance, tokens, channel, finance_pb2_grpc.CreditInsuranceStub(channel)
    )
    yield running
    running.close()


def _all_pages(call: Callable[[str], Any], items: Callable[[Any], list[Any]]) -> list[Any]:
    """Every item over every page; each response is checked against the message limit."""
    seen: list[Any] = []
    token = ""
    for _ in range(100):
        page = call(token)
        assert page.ByteSize() <= LIMIT
        assert items(page), "a page with a token always carries an item"
        seen += items(page)
        token = page.next_page_token
        if not token:
            return seen
    raise AssertionError("paging never ended")


def _engine(stack: Stack) -> sa.Engine:
    return stack.finance.store.engine


def _limit(request_id: str, buyer_id: str) -> finance_pb2.RequestCreditLimitRequest:
    buyer = finance_pb2.Buyer(buyer_id=buyer_id, name="Acme Imports", country_code="BR", grade=5)
    return finance_pb2.RequestCreditLimitRequest(
        request_id=request_id, exporter_id=KNOWN_ENTERPRISE, buyer=buyer,
        amount=money(50_000), payment_terms=common_pb2.OA, credit_days=90,
    )  # fmt: skip


def test_list_credit_limits_pages_past_oversized_limits(small_limit: Stack) -> None:
    md = small_limit.md("insurer-2")
    sizes = {"BIG-1": LARGE, "BIG-2": HUGE, "BIG-3": LARGE, "BIG-4": 10, "BIG-5": LARGE}
    names = {
        small_limit.stub.RequestCreditLimit(_limit(f"r-{b}", b), metadata=md).name: b for b in sizes
    }
    with _engine(small_limit).begin() as conn:
        rows = conn.execute(sa.select(credit_limits.c.limit_id, credit_limits.c.payload)).all()
        for limit_id, payload in rows:
            document = json.loads(payload)
            buyer = document["buyer"]
            if buyer["buyer_id"] in sizes:
                buyer["name"] = "n" * sizes[buyer["buyer_id"]]
                update = credit_limits.update().where(credit_limits.c.limit_id == limit_id)
                conn.execute(update.values(payload=json.dumps(document)))

    def page(token: str) -> finance_pb2.ListCreditLimitsResponse:
        request = finance_pb2.ListCreditLimitsRequest(page_size=50, page_token=token)
        return small_limit.stub.ListCreditLimits(request, metadata=md)

    listed = _all_pages(page, lambda p: list(p.credit_limits))
    assert sorted(limit.name for limit in listed) == sorted(names)
    by_buyer = {limit.buyer.buyer_id: limit.buyer.name for limit in listed}
    assert by_buyer["BIG-2"].endswith(CLIPPED) and by_buyer["BIG-1"] == "n" * LARGE


def test_list_policy_events_pages_past_oversized_events(small_limit: Stack) -> None:
    md = small_limit.md("insurer-1")
    small_limit.stub.RequestCreditLimit(_limit("r-policy", "B-100"), metadata=md)
    quote = small_limit.stub.QuotePremium(
        short_term_request("q-policy", insured_amount=money(40_000)), metadata=md
    )
    policy = small_limit.stub.BindPolicy(
        finance_pb2.BindPolicyRequest(request_id="b-policy", quote_id=quote.quote_id), metadata=md
    )
    number = policy.policy_number
    for bank in ("bank-1", "bank-2", "bank-1"):
        assign = finance_pb2.AssignPolicyRequest(policy_number=number, loss_payee=bank)
        small_limit.stub.AssignPolicy(assign, metadata=md)
    with _engine(small_limit).begin() as conn:
        for sequence, size in ((2, LARGE), (3, HUGE), (4, LARGE)):
            where = (book_events.c.subject == number) & (book_events.c.sequence == sequence)
            conn.execute(book_events.update().where(where).values(detail="d" * size))

    def page(token: str) -> finance_pb2.ListPolicyEventsResponse:
        request = finance_pb2.ListPolicyEventsRequest(
            policy_number=number, page_size=50, page_token=token
        )
        return small_limit.stub.ListPolicyEvents(request, metadata=md)

    events = _all_pages(page, lambda p: list(p.events))
    assert [e.sequence for e in events] == [1, 2, 3, 4]
    assert [e.event for e in events] == ["BOUND", "ASSIGNED", "ASSIGNED", "ASSIGNED"]
    assert events[2].detail.endswith(CLIPPED) and events[3].detail == "d" * LARGE


def test_policy_event_pages_refuse_tokens_of_another_policy(small_limit: Stack) -> None:
    md = small_limit.md("insurer-1")
    request = finance_pb2.ListPolicyEventsRequest(policy_number="TGP-NONE", page_token="x" * 40)
    with pytest.raises(grpc.RpcError) as refused:
        small_limit.stub.ListPolicyEvents(request, metadata=md)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT

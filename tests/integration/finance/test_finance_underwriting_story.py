"""The underwriting story through the real gRPC APIs: limits with accumulation over a buyer
group, a policy bound from a quote, financed by the bank named as loss payee (and by no other),
an overdue buyer, and a claim paid after the waiting period, every change in the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc
from services.common import money as wire_money

from .conftest import (
    KNOWN_ENTERPRISE,
    Stack,
    field_violations,
    financing_request,
    money,
    open_stack,
    short_term_request,
)

SECOND_EXPORTER = "ENT00042"
BUYER = "BUY-PARENT"
AFFILIATE = "BUY-SUBSIDIARY"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Story:
    stack: Stack
    clock: list[datetime]

    @property
    def stub(self) -> finance_pb2_grpc.CreditInsuranceStub:
        return self.stack.stub

    def call(self, method: str, request: Any, who: str = "insurer-1") -> Any:
        return getattr(self.stub, method)(request, metadata=self.stack.md(who), timeout=10)

    def advance(self, days: int) -> None:
        self.clock[0] += timedelta(days=days)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    root = tmp_path_factory.mktemp("finance-story")
    relations = root / "relations.csv"
    relations.write_text(
        "party_a,party_b,relation,since\n"
        f"{BUYER},{AFFILIATE},OWNERSHIP,2020-01-01T00:00:00Z\n"
        f"{BUYER},BUY-OTHER,SHARED_ADDRESS,2020-01-01T00:00:00Z\n"
    )
    clock = [START]
    stack = open_stack(root, relations_file=relations, clock=lambda: clock[0])
    yield Story(stack, clock)
    stack.close()


def _buyer(buyer_id: str, grade: int = 5) -> finance_pb2.Buyer:
    return finance_pb2.Buyer(
        buyer_id=buyer_id, name="Acme Imports Ltda", country_code="BR", grade=grade
    )


def _limit(request_id: str, exporter: str, buyer_id: str, units: int, **kw: Any) -> Any:
    return finance_pb2.RequestCreditLimitRequest(
        request_id=request_id, exporter_id=exporter, buyer=kw.pop("buyer", _buyer(buyer_id)),
        amount=money(units), payment_terms=common_pb2.OA, credit_days=90, **kw,
    )  # fmt: skip


def _stamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def test_the_whole_story(story: Story) -> None:
    # 1. The first exporter's limit on the buyer: within every capacity, approved in full.
    first = story.call("RequestCreditLimit", _limit("lim-1", KNOWN_ENTERPRISE, BUYER, 4_000_000))
    assert first.decision == finance_pb2.CREDIT_LIMIT_DECISION_APPROVED
    assert wire_money.to_decimal(first.approved_amount) == 4_000_000
    assert first.buyer_group == BUYER and first.version == 1
    # 2. Another exporter on the buyer's subsidiary: the group's capacity (1.5 x USD 5m at
    #    grade 5) has USD 3.5m left, so the limit is reduced to it.
    second = story.call(
        "RequestCreditLimit", _limit("lim-2", SECOND_EXPORTER, AFFILIATE, 4_000_000)
    )
    assert second.decision == finance_pb2.CREDIT_LIMIT_DECISION_REDUCED
    assert wire_money.to_decimal(second.approved_amount) == 3_500_000
    assert [r.code for r in second.reasons] == ["BUYER_GROUP_ACCUMULATION"]
    assert second.buyer_group == BUYER
    # The book's exposure as Prometheus scrapes it: Brazil is category 4; the largest buyer
    # holds USD 4m of its USD 5m capacity.
    assert story.stack.sample("finance_exposure_usd", {"country_category": "4"}) == 7_500_000
    assert story.stack.sample("finance_buyer_capacity_share", {"rank": "1"}) == 0.8
    assert story.stack.sample("finance_buyer_capacity_share", {"rank": "2"}) == 0.7
    # 3. The insurer quotes the first exporter's sales to the buyer and binds the quote.
    quote = story.call(
        "QuotePremium",
        short_term_request(
            "story-quote", buyer=_buyer(BUYER), insured_amount=money(1_000_000),
            waiting_period_days=90,
        ),
    )  # fmt: skip
    assert quote.outcome == finance_pb2.QUOTED and quote.breakdown.waiting_period_days == 90
    policy = story.call(
        "BindPolicy", finance_pb2.BindPolicyRequest(request_id="bind-1", quote_id=quote.quote_id)
    )
    assert policy.state == finance_pb2.POLICY_STATE_IN_FORCE
    assert policy.insured == KNOWN_ENTERPRISE and policy.insurer == "insurer-1"
    [covered] = policy.covered_buyers
    assert covered.credit_limit == first.name
    assert wire_money.to_decimal(covered.limit_amount) == 4_000_000
    # The largest cover (political 95 %) of the insured amount, within the limit.
    assert wire_money.to_decimal(policy.maximum_liability) == 950_000
    schedule = [wire_money.to_decimal(i.amount) for i in policy.premium_schedule]
    assert len(schedule) == 4 and sum(schedule) == wire_money.to_decimal(quote.premium)
    # 4. The insurer names bank-1 as loss payee.
    assigned = story.call(
        "AssignPolicy",
        finance_pb2.AssignPolicyRequest(policy_number=policy.policy_number, loss_payee="bank-1"),
    )
    assert assigned.loss_payee == "bank-1"
    # 5. bank-1 (another tenant) finances a receivable on the buyer against the policy.
    ask = financing_request(
        "fin-1", policy_number=policy.policy_number, receivable=money(500_000), tenor_days=60,
        buyer=_buyer(BUYER), commercial_cover=0, political_cover=0,
    )  # fmt: skip
    financed = story.call("QuotePolicyFinancing", ask, who="bank-1")
    assert financed.outcome == finance_pb2.QUOTED and financed.policy_number == policy.policy_number
    assert financed.buyer_default_probability == pytest.approx(first.buyer_default_probability)
    assert 0 < financed.advance_rate <= 0.9
    # Beyond the buyer's limit, in another currency, past the policy's credit period: refused.
    with pytest.raises(grpc.RpcError) as refused:
        story.call(
            "QuotePolicyFinancing",
            financing_request(
                "fin-2", policy_number=policy.policy_number, receivable=money(5_000_000, "EUR"),
                tenor_days=120, buyer=_buyer(BUYER),
            ),
            who="bank-1",
        )  # fmt: skip
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(refused.value) == {"receivable.currency_code", "tenor_days"}
    with pytest.raises(grpc.RpcError) as over_limit:
        story.call(
            "QuotePolicyFinancing",
            financing_request(
                "fin-2b", policy_number=policy.policy_number, receivable=money(4_000_001),
                tenor_days=60, buyer=_buyer(BUYER),
            ),
            who="bank-1",
        )  # fmt: skip
    assert field_violations(over_limit.value) == {"receivable"}
    # 6. bank-2 is not the loss payee: the policy does not exist for it.
    with pytest.raises(grpc.RpcError) as stranger:
        story.call("QuotePolicyFinancing", ask, who="bank-2")
    assert stranger.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as hidden:
        story.call(
            "GetPolicy",
            finance_pb2.GetPolicyRequest(policy_number=policy.policy_number),
            who="bank-2",
        )
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    # 7. The buyer does not pay an invoice due 60 days in.
    story.advance(61)
    due = START + timedelta(days=60)
    overdue = story.call(
        "ReportOverdue",
        finance_pb2.ReportOverdueRequest(
            request_id="od-1", policy_number=policy.policy_number, buyer_id=BUYER,
            amount=money(200_000), due_time=_stamp(due),
        ),
    )  # fmt: skip
    assert wire_money.to_decimal(overdue.covered_buyers[0].overdue_amount) == 200_000
    # New financing on an overdue buyer is declined.
    again = story.call(
        "QuotePolicyFinancing", financing_request(
            "fin-3", policy_number=policy.policy_number, receivable=money(100_000),
            tenor_days=30, buyer=_buyer(BUYER),
        ), who="bank-1",
    )  # fmt: skip
    assert again.outcome == finance_pb2.DECLINED
    # 8. A claim inside the 90-day waiting period is refused; after it, it is paid.
    claim = finance_pb2.FileClaimRequest(
        request_id="claim-1", policy_number=policy.policy_number, buyer_id=BUYER,
        loss=money(200_000),
    )  # fmt: skip
    story.advance(30)
    with pytest.raises(grpc.RpcError) as early:
        story.call("FileClaim", claim)
    assert early.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    story.advance(60)
    paid = story.call("FileClaim", claim)
    assert paid.decision == finance_pb2.CLAIM_DECISION_PAID
    assert wire_money.to_decimal(paid.indemnity) == 180_000  # 90 % commercial cover
    assert paid.payee == "bank-1"
    assert story.call("FileClaim", claim) == paid  # a repeat is the same answer
    # 9. Every change is in the policy's audit trail, which the loss payee may read.
    events = story.call(
        "ListPolicyEvents",
        finance_pb2.ListPolicyEventsRequest(policy_number=policy.policy_number),
        who="bank-1",
    ).events
    assert [e.event for e in events] == ["BOUND", "ASSIGNED", "OVERDUE_REPORTED", "CLAIM_PAID"]
    assert [e.policy_version for e in events] == [1, 2, 3, 4]
    assert all(e.actor == "insurer-1/INSURER" for e in events)


def test_limits_are_versioned_listed_and_cancelled(story: Story) -> None:
    first = story.call("RequestCreditLimit", _limit("v-1", "ENT-V", "BUY-V", 100_000))
    raised = story.call("RequestCreditLimit", _limit("v-2", "ENT-V", "BUY-V", 250_000))
    assert raised.name == first.name and raised.version == 2
    listed = story.call(
        "ListCreditLimits", finance_pb2.ListCreditLimitsRequest(exporter_id="ENT-V")
    ).credit_limits
    assert [(limit.name, limit.version) for limit in listed] == [(first.name, 2)]
    cancelled = story.call(
        "CancelCreditLimit", finance_pb2.CancelCreditLimitRequest(name=first.name)
    )
    assert cancelled.state == finance_pb2.CREDIT_LIMIT_STATE_CANCELLED and cancelled.version == 3
    with pytest.raises(grpc.RpcError) as again:
        story.call("CancelCreditLimit", finance_pb2.CancelCreditLimitRequest(name=first.name))
    assert again.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as other_insurer:
        story.call(
            "GetCreditLimit", finance_pb2.GetCreditLimitRequest(name=first.name), who="insurer-2"
        )
    assert other_insurer.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_buyer_outside_the_appetite_is_declined_not_priced(story: Story) -> None:
    limit = story.call(
        "RequestCreditLimit", _limit("app-1", "ENT-A", "BUY-A", 50_000, buyer=_buyer("BUY-A", 10))
    )
    assert limit.decision == finance_pb2.CREDIT_LIMIT_DECISION_DECLINED
    assert [r.code for r in limit.reasons] == ["BUYER_RISK_OUTSIDE_APPETITE"]
    assert wire_money.to_decimal(limit.approved_amount) == 0


def test_a_reused_request_id_with_another_body_is_refused(story: Story) -> None:
    story.call("RequestCreditLimit", _limit("reuse-1", "ENT-R", "BUY-R", 10_000))
    with pytest.raises(grpc.RpcError) as reused:
        story.call("RequestCreditLimit", _limit("reuse-1", "ENT-R", "BUY-R", 20_000))
    assert reused.value.code() == grpc.StatusCode.ALREADY_EXISTS


def test_cancelling_a_policy_refunds_the_unearned_premium(story: Story) -> None:
    story.call("RequestCreditLimit", _limit("c-lim", KNOWN_ENTERPRISE, "BUY-C", 500_000))
    quote = story.call(
        "QuotePremium",
        short_term_request("c-quote", buyer=_buyer("BUY-C"), insured_amount=money(400_000)),
    )
    policy = story.call(
        "BindPolicy", finance_pb2.BindPolicyRequest(request_id="c-bind", quote_id=quote.quote_id)
    )
    with pytest.raises(grpc.RpcError) as twice:
        story.call(
            "BindPolicy",
            finance_pb2.BindPolicyRequest(request_id="c-bind-2", quote_id=quote.quote_id),
        )
    assert twice.value.code() == grpc.StatusCode.ALREADY_EXISTS
    start = policy.start_time.ToDatetime(tzinfo=UTC)
    halfway = start + timedelta(days=73)  # a fifth of the year: one instalment paid
    cancelled = story.call(
        "CancelPolicy",
        finance_pb2.CancelPolicyRequest(
            policy_number=policy.policy_number, cancel_time=_stamp(halfway)
        ),
    )
    premium = wire_money.to_decimal(policy.premium)
    paid = wire_money.to_decimal(policy.premium_schedule[0].amount)
    refund = wire_money.to_decimal(cancelled.premium_refund)
    assert cancelled.state == finance_pb2.POLICY_STATE_CANCELLED
    assert refund == (paid - premium * Decimal(73) / Decimal(365)).quantize(Decimal("0.01"))
    assert len(cancelled.premium_schedule) == 1


def test_binding_needs_a_credit_limit(story: Story) -> None:
    quote = story.call(
        "QuotePremium", short_term_request("nolimit-quote", buyer=_buyer("BUY-NOLIMIT"))
    )
    with pytest.raises(grpc.RpcError) as refused:
        story.call(
            "BindPolicy",
            finance_pb2.BindPolicyRequest(request_id="nolimit", quote_id=quote.quote_id),
        )
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_an_absurd_premium_is_declined_not_quoted(story: Story) -> None:
    worst = short_term_request(
        "absurd", buyer=_buyer("BUY-WORST", 10), country_risk_category=7, credit_days=360,
        commercial_cover=1.0, political_cover=1.0,
    )  # fmt: skip
    quote = story.call("QuotePremium", worst)
    assert quote.outcome == finance_pb2.DECLINED and quote.premium_rate == 0
    assert any("appetite" in reason for reason in quote.decline_reasons)

"""The demo's underwriting story: credit limits with accumulation over a buyer group, a policy
bound from a quote and assigned to a bank, financing by that bank (and a refusal for another),
an overdue buyer and a paid claim."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import grpc
import polars as pl
from google.protobuf.timestamp_pb2 import Timestamp

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc
from services.common.client import ChannelConfig, connect
from services.common.money import from_decimal, to_decimal
from services.finance.appetite import BUYER_CAPACITY_USD_BY_GRADE

Metadata = tuple[tuple[str, str], ...]
#: Grades the demo picks buyers from: inside the default appetite.
DEMO_GRADES = (3, 4, 5, 6, 7)


@dataclass(frozen=True)
class Cast:
    """Who plays the story, picked from the generated data."""

    exporter: str
    exporter_name: str
    second_exporter: str
    buyer: dict[str, object]
    affiliate: dict[str, object]
    grade: int


def _banner(title: str) -> None:
    print(f"\n{'-' * 78}\n{title}\n{'-' * 78}", flush=True)


def _usd(units: Decimal) -> common_pb2.Money:
    return from_decimal(units, "USD")


def _shown(value: common_pb2.Money) -> str:
    return f"{value.currency_code} {to_decimal(value):,.2f}"


def _group_of_two(data_dir: Path) -> tuple[str, str]:
    """Two buyers owned by one enterprise (one buyer group), or one buyer twice."""
    owned = (
        pl.read_parquet(data_dir / "relations.parquet")
        .filter(pl.col("relation") == "OWNERSHIP")
        .join(pl.read_parquet(data_dir / "buyers.parquet"), left_on="party_b", right_on="buyer_id")
        .filter(pl.col("buyer_grade").is_in(DEMO_GRADES))
        .group_by("party_a")
        .agg(pl.col("party_b").sort())
        .filter(pl.col("party_b").list.len() >= 2)
        .sort("party_a")
    )
    if owned.height:
        first, second = owned["party_b"][0][:2]
        return str(first), str(second)
    buyers = pl.read_parquet(data_dir / "buyers.parquet")
    buyer = buyers.filter(pl.col("buyer_grade").is_in(DEMO_GRADES)).sort("buyer_id")["buyer_id"][0]
    return str(buyer), str(buyer)


def cast(data_dir: Path, exporter: str) -> Cast:
    buyers = pl.read_parquet(data_dir / "buyers.parquet")
    first, second = _group_of_two(data_dir)
    row = buyers.filter(pl.col("buyer_id") == first).row(0, named=True)
    affiliate = buyers.filter(pl.col("buyer_id") == second).row(0, named=True)
    enterprises = pl.read_parquet(data_dir / "enterprises.parquet").sort("enterprise_id")
    name = enterprises.filter(pl.col("enterprise_id") == exporter)["name"][0]
    other = enterprises.filter(pl.col("enterprise_id") != exporter)["enterprise_id"][0]
    return Cast(exporter, name, other, row, affiliate, int(row["buyer_grade"]))


def _buyer(row: dict[str, object], grade: int) -> finance_pb2.Buyer:
    return finance_pb2.Buyer(
        buyer_id=str(row["buyer_id"]), name=str(row["name"]), country_code=str(row["country"]),
        grade=grade,
    )  # fmt: skip


def _md(token: str) -> Metadata:
    return (("authorization", f"Bearer {token}"),)


def underwriting_story(target: str, tokens: dict[str, str], data_dir: Path, exporter: str) -> None:
    """Play the story against the finance service at ``target``."""
    who = cast(data_dir, exporter)
    with connect(ChannelConfig(target, timeout_seconds=15)) as channel:
        stub = finance_pb2_grpc.CreditInsuranceStub(channel)
        insurer = _md(tokens["insurer"])
        ask = BUYER_CAPACITY_USD_BY_GRADE[who.grade] * Decimal("0.8")
        limit = _limits(stub, insurer, who, ask)
        policy = _bind(stub, insurer, who, limit, ask / 2)
        _finance(stub, tokens, who, policy, ask / 4)
        _claim(stub, insurer, who, policy, ask / 8)


def _limit_request(
    exporter: str, buyer: finance_pb2.Buyer, amount: Decimal
) -> finance_pb2.RequestCreditLimitRequest:
    return finance_pb2.RequestCreditLimitRequest(
        request_id=str(uuid.uuid4()), exporter_id=exporter, buyer=buyer, amount=_usd(amount),
        payment_terms=common_pb2.OA, credit_days=90,
    )  # fmt: skip


def _show_limit(limit: finance_pb2.CreditLimit) -> None:
    decision = finance_pb2.CreditLimitDecision.Name(limit.decision).rsplit("_", 1)[-1]
    print(
        f"{limit.exporter_id} on {limit.buyer.buyer_id} (group {limit.buyer_group}): "
        f"asked {_shown(limit.requested_amount)} -> {decision} {_shown(limit.approved_amount)}"
    )
    for reason in limit.reasons:
        print(f"  {reason.code}: {reason.message}")


def _limits(
    stub: finance_pb2_grpc.CreditInsuranceStub, md: Metadata, who: Cast, ask: Decimal
) -> finance_pb2.CreditLimit:
    _banner(f"INSURER  RequestCreditLimit: two exporters on one buyer group (grade {who.grade})")
    first: finance_pb2.CreditLimit = stub.RequestCreditLimit(
        _limit_request(who.exporter, _buyer(who.buyer, who.grade), ask), metadata=md
    )
    _show_limit(first)
    second = stub.RequestCreditLimit(
        _limit_request(who.second_exporter, _buyer(who.affiliate, who.grade), ask), metadata=md
    )
    _show_limit(second)
    return first


def _bind(
    stub: finance_pb2_grpc.CreditInsuranceStub, md: Metadata, who: Cast,
    limit: finance_pb2.CreditLimit, insured: Decimal,
) -> finance_pb2.Policy:  # fmt: skip
    quote = stub.QuotePremium(
        finance_pb2.QuotePremiumRequest(
            request_id=str(uuid.uuid4()), policy_type=finance_pb2.SHORT_TERM,
            exporter_id=who.exporter, exporter_name=who.exporter_name,
            buyer=_buyer(who.buyer, who.grade), insured_amount=_usd(insured),
            payment_terms=common_pb2.OA, credit_days=90, commercial_cover=0.9,
            political_cover=0.95, waiting_period_days=0,
        ),
        metadata=md,
    )  # fmt: skip
    policy: finance_pb2.Policy = stub.BindPolicy(
        finance_pb2.BindPolicyRequest(request_id=str(uuid.uuid4()), quote_id=quote.quote_id),
        metadata=md,
    )
    _banner(f"INSURER  QuotePremium + BindPolicy on {limit.name}")
    print(f"quote {quote.quote_id}: premium {_shown(quote.premium)} ({quote.premium_rate:.4%})")
    print(
        f"policy {policy.policy_number}: insured {policy.insured}, maximum liability "
        f"{_shown(policy.maximum_liability)}, waiting period {policy.waiting_period_days} days"
    )
    for instalment in policy.premium_schedule:
        due = instalment.due_time.ToDatetime()
        print(f"  premium due {due:%Y-%m-%d}  {_shown(instalment.amount)}")
    return policy


def _finance(
    stub: finance_pb2_grpc.CreditInsuranceStub, tokens: dict[str, str], who: Cast,
    policy: finance_pb2.Policy, receivable: Decimal,
) -> None:  # fmt: skip
    stub.AssignPolicy(
        finance_pb2.AssignPolicyRequest(policy_number=policy.policy_number, loss_payee="demo-bank"),
        metadata=_md(tokens["insurer"]),
    )
    _banner("INSURER  AssignPolicy to demo-bank; BANK  QuotePolicyFinancing against the policy")

    def ask() -> finance_pb2.QuotePolicyFinancingRequest:
        return finance_pb2.QuotePolicyFinancingRequest(
            request_id=str(uuid.uuid4()), exporter_id=who.exporter,
            exporter_name=who.exporter_name, receivable=_usd(receivable), tenor_days=60,
            buyer=_buyer(who.buyer, who.grade), policy_number=policy.policy_number,
        )  # fmt: skip

    quote = stub.QuotePolicyFinancing(ask(), metadata=_md(tokens["bank"]))
    print(
        f"demo-bank: {finance_pb2.QuoteOutcome.Name(quote.outcome)}, advance "
        f"{_shown(quote.advance_amount)} ({quote.advance_rate:.1%}), margin "
        f"{quote.interest_margin:.2%} a year, buyer PD {quote.buyer_default_probability:.2%}"
    )
    try:
        stub.QuotePolicyFinancing(ask(), metadata=_md(tokens["other-bank"]))
    except grpc.RpcError as error:
        print(f"demo-other-bank: {error.code().name} ({error.details()})")


def _stamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def _claim(
    stub: finance_pb2_grpc.CreditInsuranceStub, md: Metadata, who: Cast,
    policy: finance_pb2.Policy, unpaid: Decimal,
) -> None:  # fmt: skip
    buyer_id = str(who.buyer["buyer_id"])
    stub.ReportOverdue(
        finance_pb2.ReportOverdueRequest(
            request_id=str(uuid.uuid4()), policy_number=policy.policy_number, buyer_id=buyer_id,
            amount=_usd(unpaid), due_time=_stamp(datetime.now(UTC)),
        ),
        metadata=md,
    )  # fmt: skip
    claim = stub.FileClaim(
        finance_pb2.FileClaimRequest(
            request_id=str(uuid.uuid4()), policy_number=policy.policy_number, buyer_id=buyer_id,
            loss=_usd(unpaid),
        ),
        metadata=md,
    )  # fmt: skip
    events = stub.ListPolicyEvents(
        finance_pb2.ListPolicyEventsRequest(policy_number=policy.policy_number), metadata=md
    ).events
    _banner(
        f"INSURER  ReportOverdue + FileClaim: buyer {buyer_id} leaves {_shown(claim.loss)} unpaid"
    )
    print(
        f"claim {finance_pb2.ClaimDecision.Name(claim.decision).rsplit('_', 1)[-1]}: indemnity "
        f"{_shown(claim.indemnity)} to {claim.payee}"
    )
    print("audit trail: " + ", ".join(f"{e.sequence} {e.event}" for e in events))

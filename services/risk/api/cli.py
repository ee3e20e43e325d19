"""`tradeguard score`: ask a running risk service for a financing score."""

from __future__ import annotations

import argparse
import os
from decimal import Decimal
from typing import Any

from services.common.cli_groups import SubParsers

PRODUCTS = ("ORDER_FINANCING", "RECEIVABLES_FINANCING", "INVENTORY_PLEDGE", "POLICY_FINANCING")


def register(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score a financing request on the risk service",
        description="Prints the decision, PD, grade, recommended limit and reasons.",
    )
    parser.add_argument("--enterprise", required=True, help="exporter's enterprise_id")
    parser.add_argument("--amount", required=True, type=Decimal, help="requested principal")
    parser.add_argument("--currency", default="USD", help="ISO 4217 code (default USD)")
    parser.add_argument("--tenor", required=True, type=int, help="tenor in days")
    parser.add_argument("--product", required=True, choices=PRODUCTS)
    parser.add_argument(
        "--target", default=os.environ.get("TRADEGUARD_RISK_TARGET", "localhost:50051")
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("TRADEGUARD_TOKEN"),
        help="bearer token (default: $TRADEGUARD_TOKEN)",
    )
    parser.add_argument("--timeout", type=float, default=5.0, help="deadline in seconds")
    parser.set_defaults(func=run_score)


def build_request(args: argparse.Namespace) -> Any:
    from services._proto.tradeguard.common.v1 import common_pb2
    from services._proto.tradeguard.risk.v1 import risk_pb2

    units = int(args.amount)
    nanos = int((args.amount - units) * 1_000_000_000)
    return risk_pb2.ScoreFinancingRequest(
        enterprise_id=args.enterprise,
        product=args.product,
        amount=common_pb2.Money(currency_code=args.currency, units=units, nanos=nanos),
        tenor_days=args.tenor,
    )


def format_score(score: Any) -> str:
    from services._proto.tradeguard.risk.v1 import risk_pb2

    limit = score.recommended_limit
    lines = [
        f"decision            {risk_pb2.Decision.Name(score.decision)}",
        f"probability of default {score.probability_of_default:.4%} (tenor)",
        f"score               {score.score:.0f} points",
        f"grade               {risk_pb2.Grade.Name(score.grade)}",
        f"recommended limit   {limit.currency_code} {limit.units + limit.nanos / 1e9:,.2f}",
        f"model version       {score.model_version}",
        "reasons:",
        *(f"  {r.contribution:+.3f}  {r.message}" for r in score.reasons),
    ]
    lines.extend(f"policy note: {note}" for note in score.policy_notes)
    return "\n".join(lines)


def run_score(args: argparse.Namespace) -> int:
    import grpc

    from services._proto.tradeguard.risk.v1 import risk_pb2_grpc
    from services.common.client import ChannelConfig, connect

    config = ChannelConfig(target=args.target, token=args.token, timeout_seconds=args.timeout)
    with connect(config) as channel:
        stub = risk_pb2_grpc.RiskScoringStub(channel)
        try:
            score = stub.ScoreFinancing(build_request(args), timeout=args.timeout)
        except grpc.RpcError as error:
            print(f"error: {error.code().name}: {error.details()}")
            return 1
    print(format_score(score))
    return 0

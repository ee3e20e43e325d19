"""`tradeguard score`: ask a running risk service for a financing score."""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path
from typing import Any

from services.commandline.errors import CommandError
from services.commandline.output import add_json_flag, print_json
from services.commandline.remote import add_connection_flags, open_channel
from services.commandline.values import amount, currency_code, positive_int
from services.common.cli_groups import SubParsers

PRODUCTS = ("ORDER_FINANCING", "RECEIVABLES_FINANCING", "INVENTORY_PLEDGE", "POLICY_FINANCING")


def register(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score a financing request on the risk service",
        description="Prints the decision, probability of default, grade, recommended limit and "
        "the reasons behind them.",
    )
    parser.add_argument("--enterprise", required=True, help="exporter's enterprise_id")
    parser.add_argument(
        "--amount", required=True, type=amount, help="requested principal, e.g. 100000 or 100,000"
    )
    parser.add_argument(
        "--currency", type=currency_code, default="USD", help="ISO 4217 code of --amount"
    )
    parser.add_argument("--tenor", required=True, type=positive_int, help="tenor in days")
    parser.add_argument("--product", required=True, choices=PRODUCTS, help="financing product")
    parser.add_argument("--request-id", default=None, help="idempotency key (default: random)")
    parser.add_argument(
        "--record",
        type=Path,
        default=None,
        metavar="FILE",
        help="score a new applicant from its own trade record instead of the served feature "
        "table: a JSON file holding a tradeguard.risk.v1.TradeRecord (as_of, enterprise, "
        "buyers, orders, payments, waybills, declarations, financings)",
    )
    add_json_flag(parser)
    add_connection_flags(parser, "risk", timeout=5.0)
    parser.set_defaults(func=run_score)


def build_request(args: argparse.Namespace) -> Any:
    from services._proto.tradeguard.risk.v1 import risk_pb2
    from services.common.money import from_decimal

    request = risk_pb2.ScoreFinancingRequest(
        request_id=args.request_id or uuid.uuid4().hex,
        enterprise_id=args.enterprise,
        product=args.product,
        amount=from_decimal(args.amount, args.currency),
        tenor_days=args.tenor,
    )
    if args.record is not None:
        request.trade_record.CopyFrom(read_record(args.record))
    return request


def read_record(path: Path) -> Any:
    """The TradeRecord in a JSON file; CommandError naming the file and what is wrong."""
    from google.protobuf import json_format

    from services._proto.tradeguard.risk.v1 import risk_pb2

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read trade record {path}: {error}") from error
    try:
        return json_format.Parse(text, risk_pb2.TradeRecord())
    except json_format.ParseError as error:
        raise CommandError(f"{path} is not a trade record: {error}") from error


def format_score(score: Any) -> str:
    from services._proto.tradeguard.risk.v1 import risk_pb2
    from services.common.money import to_decimal

    limit = score.recommended_limit
    lines = [
        f"decision            {risk_pb2.Decision.Name(score.decision)}",
        f"probability of default {score.probability_of_default:.4%} (tenor)",
        f"score               {score.score:.0f} points",
        f"grade               {risk_pb2.Grade.Name(score.grade)}",
        f"recommended limit   {limit.currency_code} {to_decimal(limit):,.2f}",
        f"model version       {score.model_version}",
        *(
            ["thin file           yes: too short a trade history to approve"]
            if score.thin_file
            else []
        ),
        "reasons:",
        *(f"  {r.code:<4} {r.message}" for r in score.reasons),
    ]
    lines.extend(f"policy note: {note}" for note in score.policy_notes)
    return "\n".join(lines)


def run_score(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.risk.v1 import risk_pb2_grpc

    request = build_request(args)
    with open_channel(args) as channel:
        score = risk_pb2_grpc.RiskScoringStub(channel).ScoreFinancing(request)
    if args.json:
        print_json(score)
    else:
        print(format_score(score))
    return 0

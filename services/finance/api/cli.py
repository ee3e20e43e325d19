"""`tradeguard quote ...`: premium and policy-financing quotes, and the offline MPR calculator.

    tradeguard quote premium --exporter-id E-1 --exporter-name "Ningbo Tools" \
        --buyer-name "Acme" --buyer-country BR --grade 5 --amount 100000 --currency USD \
        --terms OA --credit-days 90
    tradeguard quote premium --policy-type MEDIUM_LONG_TERM --buyer-country TR \
        --buyer-category CC1 --disbursement-months 6 --repayment-years 10 ...
    tradeguard quote financing --exporter-id E-1 --exporter-name "Ningbo Tools" \
        --receivable 200000 --tenor-days 90 --premium-quote-id QUOTE_ID ...
    tradeguard quote get QUOTE_ID
    tradeguard quote mpr --country-category 5 --buyer-category CC1 \
        --disbursement-months 6 --repayment-years 10      # offline, no server

Quote commands call the running service (``--target`` or ``TRADEGUARD_FINANCE_TARGET``, token
from ``--token`` or ``TRADEGUARD_TOKEN``) and print the quote as JSON. Heavy imports stay inside
the functions so ``tradeguard --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import os
import uuid
from typing import Any

TERMS = ("PREPAID", "LC", "DP", "DA", "OA")
CATEGORIES = ("SOV_PLUS", "SOV_CC0", "CC1", "CC2", "CC3", "CC4", "CC5")
QUALITIES = ("BELOW_STANDARD", "STANDARD", "ABOVE_STANDARD")


def register(subparsers: Any) -> None:
    quote = subparsers.add_parser("quote", help="credit insurance quotes and the OECD MPR")
    commands = quote.add_subparsers(dest="quote_command", required=True, metavar="ACTION")
    _register_premium(commands)
    _register_financing(commands)
    get = commands.add_parser("get", help="a stored quote by id")
    get.add_argument("quote_id")
    _connection_flags(get)
    get.set_defaults(func=_get)
    _register_mpr(commands)


def _connection_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        default=os.environ.get("TRADEGUARD_FINANCE_TARGET", "localhost:50053"),
        help="host:port of the finance service (env TRADEGUARD_FINANCE_TARGET)",
    )
    parser.add_argument("--token", default=None, help="bearer token (env TRADEGUARD_TOKEN)")
    parser.add_argument("--ca-file", default=None, help="CA bundle for a TLS connection")
    parser.add_argument("--timeout", type=float, default=10.0, help="deadline in seconds")
    parser.add_argument("--request-id", default=None, help="idempotency key (default: random)")


def _mlt_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--disbursement-months", type=float, default=0.0)
    parser.add_argument("--repayment-years", type=float, default=0.0)
    parser.add_argument("--buyer-category", choices=CATEGORIES)
    parser.add_argument("--buyer-rating", default="", help='agency rating, e.g. "BB-"')
    parser.add_argument("--product-quality", choices=QUALITIES, default="STANDARD")
    parser.add_argument("--local-currency-factor", type=float, default=0.0)
    parser.add_argument("--credit-enhancement-factor", type=float, default=0.0)


def _register_premium(commands: Any) -> None:
    parser = commands.add_parser("premium", help="quote an insurance premium")
    _connection_flags(parser)
    parser.add_argument("--policy-type", choices=("SHORT_TERM", "MEDIUM_LONG_TERM"),
                        default="SHORT_TERM")  # fmt: skip
    parser.add_argument("--exporter-id", required=True)
    parser.add_argument("--exporter-name", required=True, help="legal name, screened")
    parser.add_argument("--buyer-id", default="")
    parser.add_argument("--buyer-name", required=True)
    parser.add_argument("--buyer-country", required=True, help="ISO 3166-1 alpha-2")
    parser.add_argument("--grade", type=int, default=0, help="buyer grade 1..10 (0: unknown)")
    parser.add_argument("--amount", required=True, help="insured amount, e.g. 100000.00")
    parser.add_argument("--currency", default="USD")
    parser.add_argument("--terms", choices=TERMS, help="payment terms (short-term)")
    parser.add_argument("--credit-days", type=int, default=0)
    parser.add_argument("--commercial-cover", type=float, default=0.9)
    parser.add_argument("--political-cover", type=float, default=0.95)
    parser.add_argument("--country-category", type=int, default=None)
    parser.add_argument(
        "--waiting-days", type=int, default=None, help="claims waiting period (default: tariff's)"
    )
    _mlt_flags(parser)
    parser.set_defaults(func=_premium)


def _register_financing(commands: Any) -> None:
    parser = commands.add_parser("financing", help="quote an advance on an insured receivable")
    _connection_flags(parser)
    parser.add_argument("--exporter-id", required=True)
    parser.add_argument("--exporter-name", required=True, help="legal name, screened")
    parser.add_argument("--receivable", required=True, help="amount, e.g. 200000")
    parser.add_argument("--currency", default="USD")
    parser.add_argument("--tenor-days", type=int, required=True)
    parser.add_argument("--commercial-cover", type=float, default=0.9)
    parser.add_argument("--political-cover", type=float, default=0.95)
    parser.add_argument("--buyer-name", required=True)
    parser.add_argument("--buyer-country", required=True)
    parser.add_argument(
        "--premium-quote-id", default="", help="premium quote the receivable is insured under"
    )
    parser.set_defaults(func=_financing)


def _register_mpr(commands: Any) -> None:
    parser = commands.add_parser("mpr", help="OECD minimum premium rate with its terms (offline)")
    parser.add_argument("--country-category", type=int, required=True)
    parser.add_argument("--commercial-cover", type=float, default=0.95)
    parser.add_argument("--political-cover", type=float, default=0.95)
    _mlt_flags(parser)
    parser.set_defaults(func=_mpr)


def _money(amount: str, currency: str) -> Any:
    from decimal import Decimal

    from services.common.money import from_decimal

    return from_decimal(Decimal(amount), currency.upper())


def _premium_request(args: argparse.Namespace) -> Any:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    request = finance_pb2.QuotePremiumRequest(
        request_id=args.request_id or uuid.uuid4().hex,
        policy_type=args.policy_type,
        exporter_id=args.exporter_id,
        exporter_name=args.exporter_name,
        buyer=finance_pb2.Buyer(
            buyer_id=args.buyer_id,
            name=args.buyer_name,
            country_code=args.buyer_country,
            grade=args.grade,
            buyer_rating=args.buyer_rating,
        ),  # fmt: skip
        insured_amount=_money(args.amount, args.currency),
        payment_terms=args.terms,
        credit_days=args.credit_days,
        commercial_cover=args.commercial_cover,
        political_cover=args.political_cover,
        disbursement_months=round(args.disbursement_months),
        repayment_years=args.repayment_years,
        buyer_category=args.buyer_category,
        product_quality=args.product_quality,
        local_currency_factor=args.local_currency_factor,
        credit_enhancement_factor=args.credit_enhancement_factor,
    )
    if args.waiting_days is not None:
        request.waiting_period_days = args.waiting_days
    if args.country_category is not None:
        request.country_risk_category = args.country_category
    return request


def _financing_request(args: argparse.Namespace) -> Any:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    return finance_pb2.QuotePolicyFinancingRequest(
        request_id=args.request_id or uuid.uuid4().hex,
        exporter_id=args.exporter_id,
        exporter_name=args.exporter_name,
        receivable=_money(args.receivable, args.currency),
        tenor_days=args.tenor_days,
        commercial_cover=args.commercial_cover,
        political_cover=args.political_cover,
        premium_quote_id=args.premium_quote_id,
        buyer=finance_pb2.Buyer(name=args.buyer_name, country_code=args.buyer_country),
    )


def _call(args: argparse.Namespace, method: str, request: Any) -> int:
    import grpc
    from google.protobuf.json_format import MessageToDict

    from services._proto.tradeguard.finance.v1 import finance_pb2_grpc
    from services.common.client import ChannelConfig, connect

    token = args.token or os.environ.get("TRADEGUARD_TOKEN")
    config = ChannelConfig(
        target=args.target, token=token, ca_file=args.ca_file, timeout_seconds=args.timeout
    )
    with connect(config) as channel:
        stub = finance_pb2_grpc.CreditInsuranceStub(channel)
        try:
            reply = getattr(stub, method)(request, timeout=args.timeout)
        except grpc.RpcError as error:
            print(json.dumps({"code": error.code().name, "message": error.details()}))
            return 1
    print(json.dumps(MessageToDict(reply), indent=2, ensure_ascii=False))
    return 0


def _premium(args: argparse.Namespace) -> int:
    return _call(args, "QuotePremium", _premium_request(args))


def _financing(args: argparse.Namespace) -> int:
    return _call(args, "QuotePolicyFinancing", _financing_request(args))


def _get(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    return _call(args, "GetQuote", finance_pb2.GetQuoteRequest(quote_id=args.quote_id))


def _mpr(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from services.common.errors import ValidationError
    from services.finance.mpr import BuyerCategory, MprTerms, ProductQuality, minimum_premium_rate

    terms = MprTerms(
        country_category=args.country_category,
        disbursement_months=args.disbursement_months,
        repayment_years=args.repayment_years,
        commercial_cover=args.commercial_cover,
        political_cover=args.political_cover,
        buyer_category=BuyerCategory[args.buyer_category] if args.buyer_category else None,
        buyer_rating=args.buyer_rating or None,
        product_quality=ProductQuality[args.product_quality],
        local_currency_factor=args.local_currency_factor,
        credit_enhancement_factor=args.credit_enhancement_factor,
    )
    try:
        result = minimum_premium_rate(terms)
    except ValidationError as error:
        violations = [
            {"field": v.field, "description": v.description} for v in error.field_violations
        ]
        print(json.dumps({"code": "INVALID_ARGUMENT", "field_violations": violations}))
        return 1
    out = {**asdict(result), "buyer_category": result.buyer_category.value, "rate": result.rate}
    print(json.dumps(out, indent=2))
    return 0

"""`tradeguard quote ...`: premium and policy-financing quotes, and the offline MPR calculator.

    tradeguard quote premium --exporter-id E-1 --exporter-name "Ningbo Tools" \\
        --buyer-name "Acme" --buyer-country BR --grade 5 --amount 100000 --currency USD \\
        --terms OA --credit-days 90
    tradeguard quote premium --policy-type MEDIUM_LONG_TERM --buyer-country TR \\
        --buyer-category CC1 --disbursement-months 6 --repayment-years 10 ...
    tradeguard quote financing --exporter-id E-1 --exporter-name "Ningbo Tools" \\
        --receivable 200000 --tenor-days 90 --premium-quote-id QUOTE_ID ...
    tradeguard quote financing ... --policy-number TGP-2026-... --buyer-id B-7   # loss payee
    tradeguard quote get QUOTE_ID
    tradeguard quote mpr --country-category 5 --buyer-category CC1 \\
        --disbursement-months 6 --repayment-years 10      # offline, no server

Quote commands call the running service. Covers and factors are shares: `0.9` or `90%`.
Heavy imports stay inside the functions so ``tradeguard --help`` stays fast.
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any

from services.commandline.errors import CommandError
from services.commandline.output import add_json_flag, flat_pairs, print_json, record
from services.commandline.remote import add_connection_flags, open_channel
from services.commandline.values import (
    amount,
    country_code,
    currency_code,
    fraction,
    non_negative_int,
    positive_int,
)

TERMS = ("PREPAID", "LC", "DP", "DA", "OA")
CATEGORIES = ("SOV_PLUS", "SOV_CC0", "CC1", "CC2", "CC3", "CC4", "CC5")
QUALITIES = ("BELOW_STANDARD", "STANDARD", "ABOVE_STANDARD")
SHARE = "a fraction or a percentage: 0.9 or 90%%"


def register(subparsers: Any) -> None:
    quote = subparsers.add_parser("quote", help="credit insurance quotes and the OECD MPR")
    commands = quote.add_subparsers(dest="quote_command", required=True, metavar="ACTION")
    _register_premium(commands)
    _register_financing(commands)
    get = commands.add_parser("get", help="a stored quote by id")
    get.add_argument("quote_id", help="id printed with the quote")
    add_json_flag(get)
    add_connection_flags(get, "finance")
    get.set_defaults(func=_get)
    _register_mpr(commands)


def _cover_flags(parser: argparse.ArgumentParser, commercial: float, political: float) -> None:
    parser.add_argument(
        "--commercial-cover",
        type=fraction,
        default=commercial,
        help=f"share of a commercial loss covered, {SHARE}",
    )
    parser.add_argument(
        "--political-cover",
        type=fraction,
        default=political,
        help=f"share of a political loss covered, {SHARE}",
    )


def _mlt_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("medium/long-term (OECD Arrangement) terms")
    group.add_argument(
        "--disbursement-months", type=non_negative_int, default=0, help="disbursement period"
    )
    group.add_argument("--repayment-years", type=float, default=0.0, help="repayment period")
    group.add_argument("--buyer-category", choices=CATEGORIES, help="OECD buyer risk category")
    group.add_argument("--buyer-rating", default="", help='agency rating, e.g. "BB-"')
    group.add_argument(
        "--product-quality", choices=QUALITIES, default="STANDARD", help="OECD product quality"
    )
    group.add_argument(
        "--local-currency-factor", type=fraction, default=0.0, help=f"0 to 0.2, {SHARE}"
    )
    group.add_argument(
        "--credit-enhancement-factor", type=fraction, default=0.0, help=f"0 to 0.35, {SHARE}"
    )


def _party_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exporter-id", required=True, help="exporter's enterprise_id")
    parser.add_argument("--exporter-name", required=True, help="exporter's legal name (screened)")
    parser.add_argument("--buyer-name", required=True, help="buyer's legal name (screened)")
    parser.add_argument(
        "--buyer-country", required=True, type=country_code, help="ISO 3166-1 alpha-2 code"
    )


def _register_premium(commands: Any) -> None:
    parser = commands.add_parser(
        "premium",
        help="quote an insurance premium",
        description="Covers are shares of the loss: 0.9 and 90% mean the same. Rates in the "
        "answer are fractions of the insured amount.",
    )
    parser.add_argument(
        "--policy-type",
        choices=("SHORT_TERM", "MEDIUM_LONG_TERM"),
        default="SHORT_TERM",
        help="policy type",
    )
    _party_flags(parser)
    parser.add_argument("--buyer-id", default="", help="buyer_id in the trade data, if known")
    parser.add_argument("--grade", type=int, default=0, help="buyer grade 1..10 (0: unknown)")
    parser.add_argument(
        "--amount", required=True, type=amount, help="insured amount, e.g. 100000 or 100,000.50"
    )
    parser.add_argument("--currency", type=currency_code, default="USD", help="ISO 4217 code")
    parser.add_argument(
        "--terms", choices=TERMS, help="payment terms; required for SHORT_TERM (the default)"
    )
    parser.add_argument("--credit-days", type=non_negative_int, default=0, help="0..360")
    _cover_flags(parser, 0.9, 0.95)
    parser.add_argument(
        "--country-category",
        type=int,
        choices=range(8),
        metavar="0..7",
        help="OECD country risk category (default: the buyer country's)",
    )
    parser.add_argument(
        "--waiting-days",
        type=non_negative_int,
        default=None,
        help="claims waiting period in days (default: the tariff's)",
    )
    _mlt_flags(parser)
    _request_flags(parser)
    parser.set_defaults(func=_premium)


def _register_financing(commands: Any) -> None:
    parser = commands.add_parser("financing", help="quote an advance on an insured receivable")
    _party_flags(parser)
    parser.add_argument(
        "--receivable", required=True, type=amount, help="amount, e.g. 200000 or 200,000"
    )
    parser.add_argument("--currency", type=currency_code, default="USD", help="ISO 4217 code")
    parser.add_argument("--tenor-days", type=positive_int, required=True, help="advance tenor")
    _cover_flags(parser, 0.9, 0.95)
    parser.add_argument(
        "--premium-quote-id", default="", help="premium quote the receivable is insured under"
    )
    parser.add_argument(
        "--policy-number", default="", help="policy the receivable is insured under (loss payee)"
    )
    parser.add_argument("--buyer-id", default="", help="the covered buyer, with --policy-number")
    _request_flags(parser)
    parser.set_defaults(func=_financing)


def _request_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--request-id", default=None, help="idempotency key (default: random)")
    add_json_flag(parser)
    add_connection_flags(parser, "finance")


def _register_mpr(commands: Any) -> None:
    parser = commands.add_parser("mpr", help="OECD minimum premium rate with its terms (offline)")
    parser.add_argument(
        "--country-category",
        type=int,
        choices=range(8),
        metavar="0..7",
        required=True,
        help="OECD country risk category",
    )
    _cover_flags(parser, 0.95, 0.95)
    _mlt_flags(parser)
    add_json_flag(parser)
    parser.set_defaults(func=_mpr)


def _money(value: Any, currency: str) -> Any:
    from services.common.money import from_decimal

    return from_decimal(value, currency)


def _premium_request(args: argparse.Namespace) -> Any:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    if args.policy_type == "SHORT_TERM" and args.terms is None:
        raise CommandError("--terms is required for SHORT_TERM policies (PREPAID, LC, DP, DA, OA)")
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
        ),
        insured_amount=_money(args.amount, args.currency),
        payment_terms=args.terms,
        credit_days=args.credit_days,
        commercial_cover=args.commercial_cover,
        political_cover=args.political_cover,
        disbursement_months=args.disbursement_months,
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
        policy_number=args.policy_number,
        buyer=finance_pb2.Buyer(
            buyer_id=args.buyer_id, name=args.buyer_name, country_code=args.buyer_country
        ),
    )


def _call(args: argparse.Namespace, method: str, request: Any) -> Any:
    from services._proto.tradeguard.finance.v1 import finance_pb2_grpc

    with open_channel(args) as channel:
        return getattr(finance_pb2_grpc.CreditInsuranceStub(channel), method)(request)


def _show(args: argparse.Namespace, reply: Any) -> int:
    if args.json:
        print_json(reply)
    elif reply.DESCRIPTOR.name == "PremiumQuote":
        print(format_premium_quote(reply))
    else:
        print(record(flat_pairs(reply)))
    return 0


def _premium(args: argparse.Namespace) -> int:
    return _show(args, _call(args, "QuotePremium", _premium_request(args)))


def _financing(args: argparse.Namespace) -> int:
    return _show(args, _call(args, "QuotePolicyFinancing", _financing_request(args)))


def _get(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    reply = _call(args, "GetQuote", finance_pb2.GetQuoteRequest(quote_id=args.quote_id))
    return _show(args, getattr(reply, reply.WhichOneof("quote") or "premium_quote"))


def format_premium_quote(quote: Any) -> str:
    """A premium quote for a person: outcome, rate and premium, then where the rate comes from."""
    from services._proto.tradeguard.finance.v1 import finance_pb2
    from services.common.money import to_decimal

    def money(value: Any) -> str:
        return f"{value.currency_code} {to_decimal(value):,.2f}"

    b = quote.breakdown
    lines = [
        f"outcome        {finance_pb2.QuoteOutcome.Name(quote.outcome)}",
        f"premium rate   {quote.premium_rate:.4%}   premium {money(quote.premium)}",
        f"  buyer default probability {b.buyer_default_probability:.4%} "
        f"({b.buyer_default_probability_source})",
        f"  country category {b.country_risk_category}, event probability "
        f"{b.country_event_probability:.4%}, loss given default {b.loss_given_default:.0%}",
        f"  commercial expected loss {b.commercial_expected_loss:.4%}, country expected loss "
        f"{b.country_expected_loss:.4%}, payment-terms factor {b.payment_terms_factor:.2f}",
        f"  loadings: expense {b.expense_loading:.4%}, capital {b.capital_loading:.4%}; "
        f"technical rate {b.technical_rate:.4%}; minimum premium {money(b.minimum_premium)}",
        *(f"  declined: {reason}" for reason in quote.decline_reasons),
        *(f"  fallback: {note}" for note in quote.fallbacks),
        f"quote id       {quote.quote_id}",
    ]
    return "\n".join(lines)


def _mpr(args: argparse.Namespace) -> int:
    from dataclasses import asdict

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
    result = minimum_premium_rate(terms)
    out = {**asdict(result), "buyer_category": result.buyer_category.value, "rate": result.rate}
    if args.json:
        print_json(out)
    else:
        print(record(flat_pairs(out)))
    return 0

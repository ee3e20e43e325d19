"""Proto <-> domain conversion of the credit insurance API: requests to domain requests (with
the checks only the wire can make: presence and enums), domain outcomes to reply messages."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2
from services.common import money
from services.common.violations import FieldViolations
from services.finance.market import MARKET_BENCHMARK_SOURCE
from services.finance.mpr import BuyerCategory, MprResult, ProductQuality
from services.finance.pricing import MediumLongTerms, PolicyType, PremiumPricing, PremiumRequest
from services.finance.quoting import (
    FinancingApplication,
    FinancingOutcome,
    Parties,
    PremiumOutcome,
    QuoteHeader,
)
from services.finance.short_term import PaymentTerms

_POLICY_TYPES = {
    finance_pb2.SHORT_TERM: PolicyType.SHORT_TERM,
    finance_pb2.MEDIUM_LONG_TERM: PolicyType.MEDIUM_LONG_TERM,
}
_PAYMENT_TERMS = {
    common_pb2.PREPAID: PaymentTerms.PREPAID,
    common_pb2.LC: PaymentTerms.LC,
    common_pb2.DP: PaymentTerms.DP,
    common_pb2.DA: PaymentTerms.DA,
    common_pb2.OA: PaymentTerms.OA,
}
_BUYER_CATEGORIES = {
    finance_pb2.SOV_PLUS: BuyerCategory.SOV_PLUS,
    finance_pb2.SOV_CC0: BuyerCategory.SOV_CC0,
    finance_pb2.CC1: BuyerCategory.CC1,
    finance_pb2.CC2: BuyerCategory.CC2,
    finance_pb2.CC3: BuyerCategory.CC3,
    finance_pb2.CC4: BuyerCategory.CC4,
    finance_pb2.CC5: BuyerCategory.CC5,
}
_CATEGORY_TO_PROTO = {v: k for k, v in _BUYER_CATEGORIES.items()}
_QUALITY = {
    finance_pb2.BELOW_STANDARD: ProductQuality.BELOW_STANDARD,
    finance_pb2.ABOVE_STANDARD: ProductQuality.ABOVE_STANDARD,
}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _timestamp(value: datetime) -> Timestamp:
    """``Timestamp.FromDatetime`` by integer arithmetic (a third of its cost: every quote
    has two); naive values are UTC, as there."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    since = value - _EPOCH
    return Timestamp(seconds=since.days * 86_400 + since.seconds, nanos=since.microseconds * 1000)


def fingerprint(method: str, request: object) -> str:
    body = request.SerializeToString(deterministic=True)  # type: ignore[attr-defined]
    return hashlib.sha256(method.encode() + b"\0" + body).hexdigest()


def require(found: FieldViolations, field: str, value: str) -> None:
    if not value.strip():
        found.add(field, "required")


def quote_parties(exporter_id: str, exporter_name: str, buyer: finance_pb2.Buyer) -> Parties:
    return Parties(
        exporter_id=exporter_id,
        exporter_name=exporter_name.strip(),
        buyer_id=buyer.buyer_id,
        buyer_name=buyer.name,
        buyer_country=buyer.country_code,
    )


def premium_request(request: finance_pb2.QuotePremiumRequest) -> PremiumRequest:
    """The domain request; fields the domain cannot check (presence, enums) are checked here."""
    found = FieldViolations()
    require(found, "exporter_id", request.exporter_id)
    require(found, "exporter_name", request.exporter_name)
    require(found, "buyer.name", request.buyer.name)
    require(found, "buyer.country_code", request.buyer.country_code)
    policy_type = _POLICY_TYPES.get(request.policy_type)
    if policy_type is None:
        found.add("policy_type", "required: SHORT_TERM or MEDIUM_LONG_TERM")
    if not request.HasField("insured_amount"):
        found.add("insured_amount", "required")
    found.raise_if_any("invalid QuotePremium request")
    assert policy_type is not None
    buyer = request.buyer
    return PremiumRequest(
        policy_type=policy_type,
        buyer_country=buyer.country_code.strip().upper(),
        insured_amount=money.to_decimal(request.insured_amount),
        currency=request.insured_amount.currency_code,
        commercial_cover=request.commercial_cover,
        political_cover=request.political_cover,
        buyer_grade=buyer.grade or None,
        buyer_rating=buyer.buyer_rating or None,
        payment_terms=_PAYMENT_TERMS.get(request.payment_terms),
        credit_days=request.credit_days,
        country_risk_category=(
            request.country_risk_category if request.HasField("country_risk_category") else None
        ),
        waiting_days=(
            request.waiting_period_days if request.HasField("waiting_period_days") else None
        ),
        medium_long=_medium_long(request) if policy_type is PolicyType.MEDIUM_LONG_TERM else None,
    )


def _medium_long(request: finance_pb2.QuotePremiumRequest) -> MediumLongTerms | None:
    if request.repayment_years == 0:
        return None  # reported as a missing repayment period by the domain
    return MediumLongTerms(
        disbursement_months=request.disbursement_months,
        repayment_years=request.repayment_years,
        buyer_category=_BUYER_CATEGORIES.get(request.buyer_category),
        product_quality=_QUALITY.get(request.product_quality, ProductQuality.STANDARD),
        local_currency_factor=request.local_currency_factor,
        credit_enhancement_factor=request.credit_enhancement_factor,
    )


def financing_application(
    request: finance_pb2.QuotePolicyFinancingRequest,
) -> FinancingApplication:
    found = FieldViolations()
    require(found, "exporter_id", request.exporter_id)
    require(found, "exporter_name", request.exporter_name)
    require(found, "buyer.name", request.buyer.name)
    if not request.HasField("receivable"):
        found.add("receivable", "required")
    found.raise_if_any("invalid QuotePolicyFinancing request")
    return FinancingApplication(
        exporter_id=request.exporter_id,
        receivable=money.to_decimal(request.receivable),
        currency=request.receivable.currency_code,
        tenor_days=request.tenor_days,
        commercial_cover=request.commercial_cover,
        political_cover=request.political_cover,
        premium_quote_id=request.premium_quote_id.strip(),
        policy_number=request.policy_number.strip(),
        buyer_id=request.buyer.buyer_id.strip(),
    )


def _header_fields(header: QuoteHeader) -> dict[str, object]:
    return {
        "quote_id": header.quote_id,
        "request_id": header.request_id,
        "valid_until": _timestamp(header.valid_until),
        "created_at": _timestamp(header.created_at),
        "outcome": finance_pb2.DECLINED if header.declined else finance_pb2.QUOTED,
        "decline_reasons": list(header.decline_reasons),
        "fallbacks": list(header.fallbacks),
    }


def premium_quote(
    request: finance_pb2.QuotePremiumRequest, outcome: PremiumOutcome
) -> finance_pb2.PremiumQuote:
    quote = finance_pb2.PremiumQuote(
        policy_type=request.policy_type,
        exporter_id=request.exporter_id,
        buyer=request.buyer,
        insured_amount=request.insured_amount,
        commercial_cover=request.commercial_cover,
        political_cover=request.political_cover,
        credit_days=request.credit_days,
        disbursement_months=request.disbursement_months,
        repayment_years=request.repayment_years,
        **_header_fields(outcome.header),  # type: ignore[arg-type]
    )
    quote.premium.currency_code = request.insured_amount.currency_code  # zero when declined
    if outcome.pricing is not None:
        _fill_pricing(quote, outcome.pricing)
    return quote


def _fill_pricing(quote: finance_pb2.PremiumQuote, pricing: PremiumPricing) -> None:
    currency = quote.insured_amount.currency_code
    quote.premium_rate = pricing.rate
    quote.premium.CopyFrom(money.from_decimal(pricing.premium, currency))
    breakdown = quote.breakdown
    breakdown.country_risk_category = pricing.country.category
    breakdown.minimum_premium.CopyFrom(money.from_decimal(pricing.minimum_premium, currency))
    breakdown.floored_by_mpr = pricing.floored_by_mpr
    breakdown.market_priced = pricing.market_priced
    breakdown.waiting_period_days = pricing.waiting_days
    breakdown.rate_before_minimum_premium = pricing.rate_before_minimum
    breakdown.floored_by_minimum_premium = pricing.floored_by_minimum_premium
    breakdown.fx_rates_as_of = pricing.fx_as_of.isoformat()
    if pricing.market_benchmark_rate > 0:
        breakdown.market_benchmark_rate = pricing.market_benchmark_rate
        breakdown.market_benchmark_source = MARKET_BENCHMARK_SOURCE
    loss = pricing.expected_loss
    if loss is not None:
        breakdown.buyer_default_probability = loss.buyer_pd_period
        breakdown.buyer_default_probability_source = loss.buyer_pd_source
        breakdown.country_event_probability = loss.country_event_period
        breakdown.loss_given_default = loss.commercial_lgd
        breakdown.commercial_expected_loss = loss.commercial_expected_loss
        breakdown.country_expected_loss = loss.country_expected_loss
        breakdown.payment_terms_factor = loss.commercial_terms_factor
        breakdown.waiting_period_factor = loss.waiting_factor
        breakdown.expense_loading = loss.expense_loading
        breakdown.capital_loading = loss.capital_loading
        breakdown.technical_rate = loss.technical_rate
    if pricing.mpr is not None:
        quote.minimum_premium_rate = pricing.mpr.rate
        breakdown.minimum_premium_rate.CopyFrom(mpr_message(pricing.mpr))


def mpr_message(mpr: MprResult) -> finance_pb2.MinimumPremiumRate:
    """The MPR's terms; the two parts are converted from percent to fractions like the rate."""
    return finance_pb2.MinimumPremiumRate(
        horizon_of_risk_years=mpr.horizon_years,
        a=mpr.a,
        b=mpr.b,
        c=mpr.c,
        country_part=mpr.country_part / 100.0,
        buyer_part=mpr.buyer_part / 100.0,
        quality_of_product_factor=mpr.quality_factor,
        percentage_of_cover_factor=mpr.cover_factor,
        better_than_sovereign_factor=mpr.better_than_sovereign_factor,
        term_adjustment=mpr.term_factor,
        local_currency_factor=mpr.local_currency_factor,
        credit_enhancement_factor=mpr.credit_enhancement_factor,
        rate=mpr.rate,
        buyer_category=_CATEGORY_TO_PROTO[mpr.buyer_category],
        country_risk_category=mpr.country_category,
    )


def financing_quote(
    request: finance_pb2.QuotePolicyFinancingRequest, outcome: FinancingOutcome
) -> finance_pb2.PolicyFinancingQuote:
    quote = finance_pb2.PolicyFinancingQuote(
        exporter_id=request.exporter_id,
        policy_number=request.policy_number,
        advance_amount=money.from_decimal(outcome.advance_amount, outcome.currency),
        **_header_fields(outcome.header),  # type: ignore[arg-type]
    )
    terms = outcome.terms
    if terms is not None:
        quote.exporter_default_probability = terms.exporter_pd_tenor
        quote.buyer_default_probability = terms.buyer_pd_annual or 0.0
        if not outcome.header.declined:
            quote.advance_rate = terms.advance_rate
            quote.interest_margin = terms.interest_margin
            quote.uninsured_expected_loss = terms.expected_loss
            quote.funding_spread = terms.funding_spread
            quote.capital_charge = terms.capital_charge
    return quote

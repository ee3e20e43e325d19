"""CreditInsurance gRPC servicer: thin handlers over ``quoting``; conversion is in ``convert``."""

from __future__ import annotations

from typing import Generic, TypeVar

import grpc
from google.protobuf.message import Message

from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc
from services.common.auth import require_principal
from services.common.tokens import Role
from services.common.violations import FieldViolations
from services.finance.api.book_handlers import BookHandlers
from services.finance.api.convert import (
    financing_application,
    financing_quote,
    fingerprint,
    premium_quote,
    premium_request,
    quote_parties,
    require,
)
from services.finance.credit_limits import CreditLimits
from services.finance.policy_book import Policies
from services.finance.quoting import FinancingOutcome, PremiumOutcome, QuoteKey, Quoting

Q = TypeVar("Q", bound=Message)


class CreditInsuranceServicer(BookHandlers, finance_pb2_grpc.CreditInsuranceServicer):
    """Quotes here; credit limits and policies in ``BookHandlers``."""

    def __init__(
        self, quoting: Quoting, limits: CreditLimits, policies: Policies, page_bytes: int
    ) -> None:
        super().__init__(limits, policies, page_bytes)
        self._quoting = quoting

    def QuotePremium(
        self, request: finance_pb2.QuotePremiumRequest, context: grpc.ServicerContext
    ) -> finance_pb2.PremiumQuote:
        key = _key(request.request_id, fingerprint("QuotePremium", request))
        domain = premium_request(request)
        built = _Built(finance_pb2.PremiumQuote)

        def encode(outcome: PremiumOutcome) -> bytes:
            return built.keep(premium_quote(request, outcome))

        named = quote_parties(request.exporter_id, request.exporter_name, request.buyer)
        stored = self._quoting.premium(key, domain, named, encode)
        return built.answer(stored.quote_id, _expect(stored.kind, "premium", stored.payload))

    def QuotePolicyFinancing(
        self, request: finance_pb2.QuotePolicyFinancingRequest, context: grpc.ServicerContext
    ) -> finance_pb2.PolicyFinancingQuote:
        key = _key(request.request_id, fingerprint("QuotePolicyFinancing", request))
        application = financing_application(request)
        built = _Built(finance_pb2.PolicyFinancingQuote)

        def encode(outcome: FinancingOutcome) -> bytes:
            return built.keep(financing_quote(request, outcome))

        named = quote_parties(request.exporter_id, request.exporter_name, request.buyer)
        stored = self._quoting.financing(key, application, named, encode)
        return built.answer(stored.quote_id, _expect(stored.kind, "financing", stored.payload))

    def GetQuote(
        self, request: finance_pb2.GetQuoteRequest, context: grpc.ServicerContext
    ) -> finance_pb2.Quote:
        found = FieldViolations()
        require(found, "quote_id", request.quote_id)
        found.raise_if_any("invalid GetQuote request")
        principal = require_principal()
        tenant = None if principal.role is Role.ADMIN else principal.tenant
        stored = self._quoting.get(request.quote_id, tenant)
        if stored.kind == "premium":
            return finance_pb2.Quote(
                premium_quote=finance_pb2.PremiumQuote.FromString(stored.payload)
            )
        financing = finance_pb2.PolicyFinancingQuote.FromString(stored.payload)
        return finance_pb2.Quote(policy_financing_quote=financing)


class _Built(Generic[Q]):
    """The quote message built for this call: answered as it is when it was the one stored,
    so a fresh quote is not parsed back from the bytes just made of it; a replayed or
    concurrently stored quote is read from its stored bytes."""

    def __init__(self, kind: type[Q]) -> None:
        self._kind = kind
        self._quote: Q | None = None

    def keep(self, quote: Q) -> bytes:
        self._quote = quote
        return quote.SerializeToString()

    def answer(self, stored_id: str, payload: bytes) -> Q:
        quote = self._quote
        if quote is not None and getattr(quote, "quote_id", None) == stored_id:
            return quote
        return self._kind.FromString(payload)


def _key(request_id: str, fingerprint: str) -> QuoteKey:
    found = FieldViolations()
    require(found, "request_id", request_id)
    found.raise_if_any("invalid quote request")
    return QuoteKey(require_principal().tenant, request_id, fingerprint)


def _expect(kind: str, wanted: str, payload: bytes) -> bytes:
    """A request id replayed on the other RPC has a different fingerprint, so kinds match."""
    if kind != wanted:
        raise RuntimeError(f"stored quote of kind {kind} replayed as {wanted}")
    return payload

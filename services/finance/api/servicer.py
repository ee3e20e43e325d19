"""CreditInsurance gRPC servicer: thin handlers over ``quoting``; conversion is in ``convert``."""

from __future__ import annotations

import grpc

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

        def encode(outcome: PremiumOutcome) -> bytes:
            return premium_quote(request, outcome).SerializeToString()

        named = quote_parties(request.exporter_id, request.exporter_name, request.buyer)
        stored = self._quoting.premium(key, domain, named, encode)
        return finance_pb2.PremiumQuote.FromString(_expect(stored.kind, "premium", stored.payload))

    def QuotePolicyFinancing(
        self, request: finance_pb2.QuotePolicyFinancingRequest, context: grpc.ServicerContext
    ) -> finance_pb2.PolicyFinancingQuote:
        key = _key(request.request_id, fingerprint("QuotePolicyFinancing", request))
        application = financing_application(request)

        def encode(outcome: FinancingOutcome) -> bytes:
            return financing_quote(request, outcome).SerializeToString()

        named = quote_parties(request.exporter_id, request.exporter_name, request.buyer)
        stored = self._quoting.financing(key, application, named, encode)
        payload = _expect(stored.kind, "financing", stored.payload)
        return finance_pb2.PolicyFinancingQuote.FromString(payload)

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

"""The quoting workflow: idempotency, screening, buyer/exporter PDs, pricing, storage, metrics.

Order matters: a repeated request id is answered from the store before anything else; a bad
request (or one naming a premium quote or policy it may not use) fails before any dependency is
called. Then every dependency call is sent at once, each with its own deadline: exporter and
buyer screened by aml and, for financing, the exporter's PD from risk; the buyer's PD comes
from the buyer model in process meanwhile. A watchlist hit on either party declines, whatever
risk answered; only then is the quote priced and stored. Dependencies that are down raise
UnavailableError unless a fallback is configured, and every fallback used is named in the
quote.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Protocol

from services.common.errors import (
    FailedPrecondition,
    NotFoundError,
    UnavailableError,
    ValidationError,
)
from services.common.violations import FieldViolations
from services.finance import money
from services.finance.appetite import DEFAULT_APPETITE, Appetite, outside_appetite
from services.finance.book import CoveredBuyer, Policy
from services.finance.buyer_risk import BUYER_MODEL_SOURCE
from services.finance.domain import (
    BuyerPdModel,
    Party,
    PartyScreening,
    PdSource,
    Pending,
    Screener,
)
from services.finance.fx_rates import FxSource
from services.finance.metrics import FinanceMetrics
from services.finance.policies import FinancedReceivable, check_financing
from services.finance.policy_financing import (
    FinancingRequest,
    FinancingTerms,
    quote_financing,
)
from services.finance.pricing import (
    DEFAULT_PRICING_TARIFF,
    PolicyType,
    PremiumPricing,
    PremiumRequest,
    PricingTariff,
    needs_buyer_default,
    price_premium,
    validate_request,
)
from services.finance.short_term import BuyerDefault, period_probability
from services.finance.store import QuoteStore, StoredQuote, check_same_request

POLICY_FINANCING = "POLICY_FINANCING"
#: The risk service's PD for a buyer is asked over the credit period, at least a month.
MIN_PD_TENOR_DAYS = 30


class PolicyReader(Protocol):
    def financed_by(self, number: str, tenant: str) -> Policy: ...


@dataclass(frozen=True)
class QuotingPolicy:
    """Fallbacks, screening threshold and validity (from FinanceSettings)."""

    risk_fallback: bool = False
    fallback_exporter_pd: float = 0.05
    aml_fallback: bool = False
    screen_parties: bool = True
    screening_min_score: float = 0.90
    quote_validity: timedelta = timedelta(days=30)
    financing_validity: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class QuoteKey:
    """Who asked, under which idempotency key, for which request (its fingerprint)."""

    tenant: str
    request_id: str
    fingerprint: str


@dataclass(frozen=True)
class Parties:
    """Exporter and buyer of a quote; both names are screened."""

    exporter_id: str
    exporter_name: str
    buyer_id: str
    buyer_name: str
    buyer_country: str

    def screened(self) -> list[Party]:
        # The exporter's country is not in the request: its name is matched on every country.
        return [
            Party("exporter", self.exporter_name, ""),
            Party("buyer", self.buyer_name, self.buyer_country),
        ]


@dataclass(frozen=True)
class QuoteHeader:
    quote_id: str
    request_id: str
    created_at: datetime
    valid_until: datetime
    decline_reasons: tuple[str, ...]
    fallbacks: tuple[str, ...]

    @property
    def declined(self) -> bool:
        return bool(self.decline_reasons)


@dataclass(frozen=True)
class PremiumOutcome:
    header: QuoteHeader
    pricing: PremiumPricing | None


@dataclass(frozen=True)
class FinancingApplication:
    exporter_id: str
    receivable: Decimal
    currency: str
    tenor_days: int
    commercial_cover: float
    political_cover: float
    #: The premium quote the receivable is insured under; empty when not given.
    premium_quote_id: str = ""
    #: The policy the receivable is insured under; the caller must be its loss payee.
    policy_number: str = ""
    buyer_id: str = ""


@dataclass(frozen=True)
class FinancingOutcome:
    header: QuoteHeader
    terms: FinancingTerms | None
    advance_amount: Decimal
    currency: str


class Quoting:
    """Produces, stores and replays quotes."""

    def __init__(
        self,
        store: QuoteStore,
        risk: PdSource,
        aml: Screener,
        metrics: FinanceMetrics,
        policy: QuotingPolicy,
        tariff: PricingTariff = DEFAULT_PRICING_TARIFF,
        clock: Callable[[], datetime] | None = None,
        policies: PolicyReader | None = None,
        buyers: BuyerPdModel | None = None,
        appetite: Appetite = DEFAULT_APPETITE,
        fx: FxSource | None = None,
    ) -> None:
        self.store = store
        self._appetite = appetite
        self._fx = fx or FxSource(None)
        self._policies = policies
        self._buyers = buyers
        self._risk = risk
        self._aml = aml
        self._metrics = metrics
        self._policy = policy
        self._tariff = tariff
        self._clock = clock or _utc_now

    def premium(
        self,
        key: QuoteKey,
        request: PremiumRequest,
        parties: Parties,
        encode: Callable[[PremiumOutcome], bytes],
    ) -> StoredQuote:
        """The stored premium quote for ``key``: replayed if seen, else produced now."""
        existing = self._replay(key)
        if existing is not None:
            return existing
        validate_request(request, self._fx.current())
        fallbacks: list[str] = []
        screening = self._ask_screening(parties.screened())
        default = self._buyer_default(request, parties.buyer_id)  # in process, meanwhile
        declines = self._screen(screening, fallbacks)
        pricing = None
        if not declines:
            pricing = price_premium(request, default, self._tariff, self._fx.current())
            declines = self._appetite_declines(request, pricing)
            pricing = None if declines else pricing
        header = self._header(key, declines, fallbacks, self._policy.quote_validity)
        outcome = PremiumOutcome(header, pricing)
        subject = _Subject(parties.exporter_id, request.commercial_cover, request.political_cover)
        stored = self._save(key, "premium", header, subject, encode(outcome))
        if stored.quote_id == header.quote_id:
            rate = pricing.rate if pricing is not None else None
            self._metrics.quote(request.policy_type.value, _outcome(header), rate)
        return stored

    def financing(
        self,
        key: QuoteKey,
        application: FinancingApplication,
        parties: Parties,
        encode: Callable[[FinancingOutcome], bytes],
    ) -> StoredQuote:
        """The stored policy-financing quote for ``key``: replayed if seen, else produced now."""
        existing = self._replay(key)
        if existing is not None:
            return existing
        covered, application = self._check_policy(key, application)
        _validate_application(application)
        if covered is None:
            self._check_premium_quote(key, application)
        fallbacks: list[str] = []
        # Both dependencies are asked at once, each call with its own deadline.
        screening = self._ask_screening(parties.screened())
        exporter_pd = self._risk.ask_probability_of_default(
            application.exporter_id, application.receivable, application.currency,
            application.tenor_days, request_id=key.request_id,
        )  # fmt: skip
        declines = self._screen(screening, fallbacks)
        if covered is not None and covered.overdue_amount > 0:
            declines.append(f"buyer {covered.buyer.buyer_id!r} is overdue under the policy")
        terms = None
        if not declines:
            pd = self._exporter_pd(exporter_pd, application, fallbacks)
            buyer_pd = covered.buyer_annual_pd if covered is not None else None
            terms = quote_financing(_financing_request(application, pd, buyer_pd))
            declines = [terms.decline_reason] if terms.decline_reason else []
        header = self._header(key, declines, fallbacks, self._policy.financing_validity)
        advance = _advance_amount(application, terms, header)
        outcome = FinancingOutcome(header, terms, advance, application.currency)
        subject = _Subject(
            application.exporter_id, application.commercial_cover, application.political_cover
        )
        stored = self._save(key, "financing", header, subject, encode(outcome))
        if stored.quote_id == header.quote_id:
            self._metrics.quote(POLICY_FINANCING, _outcome(header), None)
        return stored

    def get(self, quote_id: str, tenant: str | None) -> StoredQuote:
        return self.store.get(quote_id, tenant, self._clock())

    def _replay(self, key: QuoteKey) -> StoredQuote | None:
        existing = self.store.find_by_request(key.tenant, key.request_id)
        return check_same_request(existing, key.fingerprint) if existing else None

    def _check_premium_quote(self, key: QuoteKey, application: FinancingApplication) -> None:
        """The premium quote named must be this tenant's and exporter's, live, not declined,
        and cover at least what the financing assumes."""
        if not application.premium_quote_id:
            return
        quote_id = application.premium_quote_id
        quote = self.store.get(quote_id, key.tenant, self._clock())
        if quote.kind != "premium" or quote.exporter_id != application.exporter_id:
            raise NotFoundError(
                f"premium quote {quote_id!r} of exporter {application.exporter_id!r} not found",
                reason="QUOTE_NOT_FOUND",
            )
        if quote.declined:
            raise FailedPrecondition(
                f"premium quote {quote_id!r} was declined", reason="PREMIUM_QUOTE_DECLINED"
            )
        found = FieldViolations()
        for field, asked, insured in (
            ("commercial_cover", application.commercial_cover, quote.commercial_cover),
            ("political_cover", application.political_cover, quote.political_cover),
        ):
            if asked > insured:
                found.add(field, f"{asked:g} exceeds the premium quote's cover {insured:g}")
        found.raise_if_any("covers exceed the premium quote")

    def _check_policy(
        self, key: QuoteKey, application: FinancingApplication
    ) -> tuple[CoveredBuyer | None, FinancingApplication]:
        """Against a policy: the caller must be its loss payee (else NOT_FOUND), the
        receivable within it; the covers financed are the policy's."""
        number = application.policy_number
        if not number:
            return None, application
        if self._policies is None:
            raise NotFoundError(f"policy {number!r} not found", reason="POLICY_NOT_FOUND")
        policy = self._policies.financed_by(number, key.tenant)
        asked = FinancedReceivable(
            exporter_id=application.exporter_id, buyer_id=application.buyer_id,
            amount=application.receivable, currency=application.currency,
            tenor_days=application.tenor_days,
        )  # fmt: skip
        covered = check_financing(policy, asked, self._clock())
        financed = replace(
            application,
            commercial_cover=policy.commercial_cover,
            political_cover=policy.political_cover,
        )
        return covered, financed

    def _ask_screening(self, parties: list[Party]) -> Pending[list[PartyScreening]] | None:
        if not self._policy.screen_parties:
            return None
        return self._aml.ask_screening(parties, self._policy.screening_min_score)

    def _screen(
        self, pending: Pending[list[PartyScreening]] | None, fallbacks: list[str]
    ) -> list[str]:
        """Decline reasons from the watchlist; an unscreened party is flagged, never passed."""
        if pending is None:
            fallbacks.append("aml: screening disabled by configuration; screen before binding")
            return []
        reasons: list[str] = []
        for screening in pending():
            if screening.error is not None:
                if not self._policy.aml_fallback:
                    raise screening.error
                role = screening.party.role
                fallbacks.append(f"aml: unavailable, {role} not screened; screen before binding")
                continue
            reasons.extend(hit.reason() for hit in screening.hits)
        return reasons

    def _appetite_declines(self, request: PremiumRequest, pricing: PremiumPricing) -> list[str]:
        loss = pricing.expected_loss
        return outside_appetite(
            self._appetite,
            request.policy_type is PolicyType.SHORT_TERM,
            pricing.rate,
            loss.buyer_pd_annual if loss is not None else None,
        )

    def _buyer_default(self, request: PremiumRequest, buyer_id: str) -> BuyerDefault | None:
        """The buyer model's PD when no grade or rating is given (None: the buyer has no
        payment record, and pricing asks for a grade)."""
        if not needs_buyer_default(request) or not buyer_id or self._buyers is None:
            return None
        annual = self._buyers.annual_pd(buyer_id)
        if annual is None:
            return None
        return BuyerDefault(period_probability(annual, 365), 365, BUYER_MODEL_SOURCE)

    def _exporter_pd(
        self, pending: Pending[float | None], application: FinancingApplication,
        fallbacks: list[str],
    ) -> float:  # fmt: skip
        try:
            pd = pending()
        except UnavailableError:
            if not self._policy.risk_fallback:
                raise
            annual = self._policy.fallback_exporter_pd
            fallbacks.append(f"risk: unavailable, exporter PD {annual:.2%} a year assumed")
            return period_probability(annual, application.tenor_days)
        if pd is None:
            raise ValidationError.for_field(
                "exporter_id",
                f"exporter {application.exporter_id!r} is unknown to the risk service",
            )
        return pd

    def _header(
        self, key: QuoteKey, declines: list[str], fallbacks: list[str], validity: timedelta
    ) -> QuoteHeader:
        now = self._clock()
        return QuoteHeader(
            quote_id=uuid.uuid4().hex,
            request_id=key.request_id,
            created_at=now,
            valid_until=now + validity,
            decline_reasons=tuple(declines),
            fallbacks=tuple(fallbacks),
        )

    def _save(
        self, key: QuoteKey, kind: str, header: QuoteHeader, subject: _Subject, payload: bytes
    ) -> StoredQuote:
        record = StoredQuote(
            quote_id=header.quote_id,
            tenant=key.tenant,
            request_id=key.request_id,
            kind=kind,
            fingerprint=key.fingerprint,
            payload=payload,
            created_at=header.created_at,
            valid_until=header.valid_until,
            exporter_id=subject.exporter_id,
            commercial_cover=subject.commercial_cover,
            political_cover=subject.political_cover,
            declined=header.declined,
        )
        return self.store.save(record)


@dataclass(frozen=True)
class _Subject:
    """What a stored quote is about, kept beside its payload."""

    exporter_id: str
    commercial_cover: float
    political_cover: float


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _outcome(header: QuoteHeader) -> str:
    return "DECLINED" if header.declined else "QUOTED"


def _validate_application(application: FinancingApplication) -> None:
    found = FieldViolations()
    amount = application.receivable
    if not amount.is_finite() or amount <= 0:
        found.add("receivable", "must be positive")
    if not money.is_supported(application.currency):
        found.add("receivable.currency_code", f"unknown currency {application.currency!r}")
    if not application.exporter_id:
        found.add("exporter_id", "required")
    found.raise_if_any("invalid policy financing request")
    quote_financing(_financing_request(application, 0.0))  # covers and tenor


def _financing_request(
    application: FinancingApplication, pd: float, buyer_pd: float | None = None
) -> FinancingRequest:
    return FinancingRequest(
        commercial_cover=application.commercial_cover,
        political_cover=application.political_cover,
        exporter_pd=pd,
        tenor_days=application.tenor_days,
        buyer_pd=buyer_pd,
    )


def _advance_amount(
    application: FinancingApplication, terms: FinancingTerms | None, header: QuoteHeader
) -> Decimal:
    """Advanced money, rounded down to the minor unit: a lender never advances past the rate."""
    if terms is None or header.declined:
        return Decimal(0)
    raw = application.receivable * Decimal(repr(terms.advance_rate))
    return raw.quantize(money.minor_unit(application.currency), rounding=ROUND_DOWN)

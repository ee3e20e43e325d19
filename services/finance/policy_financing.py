"""Policy financing (保单融资): a bank's advance against an insured receivable, and its margin.

    effective cover c   = min(commercial_cover, political_cover)   (the bank is whole only if
                                                                    either event is paid)
    insured advance     = c * (1 - claim_dispute_haircut)
    uninsured advance   = (1 - c) * uninsured_advance_ratio
    advance rate        = min(advance_cap, insured advance + uninsured advance)
    expected loss       = LGD * (PD_buyer * uninsured share
                                 + PD_exporter * insured share * claim_rejection_share)
    capital charge      = capital_ratio * cost_of_capital
                          * (RW_insured * insured share + RW_uninsured * uninsured share)
    interest margin     = funding_spread + expected loss + capital charge   (per year, over the
                                                                            reference rate)

The shares are of the advance. The insured part still loses when the insurer rejects the claim,
which happens mostly when the exporter itself fails (policy conditions breached), hence the
exporter's PD there. The uninsured part loses when the buyer does not pay: against an issued
policy the buyer's PD is known (the policy's) and used, and the uninsured advance shrinks as
it rises (to nothing at ``max_buyer_pd``); without a policy the exporter's PD stands in.
The advance depends on the cover and the buyer only, so the exporter's PD moves the price,
never the mix being priced: the margin cannot fall as the exporter gets riskier.
Exporters above ``max_exporter_pd`` (annualised) are declined.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.violations import FieldViolations
from services.finance.short_term import annualise

MAX_TENOR_DAYS = 730


@dataclass(frozen=True)
class FinancingTariff:
    """A lender's policy-financing parameters; rates are annual fractions."""

    advance_cap: float = 0.90
    claim_dispute_haircut: float = 0.05
    uninsured_advance_ratio: float = 0.50
    max_exporter_pd: float = 0.20
    #: Buyer annual PD at which nothing is advanced on the uninsured part.
    max_buyer_pd: float = 0.10
    funding_spread: float = 0.0120
    claim_rejection_share: float = 0.10
    lgd: float = 0.45
    #: Basel standardised weight of an exposure guaranteed by an A-rated insurer, and unsecured.
    insured_risk_weight: float = 0.50
    uninsured_risk_weight: float = 1.00
    capital_ratio: float = 0.08
    cost_of_capital: float = 0.12


DEFAULT_FINANCING_TARIFF = FinancingTariff()


@dataclass(frozen=True)
class FinancingRequest:
    """An insured receivable to finance; the exporter PD is over ``tenor_days``."""

    commercial_cover: float
    political_cover: float
    exporter_pd: float
    tenor_days: int
    #: Annual PD of the buyer when financing against a policy; None without one.
    buyer_pd: float | None = None


@dataclass(frozen=True)
class FinancingTerms:
    """Advance rate and margin with every part; ``decline_reason`` is set when not offered."""

    effective_cover: float
    exporter_pd_tenor: float
    exporter_pd_annual: float
    buyer_pd_annual: float | None
    insured_advance: float
    uninsured_advance: float
    advance_rate: float
    insured_share: float
    uninsured_share: float
    funding_spread: float
    expected_loss: float
    capital_charge: float
    interest_margin: float
    decline_reason: str | None


def quote_financing(
    request: FinancingRequest, tariff: FinancingTariff = DEFAULT_FINANCING_TARIFF
) -> FinancingTerms:
    """Advance rate and interest margin; raises ValidationError on bad input."""
    _validate(request)
    cover = min(request.commercial_cover, request.political_cover)
    pd_annual = annualise(request.exporter_pd, request.tenor_days)
    buyer_pd = request.buyer_pd
    insured = cover * (1.0 - tariff.claim_dispute_haircut)
    uninsured = (1.0 - cover) * tariff.uninsured_advance_ratio
    if buyer_pd is not None:
        uninsured *= max(0.0, 1.0 - buyer_pd / tariff.max_buyer_pd)
    advance = min(tariff.advance_cap, insured + uninsured)
    insured_share = min(insured, advance) / advance
    uninsured_share = 1.0 - insured_share
    uninsured_pd = pd_annual if buyer_pd is None else buyer_pd
    expected_loss = tariff.lgd * (
        uninsured_pd * uninsured_share + pd_annual * insured_share * tariff.claim_rejection_share
    )
    weight = (
        tariff.insured_risk_weight * insured_share + tariff.uninsured_risk_weight * uninsured_share
    )
    capital = tariff.capital_ratio * tariff.cost_of_capital * weight
    decline = None
    if pd_annual > tariff.max_exporter_pd:
        decline = f"exporter annual PD {pd_annual:.2%} above the {tariff.max_exporter_pd:.0%} limit"
    return FinancingTerms(
        effective_cover=cover,
        exporter_pd_tenor=request.exporter_pd,
        exporter_pd_annual=pd_annual,
        buyer_pd_annual=buyer_pd,
        insured_advance=insured,
        uninsured_advance=uninsured,
        advance_rate=advance,
        insured_share=insured_share,
        uninsured_share=uninsured_share,
        funding_spread=tariff.funding_spread,
        expected_loss=expected_loss,
        capital_charge=capital,
        interest_margin=tariff.funding_spread + expected_loss + capital,
        decline_reason=decline,
    )


def _validate(request: FinancingRequest) -> None:
    found = FieldViolations()
    found.fraction("commercial_cover", request.commercial_cover, low=0, high=1, open_low=True)
    found.fraction("political_cover", request.political_cover, low=0, high=1, open_low=True)
    if not 0.0 <= request.exporter_pd < 1.0:
        found.add("exporter_probability_of_default", "must be in [0, 1)")
    if request.buyer_pd is not None and not 0.0 <= request.buyer_pd < 1.0:
        found.add("buyer_probability_of_default", "must be in [0, 1)")
    if not 1 <= request.tenor_days <= MAX_TENOR_DAYS:
        found.add("tenor_days", f"must be 1..{MAX_TENOR_DAYS} days")
    found.raise_if_any("invalid policy financing request")

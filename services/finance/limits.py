"""Credit limit decisions: approve, reduce or decline a limit on a buyer.

A limit is what the insurer will cover on one buyer for one exporter at any time. The decision
takes, in order:
1. the appetite: a buyer above the PD line is declined (BUYER_RISK_OUTSIDE_APPETITE), whatever
   capacity is left;
2. accumulation: the insurer's aggregate exposure (active limits of every exporter, in USD) on
   the buyer, on the buyer's group of related buyers, and on the buyer's country category, each
   against its capacity. The smallest headroom is what can be granted: all of the request
   (APPROVED), part of it (REDUCED, when at least the minimum limit), or nothing (DECLINED).
   Each capacity that bound the answer is a reason code.

The limit being re-decided (a new version for the same exporter and buyer) is not counted in its
own exposure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import Enum

from services.finance.appetite import Appetite, Capacity


class LimitDecision(Enum):
    APPROVED = "APPROVED"
    REDUCED = "REDUCED"
    DECLINED = "DECLINED"


@dataclass(frozen=True)
class Reason:
    """A stable code and a sentence for people."""

    code: str
    message: str


@dataclass(frozen=True)
class Exposure:
    """Active limits already on the book, in USD, excluding the limit being decided."""

    buyer: Decimal
    group: Decimal
    country: Decimal


@dataclass(frozen=True)
class LimitRisk:
    """What the decision needs to know about the buyer and the amount (USD)."""

    requested_usd: Decimal
    buyer_grade: int
    buyer_annual_pd: float
    country_category: int
    in_group: bool


@dataclass(frozen=True)
class LimitOutcome:
    decision: LimitDecision
    approved_usd: Decimal
    reasons: tuple[Reason, ...]


def decide_limit(
    risk: LimitRisk, exposure: Exposure, appetite: Appetite, capacity: Capacity
) -> LimitOutcome:
    """The decision on one limit request; amounts in USD."""
    if risk.buyer_annual_pd > appetite.max_buyer_annual_pd:
        reason = Reason(
            "BUYER_RISK_OUTSIDE_APPETITE",
            f"buyer annual PD {risk.buyer_annual_pd:.2%} is above the appetite's "
            f"{appetite.max_buyer_annual_pd:.2%}",
        )
        return LimitOutcome(LimitDecision.DECLINED, Decimal(0), (reason,))
    headrooms = _headrooms(risk, exposure, capacity)
    available = max(Decimal(0), min(room for _, room, _ in headrooms))
    if available >= risk.requested_usd:
        return LimitOutcome(LimitDecision.APPROVED, risk.requested_usd, ())
    binding = tuple(
        Reason(code, message) for code, room, message in headrooms if room < risk.requested_usd
    )
    if available < appetite.min_limit_usd:
        return LimitOutcome(LimitDecision.DECLINED, Decimal(0), binding)
    return LimitOutcome(LimitDecision.REDUCED, available, binding)


def _headrooms(
    risk: LimitRisk, exposure: Exposure, capacity: Capacity
) -> list[tuple[str, Decimal, str]]:
    """(reason code, capacity left in USD, sentence) for buyer, group and country."""
    buyer_cap = capacity.buyer(risk.buyer_grade)
    country_cap = capacity.country(risk.country_category)
    rooms = [
        (
            "BUYER_ACCUMULATION",
            buyer_cap - exposure.buyer,
            f"buyer capacity USD {buyer_cap:,.0f} at grade {risk.buyer_grade}, "
            f"USD {exposure.buyer:,.0f} already held",
        ),
        (
            "COUNTRY_ACCUMULATION",
            country_cap - exposure.country,
            f"country category {risk.country_category} capacity USD {country_cap:,.0f}, "
            f"USD {exposure.country:,.0f} already held",
        ),
    ]
    if risk.in_group:
        group_cap = capacity.group(risk.buyer_grade)
        rooms.insert(
            1,
            (
                "BUYER_GROUP_ACCUMULATION",
                group_cap - exposure.group,
                f"buyer group capacity USD {group_cap:,.0f}, "
                f"USD {exposure.group:,.0f} already held on related buyers",
            ),
        )
    return rooms


def round_down_to(amount: Decimal, step: Decimal) -> Decimal:
    """A granted amount in whole steps (a limit of 1,234,567.89 is written 1,234,000)."""
    return (amount / step).quantize(Decimal(1), rounding=ROUND_DOWN) * step

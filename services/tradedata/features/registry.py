"""The feature registry: every feature the pipeline computes, with its meaning and unit.

The risk service, its reason codes and the docs read names and descriptions from here.
``monotone`` is a hint for risk models: +1 means a larger value raises the risk of default,
-1 lowers it, 0 makes no claim.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final, Literal

FeatureKind = Literal["numeric", "categorical"]


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """One documented feature."""

    name: str
    description: str
    unit: str
    kind: FeatureKind = "numeric"
    monotone: int = 0
    lookback_days: int = 0
    seasonal: bool = False
    """The level moves with the calendar (order seasons), not only with the enterprise: a
    model reading it would score every applicant better in peak months."""
    """How far before as-of the feature reads the trade record; 0 for profile facts. A row
    whose look-back starts before the extract's history (and after the enterprise registered)
    cannot be computed faithfully, so the coverage rule leaves it missing."""


_DOCUMENTED = (
    FeatureSpec("volume_3m_usd", "Order value in the 3 months before as-of", "USD", monotone=-1),
    FeatureSpec("volume_6m_usd", "Order value in the 6 months before as-of", "USD", monotone=-1),
    FeatureSpec("volume_12m_usd", "Order value in the 12 months before as-of", "USD", monotone=-1),
    FeatureSpec(
        "orders_3m", "Number of orders in the 3 months before as-of", "orders", monotone=-1
    ),
    FeatureSpec("orders_12m", "Number of orders in the 12 months before as-of", "orders"),
    FeatureSpec(
        "growth_3m",
        "Log ratio of the last 3 months' order value to the 3 months before",
        "log ratio",
        monotone=-1,
    ),
    FeatureSpec(
        "growth_6m",
        "Log ratio of the last 6 months' order value to the 6 months before",
        "log ratio",
        monotone=-1,
    ),
    FeatureSpec(
        "growth_12m",
        "Log ratio of the last 12 months' order value to the 12 before",
        "log ratio",
        monotone=-1,
    ),
    FeatureSpec(
        "growth_yoy_3m",
        "Log ratio of the last 3 months' order value to the same 3 months a year earlier",
        "log ratio",
        monotone=-1,
    ),
    FeatureSpec(
        "orders_yoy_3m",
        "Log ratio of the last 3 months' order count to the same 3 months a year earlier",
        "log ratio",
        monotone=-1,
    ),
    FeatureSpec(
        "volatility_6m",
        "Coefficient of variation of monthly order value, last 6 months",
        "ratio",
        monotone=1,
    ),
    FeatureSpec(
        "volatility_12m",
        "Coefficient of variation of monthly order value, last 12 months",
        "ratio",
        monotone=1,
    ),
    FeatureSpec("days_since_last_order", "Days from the latest order to as-of", "days", monotone=1),
    FeatureSpec(
        "buyer_hhi_12m",
        "Herfindahl index of order value across buyers, 12 months",
        "index 0-1",
        monotone=1,
    ),
    FeatureSpec(
        "top_buyer_share_12m",
        "Largest buyer's share of order value, 12 months",
        "fraction",
        monotone=1,
    ),
    FeatureSpec(
        "active_buyers_12m", "Distinct buyers ordering in the last 12 months", "buyers", monotone=-1
    ),
    FeatureSpec(
        "country_hhi_12m",
        "Herfindahl index of order value across buyer countries",
        "index 0-1",
        monotone=1,
    ),
    FeatureSpec(
        "country_risk_exposure_12m",
        "Order-value-weighted OECD country risk category of buyers, 12 months",
        "category 0-7",
        monotone=1,
    ),
    FeatureSpec(
        "high_risk_country_share_12m",
        "Share of order value to buyers in countries of category 5-7, 12 months",
        "fraction",
        monotone=1,
    ),
    FeatureSpec(
        "payment_delay_mean_days_12m",
        "Mean days from due date to final payment, fully paid orders, 12 months",
        "days",
        monotone=1,
    ),
    FeatureSpec(
        "payment_delay_p90_days_12m",
        "90th percentile of days from due date to final payment, 12 months",
        "days",
        monotone=1,
    ),
    FeatureSpec(
        "late_payment_share_12m",
        "Share of fully paid orders paid more than 15 days after due, 12 months",
        "fraction",
        monotone=1,
    ),
    FeatureSpec(
        "overdue_share_12m",
        "Share of order value more than 30 days past due and not fully paid at as-of",
        "fraction",
        monotone=1,
    ),
    FeatureSpec(
        "doc_match_rate_12m",
        "Share of orders whose order, waybill and declaration agree (HS code, quantity, "
        "value within 2 %, destination), orders older than 14 days",
        "fraction",
        monotone=-1,
    ),
    FeatureSpec(
        "delivery_failure_rate_12m",
        "Share of shipments still undelivered 45 days after shipping",
        "fraction",
        monotone=1,
    ),
    FeatureSpec(
        "refund_share_12m",
        "Share of shipped order value returned by the buyer (shipments older than 60 days)",
        "fraction",
        monotone=1,
    ),
    FeatureSpec(
        "customs_rejection_rate_12m",
        "Share of customs declarations rejected",
        "fraction",
        monotone=1,
    ),
    FeatureSpec(
        "customs_inspection_rate_12m",
        "Share of customs declarations inspected",
        "fraction",
        monotone=1,
    ),
    FeatureSpec(
        "unit_price_deviation_12m",
        "Mean absolute log deviation of USD unit price from the HS market reference",
        "log ratio",
        monotone=1,
    ),
    FeatureSpec(
        "price_outlier_share_12m",
        "Share of orders priced more than 1.8x above or below the HS market reference",
        "fraction",
        monotone=1,
    ),
    FeatureSpec("enterprise_age_days", "Days since registration", "days", monotone=-1),
    FeatureSpec("registered_capital_cny", "Registered capital", "CNY", monotone=-1),
    FeatureSpec("employees", "Employees", "persons", monotone=-1),
    FeatureSpec(
        "volume_to_capital_12m", "12-month order value over registered capital", "ratio", monotone=1
    ),
    FeatureSpec(
        "customs_credit",
        "Customs credit class (ADVANCED, GENERAL, DISHONEST)",
        "class",
        kind="categorical",
    ),
    FeatureSpec(
        "business_model", "Business model (B2B, B2C, M2B, M2C)", "class", kind="categorical"
    ),
    FeatureSpec(
        "industry_hs2", "Registered industry as HS chapter", "HS chapter", kind="categorical"
    ),
    FeatureSpec(
        "financings_12m", "Financings disbursed in the 12 months before as-of", "financings"
    ),
    FeatureSpec(
        "defaults_12m",
        "Financings written off in the 12 months before as-of",
        "financings",
        monotone=1,
    ),
    FeatureSpec(
        "late_repayments_12m",
        "Financings repaid after their due date in the 12 months before as-of",
        "financings",
        monotone=1,
    ),
    FeatureSpec(
        "outstanding_financing_usd",
        "Financing disbursed before as-of and neither repaid nor written off at as-of",
        "USD",
    ),
)

_YEAR = 365
_LOOKBACK_DAYS: Final = {
    "volume_3m_usd": 91,
    "volume_6m_usd": 182,
    "orders_3m": 91,
    "growth_3m": 182,
    "growth_6m": 364,
    "growth_12m": 730,
    "growth_yoy_3m": 456,
    "orders_yoy_3m": 456,
    "volatility_6m": 183,
    "enterprise_age_days": 0,
    "registered_capital_cny": 0,
    "employees": 0,
    "customs_credit": 0,
    "business_model": 0,
    "industry_hs2": 0,
}
"""Look-back of each feature; everything not listed reads the last 12 months."""
_SEASONAL: Final = frozenset(
    {"volume_3m_usd", "volume_6m_usd", "orders_3m", "growth_3m", "growth_6m"}
)

_SPECS: Final = tuple(
    replace(s, lookback_days=_LOOKBACK_DAYS.get(s.name, _YEAR), seasonal=s.name in _SEASONAL)
    for s in _DOCUMENTED
)
FEATURE_REGISTRY: Final = MappingProxyType({spec.name: spec for spec in _SPECS})
FEATURE_NAMES: Final = tuple(FEATURE_REGISTRY)
CATEGORICAL_FEATURES: Final = tuple(s.name for s in _SPECS if s.kind == "categorical")
NUMERIC_FEATURES: Final = tuple(s.name for s in _SPECS if s.kind == "numeric")


def registry_markdown() -> str:
    """The registry as a Markdown table, for documentation."""
    arrow = {1: "raises", -1: "lowers", 0: ""}
    lines = [
        "| feature | meaning | unit | kind | risk |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| `{s.name}` | {s.description} | {s.unit} | {s.kind} | {arrow[s.monotone]} |"
        for s in _SPECS
    ]
    return "\n".join(lines) + "\n"

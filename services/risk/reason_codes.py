"""Adverse-action reason codes: why a financing was referred or declined, in plain words.

A curated catalog maps the model's features to reason codes; related features share one code
(late payments and arrears are one reason, not four), so a reason does not flip between
near-synonyms from one retrain to the next. For a REFER or DECLINE the reasons are the codes
whose features together raised the risk most (exact contributions summed per code), at most
``MAX_MODEL_REASONS``, each with one sentence a loan officer can read to the applicant; factors
that lowered the risk, and the small remainder, are not reasons. Policy outcomes (the amount
over the limit, the PD over a threshold, a thin file) carry codes of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from services.risk.domain import Reason
from services.risk.features import FeatureSpec
from services.risk.policy import OVER_LIMIT, PD_OVER_APPROVAL, PD_OVER_DECLINE

MAX_MODEL_REASONS = 4


@dataclass(frozen=True, slots=True)
class ReasonCode:
    code: str
    sentence: str
    features: tuple[str, ...] = ()


CATALOG: tuple[ReasonCode, ...] = (
    ReasonCode(
        "R01",
        "Your buyers have been paying late or leaving invoices unpaid.",
        (
            "payment_delay_mean_days_12m",
            "payment_delay_p90_days_12m",
            "late_payment_share_12m",
            "overdue_share_12m",
        ),
    ),
    ReasonCode(
        "R02",
        "Your trade volume is low or has fallen compared with earlier periods.",
        (
            "volume_3m_usd",
            "volume_6m_usd",
            "volume_12m_usd",
            "orders_3m",
            "orders_12m",
            "growth_3m",
            "growth_6m",
            "growth_12m",
            "growth_yoy_3m",
            "orders_yoy_3m",
        ),
    ),
    ReasonCode(
        "R03",
        "Your monthly sales vary a lot or you have not traded recently.",
        ("volatility_6m", "volatility_12m", "days_since_last_order"),
    ),
    ReasonCode(
        "R04",
        "Your sales depend on a small number of buyers.",
        ("buyer_hhi_12m", "top_buyer_share_12m", "active_buyers_12m"),
    ),
    ReasonCode(
        "R05",
        "Much of your trade goes to a few countries or to countries with higher payment risk.",
        ("country_hhi_12m", "country_risk_exposure_12m", "high_risk_country_share_12m"),
    ),
    ReasonCode(
        "R06",
        "Your shipping and customs documents often do not match your orders, or customs "
        "rejected or inspected your goods.",
        ("doc_match_rate_12m", "customs_rejection_rate_12m", "customs_inspection_rate_12m"),
    ),
    ReasonCode(
        "R07",
        "Your shipments often go undelivered or are returned by buyers.",
        ("delivery_failure_rate_12m", "refund_share_12m"),
    ),
    ReasonCode(
        "R08",
        "The prices on your orders differ markedly from market prices for the goods.",
        ("unit_price_deviation_12m", "price_outlier_share_12m"),
    ),
    ReasonCode(
        "R09",
        "Your business is young, small or holds little capital.",
        ("enterprise_age_days", "registered_capital_cny", "employees"),
    ),
    ReasonCode(
        "R10",
        "Your trade volume is high compared with the capital of your business.",
        ("volume_to_capital_12m",),
    ),
    ReasonCode(
        "R11",
        "Recent financings were repaid late or not repaid.",
        ("defaults_12m", "late_repayments_12m"),
    ),
    ReasonCode(
        "R12",
        "You already have financing outstanding or have borrowed often in the last year.",
        ("outstanding_financing_usd", "financings_12m"),
    ),
    ReasonCode("R13", "Your customs credit class is low.", ("customs_credit",)),
    ReasonCode(
        "R14",
        "Businesses with your business model or in your industry default more often.",
        ("business_model", "industry_hs2"),
    ),
)
"""The curated catalog for the trade-data features; every registry feature has one code."""

POLICY_DECLINE = ReasonCode(
    "P01", "The estimated risk of default is above the level at which we can offer financing."
)
POLICY_REFER = ReasonCode(
    "P02", "The estimated risk of default is above the level we can approve without review."
)
POLICY_LIMIT = ReasonCode(
    "P03", "The amount requested is larger than the limit your recent trade supports."
)
POLICY_THIN_FILE = ReasonCode(
    "P04", "We hold too little trade history for your business to decide without review."
)
OTHER_CODE = "R99"
"""Features outside the catalog (a bring-your-own table): one code each, worded from the
table's own description of the column."""

_BY_FEATURE: Mapping[str, ReasonCode] = {f: rc for rc in CATALOG for f in rc.features}


def code_for(spec: FeatureSpec) -> ReasonCode:
    known = _BY_FEATURE.get(spec.name)
    if known is not None:
        return known
    return ReasonCode(f"{OTHER_CODE}:{spec.name}", f"{spec.description} raised the risk.")


def model_reasons(
    contributions: np.ndarray, specs: Sequence[FeatureSpec], limit: int = MAX_MODEL_REASONS
) -> tuple[Reason, ...]:
    """The codes whose features together raised the risk most, at most ``limit``.

    Each reason names its code's strongest feature and carries the code's summed contribution."""
    totals: dict[str, float] = {}
    leader: dict[str, int] = {}
    codes: dict[str, ReasonCode] = {}
    for j, spec in enumerate(specs):
        rc = code_for(spec)
        codes[rc.code] = rc
        totals[rc.code] = totals.get(rc.code, 0.0) + float(contributions[j])
        if rc.code not in leader or contributions[j] > contributions[leader[rc.code]]:
            leader[rc.code] = j
    raising = sorted((c for c in totals if totals[c] > 0.0), key=lambda c: -totals[c])
    return tuple(
        Reason(
            feature=specs[leader[c]].name,
            contribution=totals[c],
            message=codes[c].sentence,
            value=None,
            code=c,
        )
        for c in raising[:limit]
    )


def policy_reason(code: ReasonCode) -> Reason:
    return Reason(feature="", contribution=0.0, message=code.sentence, value=None, code=code.code)


POLICY_CODES: Mapping[str, ReasonCode] = {
    PD_OVER_DECLINE: POLICY_DECLINE,
    PD_OVER_APPROVAL: POLICY_REFER,
    OVER_LIMIT: POLICY_LIMIT,
}


def adverse_action_reasons(
    outcomes: Sequence[str], contributions: np.ndarray, specs: Sequence[FeatureSpec]
) -> tuple[Reason, ...]:
    """The reasons of a REFER or DECLINE: its policy codes, then the model's risk factors."""
    policy = tuple(policy_reason(POLICY_CODES[o]) for o in outcomes)
    return policy + model_reasons(contributions, specs)

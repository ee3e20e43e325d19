"""Versioned rule and typology configuration.

A :class:`RuleSet` holds every threshold the rules use and the weights that combine rule hits
into typologies, each with its own alert threshold. It is plain data (JSON on disk, saved with
the model bundle) so a new version can be reviewed, diffed and run in shadow beside the live one.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

# Typologies injected by the trade-data generator and reported on; names are a contract.
THREE_DOC_MISMATCH = "THREE_DOC_MISMATCH"
PHANTOM_SHIPMENT = "PHANTOM_SHIPMENT"
OVER_INVOICING = "OVER_INVOICING"
UNDER_INVOICING = "UNDER_INVOICING"
THIRD_PARTY_PAYER = "THIRD_PARTY_PAYER"
STRUCTURING = "STRUCTURING"
NEGATIVE_LIST_PARTY = "NEGATIVE_LIST_PARTY"
RAPID_PASS_THROUGH = "RAPID_PASS_THROUGH"
SHELL_EXPORTER = "SHELL_EXPORTER"
CIRCULAR_TRADING = "CIRCULAR_TRADING"
FAN_IN = "FAN_IN"
FAN_OUT = "FAN_OUT"
GATHER_SCATTER = "GATHER_SCATTER"
HIGH_RISK_JURISDICTION = "HIGH_RISK_JURISDICTION"

TRADE_TYPOLOGIES: tuple[str, ...] = (
    THREE_DOC_MISMATCH,
    PHANTOM_SHIPMENT,
    OVER_INVOICING,
    UNDER_INVOICING,
    THIRD_PARTY_PAYER,
    STRUCTURING,
    NEGATIVE_LIST_PARTY,
    RAPID_PASS_THROUGH,
    SHELL_EXPORTER,
)
NETWORK_TYPOLOGIES: tuple[str, ...] = (CIRCULAR_TRADING, FAN_IN, FAN_OUT, GATHER_SCATTER)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReconciliationConfig(_Frozen):
    """D1/D2: the order, payments, waybill and declaration must tell the same story."""

    amount_rel_tol: float = Field(
        default=0.05,
        description="Allowed relative gap between order amount and declared value / payments.",
    )
    quantity_rel_tol: float = Field(
        default=0.05, description="Allowed relative gap between ordered and declared quantity."
    )
    hs_digits: int = Field(
        default=6, description="Leading HS digits that must agree between order and declaration."
    )
    max_days_before_order: float = Field(
        default=2.0, description="Documents may not predate the order by more than this."
    )
    unit_weight_log_tol: float = Field(
        default=0.2, description="Allowed |log| ratio of kg per unit to the HS-code norm."
    )
    completion_days: float = Field(
        default=90.0,
        description="Days after the order by which every lot should have shipped; a remainder "
        "still unshipped after that, though paid for, is unexplained.",
    )
    carriage_terms: tuple[str, ...] = Field(
        default=("CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"),
        description="Incoterms whose price includes carriage (and insurance) to the buyer.",
    )
    freight_share: float = Field(
        default=0.15,
        description="Under carriage terms the order's price includes freight and insurance that "
        "an export declaration's (FOB) value leaves out: the declared value may fall this share "
        "short of the order's before the gap counts.",
    )
    local_currencies: tuple[str, ...] = Field(
        default=("CNY",),
        description="Currencies customs values may be lodged in besides the order's (the "
        "exporter's own); their converted value is still reconciled.",
    )


class PhantomConfig(_Frozen):
    """D5: paid but never shipped or never declared."""

    days: float = Field(
        default=30.0,
        description="Days after the order is paid for (see settled_share) by which a waybill and "
        "a declaration must exist.",
    )
    settled_share: float = Field(
        default=0.9,
        description="Share of the order amount received from which the order counts as paid for "
        "(a deposit alone does not start the clock).",
    )
    production_days: float = Field(
        default=120.0,
        description="Longest production time after a deposit: an order only part paid and "
        "still unshipped this long after its first payment is a finding.",
    )


class PricingConfig(_Frozen):
    """D3: unit price against the robust (median/MAD) market reference for the HS code."""

    robust_z: float = Field(
        default=4.0, description="Robust z-score of log unit price above which a price is abnormal."
    )
    min_log_ratio: float = Field(
        default=0.5, description="Minimum |log(price / market median)| on top of the z-score."
    )
    min_samples: int = Field(
        default=20,
        description="Reference cells with fewer orders fall back to the HS-code-wide cell.",
    )
    period_months: int = Field(
        default=3, description="Length of a reference period in calendar months."
    )
    hs_levels: tuple[int, ...] = Field(
        default=(10, 8, 6),
        description="HS code lengths tried in turn for a market reference (national tariff "
        "line, then 8, then the 6-digit subheading).",
    )
    line_window_days: float = Field(
        default=365.0,
        description="How far back the exporter's own orders of the goods, priced beyond the "
        "market on the same side, are kept (its premium or economy line).",
    )
    line_min_orders: int = Field(
        default=3,
        description="Earlier orders on that side of the market that establish the exporter's "
        "own price line for the goods.",
    )
    line_log_tol: float = Field(
        default=0.3,
        description="Largest |log(price / the line's median)| of an order on an established "
        "line: further off, the line does not explain it.",
    )


@lru_cache(maxsize=1024)
def days(count: float) -> timedelta:
    """``timedelta(days=count)``, built once per count: the rules turn their configured day counts
    into spans for every trade, and a timedelta made from a float costs more than most rules."""
    return timedelta(days=count)


def _settlement_parties() -> dict[str, tuple[str, ...]]:
    return {
        "PSP": (
            "Amazon Payments",
            "PayPal",
            "Stripe Payments",
            "Adyen",
            "Payoneer",
            "WorldFirst",
            "LianLian Global",
            "PingPong Global",
            "Airwallex",
            "Alipay",
            "Shopify Payments",
            "eBay Commerce",
            "Walmart Marketplace",
            "AliExpress",
            "Shopee",
            "Lazada",
            "Whaleco",
            "TikTok",
        )
    }


class PayerConfig(_Frozen):
    """A2: the payer should be the buyer, a party related to it, the platform that settles the
    buyer's marketplace sales through its payment channel, or - under a letter of credit or a
    documentary collection - the buyer's bank."""

    name_similarity: float = Field(
        default=0.80,
        description="Similarity of normalised names from which payer and buyer (or a party "
        "related to the buyer) are the same.",
    )
    settlement_parties: dict[str, tuple[str, ...]] = Field(
        default_factory=_settlement_parties,
        description="Per payment channel, the parties that remit under their own name for "
        "others (marketplaces, payment platforms); every word of one must appear in the payer.",
    )
    bank_settled_terms: tuple[str, ...] = Field(
        default=("LC", "DP", "DA"),
        description="Payment terms under which a bank pays the exporter for the buyer (letters "
        "of credit, documents against payment or acceptance).",
    )
    bank_words: tuple[str, ...] = Field(
        default=("bank", "banken", "banque", "banco", "banca", "bancorp", "bankasi", "sparkasse"),
        description="Words that make a payer's name a bank's; a word of the normalised name "
        "equal to one, or ending in one (Commerzbank, Handelsbanken), counts.",
    )


class StructuringConfig(_Frozen):
    """A5: several payments just below a reporting threshold within a window."""

    threshold_usd: float = Field(default=50_000.0, description="Reporting threshold in USD.")
    band: float = Field(
        default=0.15,
        description="A payment in [threshold * (1 - band), threshold) is 'just below'.",
    )
    min_count: int = Field(
        default=3,
        description="Payments just below the threshold within the window that make a pattern.",
    )
    window_days: float = Field(default=30.0, description="Look-back window per payer.")
    instalment_gap_days: float = Field(
        default=7.0,
        description="The buyer's own payments of one order above the threshold, at least this "
        "many days apart, are a payment schedule, not structuring.",
    )
    max_payers: int = Field(
        default=200_000, description="Bound on payers held in memory (least recent evicted)."
    )


class PassThroughConfig(_Frozen):
    """A7: funds received and paid on again almost at once, for about the same amount."""

    window_days: float = Field(default=3.0, description="Max days between money in and money out.")
    amount_rel_tol: float = Field(
        default=0.06, description="Allowed relative gap between the in and out amounts."
    )
    min_usd: float = Field(default=10_000.0, description="Ignore small flows.")


class ShellConfig(_Frozen):
    """S5: young, thinly capitalised exporter with a sudden trading volume."""

    max_age_days: float = Field(
        default=365.0, description="Exporter registered less than this before the order."
    )
    max_capital_cny: float = Field(
        default=1_000_000.0, description="Registered capital at or below this is thin."
    )
    max_employees: int = Field(
        default=10,
        description="Staff at or below this cannot make or handle the goods themselves; a young "
        "firm with more people is a real operation, whatever its capital (0 staff: not known).",
    )
    volume_window_days: float = Field(
        default=90.0, description="Window over which recent volume is summed."
    )
    volume_usd: float = Field(
        default=25_000.0,
        description="Floor of the recent volume that is sudden for a young, thin firm.",
    )
    capital_multiple: float = Field(
        default=5.0,
        description="Recent volume above this multiple of the registered capital is beyond the "
        "firm's economic capacity (T4); the bar is the larger of this and the floor.",
    )


class JurisdictionConfig(_Frozen):
    """S2: parties or routes in high-risk jurisdictions (FATF call-for-action, monitored)."""

    countries: tuple[str, ...] = ("KP", "IR", "MM", "SY", "YE", "AF", "HT", "SS", "VE")


class ScreeningConfig(_Frozen):
    """N1: fuzzy name screening against the negative list and sanctions."""

    threshold: float = Field(
        default=0.90, description="Similarity at or above which a name matches an entry."
    )
    country_must_match: bool = Field(
        default=False, description="Require the entry's country (when set) to equal the party's."
    )


class RoundTripConfig(_Frozen):
    """A6: an incoming flow that closes a time-ordered chain of earlier flows into a short loop."""

    max_length: int = Field(default=6, description="Longest loop searched, in flows.")
    window_days: float = Field(
        default=120.0, description="All flows of the loop lie within this window."
    )
    amount_rel_tol: float = Field(
        default=0.30, description="Flows of a loop carry roughly the same amount."
    )
    max_degree: int = Field(
        default=50, description="Parties with more counterparties are hubs and are not expanded."
    )
    max_edges: int = Field(default=2_000_000, description="Bound on flows kept in memory.")


class GroupingConfig(_Frozen):
    """Which relations group parties in the flow graph (S1/S3/S7)."""

    relations: tuple[str, ...] = Field(
        default=("OWNERSHIP", "SHARED_ACCOUNT"),
        description="Links that make two parties one economic entity (their money is one).",
    )
    related: tuple[str, ...] = Field(
        default=("SHARED_DIRECTOR", "SHARED_ADDRESS"),
        description="Further links that make parties related: history windows group by them, "
        "and loops are searched both among entities and among related groups (a loop among "
        "firms sharing directors collapses at the related level, so both levels are kept).",
    )

    def related_kinds(self) -> tuple[str, ...]:
        return (*self.relations, *self.related)


class NetworkConfig(_Frozen):
    """Fan-in / fan-out / gather-scatter / pass-through / cycles over the flows of a scan."""

    fan_warmup_days: float = Field(
        default=30.0,
        description="Payers, and payer-payee pairs, first seen this soon after the data start "
        "are not new (the data cannot tell whether they traded before it).",
    )
    fan_amount_rel_tol: float = Field(
        default=0.12, description="A fan's flows carry about the same amount (around their median)."
    )
    pass_through_window_days: float = Field(
        default=3.0, description="Max days between money in and money out of a pass-through."
    )
    pass_through_rel_tol: float = Field(
        default=0.06, description="Allowed relative gap between the in and out amounts."
    )
    pass_through_min_usd: float = Field(default=10_000.0, description="Ignore smaller flows.")

    fan_min_degree: int = Field(default=8, description="Distinct counterparties that make a fan.")
    fan_min_usd: float = Field(
        default=25_000.0,
        description="Least total of a fan's flows: sample orders and small retail sales moving "
        "little money are no fan.",
    )
    fan_window_days: float = Field(
        default=14.0, description="The fan's flows fall within this many days."
    )
    fan_max_hub_degree: int = Field(
        default=60,
        description="Parties with more counterparties over the window are platforms, not fans.",
    )
    cycle_amount_rel_tol: float = Field(
        default=0.30, description="Amounts along a cycle stay within this relative spread."
    )
    cycle_max_length: int = Field(default=6, description="Longest cycle searched.")
    cycle_window_days: float = Field(
        default=120.0, description="A cycle's flows lie within this window."
    )


class TypologyConfig(_Frozen):
    """How rule scores combine into one typology score, and when that score alerts."""

    weights: dict[str, float]
    alert_threshold: float = 0.5
    alerting: bool = True


def _default_typologies() -> dict[str, TypologyConfig]:
    def t(weights: dict[str, float], thr: float = 0.5, alerting: bool = True) -> TypologyConfig:
        return TypologyConfig(weights=weights, alert_threshold=thr, alerting=alerting)

    return {
        THREE_DOC_MISMATCH: t(
            {
                "doc_amount_mismatch": 1.0,
                "doc_currency_mismatch": 1.0,
                "doc_quantity_mismatch": 1.0,
                "doc_hs_mismatch": 1.0,
                "doc_weight_anomaly": 0.6,
                "doc_party_mismatch": 1.0,
                "doc_date_order": 0.6,
                "payment_without_contract": 0.6,
            }
        ),
        PHANTOM_SHIPMENT: t({"phantom_shipment": 1.0}),
        OVER_INVOICING: t({"over_invoicing": 1.0}),
        UNDER_INVOICING: t({"under_invoicing": 1.0}),
        THIRD_PARTY_PAYER: t({"third_party_payer": 1.0, "high_risk_jurisdiction": 0.2}),
        STRUCTURING: t({"structuring": 1.0}),
        NEGATIVE_LIST_PARTY: t({"negative_list_party": 1.0}),
        RAPID_PASS_THROUGH: t({"rapid_pass_through": 1.0}),
        SHELL_EXPORTER: t({"shell_exporter": 1.0, "line_of_business": 0.2}),
        CIRCULAR_TRADING: t({"round_trip": 1.0}),
        HIGH_RISK_JURISDICTION: t({"high_risk_jurisdiction": 1.0}, alerting=False),
    }


class RuleSet(_Frozen):
    """One version of every rule threshold and typology weight."""

    version: str = "2026.12-2"
    reconciliation: ReconciliationConfig = Field(default_factory=ReconciliationConfig)
    phantom: PhantomConfig = Field(default_factory=PhantomConfig)
    pricing: PricingConfig = Field(default_factory=PricingConfig)
    payer: PayerConfig = Field(default_factory=PayerConfig)
    structuring: StructuringConfig = Field(default_factory=StructuringConfig)
    pass_through: PassThroughConfig = Field(default_factory=PassThroughConfig)
    shell: ShellConfig = Field(default_factory=ShellConfig)
    jurisdiction: JurisdictionConfig = Field(default_factory=JurisdictionConfig)
    screening: ScreeningConfig = Field(default_factory=ScreeningConfig)
    round_trip: RoundTripConfig = Field(default_factory=RoundTripConfig)
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    grouping: GroupingConfig = Field(default_factory=GroupingConfig)
    typologies: dict[str, TypologyConfig] = Field(default_factory=_default_typologies)
    risk_alert_threshold: float = Field(
        default=0.5, description="Model-blended typology risk at or above which an alert is raised."
    )
    model_weight: float = Field(
        default=0.7,
        description="Share of the model probability in the blended risk (rest: rule score).",
    )

    def fingerprint(self) -> str:
        """Content hash, so two files claiming one version but differing are told apart."""
        body = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(body).hexdigest()[:16]

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=True))

    @classmethod
    def load(cls, path: Path) -> RuleSet:
        return cls.model_validate_json(path.read_text())

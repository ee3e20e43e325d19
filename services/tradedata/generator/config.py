"""Generator settings: size, period, seed and the injected typology rates."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

TRADE_TYPOLOGIES = (
    "THREE_DOC_MISMATCH",
    "PHANTOM_SHIPMENT",
    "OVER_INVOICING",
    "UNDER_INVOICING",
    "THIRD_PARTY_PAYER",
    "STRUCTURING",
    "NEGATIVE_LIST_PARTY",
)
STRUCTURE_TYPOLOGIES = ("CIRCULAR_TRADING", "FAN_IN", "FAN_OUT", "RAPID_PASS_THROUGH")


@dataclass(frozen=True, slots=True)
class TypologyRates:
    """How much laundering and fake trade to inject.

    Trade typologies are shares of all generated orders; ``shell_exporter`` is a share of
    enterprises; network typologies are numbers of structures.
    """

    three_doc_mismatch: float = 0.01
    phantom_shipment: float = 0.005
    over_invoicing: float = 0.01
    under_invoicing: float = 0.01
    third_party_payer: float = 0.01
    structuring: float = 0.005
    negative_list_party: float = 0.005
    shell_exporter: float = 0.01
    circular_trading: int = 3
    fan_in: int = 3
    fan_out: int = 3
    rapid_pass_through: int = 3

    def __post_init__(self) -> None:
        shares = [getattr(self, t.lower()) for t in TRADE_TYPOLOGIES]
        if any(not 0.0 <= s <= 0.2 for s in [*shares, self.shell_exporter]):
            raise ValueError("typology shares must lie in [0, 0.2]")
        if sum(shares) > 0.5:
            raise ValueError("trade typology shares must not exceed half of all orders")
        counts = [getattr(self, t.lower()) for t in STRUCTURE_TYPOLOGIES]
        if any(c < 0 for c in counts):
            raise ValueError("structure counts must be >= 0")

    def share(self, typology: str) -> float:
        value: float = getattr(self, typology.lower())
        return value

    def count(self, typology: str) -> int:
        value: int = getattr(self, typology.lower())
        return value


@dataclass(frozen=True, slots=True)
class LookAlikeRates:
    """How often honest trade looks like a typology: shares of the orders (or payments) it
    could apply to. Detection must not win on their absence, so models and rules are judged on
    data where they occur at these rates and at twice them (see ``doubled``)."""

    deposit_balance: float = 0.15  # wholesale orders over 5,000 USD paid 30 % then 70 %
    instalments: float = 0.08  # wholesale orders over 20,000 USD paid in 3-4 spaced parts
    partial_shipments: float = 0.12  # wholesale orders shipped in 2-3 lots
    platform_settlement: float = 0.5  # marketplace payments remitted by the platform
    national_tariff_lines: float = 0.2  # orders and declarations under a 10-digit line
    abbreviated_names: float = 0.05  # buyers' own payments under an abbreviated name
    parent_payers: float = 0.03  # buyers' own bank payments made by their registered parent
    price_lines: float = 0.04  # exporters' product lines priced as a premium or economy range
    bank_settlement: float = 0.5  # documentary (LC, D/P, D/A) orders paid by the buyer's bank

    def __post_init__(self) -> None:
        if any(not 0.0 <= v <= 1.0 for v in asdict(self).values()):
            raise ValueError("look-alike rates must lie in [0, 1]")

    def doubled(self) -> LookAlikeRates:
        """Every rate twice as high (capped at 1): a hold-out the model never saw."""
        return LookAlikeRates(**{k: min(1.0, 2 * v) for k, v in asdict(self).items()})


@dataclass(frozen=True, slots=True)
class GeneratorConfig:
    """Size and shape of a synthetic trade data set (deterministic for a seed)."""

    enterprises: int = 300
    months: int = 36
    seed: int = 0
    start: date = date(2024, 1, 1)
    orders_per_month: float = 10.0
    buyers_per_enterprise: int = 12
    financings_per_month: float = 0.6
    reporting_threshold_usd: float = 50_000.0
    typologies: TypologyRates = field(default_factory=TypologyRates)
    look_alikes: LookAlikeRates = field(default_factory=LookAlikeRates)
    file_format: Literal["parquet", "csv"] = "parquet"

    def __post_init__(self) -> None:
        if self.enterprises < 20:
            raise ValueError("enterprises must be >= 20 (network typologies need members)")
        if not 4 <= self.months <= 120:
            raise ValueError("months must lie in 4..120")
        if self.orders_per_month <= 0 or self.buyers_per_enterprise < 2:
            raise ValueError("orders_per_month must be > 0 and buyers_per_enterprise >= 2")
        if self.financings_per_month < 0 or self.reporting_threshold_usd <= 0:
            raise ValueError("financings_per_month must be >= 0 and the threshold > 0")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        return data

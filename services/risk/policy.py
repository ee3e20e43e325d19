"""Credit decision and limit policy: configurable thresholds applied to a tenor PD."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from services.risk.domain import Decision, Product

DEFAULT_ADVANCE_RATES: dict[str, float] = {
    # Share of the financed trade flow a bank usually advances against each collateral.
    Product.ORDER_FINANCING.value: 0.5,
    Product.RECEIVABLES_FINANCING.value: 0.8,
    Product.INVENTORY_PLEDGE.value: 0.4,
    Product.POLICY_FINANCING.value: 0.9,
}


PD_OVER_DECLINE = "PD_OVER_DECLINE"
PD_OVER_APPROVAL = "PD_OVER_APPROVAL"
OVER_LIMIT = "OVER_LIMIT"
OUTCOME_BITS: tuple[tuple[str, int], ...] = (
    (PD_OVER_DECLINE, 1),
    (PD_OVER_APPROVAL, 2),
    (OVER_LIMIT, 4),
)
"""Each outcome's bit in `DecisionPolicy.evaluate`, in the order outcomes are listed."""
_DECLINE_BIT = 1
_BITS = dict(OUTCOME_BITS)


def _outcomes_of(flags: int) -> tuple[str, ...]:
    return tuple(name for name, bit in OUTCOME_BITS if flags & bit)


_OUTCOMES = tuple(_outcomes_of(flags) for flags in range(1 << len(OUTCOME_BITS)))


def outcomes_of(flags: int) -> tuple[str, ...]:
    """The outcomes whose bits are set in `flags`."""
    return _OUTCOMES[flags]


def outcome_flags(policy: DecisionPolicy, pd: float, amount_usd: float, limit_usd: float) -> int:
    """`policy.outcomes` as bits (OUTCOME_BITS)."""
    return sum(_BITS[outcome] for outcome in policy.outcomes(pd, amount_usd, limit_usd))


def decision_of(flags: int) -> Decision:
    if flags & _DECLINE_BIT:
        return Decision.DECLINE
    return Decision.REFER if flags else Decision.APPROVE


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    """APPROVE below `approve_max_pd` when the amount fits the limit, DECLINE at or above
    `decline_min_pd`, REFER to a credit officer otherwise. The limit is the exporter's
    recent daily trade volume x tenor x the product's advance rate, shrunk linearly to zero
    as the PD approaches the decline threshold."""

    approve_max_pd: float = 0.02
    decline_min_pd: float = 0.10
    volume_feature: str = ""
    volume_window_days: float = 90.0
    max_limit_tenor_days: float = 180.0
    advance_rates: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_ADVANCE_RATES))
    reason_count: int = 5
    thin_file_min_orders: int = 12
    thin_file_min_days: float = 180.0
    """A trade record with fewer orders, or a first order more recent than this, is a thin
    file: the model's PD stands on too little history to approve without a credit officer."""

    def thin_file_note(self, orders: int, history_days: float) -> str | None:
        """Why a record is a thin file, or None when its history is long enough."""
        if orders >= self.thin_file_min_orders and history_days >= self.thin_file_min_days:
            return None
        return (
            f"thin file: {orders} orders over {history_days:.0f} days in the trade record "
            f"(at least {self.thin_file_min_orders} over {self.thin_file_min_days:.0f} days "
            "needed to approve)"
        )

    def outcomes(self, pd: float, amount_usd: float, limit_usd: float) -> tuple[str, ...]:
        """Which policy rules the request meets: PD_OVER_DECLINE alone, or any of
        PD_OVER_APPROVAL and OVER_LIMIT (none: approve)."""
        if pd >= self.decline_min_pd:
            return (PD_OVER_DECLINE,)
        found = []
        if pd >= self.approve_max_pd:
            found.append(PD_OVER_APPROVAL)
        if amount_usd > limit_usd:
            found.append(OVER_LIMIT)
        return tuple(found)

    def decide(
        self, pd: float, amount_usd: float, limit_usd: float
    ) -> tuple[Decision, tuple[str, ...]]:
        """The decision and, unless approved, the plain-word reasons for it."""
        found = self.outcomes(pd, amount_usd, limit_usd)
        notes = tuple(self._note(outcome, pd) for outcome in found)
        if PD_OVER_DECLINE in found:
            return Decision.DECLINE, notes
        return (Decision.REFER, notes) if found else (Decision.APPROVE, ())

    def notes(self, flags: int, pd: float) -> tuple[str, ...]:
        """The plain-word reasons of the outcomes in `flags` (none when approved)."""
        return tuple(self._note(outcome, pd) for outcome in outcomes_of(flags))

    def _note(self, outcome: str, pd: float) -> str:
        if outcome == PD_OVER_DECLINE:
            return f"PD {pd:.2%} is at or above the decline threshold {self.decline_min_pd:.2%}"
        if outcome == PD_OVER_APPROVAL:
            return f"PD {pd:.2%} is above the approval threshold {self.approve_max_pd:.2%}"
        return "requested amount exceeds the recommended limit"

    def limit_usd(self, volume_usd: float, product: Product, tenor_days: int, pd: float) -> float:
        if not volume_usd > 0:
            return 0.0
        daily = volume_usd / self.volume_window_days
        span = min(float(tenor_days), self.max_limit_tenor_days)
        headroom = max(0.0, 1.0 - pd / self.decline_min_pd)
        return daily * span * self.advance_rates.get(product.value, 0.0) * headroom

    def evaluate(
        self,
        pd: np.ndarray,
        amount_usd: np.ndarray,
        volume_usd: np.ndarray,
        products: Sequence[Product],
        tenor_days: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """`limit_usd` and `outcomes` of every row (outcomes as OUTCOME_BITS), the same
        arithmetic in the same order."""
        rates = np.asarray([self.advance_rates.get(p.value, 0.0) for p in products])
        headroom = np.maximum(0.0, 1.0 - pd / self.decline_min_pd)
        limit = volume_usd / self.volume_window_days
        limit *= np.minimum(tenor_days, self.max_limit_tenor_days)
        limit *= rates
        limit *= headroom
        limit[~(volume_usd > 0)] = 0.0
        other = (pd >= self.approve_max_pd) * 2 | (amount_usd > limit) * 4
        return limit, np.where(pd >= self.decline_min_pd, _DECLINE_BIT, other)

    def to_json(self) -> dict[str, Any]:
        return {
            "approve_max_pd": self.approve_max_pd,
            "decline_min_pd": self.decline_min_pd,
            "volume_feature": self.volume_feature,
            "volume_window_days": self.volume_window_days,
            "max_limit_tenor_days": self.max_limit_tenor_days,
            "advance_rates": dict(self.advance_rates),
            "reason_count": self.reason_count,
            "thin_file_min_orders": self.thin_file_min_orders,
            "thin_file_min_days": self.thin_file_min_days,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DecisionPolicy:
        return cls(
            approve_max_pd=float(data["approve_max_pd"]),
            decline_min_pd=float(data["decline_min_pd"]),
            volume_feature=str(data.get("volume_feature", "")),
            volume_window_days=float(data.get("volume_window_days", 90.0)),
            max_limit_tenor_days=float(data.get("max_limit_tenor_days", 180.0)),
            advance_rates={k: float(v) for k, v in data.get("advance_rates", {}).items()}
            or dict(DEFAULT_ADVANCE_RATES),
            reason_count=int(data.get("reason_count", 5)),
            thin_file_min_orders=int(data.get("thin_file_min_orders", 12)),
            thin_file_min_days=float(data.get("thin_file_min_days", 180.0)),
        )

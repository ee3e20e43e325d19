"""When each per-trade rule fires: one table that the per-trade rules and the batch rules read.

Every rule names the signals it decides on and one firing condition over them, with its
thresholds taken from the :class:`RuleSet`. The condition is written with operators that plain
Python values and polars expressions both understand (comparisons, arithmetic, ``&``, ``|``),
so the same definition runs on one trade (signals are floats and bools, see
:mod:`services.aml.rules`) and over whole tables (signals are columns, see
:mod:`services.aml.batch`). A threshold or a condition changes here, once, for both paths.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from services.aml.rules import rationale as why
from services.aml.rules.rationale import Rationale
from services.aml.ruleset import (
    CIRCULAR_TRADING,
    HIGH_RISK_JURISDICTION,
    NEGATIVE_LIST_PARTY,
    OVER_INVOICING,
    PHANTOM_SHIPMENT,
    RAPID_PASS_THROUGH,
    SHELL_EXPORTER,
    STRUCTURING,
    THIRD_PARTY_PAYER,
    THREE_DOC_MISMATCH,
    UNDER_INVOICING,
    RuleSet,
)

#: A signal's value: a float or bool for one trade, a polars expression in batch.
Signals = Mapping[str, Any]
Condition = Callable[[Signals, RuleSet], Any]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule: its name, the typology it points to, when it fires, and why."""

    name: str
    typology: str
    fires: Condition
    why: Rationale


def near_threshold(amount_usd: Any, rules: RuleSet) -> Any:
    """A payment just under the reporting threshold: in [threshold * (1 - band), threshold)."""
    cfg = rules.structuring
    return (amount_usd >= cfg.threshold_usd * (1 - cfg.band)) & (amount_usd < cfg.threshold_usd)


def _amount_mismatch(s: Signals, r: RuleSet) -> Any:
    tol = r.reconciliation.amount_rel_tol
    return (s["invoice_gap"] > tol) | (s["declared_gap"] > tol)


def _payment_without_contract(s: Signals, r: RuleSet) -> Any:
    # Funds beyond the order's amount (any funds, for an order of no value) have no contract.
    excess = s["paid_usd"] - s["amount_usd"]
    beyond = excess > r.reconciliation.amount_rel_tol * s["amount_usd"]
    return (s["n_payments"] > 0) & ((s["amount_usd"] <= 0) | beyond)


def _off_own_line(s: Signals, r: RuleSet) -> Any:
    """Not priced like enough of the exporter's earlier orders of the goods on that side of the
    market (see :mod:`services.aml.rules.price_lines`): too few of them, or another price."""
    cfg = r.pricing
    return (s["price_line_orders"] < cfg.line_min_orders) | (
        abs(s["price_line_log_ratio"]) > cfg.line_log_tol
    )


def _over_invoicing(s: Signals, r: RuleSet) -> Any:
    cfg = r.pricing
    above = (s["price_z"] > cfg.robust_z) & (s["log_ratio"] > cfg.min_log_ratio)
    return above & _off_own_line(s, r)


def _under_invoicing(s: Signals, r: RuleSet) -> Any:
    cfg = r.pricing
    below = (s["price_z"] < -cfg.robust_z) & (s["log_ratio"] < -cfg.min_log_ratio)
    return below & _off_own_line(s, r)


def _shell_exporter(s: Signals, r: RuleSet) -> Any:
    cfg = r.shell
    return (
        s["known_exporter"]
        & (s["enterprise_age_days"] <= cfg.max_age_days)
        & (s["registered_capital_cny"] <= cfg.max_capital_cny)
        & (s["employees"] <= cfg.max_employees)
        & (s["recent_volume_usd"] >= s["volume_bar_usd"])
    )


#: Every per-trade rule, in the order of the model's rule columns.
RULE_SPECS: tuple[RuleSpec, ...] = (
    RuleSpec("doc_amount_mismatch", THREE_DOC_MISMATCH, _amount_mismatch, why.AMOUNT),
    RuleSpec(
        "doc_currency_mismatch",
        THREE_DOC_MISMATCH,
        lambda s, r: s["currency_mismatch"] > 0,
        why.CURRENCY,
    ),
    RuleSpec(
        "doc_quantity_mismatch",
        THREE_DOC_MISMATCH,
        lambda s, r: s["quantity_gap"] > r.reconciliation.quantity_rel_tol,
        why.QUANTITY,
    ),
    RuleSpec("doc_hs_mismatch", THREE_DOC_MISMATCH, lambda s, r: s["hs_mismatch"] > 0, why.HS_CODE),
    RuleSpec(
        "doc_party_mismatch",
        THREE_DOC_MISMATCH,
        lambda s, r: s["destination_mismatch"] > 0,
        why.DESTINATION,
    ),
    RuleSpec(
        "doc_date_order",
        THREE_DOC_MISMATCH,
        lambda s, r: s["misdated_documents"] > 0,
        why.DATES,
    ),
    RuleSpec(
        "payment_without_contract",
        THREE_DOC_MISMATCH,
        _payment_without_contract,
        why.NO_CONTRACT,
    ),
    RuleSpec(
        "phantom_shipment",
        PHANTOM_SHIPMENT,
        lambda s, r: s["documents_due"] & (s["missing_documents"] > 0),
        why.PHANTOM,
    ),
    RuleSpec(
        "third_party_payer",
        THIRD_PARTY_PAYER,
        lambda s, r: s["unexplained_payers"] > 0,
        why.THIRD_PARTY,
    ),
    RuleSpec(
        "high_risk_jurisdiction",
        HIGH_RISK_JURISDICTION,
        lambda s, r: s["high_risk_parties"] > 0,
        why.JURISDICTION,
    ),
    RuleSpec("line_of_business", SHELL_EXPORTER, lambda s, r: s["outside_industry"], why.INDUSTRY),
    RuleSpec(
        "doc_weight_anomaly",
        THREE_DOC_MISMATCH,
        lambda s, r: abs(s["weight_log_ratio"]) > r.reconciliation.unit_weight_log_tol,
        why.WEIGHT,
    ),
    RuleSpec("over_invoicing", OVER_INVOICING, _over_invoicing, why.OVER_PRICE),
    RuleSpec("under_invoicing", UNDER_INVOICING, _under_invoicing, why.UNDER_PRICE),
    RuleSpec(
        "negative_list_party",
        NEGATIVE_LIST_PARTY,
        lambda s, r: s["watchlist_score"] >= r.screening.threshold,
        why.WATCHLIST,
    ),
    RuleSpec(
        "structuring",
        STRUCTURING,
        lambda s, r: s["near_threshold_count"] >= r.structuring.min_count,
        why.STRUCTURING_WHY,
    ),
    RuleSpec(
        "rapid_pass_through",
        RAPID_PASS_THROUGH,
        lambda s, r: s["passes_through"],
        why.PASS_THROUGH,
    ),
    RuleSpec("shell_exporter", SHELL_EXPORTER, _shell_exporter, why.SHELL),
    RuleSpec("round_trip", CIRCULAR_TRADING, lambda s, r: s["closes_loop"], why.LOOP),
)
SPECS: Mapping[str, RuleSpec] = {spec.name: spec for spec in RULE_SPECS}
RULE_NAMES: tuple[str, ...] = tuple(spec.name for spec in RULE_SPECS)


#: Each rule's condition by name, looked up for every rule of every screened trade.
_CONDITIONS: Mapping[str, Condition] = {spec.name: spec.fires for spec in RULE_SPECS}


def fires(rule: str, signals: Signals, rules: RuleSet) -> bool:
    """Whether `rule` fires on one trade's signals."""
    return bool(_CONDITIONS[rule](signals, rules))

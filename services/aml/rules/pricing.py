"""Unit price and unit weight against a market reference learnt from the data (D2, D3).

The reference is the median and MAD of log unit price (USD) per HS code and period, with an
HS-code-wide cell as fallback for thin periods, plus the median log kilograms per unit per HS code.
It is fitted with polars over the whole orders table and saved with the model bundle. A 10-digit
national tariff line without a reference of its own is priced on its 8-digit line, then on its
6-digit subheading; the evidence names the code and level that priced the trade.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import polars as pl

from services.aml.domain import Order, ReferenceData
from services.aml.rules.base import DocRef, Evidence, Hit, hit, strength
from services.aml.rules.context import TradeContext
from services.aml.rules.specs import fires
from services.aml.ruleset import OVER_INVOICING, THREE_DOC_MISMATCH, UNDER_INVOICING, RuleSet

MAD_TO_SIGMA = 1.4826
MIN_SIGMA = 0.05  # a cell of identical prices must not turn every small move into an outlier
#: Distinct lookups a market reference remembers (codes x periods x units seen; bounded, since
#: a caller may send any code).
_LOOKUPS_KEPT = 65_536


@dataclass(frozen=True, slots=True)
class Cell:
    """Robust centre and spread of a log quantity, with the sample size behind them."""

    median: float
    sigma: float
    n: int


@dataclass(frozen=True, slots=True)
class PriceRef:
    """The reference cell that priced a trade and where it was found."""

    cell: Cell
    hs_code: str  # the code of the cell: the order's own, or a shorter prefix of it
    scope: str  # PERIOD (the order's quarter) or ALL_PERIODS

    def describe(self) -> dict[str, object]:
        return {
            "reference_hs_code": self.hs_code,
            "reference_digits": len(self.hs_code),
            "reference_scope": self.scope,
            "cell_orders": self.cell.n,
        }


def hs_prefixes(hs_code: str, levels: tuple[int, ...]) -> list[str]:
    """The order's code cut to each level it is long enough for, longest first, no repeats."""
    out: list[str] = []
    for n in sorted(levels, reverse=True):
        if len(hs_code) >= n and hs_code[:n] not in out:
            out.append(hs_code[:n])
    if not out:
        out.append(hs_code)
    return out


def period_index(ts: datetime, months: int) -> int:
    """Index of the calendar period holding `ts`, counted in `months`-long periods from 1970."""
    return ((ts.year - 1970) * 12 + ts.month - 1) // months


def period_expr(col: str, months: int) -> pl.Expr:
    """The same period index as :func:`period_index`, for polars."""
    c = pl.col(col)
    return (
        ((c.dt.year().cast(pl.Int64) - 1970) * 12 + c.dt.month().cast(pl.Int64) - 1) // months
    ).alias("period")


def usd_expr(amount: str, currency: str, usd_rates: dict[str, float]) -> pl.Expr:
    """Amount in USD at the reference rates (unknown currencies at par)."""
    rate = pl.col(currency).replace_strict(usd_rates, default=1.0, return_dtype=pl.Float64)
    return pl.col(amount) * rate


def _robust(frame: pl.LazyFrame, keys: list[str], value: str) -> pl.LazyFrame:
    med = pl.col(value).median()
    return (
        frame.group_by(keys)
        .agg(median=med, mad=(pl.col(value) - med).abs().median(), n=pl.len())
        .with_columns(sigma=pl.max_horizontal(pl.col("mad") * MAD_TO_SIGMA, pl.lit(MIN_SIGMA)))
        .drop("mad")
    )


@dataclass(slots=True)
class MarketReference:
    """Median/MAD of log unit price per (HS code, period) and of log kg per unit per HS code."""

    period_months: int
    min_samples: int
    price: dict[tuple[str, int], Cell] = field(default_factory=dict)
    price_hs: dict[str, Cell] = field(default_factory=dict)
    weight_hs: dict[str, Cell] = field(default_factory=dict)
    # The unit each code's prices and weights are quoted per (its orders' most common unit):
    # a price per SET or per KG is no price per piece.
    units: dict[str, str] = field(default_factory=dict)
    # Lookups remembered per (code, period or None, levels, unit): every trade asks for its cell
    # several times (price lines, both invoicing rules, its evidence). The cells are set once,
    # when the reference is fitted or loaded, before anything is looked up.
    _price_refs: Callable[..., PriceRef | None] = field(init=False, repr=False, compare=False)
    _weight_cells: Callable[..., Cell | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._price_refs = lru_cache(maxsize=_LOOKUPS_KEPT)(self._find_price_ref)
        self._weight_cells = lru_cache(maxsize=_LOOKUPS_KEPT)(self._find_weight_cell)

    @classmethod
    def fit(
        cls,
        orders: pl.LazyFrame,
        waybills: pl.LazyFrame | None,
        usd_rates: dict[str, float],
        *,
        period_months: int = 3,
        min_samples: int = 20,
    ) -> MarketReference:
        """Learn the reference from the orders (and waybills for unit weights), leaving out the
        exporters' lines priced apart from the rest (see :func:`ordinary_lines`)."""
        priced = with_shorter_codes(
            orders.filter(pl.col("unit_price") > 0).with_columns(
                log_price=usd_expr("unit_price", "currency", usd_rates).log(),
                period=period_expr("ordered_at", period_months),
            )
        )
        units = _quoted_units(priced)
        ref = cls(period_months, min_samples, units=units)
        priced = ordinary_lines(_in_quoted_unit(priced, units))
        for row in (
            _robust(priced, ["hs_code", "period"], "log_price").collect().iter_rows(named=True)
        ):
            ref.price[(row["hs_code"], row["period"])] = Cell(row["median"], row["sigma"], row["n"])
        for row in _robust(priced, ["hs_code"], "log_price").collect().iter_rows(named=True):
            ref.price_hs[row["hs_code"]] = Cell(row["median"], row["sigma"], row["n"])
        if waybills is not None:
            ref.weight_hs = _fit_weights(orders, waybills, units)
        return ref

    def quoted_alike(self, code: str, unit: str) -> bool:
        """Whether an order in `unit` may be measured against `code`'s cells (an unknown unit on
        either side is taken as the same)."""
        quoted = self.units.get(code, "")
        return not unit or not quoted or quoted == unit

    def price_ref(
        self, hs_code: str, ts: datetime, levels: tuple[int, ...] = (10, 8, 6), unit: str = ""
    ) -> PriceRef | None:
        """The most precise usable cell quoted in the order's unit: per level (longest code
        first), the period's cell, else the code's all-period cell."""
        return self.price_ref_in(hs_code, period_index(ts, self.period_months), levels, unit)

    def price_ref_in(
        self, hs_code: str, period: int, levels: tuple[int, ...], unit: str = ""
    ) -> PriceRef | None:
        """:meth:`price_ref` for a period index (batch scans look up each distinct pair once)."""
        return self._price_refs(hs_code, period, levels, unit)

    def _find_price_ref(
        self, hs_code: str, period: int, levels: tuple[int, ...], unit: str
    ) -> PriceRef | None:
        for code in hs_prefixes(hs_code, levels):
            if not self.quoted_alike(code, unit):
                continue
            cell = self.price.get((code, period))
            if cell is not None and cell.n >= self.min_samples:
                return PriceRef(cell, code, "PERIOD")
            wide = self.price_hs.get(code)
            if wide is not None and wide.n >= self.min_samples:
                return PriceRef(wide, code, "ALL_PERIODS")
        return None

    def weight_cell(
        self, hs_code: str, levels: tuple[int, ...] = (10, 8, 6), unit: str = ""
    ) -> Cell | None:
        """Kilograms per unit of the most precise usable code level quoted in the order's unit."""
        return self._weight_cells(hs_code, levels, unit)

    def _find_weight_cell(self, hs_code: str, levels: tuple[int, ...], unit: str) -> Cell | None:
        for code in hs_prefixes(hs_code, levels):
            if not self.quoted_alike(code, unit):
                continue
            cell = self.weight_hs.get(code)
            if cell is not None and cell.n >= self.min_samples:
                return cell
        return None

    def price_frame(self) -> pl.DataFrame:
        """The (HS code, period) cells after fallback, for joins in batch scans."""
        rows = [(hs, p, c.median, c.sigma, c.n) for (hs, p), c in self.price.items()]
        return pl.DataFrame(
            rows,
            schema={
                "hs_code": pl.String,
                "period": pl.Int64,
                "ref_median": pl.Float64,
                "ref_sigma": pl.Float64,
                "ref_n": pl.Int64,
            },
            orient="row",
        )

    def hs_frame(self, which: str) -> pl.DataFrame:
        cells = self.price_hs if which == "price" else self.weight_hs
        rows = [(hs, c.median, c.sigma, c.n) for hs, c in cells.items()]
        return pl.DataFrame(
            rows,
            schema={
                "hs_code": pl.String,
                f"{which}_median": pl.Float64,
                f"{which}_sigma": pl.Float64,
                f"{which}_n": pl.Int64,
            },
            orient="row",
        )

    def save(self, path: Path) -> None:
        body = {
            "period_months": self.period_months,
            "min_samples": self.min_samples,
            "price": [[hs, p, c.median, c.sigma, c.n] for (hs, p), c in self.price.items()],
            "price_hs": [[hs, c.median, c.sigma, c.n] for hs, c in self.price_hs.items()],
            "weight_hs": [[hs, c.median, c.sigma, c.n] for hs, c in self.weight_hs.items()],
            "units": sorted(self.units.items()),
        }
        path.write_text(json.dumps(body))

    @classmethod
    def load(cls, path: Path) -> MarketReference:
        body = json.loads(path.read_text())
        ref = cls(int(body["period_months"]), int(body["min_samples"]))
        ref.price = {(hs, int(p)): Cell(m, s, int(n)) for hs, p, m, s, n in body["price"]}
        ref.price_hs = {hs: Cell(m, s, int(n)) for hs, m, s, n in body["price_hs"]}
        ref.weight_hs = {hs: Cell(m, s, int(n)) for hs, m, s, n in body["weight_hs"]}
        ref.units = {hs: unit for hs, unit in body.get("units", [])}
        return ref


def _quoted_units(priced: pl.LazyFrame) -> dict[str, str]:
    """Each code's most common unit (ties to the first in alphabetical order)."""
    counted = (
        priced.group_by("hs_code", "unit")
        .agg(n=pl.len())
        .sort(["hs_code", "n", "unit"], descending=[False, True, False])
        .group_by("hs_code", maintain_order=True)
        .first()
        .collect()
    )
    return dict(zip(counted["hs_code"].to_list(), counted["unit"].to_list(), strict=True))


def _in_quoted_unit(frame: pl.LazyFrame, units: dict[str, str]) -> pl.LazyFrame:
    """The rows quoted in their code's unit."""
    quoted = pl.col("hs_code").replace_strict(units, default="", return_dtype=pl.String)
    return frame.filter(pl.col("unit") == quoted)


#: |log| distance of an exporter's own median price for a code from the code's median beyond
#: which its line is a premium or economy range apart from the market (a factor of two).
LINE_APART = 0.7


def ordinary_lines(priced: pl.LazyFrame) -> pl.LazyFrame:
    """The orders of the lines that make the market: an exporter whose own median price for a
    code sits a factor of two or more from the code's median sells a premium or an economy
    range; left in, one such seller in a thin cell would widen its spread until ordinary
    mispricing hid inside it. Single mispriced orders never move an exporter's median."""
    lines = priced.group_by("enterprise_id", "hs_code").agg(line=pl.col("log_price").median())
    codes = priced.group_by("hs_code").agg(code=pl.col("log_price").median())
    apart = (
        lines.join(codes, on="hs_code")
        .filter((pl.col("line") - pl.col("code")).abs() > LINE_APART)
        .select("enterprise_id", "hs_code")
    )
    return priced.join(apart, on=["enterprise_id", "hs_code"], how="anti")


def with_shorter_codes(frame: pl.LazyFrame, levels: tuple[int, ...] = (8, 6)) -> pl.LazyFrame:
    """The rows again under each shorter HS level their code has, so an 8- or 6-digit cell
    also counts the orders of its 10-digit national lines."""
    code = pl.col("hs_code")
    shorter = [
        frame.filter(code.str.len_chars() > n).with_columns(code.str.slice(0, n)) for n in levels
    ]
    return pl.concat([frame, *shorter])


def _fit_weights(
    orders: pl.LazyFrame, waybills: pl.LazyFrame, units: dict[str, str]
) -> dict[str, Cell]:
    # As the rule measures a trade: over the lots that report a quantity, else the order.
    counted = pl.col("quantity") > 0
    shipped = waybills.group_by("order_id").agg(
        kg=pl.col("gross_weight_kg").filter(counted).sum(),
        shipped_qty=pl.col("quantity").filter(counted).sum(),
        kg_all=pl.col("gross_weight_kg").sum(),
    )
    per = (
        pl.when(pl.col("shipped_qty") > 0)
        .then(pl.col("kg") / pl.col("shipped_qty"))
        .otherwise(pl.col("kg_all") / pl.col("quantity"))
    )
    per_unit = with_shorter_codes(
        orders.select("order_id", "hs_code", "unit", "quantity")
        .join(shipped, on="order_id")
        .with_columns(per_unit=per)
        .filter(pl.col("per_unit").is_finite() & (pl.col("per_unit") > 0))
        .with_columns(log_kg=pl.col("per_unit").log())
    )
    out = _robust(_in_quoted_unit(per_unit, units), ["hs_code"], "log_kg").collect()
    return {r["hs_code"]: Cell(r["median"], r["sigma"], r["n"]) for r in out.iter_rows(named=True)}


def order_price_z(
    order: Order, reference: ReferenceData, market: MarketReference, rules: RuleSet
) -> tuple[float, float, PriceRef] | None:
    """(robust z, log ratio, reference) of an order's USD unit price, None without one."""
    ref = market.price_ref(order.hs_code, order.ordered_at, rules.pricing.hs_levels, order.unit)
    price = reference.to_usd(order.unit_price, order.currency)
    if ref is None or price <= 0:
        return None
    log_ratio = math.log(price) - ref.cell.median
    return log_ratio / max(ref.cell.sigma, MIN_SIGMA), log_ratio, ref


def price_z(ctx: TradeContext, market: MarketReference) -> tuple[float, float, PriceRef] | None:
    """(robust z, log ratio, reference) of the trade's USD unit price, None without one (found
    once per trade and market: the price line and both invoicing rules read it)."""
    return ctx.memo(id(market), _price_z, market)


def _price_z(ctx: TradeContext, market: MarketReference) -> tuple[float, float, PriceRef] | None:
    return order_price_z(ctx.trade.order, ctx.reference, market, ctx.rules)


def pricing_note(ctx: TradeContext, market: MarketReference) -> dict[str, object]:
    """For an alert's evidence: which reference priced the trade, or that none could."""
    order = ctx.trade.order
    levels = ctx.rules.pricing.hs_levels
    ref = market.price_ref(order.hs_code, order.ordered_at, levels, order.unit)
    if ref is None:
        tried = hs_prefixes(order.hs_code, levels)
        other = sorted({market.units[c] for c in tried if not market.quoted_alike(c, order.unit)})
        reason = f"no market reference for HS {', '.join(tried)}"
        if other:
            reason += f" in {order.unit} (quoted per {', '.join(other)})"
        return {"priced": False, "reason": reason}
    return {"priced": True, "unit": order.unit, **ref.describe()}


def _invoicing(
    ctx: TradeContext, market: MarketReference, sign: int, line: Mapping[str, float]
) -> Hit | None:
    found = price_z(ctx, market)
    if found is None:
        return None
    z, log_ratio, ref = found
    cfg = ctx.rules.pricing
    rule, typology = (
        ("over_invoicing", OVER_INVOICING) if sign > 0 else ("under_invoicing", UNDER_INVOICING)
    )
    if not fires(rule, {"price_z": z, "log_ratio": log_ratio, **line}, ctx.rules):
        return None
    order = ctx.trade.order
    ev = Evidence(
        f"Unit price {math.exp(log_ratio):.2f}x the market median for HS {ref.hs_code}",
        (DocRef("ORDER", order.order_id),),
        {
            "unit_price": order.unit_price,
            "currency": order.currency,
            "order_hs_code": order.hs_code,
            "market_median_usd": round(math.exp(ref.cell.median), 4),
            "robust_z": round(z, 2),
            "threshold_z": cfg.robust_z,
            **ref.describe(),
            # The exporter's own earlier orders of the goods this far from the market.
            "own_line_orders": int(line["price_line_orders"]),
            "own_line_log_ratio": round(line["price_line_log_ratio"], 3),
        },
    )
    return hit(rule, typology, strength(abs(z), cfg.robust_z), ev)


def over_invoicing(
    ctx: TradeContext, market: MarketReference, line: Mapping[str, float]
) -> Hit | None:
    """Unit price far above the market reference and off the exporter's own price line: value
    moved to the exporter (`line`: the facts of :mod:`services.aml.rules.price_lines`)."""
    return _invoicing(ctx, market, +1, line)


def under_invoicing(
    ctx: TradeContext, market: MarketReference, line: Mapping[str, float]
) -> Hit | None:
    """Unit price far below the market reference and off the exporter's own price line: value
    moved to the buyer."""
    return _invoicing(ctx, market, -1, line)


def shipped_kg_per_unit(ctx: TradeContext) -> float | None:
    """Kilograms per unit of what the waybills carry: over the lots that report a quantity, else
    over the declared quantity, else over the order (an order shipped whole)."""
    bills = ctx.trade.waybills
    counted = [w for w in bills if w.quantity > 0]
    if counted:
        kg, qty = sum(w.gross_weight_kg for w in counted), sum(w.quantity for w in counted)
    else:
        kg = sum(w.gross_weight_kg for w in bills)
        qty = ctx.lots.declared_qty or ctx.trade.order.quantity
    return kg / qty if kg > 0 and qty > 0 else None


def _shipped_weight(ctx: TradeContext, market: MarketReference) -> tuple[float, float] | None:
    """(kilograms per unit shipped, its log ratio to the norm), None without either."""
    per_unit = shipped_kg_per_unit(ctx)
    order = ctx.trade.order
    cell = market.weight_cell(order.hs_code, ctx.rules.pricing.hs_levels, order.unit)
    if per_unit is None or cell is None:
        return None
    return per_unit, math.log(per_unit) - cell.median


def weight_log_ratio(ctx: TradeContext, market: MarketReference) -> float | None:
    found = _shipped_weight(ctx, market)
    return found[1] if found else None


def doc_weight_anomaly(ctx: TradeContext, market: MarketReference) -> Hit | None:
    """Shipped kilograms per unit far from the HS-code norm (D2)."""
    order = ctx.trade.order
    found = _shipped_weight(ctx, market)
    if found is None:
        return None
    kg_per_unit, log_ratio = found
    tol = ctx.rules.reconciliation.unit_weight_log_tol
    if not fires("doc_weight_anomaly", {"weight_log_ratio": log_ratio}, ctx.rules):
        return None
    ev = Evidence(
        "Shipped weight per unit is far from the norm for the goods",
        (
            DocRef("ORDER", order.order_id),
            *(DocRef("WAYBILL", w.waybill_id) for w in ctx.trade.waybills),
        ),
        {
            "kg_per_unit": round(kg_per_unit, 4),
            "norm_kg_per_unit": round(kg_per_unit / math.exp(log_ratio), 4),
            "log_ratio": round(log_ratio, 3),
            "tolerance": tol,
        },
    )
    return hit("doc_weight_anomaly", THREE_DOC_MISMATCH, strength(abs(log_ratio), tol), ev)

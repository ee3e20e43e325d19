"""Reads the hand-written FATF-Egmont case files (cases/*.toml) into gRPC requests.

A case is one or more trades written as the documents an analyst would see. Whatever a trade
leaves out is filled in as a consistent, ordinary export (see cases/README.md): the buyer pays
from its own account, one waybill and one declaration cover the whole order. A case says only
what makes it a hit or a near miss.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from google.protobuf import timestamp_pb2

from services._proto.tradeguard.aml.v1 import aml_pb2
from services._proto.tradeguard.common.v1 import common_pb2

CASES = Path(__file__).parent / "cases"
HIT, CLEAR = "hit", "clear"


@dataclass(frozen=True)
class Case:
    """One hand-written case: trades to screen in order and the verdict an analyst expects."""

    typology: str
    indicator: str
    case_id: str
    expect: str
    why: str
    requests: tuple[aml_pb2.ScreenTradeRequest, ...]
    setup: dict[str, list[dict[str, Any]]]
    # Per request: the business before the case (screened, its alerts reviewed long ago and not
    # the case's verdict).
    history: tuple[bool, ...] = ()

    def counts(self, index: int) -> bool:
        """Whether the alerts of the index-th request count toward the case's verdict."""
        return not (self.history and self.history[index])


@dataclass(frozen=True)
class Reference:
    """Parties, links, watchlist and market prices the cases share (cases/reference.toml)."""

    customers: list[dict[str, Any]]
    buyers: list[dict[str, Any]]
    relations: list[dict[str, Any]]
    watchlist: list[dict[str, Any]]
    market: list[dict[str, Any]]

    def buyer(self, buyer_id: str, extra: list[dict[str, Any]]) -> dict[str, Any]:
        for row in [*extra, *self.buyers]:
            if row["id"] == buyer_id:
                return row
        raise KeyError(f"unknown buyer {buyer_id}")

    def customer(self, enterprise_id: str, extra: list[dict[str, Any]]) -> dict[str, Any]:
        for row in [*extra, *self.customers]:
            if row["id"] == enterprise_id:
                return row
        raise KeyError(f"unknown customer {enterprise_id}")


def load_reference() -> Reference:
    body = tomllib.loads((CASES / "reference.toml").read_text())
    return Reference(
        body.get("customer", []),
        body.get("buyer", []),
        body.get("relation", []),
        body.get("watchlist", []),
        body.get("market", []),
    )


def load_cases(reference: Reference) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES.glob("*.toml")):
        if path.name == "reference.toml":
            continue
        body = tomllib.loads(path.read_text())
        for raw in body["case"]:
            cases.append(_case(body["typology"], body["indicator"], raw, reference))
    return cases


def _case(typology: str, indicator: str, raw: dict[str, Any], ref: Reference) -> Case:
    setup = {k: raw.get(k, []) for k in ("customer", "buyer", "relation")}
    requests = tuple(
        _request(f"{raw['id']}#{i}", t, raw.get("as_of"), ref, setup)
        for i, t in enumerate(raw["trade"])
    )
    history = tuple(bool(t.get("history", False)) for t in raw["trade"])
    return Case(typology, indicator, raw["id"], raw["expect"], raw["why"], requests, setup, history)


def moment(value: str | date | datetime) -> datetime:
    """A TOML date or date-time (or ISO string) as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, 12, tzinfo=UTC)
    return moment(datetime.fromisoformat(value))


def _ts(value: str | date | datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment(value))
    return stamp


def money(amount: float, currency: str) -> common_pb2.Money:
    units = int(amount)
    return common_pb2.Money(
        currency_code=currency, units=units, nanos=round((amount - units) * 1e9)
    )


def _request(
    request_id: str,
    raw: dict[str, Any],
    case_as_of: Any,
    ref: Reference,
    setup: dict[str, list[dict[str, Any]]],
) -> aml_pb2.ScreenTradeRequest:
    o = raw["order"]
    ordered = moment(o["date"])
    buyer = ref.buyer(o["buyer"], setup["buyer"])
    exporter = ref.customer(o["exporter"], setup["customer"])
    order = _order(o, ordered)
    trade = common_pb2.Trade(
        order=order,
        exporter=common_pb2.Party(party_id=o["exporter"], name=exporter["name"], country_code="CN"),
        buyer=common_pb2.Party(
            party_id=o["buyer"], name=buyer["name"], country_code=buyer["country"]
        ),
    )
    currency = order.amount.currency_code
    amount = _amount(o)
    pays = raw.get("payments", [{"amount": amount, "date": ordered + timedelta(days=3)}])
    trade.payments.extend(_payment(o["id"], i, p, buyer, currency) for i, p in enumerate(pays))
    default_lot = [{"qty": o["qty"], "date": ordered + timedelta(days=5)}]
    lots = raw.get("waybills", default_lot)
    trade.waybills.extend(_waybill(o["id"], i, w, buyer) for i, w in enumerate(lots))
    default_decl = [{"qty": o["qty"], "value": amount, "date": ordered + timedelta(days=4)}]
    decls = raw.get("declarations", default_decl)
    trade.declarations.extend(_declaration(o, i, d, currency) for i, d in enumerate(decls))
    as_of = raw.get("as_of", case_as_of) or _latest(trade) + timedelta(days=1)
    return aml_pb2.ScreenTradeRequest(request_id=request_id, trade=trade, as_of=_ts(as_of))


def _amount(o: dict[str, Any]) -> float:
    return float(o.get("amount", o["qty"] * o["price"]))


def _order(o: dict[str, Any], ordered: datetime) -> common_pb2.Order:
    currency = o.get("currency", "USD")
    return common_pb2.Order(
        order_id=o["id"],
        enterprise_id=o["exporter"],
        buyer_id=o["buyer"],
        platform=o.get("platform", "OFFLINE"),
        ordered_at=_ts(ordered),
        hs_code=str(o.get("hs", "851712")),
        quantity=float(o["qty"]),
        unit=o.get("unit", "PCS"),
        unit_price=money(float(o["price"]), currency),
        amount=money(_amount(o), currency),
        incoterm=common_pb2.Incoterm.Value(o.get("incoterm", "FOB")),
        payment_terms=common_pb2.PaymentTerms.Value(o.get("terms", "PREPAID")),
        credit_days=int(o.get("credit_days", 0)),
    )


def _payment(
    order_id: str, i: int, p: dict[str, Any], buyer: dict[str, Any], currency: str
) -> common_pb2.Payment:
    return common_pb2.Payment(
        payment_id=p.get("id", f"{order_id}-P{i + 1}"),
        order_id=order_id,
        payer_name=p.get("payer", buyer["name"]),
        payer_country=p.get("country", buyer["country"]),
        payer_account=p.get("account", buyer.get("account", "")),
        paid_at=_ts(p["date"]),
        amount=money(float(p["amount"]), p.get("currency", currency)),
        channel=common_pb2.PaymentChannel.Value(p.get("channel", "BANK")),
    )


def _waybill(order_id: str, i: int, w: dict[str, Any], buyer: dict[str, Any]) -> common_pb2.Waybill:
    shipped = moment(w["date"])
    waybill = common_pb2.Waybill(
        waybill_id=w.get("id", f"{order_id}-W{i + 1}"),
        order_id=order_id,
        carrier=w.get("carrier", "COSCO"),
        shipped_at=_ts(shipped),
        origin="CNSZX",
        destination_country=w.get("destination", buyer["country"]),
        gross_weight_kg=float(w.get("kg", 0.0)),
        packages=int(w.get("packages", 1)),
        status=common_pb2.WaybillStatus.Value(w.get("status", "IN_TRANSIT")),
        quantity=float(w.get("qty", 0.0)),
    )
    if "delivered" in w:
        waybill.delivered_at.CopyFrom(_ts(w["delivered"]))
    return waybill


def _declaration(
    o: dict[str, Any], i: int, d: dict[str, Any], currency: str
) -> common_pb2.Declaration:
    return common_pb2.Declaration(
        declaration_id=d.get("id", f"{o['id']}-D{i + 1}"),
        order_id=o["id"],
        declared_at=_ts(d["date"]),
        hs_code=str(d.get("hs", o.get("hs", "851712"))),
        declared_value=money(float(d["value"]), d.get("currency", currency)),
        quantity=float(d["qty"]),
        customs_status=common_pb2.CustomsStatus.Value(d.get("status", "RELEASED")),
    )


def _latest(trade: common_pb2.Trade) -> datetime:
    stamps = [trade.order.ordered_at]
    stamps += [p.paid_at for p in trade.payments]
    stamps += [w.shipped_at for w in trade.waybills]
    stamps += [d.declared_at for d in trade.declarations]
    return max(s.ToDatetime(tzinfo=UTC) for s in stamps)

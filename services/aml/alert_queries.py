"""Filters, sort orders and counts over the alerts table, for ListAlerts and SummarizeAlerts.

Each sort order is a key expression and a direction; paging stays keyset-based on
(key, alert_id), so a page costs the same however deep the reader has gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from services.aml.alert_records import AlertQuery
from services.aml.migrations.schema import alerts
from services.aml.persistence import to_micros
from services.common.errors import ValidationError

_SEVERITY_RANK = sa.case(
    {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}, value=alerts.c.severity, else_=0
)


@dataclass(frozen=True, slots=True)
class SortOrder:
    """One AIP-132 `order_by` value: the key it sorts on and whether it descends."""

    name: str
    key: sa.ColumnElement[Any]
    descending: bool

    def columns(self) -> tuple[sa.ColumnElement[Any], sa.ColumnElement[Any]]:
        """ORDER BY terms: the key, then alert_id as the tie-breaker, same direction."""
        if self.descending:
            return self.key.desc(), alerts.c.alert_id.desc()
        return self.key.asc(), alerts.c.alert_id.asc()

    def after(self, position: list[Any]) -> sa.ColumnElement[bool]:
        """Keyset condition: rows strictly after `position` = [key value, alert_id]."""
        value, alert_id = position[0], str(position[1])
        beyond = self.key < value if self.descending else self.key > value
        tie = alerts.c.alert_id < alert_id if self.descending else alerts.c.alert_id > alert_id
        return sa.or_(beyond, sa.and_(self.key == value, tie))


SORT_ORDERS: dict[str, SortOrder] = {
    order.name: order
    for order in (
        SortOrder("created_at desc", alerts.c.created_at, True),
        SortOrder("created_at", alerts.c.created_at, False),
        SortOrder("updated_at desc", alerts.c.updated_at, True),
        SortOrder("risk_score desc", alerts.c.risk_score, True),
        SortOrder("severity desc", _SEVERITY_RANK, True),
    )
}
DEFAULT_ORDER = "created_at desc"


def sort_order(order_by: str) -> SortOrder:
    """The sort order named by `order_by` ("" = newest first); anything else is invalid."""
    name = " ".join(order_by.split()) or DEFAULT_ORDER
    order = SORT_ORDERS.get(name)
    if order is None:
        choices = ", ".join(repr(n) for n in SORT_ORDERS)
        raise ValidationError.for_field("order_by", f"must be one of {choices}")
    return order


def sort_key_select(order: SortOrder) -> sa.Label[Any]:
    """The key as a selectable column, so the last row of a page gives the next position."""
    return order.key.label("sort_key")


def count_by_group(filters: list[sa.ColumnElement[bool]]) -> sa.Select[Any]:
    """Counts per (typology, day of creation, status); callers fold days into months."""
    c = alerts.c
    day = _day_number(c.created_at)
    return (
        sa.select(c.typology, day.label("day"), c.status, sa.func.count())
        .where(*filters)
        .group_by(c.typology, day, c.status)
    )


def oldest_created(filters: list[sa.ColumnElement[bool]]) -> sa.Select[Any]:
    return sa.select(sa.func.min(alerts.c.created_at)).where(*filters)


# Alert times are stored as microseconds since the epoch; a day number is portable SQL, and the
# month is computed from it in Python (SQLite and PostgreSQL spell date functions differently).
def _day_number(created_at: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    return sa.cast(created_at / 86_400_000_000, sa.BigInteger)


def alert_filters(query: AlertQuery, tenant_scope: str | None) -> list[sa.ColumnElement[bool]]:
    c = alerts.c
    wanted = {
        c.status: query.status,
        c.typology: query.typology,
        c.enterprise_id: query.enterprise_id,
        c.tenant: query.tenant,
    }
    filters = [column == value for column, value in wanted.items() if value]
    if query.severities:
        filters.append(c.severity.in_(sorted(query.severities)))
    if tenant_scope is not None:
        filters.append(c.tenant == tenant_scope)
    if query.created_after is not None:
        filters.append(c.created_at >= to_micros(query.created_after))
    if query.created_before is not None:
        filters.append(c.created_at < to_micros(query.created_before))
    return filters


def query_key(query: AlertQuery) -> list[Any]:
    """The query as plain values in a fixed order (set order varies between processes)."""
    after = to_micros(query.created_after) if query.created_after else None
    before = to_micros(query.created_before) if query.created_before else None
    return [
        query.status,
        query.typology,
        ",".join(sorted(query.severities)),
        query.enterprise_id,
        query.tenant,
        after,
        before,
    ]

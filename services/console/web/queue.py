"""The alert queue: filters, sort order, numbered pages with totals, counts per status."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from starlette.responses import Response

from services.common.errors import ValidationError
from services.console import domain
from services.console.web.pages import PageCall

PAGE_SIZES = (25, 50, 100)
#: Pages walked forward at most to reach a page number never visited in this session.
MAX_WALK = 40
#: Queries whose page tokens a session remembers (the oldest is forgotten first).
MAX_REMEMBERED_QUERIES = 50
_FILTERS = ("status", "typology", "severity", "tenant", "exporter", "from", "to", "sort")


def _date(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ValidationError.for_field(name, "must be a date (YYYY-MM-DD)") from None


def _choice(value: str, allowed: tuple[str, ...] | dict[str, str], name: str) -> str:
    if value and value not in allowed:
        raise ValidationError.for_field(name, f"{value!r} is not one of the choices")
    return value


def parse_query(call: PageCall) -> domain.QueueQuery:
    """The queue's filters from the URL; a bank never gets to choose the tenant."""
    end = _date(call.param("to"), "to")
    regulator = call.session.principal is not None and call.session.principal.role == "REGULATOR"
    return domain.QueueQuery(
        status=_choice(call.param("status"), domain.STATUSES, "status"),
        typology=call.param("typology").upper(),
        min_severity=_choice(call.param("severity"), domain.SEVERITIES, "severity"),
        tenant=call.param("tenant") if regulator else "",
        exporter=call.param("exporter"),
        created_from=_date(call.param("from"), "from"),
        created_to=end + timedelta(days=1) if end else None,
        order_by=_choice(call.param("sort"), domain.SORT_ORDERS, "sort") or "created_at desc",
    )


def _page_number(call: PageCall) -> tuple[int, int]:
    try:
        number = max(int(call.param("page") or 1), 1)
        size = int(call.param("size") or 50)
    except ValueError:
        raise ValidationError.for_field("page", "must be a whole number") from None
    return number, size if size in PAGE_SIZES else 50


def _query_key(query: domain.QueueQuery, size: int, principal: str) -> str:
    return hashlib.sha256(f"{query!r}|{size}|{principal}".encode()).hexdigest()[:16]


def _fetch(
    call: PageCall, query: domain.QueueQuery, number: int, size: int
) -> tuple[domain.AlertPage, int]:
    """Page `number`, walking forward from the nearest page whose token this session knows."""
    key = _query_key(query, size, repr(call.session.principal))
    remembered = call.session.page_tokens
    if key not in remembered and len(remembered) >= MAX_REMEMBERED_QUERIES:
        del remembered[next(iter(remembered))]
    tokens = remembered.setdefault(key, [""])
    current = min(number, len(tokens))
    target = min(number, current + MAX_WALK)
    gateway = call.console.gateway
    page = gateway.list_alerts(call.token, query, size, tokens[current - 1])
    while current < target and page.next_page_token:
        if len(tokens) == current:
            tokens.append(page.next_page_token)
        current += 1
        page = gateway.list_alerts(call.token, query, size, tokens[current - 1])
    if page.next_page_token and len(tokens) == current:
        tokens.append(page.next_page_token)
    return page, current


def _link(call: PageCall, **changes: object) -> str:
    params = {name: call.param(name) for name in (*_FILTERS, "size")}
    params.update({k: str(v) for k, v in changes.items()})
    return "/alerts?" + urlencode({k: v for k, v in params.items() if v})


def show(call: PageCall) -> Response:
    query = parse_query(call)
    number, size = _page_number(call)
    page, number = _fetch(call, query, number, size)
    summary = call.console.gateway.summarize(call.token, _without_status(query))
    typologies = sorted({c.typology for c in summary.counts} | ({query.typology} - {""}))
    pages = max((page.total + size - 1) // size, 1)
    return call.render(
        "queue.html",
        page=page,
        summary=summary,
        number=number,
        pages=pages,
        size=size,
        sizes=PAGE_SIZES,
        typologies=typologies,
        values={name: call.param(name) for name in _FILTERS},
        link=lambda **changes: _link(call, **changes),
        first_row=(number - 1) * size + 1,
        statuses=domain.STATUSES,
        severities=domain.SEVERITIES,
        sorts=domain.SORT_ORDERS,
    )


def _without_status(query: domain.QueueQuery) -> domain.QueueQuery:
    """The counts per status are shown for the other filters, so each is a click away."""
    return domain.QueueQuery(
        typology=query.typology,
        min_severity=query.min_severity,
        tenant=query.tenant,
        exporter=query.exporter,
        created_from=query.created_from,
        created_to=query.created_to,
    )

"""The statistics page: trade, alerts and financing as charts with their numbers."""

from __future__ import annotations

from starlette.responses import Response

from services.console import charts, statistics
from services.console.domain import QueueQuery
from services.console.web.pages import PageCall


def show(call: PageCall) -> Response:
    summary = call.console.gateway.summarize(call.token, QueueQuery())
    regulator = call.session.principal is not None and call.session.principal.role == "REGULATOR"
    figures = []
    by_typology = statistics.alerts_by_typology(summary)
    if by_typology.labels:
        figures.append((by_typology, charts.stacked(by_typology)))
    outcomes = statistics.outcomes_by_typology(summary)
    if outcomes.labels:
        figures.append((outcomes, charts.bar(outcomes, list(outcomes.series))))
    # Trade data covers every exporter of the single window: for regulators only.
    for table in call.console.trade_tables() if regulator else []:
        if not table.labels:
            continue
        value = "USD million"
        draw = charts.line if table.labels[0][:2] == "20" else charts.bar
        figures.append((table, draw(table, [value])))
        if "default rate %" in table.series:
            figures.append((table, charts.line(table, ["default rate %"])))
    return call.render("statistics.html", figures=figures, summary=summary, regulator=regulator)

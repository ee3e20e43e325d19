"""Suspicious transaction reports: preview and file (REPORT), print view, goAML XML."""

from __future__ import annotations

from starlette.responses import Response

from services.common.errors import FailedPrecondition, PermissionDenied
from services.console import str_report
from services.console.domain import Alert
from services.console.web.alerts import apply_decision
from services.console.web.pages import PageCall


def _report(call: PageCall, alert: Alert) -> str_report.StrReport:
    trail = call.console.gateway.audit_trail(call.token, alert.alert_id)
    library = call.console.library
    payments = []
    if library is not None and not alert.flows:
        payments = library.money_movements(library.orders_of(alert.document_refs()))
    ids = {alert.enterprise_id, *alert.members}
    ids |= {p[key] for p in payments for key in ("enterprise_id", "buyer_id")}
    known = library.parties(sorted(ids)) if library else {}
    entity = (
        call.console.settings.reporting_entity_id,
        call.console.settings.reporting_entity_name,
    )
    return str_report.build(alert, trail, payments, known, entity)


def _regulator_only(call: PageCall) -> None:
    """Reports go from the regulator to the FIU; a bank's officer neither drafts nor reads them."""
    principal = call.session.principal
    if principal is None or principal.role != "REGULATOR":
        raise PermissionDenied("suspicious transaction reports are for regulators")


def _reportable(alert: Alert) -> bool:
    return alert.status == "REPORTED" or "REPORT" in alert.allowed_decisions


def show(call: PageCall) -> Response:
    _regulator_only(call)
    alert = call.console.gateway.get_alert(call.token, str(call.request.path_params["alert_id"]))
    if not _reportable(alert):
        raise FailedPrecondition(
            f"only confirmed or escalated alerts are reported; this one is {alert.status}"
        )
    return call.render("report.html", alert=alert, report=_report(call, alert))


def file(call: PageCall) -> Response:
    alert_id = str(call.request.path_params["alert_id"])
    note = call.form.get("note", "").strip()
    try:
        version = int(call.form.get("expected_version", ""))
    except ValueError:
        version = 0
    apply_decision(call, alert_id, "REPORT", note, version)
    return call.redirect(f"/alerts/{alert_id}/report")


def xml(call: PageCall) -> Response:
    _regulator_only(call)
    alert = call.console.gateway.get_alert(call.token, str(call.request.path_params["alert_id"]))
    if alert.status != "REPORTED":
        raise FailedPrecondition("the XML report exists once the alert is reported")
    body = str_report.to_goaml_xml(_report(call, alert))
    headers = {"Content-Disposition": f'attachment; filename="STR-{alert.alert_id}.xml"'}
    return Response(body, media_type="application/xml", headers=headers)

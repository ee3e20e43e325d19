"""One alert: evidence, documents side by side, the network drawn, audit trail, review."""

from __future__ import annotations

import logging

from starlette.responses import Response

from services.common.errors import ConflictError, FailedPrecondition, ValidationError
from services.console import domain, graph
from services.console.web.pages import PageCall

log = logging.getLogger("services.console")
MAX_NOTE_CHARS = 4000


def _alert_id(call: PageCall) -> str:
    return str(call.request.path_params["alert_id"])


def show(call: PageCall) -> Response:
    gateway, token = call.console.gateway, call.token
    alert = gateway.get_alert(token, _alert_id(call))
    trail = gateway.audit_trail(token, alert.alert_id)
    library = call.console.library
    return call.render(
        "alert.html",
        alert=alert,
        trail=trail,
        chain=gateway.verify_chain(token),
        trades=library.trades(library.orders_of(alert.document_refs())) if library else [],
        has_documents=library is not None,
        drawing=_drawing(call, alert),
        decisions=[(d, domain.DECISION_LABELS[d]) for d in alert.allowed_decisions],
        can_review=call.session.principal is not None
        and call.session.principal.role == "REGULATOR",
    )


def _drawing(call: PageCall, alert: domain.Alert) -> graph.NetworkDrawing | None:
    if not alert.flows:
        return None
    parties = sorted(
        {*alert.members, *(p for f in alert.flows for p in (f.from_party, f.to_party))}
    )
    library = call.console.library
    return graph.draw(alert.members, alert.flows, library.relations(parties) if library else [])


def _review_form(call: PageCall) -> tuple[str, str, int]:
    decision = call.form.get("decision", "")
    note = call.form.get("note", "").strip()
    if decision not in domain.DECISION_LABELS:
        raise ValidationError.for_field("decision", "choose one of the listed decisions")
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError.for_field("note", f"must be at most {MAX_NOTE_CHARS} characters")
    try:
        version = int(call.form.get("expected_version", ""))
    except ValueError:
        raise ValidationError.for_field("expected_version", "is missing") from None
    return decision, note, version


def apply_decision(call: PageCall, alert_id: str, decision: str, note: str, version: int) -> bool:
    """Send one decision; on refusal, leave a message saying why and who got there first."""
    gateway = call.console.gateway
    try:
        done = gateway.review(call.token, alert_id, decision, note, version)
    except ConflictError:
        call.flash(_conflict_message(call, alert_id, version, note), "warning")
        return False
    except (ValidationError, FailedPrecondition) as error:
        call.flash(f"Not saved: {error.message}", "error")
        return False
    log.info(
        "review recorded",
        extra={"alert_id": alert_id, "decision": decision, "version": done.version},
    )
    status = done.status.replace("_", " ").lower()
    call.flash(
        f"{domain.DECISION_LABELS[decision]}: the alert is now {status} "
        f"(version {done.version}); the decision is in the audit trail below.",
        "success",
    )
    return True


def _conflict_message(call: PageCall, alert_id: str, version: int, note: str) -> str:
    current = call.console.gateway.get_alert(call.token, alert_id)
    trail = call.console.gateway.audit_trail(call.token, alert_id)
    last = trail[-1] if trail else None
    who = (
        f"{last.actor} ({last.event_type.lower()} at {last.created_at:%H:%M:%S} UTC)"
        if last
        else current.last_reviewer
    )
    kept = f" Your note was not saved: “{note}”" if note else ""
    return (
        f"Someone else changed this alert while you were reading it: {who} moved it to "
        f"{current.status.replace('_', ' ').lower()} (version {current.version}, you saw version "
        f"{version}). The page now shows their change.{kept}"
    )


def review(call: PageCall) -> Response:
    alert_id = _alert_id(call)
    decision, note, version = _review_form(call)
    apply_decision(call, alert_id, decision, note, version)
    return call.redirect(f"/alerts/{alert_id}#review")

"""Signing in with a bearer token, and signing out."""

from __future__ import annotations

import logging

from starlette.responses import Response

from services.common.tokens import Role
from services.console.web.pages import PageCall, set_session_cookie

log = logging.getLogger("services.console")
#: Roles that may read alerts: regulators see every tenant, banks their own.
CONSOLE_ROLES = frozenset({Role.REGULATOR, Role.BANK})


def _safe_next(target: str) -> str:
    """Only paths on this console, so the sign-in form cannot be used to redirect elsewhere."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/alerts"


def show(call: PageCall) -> Response:
    if call.session.signed_in:
        return call.redirect("/alerts")
    expired = "Your session ended; sign in again." if call.param("expired") else ""
    return call.render("signin.html", next=_safe_next(call.param("next")), notice=expired)


def submit(call: PageCall) -> Response:
    token = call.form.get("token", "").strip()
    target = _safe_next(call.form.get("next", ""))
    principal = call.console.tokens.authenticate(token) if token else None
    if principal is None or principal.role not in CONSOLE_ROLES:
        reason = (
            "That token is not valid here."
            if principal is None
            else f"A {principal.role.value.lower()} token cannot open alerts."
        )
        return call.render("signin.html", 401, next=target, error=reason)
    log.info("signed in", extra={"tenant": principal.tenant, "role": principal.role.value})
    # A new session (new id, new CSRF token): an id planted before sign-in gains nothing.
    call.console.sessions.end(call.session.session_id)
    session = call.console.sessions.new(principal, token)
    response = call.redirect(target)
    set_session_cookie(response, session, call.console.settings.secure_cookies)
    return response


def sign_out(call: PageCall) -> Response:
    if call.session.principal is not None:
        who = call.session.principal
        log.info("signed out", extra={"tenant": who.tenant, "role": who.role.value})
    call.console.sessions.end(call.session.session_id)
    response = call.redirect("/signin")
    response.delete_cookie("tradeguard_console_session", path="/")
    return response

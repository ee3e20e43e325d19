"""The page wrapper every route goes through: session, CSRF, errors, and rendering.

Handlers are plain functions run on the thread pool (they make blocking gRPC calls); the
wrapper reads the form first, refuses a POST whose CSRF token is not the session's, and turns
the AML service's answers (not found, denied, conflict, down) into pages a person can act on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.common import errors
from services.console.sessions import COOKIE_NAME, Session
from services.console.web.context import Console

log = logging.getLogger("services.console")
MAX_FORM_FIELDS = 20
MAX_FIELD_BYTES = 16 * 1024
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass
class PageCall:
    """One request as a handler sees it."""

    request: Request
    console: Console
    session: Session
    form: dict[str, str] = field(default_factory=dict)
    new_session: bool = False

    @property
    def token(self) -> str:
        return self.session.token

    def param(self, name: str) -> str:
        return self.request.query_params.get(name, "").strip()

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        flashes, self.session.flashes = self.session.flashes, []
        context.update(session=self.session, flashes=flashes, path=self.request.url.path)
        return self.console.templates.TemplateResponse(
            self.request, template, context, status_code=status
        )

    def redirect(self, url: str) -> Response:
        return RedirectResponse(url, status_code=303)

    def flash(self, message: str, kind: str = "info") -> None:
        self.session.flashes.append((kind, message))


def set_session_cookie(response: Response, session: Session, secure: bool) -> None:
    response.set_cookie(
        COOKIE_NAME, session.session_id, httponly=True, samesite="strict", secure=secure, path="/"
    )


_ERROR_PAGES: tuple[tuple[type[errors.TradeGuardError], int, str], ...] = (
    (errors.NotFoundError, 404, "Not found"),
    (errors.PermissionDenied, 403, "Not allowed"),
    (errors.ValidationError, 400, "Not accepted"),
    (errors.FailedPrecondition, 409, "Not possible now"),
    (errors.ConflictError, 409, "Changed by someone else"),
    (errors.ResourceExhausted, 503, "Busy"),
    (errors.UnavailableError, 503, "Service unavailable"),
)


def _error_page(call: PageCall, error: errors.TradeGuardError) -> Response:
    for kind, status, title in _ERROR_PAGES:
        if isinstance(error, kind):
            return call.render("error.html", status, title=title, message=error.message)
    raise error


async def _read_form(request: Request) -> dict[str, str]:
    data = await request.form(
        max_files=0, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FIELD_BYTES
    )
    return {key: value for key, value in data.items() if isinstance(value, str)}


def page(handler: Callable[[PageCall], Response], *, public: bool = False) -> Endpoint:
    """An endpoint running `handler` for signed-in users (or anyone, when `public`)."""

    async def endpoint(request: Request) -> Response:
        console: Console = request.app.state.console
        session = console.session(request)
        fresh = session is None
        if session is None or (not public and not session.signed_in):
            if not public:
                return RedirectResponse(f"/signin?next={quote(_here(request))}", status_code=303)
            session = console.sessions.new()
        call = PageCall(request, console, session, new_session=fresh)
        if request.method == "POST":
            call.form = await _read_form(request)
            if fresh or not session.check_csrf(call.form.get("csrf_token", "")):
                log.warning(
                    "form refused: CSRF token missing or wrong", extra={"path": request.url.path}
                )
                return _csrf_refused(call)
        response = await run_in_threadpool(_run, handler, call)
        if fresh:
            set_session_cookie(response, session, console.settings.secure_cookies)
        return response

    return endpoint


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query


def _csrf_refused(call: PageCall) -> Response:
    message = "This form did not come from this console session. Reload the page and try again."
    return call.render("error.html", 403, title="Form refused", message=message)


def _run(handler: Callable[[PageCall], Response], call: PageCall) -> Response:
    try:
        return handler(call)
    except errors.UnauthenticatedError:
        call.console.sessions.end(call.session.session_id)
        return RedirectResponse("/signin?expired=1", status_code=303)
    except errors.TradeGuardError as error:
        return _error_page(call, error)

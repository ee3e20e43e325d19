"""The console's Starlette application: routes, static files and security headers."""

from __future__ import annotations

import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.console.web import alerts, queue, reports, signin, stats
from services.console.web.context import Console
from services.console.web.pages import page

STATIC = Path(__file__).resolve().parent.parent / "static"
# Inline styles are pygal's charts' own <style> elements; no script runs anywhere.
_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'none'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


class SecurityHeaders:
    """Adds the headers above, and a Server-Timing entry with the time spent in the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in _HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                spent = (time.perf_counter() - started) * 1000
                headers.append((b"server-timing", f"app;dur={spent:.1f}".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _home(request: Request) -> Response:
    return RedirectResponse("/alerts", status_code=303)


async def _health(request: Request) -> Response:
    return PlainTextResponse("ok")


def create_app(console: Console) -> Starlette:
    routes = [
        Route("/", _home),
        Route("/healthz", _health),
        Route("/signin", page(signin.show, public=True), methods=["GET"]),
        Route("/signin", page(signin.submit, public=True), methods=["POST"]),
        Route("/signout", page(signin.sign_out), methods=["POST"]),
        Route("/alerts", page(queue.show), methods=["GET"]),
        Route("/alerts/{alert_id}", page(alerts.show), methods=["GET"]),
        Route("/alerts/{alert_id}/review", page(alerts.review), methods=["POST"]),
        Route("/alerts/{alert_id}/report", page(reports.show), methods=["GET"]),
        Route("/alerts/{alert_id}/report", page(reports.file), methods=["POST"]),
        Route("/alerts/{alert_id}/report.xml", page(reports.xml), methods=["GET"]),
        Route("/statistics", page(stats.show), methods=["GET"]),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    app.state.console = console
    return app

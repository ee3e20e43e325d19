"""Wiring of the web console: settings, the application, and the HTTP server (uvicorn)."""

from __future__ import annotations

import logging
import signal
from types import FrameType

import uvicorn

from services.common.logging import configure_logging
from services.console.settings import ConsoleSettings
from services.console.web.app import create_app
from services.console.web.context import Console

log = logging.getLogger("services.console")

Settings = ConsoleSettings


def _stopped(signum: int, _frame: FrameType | None) -> None:
    log.info("console stopped", extra={"signal": signal.Signals(signum).name})


def serve(settings: ConsoleSettings) -> int:
    """Serve the console until SIGINT/SIGTERM (uvicorn finishes requests in flight first)."""
    configure_logging(settings.log_level)
    console = Console.build(settings)
    app = create_app(console)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    # uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, to the handlers that were in
    # place before it started; these only log, so a drained console exits 0 like the services.
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _stopped)
    log.info("console listening", extra={"url": f"http://{settings.host}:{settings.port}/"})
    try:
        server.run()
    finally:
        console.gateway.close()
    return 0

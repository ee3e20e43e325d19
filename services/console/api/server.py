"""Wiring of the web console: settings, the application, and the HTTP server (uvicorn)."""

from __future__ import annotations

import logging

import uvicorn

from services.common.logging import configure_logging
from services.console.settings import ConsoleSettings
from services.console.web.app import create_app
from services.console.web.context import Console

log = logging.getLogger("services.console")

Settings = ConsoleSettings


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
    log.info("console listening", extra={"url": f"http://{settings.host}:{settings.port}/"})
    try:
        server.run()
    finally:
        console.gateway.close()
    return 0

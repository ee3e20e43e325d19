"""With the AML service down the console answers a clear 503 page, never a crash."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator

import pytest

from .conftest import World, _free_port, _http_ok, _start, _wait, fetch


@pytest.fixture
def orphan_console(world: World) -> Iterator[str]:
    """A console whose AML target is a port nothing listens on."""
    port = _free_port()
    env = {
        "TRADEGUARD_TOKENS_FILE": str(world.root / "tokens.json"),
        "TRADEGUARD_CONSOLE_PORT": str(port),
        "TRADEGUARD_CONSOLE_AML_TARGET": f"127.0.0.1:{_free_port()}",
        "TRADEGUARD_CONSOLE_RPC_TIMEOUT_SECONDS": "2",
    }
    log = world.root / "orphan-console.log"
    process = _start("console", env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _http_ok(url + "/healthz"), process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_queue_says_the_alert_service_is_unavailable(orphan_console: str, world: World) -> None:
    with urllib.request.urlopen(orphan_console + "/signin", timeout=10) as response:
        cookie = response.headers["set-cookie"].split(";")[0]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode())
    assert csrf is not None
    form = {"csrf_token": csrf.group(1), "token": world.tokens["regulator"], "next": "/alerts"}
    status, _, headers = fetch(orphan_console + "/signin", cookie, form)
    assert status == 303
    signed_in = headers["set-cookie"].split(";")[0]
    status, body, _ = fetch(orphan_console + "/alerts", signed_in)
    assert status == 503
    assert b"Service unavailable" in body and b"Traceback" not in body

"""The web console in the demo: started beside the three services, signed in by nobody."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

from services.demo.processes import ServiceProcesses
from services.demo.steps import DemoPaths


def console_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_console(
    services: ServiceProcesses, paths: DemoPaths, aml_target: str, port: int, timeout: float = 60
) -> None:
    """Start the console on loopback against the demo's AML service and data; wait for it."""
    url = console_url(port)
    print(f"==> starting the web console on {url} ...", flush=True)
    env = {
        "TRADEGUARD_TOKENS_FILE": str(paths.tokens_file),
        "TRADEGUARD_CONSOLE_HOST": "127.0.0.1",
        "TRADEGUARD_CONSOLE_PORT": str(port),
        "TRADEGUARD_CONSOLE_AML_TARGET": aml_target,
        "TRADEGUARD_CONSOLE_DATA_DIR": str(paths.data),
    }
    services.start("console", env, paths.logs / "console.log")
    deadline = time.monotonic() + timeout
    while not _answers(url):
        if services.processes["console"].poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the console did not start; see {paths.logs / 'console.log'}")
        time.sleep(0.2)
    print(f"    console is serving at {url}", flush=True)

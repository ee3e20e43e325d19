"""A real AML service and the console (both `tradeguard serve` subprocesses on loopback), fed
with generated trade data screened by two banks and scanned by a regulator, and a headless
Chromium (Debian's chromium + chromium-driver) driven through Selenium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services.aml.api.trade_messages import load_trades
from services.common.client import ChannelConfig, connect
from services.common.tokens import Role, TokenStore

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Who signs in: two banks, two regulators (the second one makes conflicting edits).
PRINCIPALS = {
    "regulator": ("regulator-1", Role.REGULATOR),
    "regulator-2": ("regulator-2", Role.REGULATOR),
    "bank-a": ("bank-a", Role.BANK),
    "bank-b": ("bank-b", Role.BANK),
    "insurer": ("insurer-1", Role.INSURER),
}
TRADES_PER_BANK = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "services.cli", *argv],
        check=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
    )


def _start(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", name],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait(check: object, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited early:\n{log.read_text()[-3000:]}")
        try:
            if check():  # type: ignore[operator]
                return
        except (OSError, grpc.RpcError):
            pass
        time.sleep(0.2)
    raise TimeoutError(log.read_text()[-3000:])


@dataclass
class World:
    """The running services, the clear tokens, and what was raised."""

    root: Path
    url: str
    aml_target: str
    tokens: dict[str, str]

    def stub(self, who: str) -> tuple[grpc.Channel, aml_pb2_grpc.AmlMonitoringStub]:
        channel = connect(
            ChannelConfig(self.aml_target, token=self.tokens[who], timeout_seconds=60)
        )
        return channel, aml_pb2_grpc.AmlMonitoringStub(channel)

    def alerts(self, who: str, **filters: object) -> list[aml_pb2.Alert]:
        channel, stub = self.stub(who)
        with channel:
            request = aml_pb2.ListAlertsRequest(page_size=500, **filters)  # type: ignore[arg-type]
            return list(stub.ListAlerts(request).alerts)


def _issue_tokens(path: Path) -> dict[str, str]:
    store = TokenStore(path)
    return {name: store.issue(tenant, role)[0] for name, (tenant, role) in PRINCIPALS.items()}


def _screen(world: World, who: str, trades: list) -> None:  # type: ignore[type-arg]
    def batches() -> Iterator[aml_pb2.StreamScreenTradesRequest]:
        for start in range(0, len(trades), 100):
            chunk = trades[start : start + 100]
            yield aml_pb2.StreamScreenTradesRequest(
                requests=[
                    aml_pb2.ScreenTradeRequest(request_id=f"{who}-{t.order.order_id}", trade=t)
                    for t in chunk
                ]
            )

    channel, stub = world.stub(who)
    with channel:
        for _ in stub.StreamScreenTrades(batches()):
            pass


def _scan(world: World) -> None:
    channel, stub = world.stub("regulator")
    with channel:
        stub.ScanTradeData(aml_pb2.ScanTradeDataRequest(request_id="scan-1", dataset="data"))


def _http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return bool(response.status == 200)


def _serving(target: str) -> bool:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(target) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=""), timeout=2
        )
        return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("console")
    data = root / "data"
    _run(["generate", "--enterprises", "120", "--months", "6", "--seed", "3", "--out", str(data)])
    tokens_file = root / "tokens.json"
    tokens = _issue_tokens(tokens_file)
    aml_port, web_port = _free_port(), _free_port()
    common = {"TRADEGUARD_TOKENS_FILE": str(tokens_file)}
    aml_env = {
        **common,
        "TRADEGUARD_AML_HOST": "127.0.0.1",
        "TRADEGUARD_AML_PORT": str(aml_port),
        "TRADEGUARD_AML_METRICS_PORT": "0",
        "TRADEGUARD_AML_DB_URL": f"sqlite:///{root / 'aml.db'}",
        "TRADEGUARD_AML_AUDIT_KEY_FILE": str(root / "audit.key"),
        "TRADEGUARD_AML_AUDIT_CHECKPOINT_DIR": str(root / "audit-checkpoints"),
        "TRADEGUARD_AML_REFERENCE_DIR": str(data),
        "TRADEGUARD_AML_DATA_ROOT": str(root),
    }
    aml = _start("aml", aml_env, root / "aml.log")
    target = f"127.0.0.1:{aml_port}"
    console = None
    try:
        _wait(lambda: _serving(target), aml, root / "aml.log")
        world = World(root, f"http://127.0.0.1:{web_port}", target, tokens)
        trades = load_trades(data, limit=2 * TRADES_PER_BANK)
        _screen(world, "bank-a", trades[:TRADES_PER_BANK])
        _screen(world, "bank-b", trades[TRADES_PER_BANK:])
        _scan(world)
        web_env = {
            **common,
            "TRADEGUARD_CONSOLE_PORT": str(web_port),
            "TRADEGUARD_CONSOLE_AML_TARGET": target,
            "TRADEGUARD_CONSOLE_DATA_DIR": str(data),
        }
        console = _start("console", web_env, root / "console.log")
        _wait(lambda: _http_ok(world.url + "/healthz"), console, root / "console.log")
        yield world
    finally:
        for process in (console, aml):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


@pytest.fixture(scope="session")
def chromium() -> Iterator[webdriver.Chrome]:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.fail("Debian's chromium and chromium-driver are needed: run `make system-deps`")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--disable-extensions",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium: webdriver.Chrome, world: World) -> Iterator[webdriver.Chrome]:
    """The session's browser, signed out and with its console log emptied before each test."""
    chromium.delete_all_cookies()
    chromium.get(world.url + "/signin")
    chromium.get_log("browser")
    yield chromium
    chromium.delete_all_cookies()


def submit(browser: webdriver.Chrome, button: WebElement) -> None:
    """Click a link or a submit button and wait until the page it leads to replaced this one."""
    page = browser.find_element(By.TAG_NAME, "html")
    button.click()
    # While the old document unloads, chromedriver may answer "node does not belong to the
    # document" instead of "stale"; that is the same news, so keep waiting.
    wait = WebDriverWait(browser, 15, ignored_exceptions=(WebDriverException,))
    wait.until(expected_conditions.staleness_of(page))


def sign_in(browser: webdriver.Chrome, world: World, who: str) -> None:
    browser.get(world.url + "/signin")
    browser.find_element(By.ID, "token").send_keys(world.tokens[who])
    submit(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))


def session_cookie(browser: webdriver.Chrome) -> str:
    cookie = browser.get_cookie("tradeguard_console_session")
    assert cookie is not None
    return f"tradeguard_console_session={cookie['value']}"


def fetch(
    url: str, cookie: str, data: dict[str, str] | None = None
) -> tuple[int, bytes, dict[str, str]]:
    """A plain HTTP request carrying the browser's session cookie (no redirects followed)."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookie})

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)

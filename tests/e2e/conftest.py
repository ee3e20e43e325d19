"""End-to-end fixtures: one trained data set per session, the Prometheus binary, the three
services plus Prometheus on loopback, and a small client of the Prometheus HTTP API.

The data set is laid out like the demo's work directory (data/, features/, models/), so a test
can copy what it needs and the demo skips the preparation steps whose outputs exist.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from services.common.auth import Role
from services.common.client import ChannelConfig, connect
from services.common.tokens import TokenStore
from services.demo.cli import _service_env
from services.demo.processes import Endpoint, ServiceProcesses
from services.demo.steps import DemoPaths, extract_end, promote_risk_model
from services.tradedata.generator import GeneratorConfig, generate

ENTERPRISES = 300
MONTHS = 36  # a year of look-back before the first training row, and a year of outcomes
SEED = 0  # the demo's seed, the generator's default: its candidate passes the promotion gates
SERVICES = ("risk", "aml", "finance")
RULES = Path(__file__).resolve().parents[2] / "k8s" / "prometheus" / "rules.yml"
PRINCIPALS = {
    "bank": ("e2e-bank", Role.BANK),
    "insurer": ("e2e-insurer", Role.INSURER),
    "finance-service": ("e2e-finance", Role.SERVICE),
}


def log_tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def run_tradeguard(args: list[str], log: Path, timeout: float = 900.0) -> None:
    """One `tradeguard` command in a child process; a failure shows the command and its output."""
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "services.cli", *args]
    with log.open("w") as out:
        result = subprocess.run(
            command, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False
        )
    if result.returncode != 0:
        pytest.fail(f"`tradeguard {' '.join(args)}` exited {result.returncode}:\n{log_tail(log)}")


@pytest.fixture(scope="session")
def dataset_config() -> GeneratorConfig:
    """Size and seed of the end-to-end data set (small: the tests run on two shared cores)."""
    return GeneratorConfig(enterprises=ENTERPRISES, months=MONTHS, seed=SEED)


@pytest.fixture(scope="session")
def trained_workdir(
    dataset_config: GeneratorConfig, tmp_path_factory: pytest.TempPathFactory
) -> DemoPaths:
    """Generated trade data, its feature table as of the end of the extract, and the three models
    the services load: risk, AML and buyer default (finance needs the last).

    TRADEGUARD_E2E_PREPARED names a work directory prepared earlier (same layout) to reuse."""
    prepared = os.environ.get("TRADEGUARD_E2E_PREPARED")
    if prepared:
        return DemoPaths(Path(prepared))
    paths = DemoPaths(tmp_path_factory.mktemp("e2e-trained"))
    generate(dataset_config, paths.data)
    as_of = extract_end(paths.data)
    run_tradeguard(
        ["features", "--data", str(paths.data), "--as-of", as_of, "--out", str(paths.features)],
        paths.logs / "features.log",
    )
    for model, out in (
        ("risk", paths.risk_models),
        ("aml", paths.aml_models),
        ("buyers", paths.buyer_models),
    ):
        run_tradeguard(
            ["train", model, "--data", str(paths.data), "--out", str(out)],
            paths.logs / f"train-{model}.log",
        )
    promote_risk_model(paths)
    return paths


PREPARED_PARTS = ("data", "features", "models")


@pytest.fixture(scope="session")
def prepared_workdir(
    trained_workdir: DemoPaths, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., DemoPaths]:
    """Makes a new work directory holding copies of parts of the trained one (by default its
    data, features and models); stores and tokens always start fresh."""

    def make(name: str, parts: tuple[str, ...] = PREPARED_PARTS) -> DemoPaths:
        paths = DemoPaths(tmp_path_factory.mktemp(name))
        for part in parts:
            shutil.copytree(trained_workdir.root / part, paths.root / part)
        paths.logs.mkdir(parents=True, exist_ok=True)
        return paths

    return make


@pytest.fixture(scope="session")
def loopback_ports() -> Callable[[int], list[int]]:
    """Returns N distinct free loopback ports."""
    return free_ports


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    """The `prometheus` server from the OS packages: a hard failure in CI, a skip elsewhere."""
    found = shutil.which("prometheus")
    if found is None:
        message = (
            "the `prometheus` binary is not installed; run `make system-deps` "
            "(or `apt-get install -y prometheus`)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports (the sockets are held together so none repeats)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_until(
    condition: Callable[[], bool], what: str, timeout: float = 60.0, interval: float = 0.5
) -> None:
    """Poll `condition` until true; fail naming `what` when the time runs out."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class PrometheusApi:
    """The few HTTP API calls the tests need: instant queries, targets, readiness."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _get(self, path: str, params: dict[str, str]) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        url = f"{self.base_url}{path}{query}"
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/-/ready", timeout=2) as response:
                return int(response.status) == 200
        except OSError:
            return False

    def query(self, expr: str) -> list[dict[str, Any]]:
        body = self._get("/api/v1/query", {"query": expr})
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def values(self, expr: str, by: str) -> dict[str, float]:
        """An instant vector as {value of label `by`: sample value}."""
        return {row["metric"].get(by, ""): float(row["value"][1]) for row in self.query(expr)}

    def rules(self) -> list[dict[str, Any]]:
        """Every loaded recording and alerting rule with its evaluation health."""
        body = self._get("/api/v1/rules", {})
        return [rule for group in body["data"]["groups"] for rule in group["rules"]]

    def last_scrapes(self) -> dict[str, datetime]:
        """When each job's target was last scraped (the scrape's start)."""
        body = self._get("/api/v1/targets", {"state": "active"})
        return {
            target["labels"]["job"]: datetime.fromisoformat(target["lastScrape"])
            for target in body["data"]["activeTargets"]
            if target.get("health") == "up"
        }

    def wait_for_scrape(self, jobs: tuple[str, ...]) -> None:
        """Until every job was scraped after now, so its samples hold every finished call.
        A second of margin covers a server counting a call just after its response left."""
        after = datetime.now(UTC) + timedelta(seconds=1)

        def scraped() -> bool:
            last = self.last_scrapes()
            return all(job in last and last[job] > after for job in jobs)

        wait_until(scraped, f"a scrape of {', '.join(jobs)}", timeout=60)

    def wait_for(self, expr: str, what: str, timeout: float = 60.0) -> list[dict[str, Any]]:
        """The first non-empty result of `expr`."""
        found: list[dict[str, Any]] = []

        def present() -> bool:
            found[:] = self.query(expr)
            return bool(found)

        wait_until(present, what, timeout=timeout)
        return found


@dataclass(frozen=True)
class Stack:
    """The three services and Prometheus scraping them, with the tokens of their callers."""

    paths: DemoPaths
    ends: dict[str, Endpoint]
    tokens: dict[str, str]
    prometheus: PrometheusApi

    def channel(self, service: str, caller: str, timeout: float = 60.0) -> grpc.Channel:
        config = ChannelConfig(
            self.ends[service].target, token=self.tokens[caller], timeout_seconds=timeout
        )
        return connect(config)


def _issue_tokens(path: Path) -> dict[str, str]:
    store = TokenStore(path)
    return {name: store.issue(tenant, role)[0] for name, (tenant, role) in PRINCIPALS.items()}


def _prometheus_config(ends: dict[str, Endpoint]) -> dict[str, object]:
    return {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {"job_name": name, "static_configs": [{"targets": [f"127.0.0.1:{e.metrics_port}"]}]}
            for name, e in ends.items()
        ],
    }


def _start_prometheus(
    binary: str, root: Path, ends: dict[str, Endpoint], port: int
) -> subprocess.Popen[bytes]:
    config = root / "prometheus.yml"
    # JSON is valid YAML: no YAML writer needed for the generated config.
    config.write_text(json.dumps(_prometheus_config(ends), indent=2))
    with (root / "logs" / "prometheus.log").open("ab") as log:
        return subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={root / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start_services(services: ServiceProcesses, paths: DemoPaths, tokens: dict[str, str]) -> None:
    for name in SERVICES:
        env = _service_env(name, paths, services.endpoints, tokens)
        if name == "risk":
            # PSI is refreshed every second so the drift gauge follows the test's traffic.
            env["TRADEGUARD_RISK_PSI_SECONDS"] = "1"
        services.start(name, env, paths.logs / f"{name}.log")
    for name in SERVICES:
        try:
            services.wait_healthy(name, timeout=180)
        except (RuntimeError, TimeoutError) as error:
            pytest.fail(f"{error}; its log ends:\n{log_tail(paths.logs / f'{name}.log')}")


def _wait_ready(process: subprocess.Popen[bytes], api: PrometheusApi, log: Path) -> None:
    def ready() -> bool:
        if process.poll() is not None:
            pytest.fail(f"prometheus exited with {process.returncode}:\n{log_tail(log)}")
        return api.ready()

    wait_until(ready, "Prometheus to be ready")


@pytest.fixture(scope="module")
def stack(prometheus_binary: str, prepared_workdir: Callable[..., DemoPaths]) -> Iterator[Stack]:
    """Started for the module and always stopped: Prometheus first, then the services."""
    paths = prepared_workdir("e2e-stack")
    tokens = _issue_tokens(paths.tokens_file)
    ports = free_ports(7)
    ends = {name: Endpoint(name, ports[i], ports[i + 3]) for i, name in enumerate(SERVICES)}
    services = ServiceProcesses(ends)
    prometheus: subprocess.Popen[bytes] | None = None
    try:
        _start_services(services, paths, tokens)
        prometheus = _start_prometheus(prometheus_binary, paths.root, ends, ports[6])
        api = PrometheusApi(f"http://127.0.0.1:{ports[6]}")
        _wait_ready(prometheus, api, paths.logs / "prometheus.log")
        api.wait_for_scrape(SERVICES)
        yield Stack(paths, ends, tokens, api)
    finally:
        if prometheus is not None:
            _stop(prometheus)
        services.stop()

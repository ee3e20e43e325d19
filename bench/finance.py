"""Finance quotes with their dependency calls against the same quote without them. Writes
bench/results/finance.json.

    python bench/finance.py [--quick] [--rounds N] [--calls N] [--inflight N] [--profile]

What each configuration computes, per call (a fresh request id each time, so every call is a
new quote: replay check, pricing, one durable group-committed insert):
- ``alone``: QuotePremium, short-term, USD 100,000 on open account for 90 days, a buyer given a
  grade (5), so its PD comes from the grade and no model; screening switched off by
  configuration (the quote says so in its fallbacks). No call to risk or aml.
- ``premium_screened``: the same QuotePremium on the finance service that screens: exporter
  and buyer names screened by aml in one ScreenParties call, sent before pricing, with its own
  deadline cut from the caller's. Quotes in flight together share calls: while one is out,
  the others queue and go out together with the next, each distinct name once (see
  services/finance/api/screening_calls.py); a lone quote (the latency phase) goes alone.
- ``financing``: QuotePolicyFinancing of a USD 100,000 receivable for 90 days: the exporter's
  PD from risk ScoreFinancing and the same screening, both sent at once.
Four server processes pinned to CPU 1 (risk, aml, and two finance services: one screening,
one not); the client on CPU 0. Each round of each configuration runs ``--calls`` sequential
calls (latency), then ``--calls`` calls with ``--inflight`` outstanding (throughput, and the CPU
each server process used over exactly those calls: psutil user + system, per quote).

The machine is shared, so wall-clock figures wander between runs. Against that: rounds run
the configurations in alternating order (A B C, C B A, ...), so each sees the same machine;
each round records the CPU other processes used meanwhile, and rounds above the foreign-load
limit are repeated (the number dropped is reported); the summary gives medians over rounds,
and each configuration's ratios to ``alone`` are also given as the median of the ratios within
each round (paired), which a slow stretch of the machine moves far less than the ratio of
medians. Server CPU per quote is the figure to compare code by.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import grpc
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from measure import busy_seconds  # noqa: E402

from services._proto.tradeguard.common.v1 import common_pb2  # noqa: E402
from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc  # noqa: E402
from services.common.tokens import Role, TokenStore  # noqa: E402

SERVER_CPU, CLIENT_CPU = 1, 0
FOREIGN_LOAD_LIMIT = 0.15  # cores used by other processes during a round
KNOWN_EXPORTER = "ENT00007"


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {cpu})


def _serve_risk(root: str, tokens: str, ready: Any) -> None:
    _pin(SERVER_CPU)
    from prometheus_client import CollectorRegistry

    from services.risk.api.server import build
    from services.risk.settings import RiskSettings
    from services.risk.training import synthetic

    models, features = Path(root) / "models", Path(root) / "features"
    features.mkdir(parents=True, exist_ok=True)
    # The service serves promoted models only: the bench model goes through its gates.
    synthetic.promoted_bundle(models, bootstrap_rounds=50)
    synthetic.feature_table().write_parquet(features / "features-1.parquet")
    settings = RiskSettings(
        host="127.0.0.1", port=0, metrics_port=0, tokens_file=Path(tokens),
        model_dir=models, features=features,
    )  # fmt: skip
    service = build(settings, CollectorRegistry()).start(metrics=False)
    ready.send(service.server.port)
    service.server.wait()


def _serve_aml(root: str, tokens: str, ready: Any) -> None:
    _pin(SERVER_CPU)
    from prometheus_client import CollectorRegistry

    from services.aml.api.server import AmlService
    from services.aml.detector import AmlDetector
    from services.aml.domain import ReferenceData, WatchlistEntry
    from services.aml.settings import AmlSettings

    watchlist = (
        WatchlistEntry("W-1", "Golden Crescent Holdings", "AE", "SANCTIONS", ("Golden Crescent",)),
        WatchlistEntry("W-2", "Ivan Petrov Trading", "RU", "NEGATIVE_LIST", ()),
    )
    reference = ReferenceData(watchlist=watchlist)
    settings = AmlSettings(
        host="127.0.0.1", port=0, metrics_port=0, tokens_file=Path(tokens),
        db_url=f"sqlite:///{Path(root) / 'aml.db'}", data_root=Path(root) / "datasets",
        audit_key_file=Path(root) / "audit.key",
        audit_checkpoint_dir=Path(root) / "audit-checkpoints",
    )  # fmt: skip
    service = AmlService(settings, AmlDetector.load(None, reference), CollectorRegistry(),
                         reference=reference)  # fmt: skip
    service.start(metrics=False)
    ready.send(service.port)
    service.server.wait()


def _serve_finance(root: str, tokens: str, env: dict[str, str], ready: Any) -> None:
    _pin(SERVER_CPU)
    os.environ.update(env)
    from prometheus_client import CollectorRegistry

    from services.finance.api.server import build
    from services.finance.settings import FinanceSettings

    settings = FinanceSettings(
        host="127.0.0.1", port=0, metrics_port=0, tokens_file=Path(tokens),
        db_url=f"sqlite:///{Path(root) / 'finance.db'}",
    )  # fmt: skip
    service = build(settings, CollectorRegistry()).start(metrics=False)
    ready.send(service.server.port)
    service.server.wait()


def _start(target: Callable[..., None], *args: Any) -> tuple[BaseProcess, int]:
    receive, send = mp.Pipe(duplex=False)
    process = mp.get_context("spawn").Process(target=target, args=(*args, send), daemon=True)
    process.start()
    if not receive.poll(180):
        raise RuntimeError(f"{target.__name__} did not start")
    return process, int(receive.recv())


CONFIGS = ("alone", "premium_screened", "financing")
BUYER = finance_pb2.Buyer(buyer_id="B-1", name="Acme Imports Ltda", country_code="BR", grade=5)


def _request(config: str) -> tuple[str, Any]:
    """The RPC and a fresh request of ``config``."""
    if config == "financing":
        return "QuotePolicyFinancing", finance_pb2.QuotePolicyFinancingRequest(
            request_id=uuid.uuid4().hex, exporter_id=KNOWN_EXPORTER,
            exporter_name="Ningbo Precision Tools Co", buyer=BUYER,
            receivable=common_pb2.Money(currency_code="USD", units=100_000), tenor_days=90,
            commercial_cover=0.9, political_cover=0.95,
        )  # fmt: skip
    return "QuotePremium", finance_pb2.QuotePremiumRequest(
        request_id=uuid.uuid4().hex,
        policy_type=finance_pb2.SHORT_TERM,
        exporter_id=KNOWN_EXPORTER,
        exporter_name="Ningbo Precision Tools Co",
        buyer=BUYER,
        insured_amount=common_pb2.Money(currency_code="USD", units=100_000),
        payment_terms=common_pb2.OA,
        credit_days=90,
        commercial_cover=0.9,
        political_cover=0.95,
    )


def _latencies(stub: Any, md: Any, config: str, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        method, request = _request(config)
        started = time.perf_counter()
        getattr(stub, method)(request, metadata=md, timeout=10)
        out.append(time.perf_counter() - started)
    return out


def _throughput(stub: Any, md: Any, config: str, calls: int, inflight: int) -> float:
    """Quotes/s with ``inflight`` calls outstanding (futures, so the client is one thread).
    A failed call fails the round (after the others finished) rather than hanging it."""
    gate = threading.Semaphore(inflight)
    done = threading.Event()
    remaining = [calls]
    failures: list[BaseException] = []
    lock = threading.Lock()

    def finished(future: Any) -> None:
        try:
            future.result()
        except BaseException as error:  # noqa: BLE001 - reported after the round
            failures.append(error)
        gate.release()
        with lock:
            remaining[0] -= 1
            if remaining[0] == 0:
                done.set()

    started = time.perf_counter()
    for _ in range(calls):
        method, request = _request(config)
        gate.acquire()
        getattr(stub, method).future(request, metadata=md, timeout=30).add_done_callback(finished)
    done.wait()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} of {calls} {config} calls failed: {failures[0]!r}")
    return calls / elapsed


def _own_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        t = psutil.Process(pid).cpu_times()
        total += t.user + t.system
    return total


def _round(
    stub: Any, md: Any, config: str, pids: list[int], servers: dict[str, int], args: Any
) -> dict[str, Any]:
    busy0, own0, wall0 = busy_seconds(), _own_seconds(pids), time.perf_counter()
    lat = _latencies(stub, md, config, args.calls)
    cpu0 = {name: _own_seconds([pid]) for name, pid in servers.items()}
    qps = _throughput(stub, md, config, args.calls, args.inflight)
    server_cpu = {
        name: round((_own_seconds([pid]) - cpu0[name]) / args.calls * 1e6, 1)
        for name, pid in servers.items()
    }
    wall = time.perf_counter() - wall0
    foreign = max(0.0, (busy_seconds() - busy0) - (_own_seconds(pids) - own0)) / wall
    lat.sort()
    return {
        "config": config,
        "p50_ms": 1000 * lat[len(lat) // 2],
        "p99_ms": 1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))],
        "mean_ms": 1000 * statistics.fmean(lat),
        "quotes_per_s": qps,
        "server_cpu_us_per_quote": server_cpu,
        "foreign_cores": foreign,
        "loadavg": os.getloadavg()[0],
    }


def _profile(stub: Any, md: Any, config: str, pid: int, args: Any) -> dict[str, Any]:
    """Where the finance server spends its CPU under ``config``'s load (py-spy, when
    installed, sampling only the thread that holds the GIL, so waits do not count): the
    functions most often on top of a stack and most often on it, as shares of all samples."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        return {"skipped": "py-spy not installed"}
    out = Path(tempfile.mkdtemp(prefix="bench-finance-spy-")) / "stacks.txt"
    seconds = 4
    recorder = subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "200",
         "--format", "raw", "--gil", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        _throughput(stub, md, config, 200, args.inflight)
    recorder.wait(timeout=60)
    if not out.exists():
        return {"skipped": "py-spy could not attach"}
    own: Counter[str] = Counter()
    within: Counter[str] = Counter()
    for line in out.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            frames = stack.split(";")
            own[frames[-1]] += int(count)
            for frame in set(frames):
                within[frame] += int(count)
    total = sum(own.values()) or 1
    return {
        "samples": total,
        "top_self": [{"frame": f, "share": round(n / total, 4)} for f, n in own.most_common(12)],
        "top_inclusive": [
            {"frame": f, "share": round(n / total, 4)} for f, n in within.most_common(30)
        ],
    }


def _summary(rounds: list[dict[str, Any]], config: str) -> dict[str, Any]:
    """Medians over the rounds under the foreign-load limit, or over all if none was."""
    mine = [r for r in rounds if r["config"] == config]
    kept = [r for r in mine if r["kept"]]
    used = kept or mine
    summary: dict[str, Any] = {
        key: statistics.median(r[key] for r in used)
        for key in ("p50_ms", "p99_ms", "mean_ms", "quotes_per_s")
    }
    for server in used[0]["server_cpu_us_per_quote"]:
        summary[f"{server}_cpu_us_per_quote"] = statistics.median(
            r["server_cpu_us_per_quote"][server] for r in used
        )
    summary["rounds_used"] = len(used)
    summary["rounds_under_load_limit"] = len(kept)
    summary["median_foreign_cores"] = statistics.median(r["foreign_cores"] for r in mine)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 rounds of 200 calls")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--inflight", type=int, default=32)
    parser.add_argument(
        "--profile", action="store_true", help="sample the finance servers with py-spy"
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "finance.json"))
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.calls = 2, 200
    root = Path(tempfile.mkdtemp(prefix="bench-finance-"))
    tokens_path = root / "tokens.json"
    store = TokenStore(tokens_path)
    service_token = store.issue("tradeguard-finance", Role.SERVICE)[0]
    insurer_token = store.issue("insurer-bench", Role.INSURER)[0]
    bank_token = store.issue("bank-bench", Role.BANK)[0]
    risk, risk_port = _start(_serve_risk, str(root / "risk"), str(tokens_path))
    aml, aml_port = _start(_serve_aml, str(root / "aml"), str(tokens_path))
    common = {
        "TRADEGUARD_FINANCE_RISK_TARGET": f"127.0.0.1:{risk_port}",
        "TRADEGUARD_FINANCE_AML_TARGET": f"127.0.0.1:{aml_port}",
        "TRADEGUARD_FINANCE_RISK_TOKEN": service_token,
        "TRADEGUARD_FINANCE_AML_TOKEN": service_token,
    }
    with_deps, port_with = _start(_serve_finance, str(root / "fin-with"), str(tokens_path), common)
    alone_env = {**common, "TRADEGUARD_FINANCE_SCREEN_PARTIES": "false"}
    alone, port_alone = _start(_serve_finance, str(root / "fin-alone"), str(tokens_path), alone_env)
    processes = [risk, aml, with_deps, alone]
    _pin(CLIENT_CPU)
    mds = {
        config: (
            ("authorization", f"Bearer {bank_token if config == 'financing' else insurer_token}"),
        )
        for config in CONFIGS
    }
    channels = {
        "screening": grpc.insecure_channel(f"127.0.0.1:{port_with}"),
        "alone": grpc.insecure_channel(f"127.0.0.1:{port_alone}"),
    }
    stubs = {
        config: finance_pb2_grpc.CreditInsuranceStub(
            channels["alone" if config == "alone" else "screening"]
        )
        for config in CONFIGS
    }
    pids = [os.getpid(), *(p.pid for p in processes if p.pid is not None)]
    try:
        for config, stub in stubs.items():  # warm up connections, caches and SQLite files
            _latencies(stub, mds[config], config, 50)
        for config in CONFIGS:  # each configuration quotes, and makes the calls it says
            method, request = _request(config)
            check = getattr(stubs[config], method)(request, metadata=mds[config], timeout=10)
            screened = config != "alone"  # alone says it screened nobody
            assert check.outcome == finance_pb2.QUOTED, check
            assert screened == (not check.fallbacks), check
        servers = {
            config: {
                "finance": int((alone if config == "alone" else with_deps).pid or 0),
                "aml": int(aml.pid or 0),
                "risk": int(risk.pid or 0),
            }
            for config in CONFIGS
        }
        rounds, dropped = _run_rounds(stubs, mds, pids, servers, args)
        server = {"alone": alone.pid, "premium_screened": with_deps.pid}
        profiles = {
            config: _profile(stubs[config], mds[config], config, int(pid or 0), args)
            for config, pid in server.items()
            if args.profile
        }
    finally:
        for channel in channels.values():
            channel.close()
        for process in processes:
            process.terminate()
    result = _report(rounds, dropped, args)
    result["profile"] = profiles
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result["summary"], indent=2))
    return 0


def _run_rounds(
    stubs: dict[str, Any],
    mds: dict[str, Any],
    pids: list[int],
    servers: dict[str, dict[str, int]],
    args: Any,
) -> tuple[list[dict[str, Any]], int]:
    rounds: list[dict[str, Any]] = []
    dropped = 0
    for index in range(args.rounds):
        order = CONFIGS if index % 2 == 0 else tuple(reversed(CONFIGS))
        for config in order:
            for _attempt in range(3):
                measured = _round(stubs[config], mds[config], config, pids, servers[config], args)
                measured["kept"] = measured["foreign_cores"] <= FOREIGN_LOAD_LIMIT
                measured["round"] = index
                rounds.append(measured)
                if measured["kept"]:
                    break
                dropped += 1
    return rounds, dropped


def _paired(rounds: list[dict[str, Any]], config: str) -> dict[str, float]:
    """Medians of ``config``'s ratios to ``alone`` within each round: over the rounds under the
    foreign-load limit, or over all if none was (as the medians)."""
    by_round: dict[int, dict[str, dict[str, Any]]] = {}
    for measured in rounds:  # the last attempt of each configuration in each round
        by_round.setdefault(measured["round"], {})[measured["config"]] = measured
    pairs = [r for r in by_round.values() if "alone" in r and config in r]
    kept = [r for r in pairs if r["alone"]["kept"] and r[config]["kept"]]
    used = kept or pairs
    if not used:
        return {}
    return {
        "paired_p50_ratio": statistics.median(
            r[config]["p50_ms"] / r["alone"]["p50_ms"] for r in used
        ),
        "paired_throughput_ratio": statistics.median(
            r[config]["quotes_per_s"] / r["alone"]["quotes_per_s"] for r in used
        ),
        "paired_rounds": len(used),
    }


def _report(rounds: list[dict[str, Any]], dropped: int, args: Any) -> dict[str, Any]:
    summaries = {config: _summary(rounds, config) for config in CONFIGS}
    alone = summaries["alone"]
    return {
        "benchmark": "finance quotes with and without their dependency calls",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_end": os.getloadavg(),
            "python": platform.python_version(),
            "grpcio": grpc.__version__,
        },
        "method": {
            "server_cpu": SERVER_CPU,
            "client_cpu": CLIENT_CPU,
            "calls_per_round": args.calls,
            "inflight": args.inflight,
            "rounds_per_config": args.rounds,
            "foreign_load_limit_cores": FOREIGN_LOAD_LIMIT,
            "rounds_dropped_for_foreign_load": dropped,
            "server_cpu_per_quote": "CPU (user + system) of each server process during the "
            "throughput phase, per quote: finance is the server the configuration calls",
            "alone": "QuotePremium, graded buyer, screening switched off: no risk or aml call",
            "premium_screened": "the same QuotePremium + aml screening of exporter and buyer in "
            "one ScreenParties call; quotes in flight together share calls (each name once)",
            "financing": "QuotePolicyFinancing: risk ScoreFinancing (exporter PD) + the same aml "
            "screening, sent at once",
        },
        "summary": {
            **summaries,
            **{
                f"{config}_vs_alone": {
                    "p50_ratio": summaries[config]["p50_ms"] / alone["p50_ms"],
                    "throughput_ratio": summaries[config]["quotes_per_s"] / alone["quotes_per_s"],
                    **_paired(rounds, config),
                }
                for config in CONFIGS[1:]
            },
        },
        "rounds": rounds,
    }


if __name__ == "__main__":
    raise SystemExit(main())

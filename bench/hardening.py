"""What fair share and request bounds cost: the risk server with its checks on and off, in one run.

Sides (the same server, model and requests; only the checks differ):
  on   the server as shipped: per-tenant and per-token concurrency shares inside the global
       limit, every unary request's bounds (string lengths, enum values, timestamps) checked
       before the handler, every streamed item's bounds checked before it is scored.
  off  the same server with a plain global concurrency limit (one semaphore, as before fair
       share) and no bound checks.
Workloads: unary ScoreFinancing from 8 client threads, and StreamScoreFinancing with messages of
100 requests on one stream. Each round runs both sides for a fixed time, each on a freshly
started server, and which side goes first alternates from round to round; the medians are
compared, with each round's on/off throughput ratio beside them. Server CPU per scored request
(psutil, server process only) is reported beside throughput, since throughput on this shared
machine moves with other load.
Server on CPU 1, client on CPU 0 (BENCHMARKING.md).

  .venv/bin/python bench/hardening.py [--rounds 3] [--seconds 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from measure import busy_seconds  # noqa: E402

from services._proto.tradeguard.common.v1 import common_pb2  # noqa: E402
from services._proto.tradeguard.risk.v1 import risk_pb2, risk_pb2_grpc  # noqa: E402
from services.common.errors import ResourceExhausted  # noqa: E402
from services.common.limits import ConcurrencyLimitStage  # noqa: E402
from services.common.message_guard import MessageGuardStage  # noqa: E402
from services.common.pipeline import ActiveCall, CallInfo  # noqa: E402
from services.common.settings import ConcurrencyLimits  # noqa: E402
from services.common.tokens import Principal, Role, TokenStore  # noqa: E402

SERVER_CPU, CLIENT_CPU = 1, 0
CLIENT_THREADS = 8
BATCH = 100


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {cpu})


class GlobalLimitOnly:
    """The 'off' side's limit: one global semaphore, as before fair share."""

    def __init__(self, limit: int) -> None:
        self._slots = threading.BoundedSemaphore(limit)

    def enter(self, call: ActiveCall) -> None:
        if call.info.is_open:
            return
        if not self._slots.acquire(blocking=False):
            raise ResourceExhausted("server is at its limit")
        call.state["slot_held"] = True

    def exit(self, call: ActiveCall, error: BaseException | None) -> None:
        if call.state.pop("slot_held", False):
            self._slots.release()


def _checks_off() -> None:
    """Replace fair share by one global semaphore and drop every bound check."""
    import services.common.server as server_module
    import services.risk.api.servicer as risk_servicer

    shipped = server_module.default_stages

    def stages(settings: Any, *args: Any, **kwargs: Any) -> list[Any]:
        built: list[Any] = []
        for stage in shipped(settings, *args, **kwargs):
            if isinstance(stage, ConcurrencyLimitStage):
                built.append(GlobalLimitOnly(settings.max_concurrent_rpcs))
            elif isinstance(stage, MessageGuardStage):
                built.append(_without_bounds(stage))
            else:
                built.append(stage)
        return built

    server_module.default_stages = stages  # type: ignore[assignment]
    risk_servicer.check_bounds = lambda *_args, **_kwargs: None  # type: ignore[assignment]


def _without_bounds(stage: Any) -> Any:
    from google.protobuf.message import Message

    class NoBounds(type(stage)):  # type: ignore[misc]
        def enter(self, call: Any) -> None:
            if isinstance(call.request, Message):
                return
            super().enter(call)

    stage.__class__ = NoBounds
    return stage


def _serve(root: str, tokens: str, checks: str, ready: Any) -> None:
    _pin(SERVER_CPU)
    if checks == "off":
        _checks_off()
    from prometheus_client import CollectorRegistry

    from services.risk.api.server import build
    from services.risk.settings import RiskSettings
    from services.risk.training import synthetic

    models, features = Path(root) / "models", Path(root) / "features"
    if not models.exists():
        features.mkdir(parents=True, exist_ok=True)
        synthetic.promoted_bundle(models, 3)
        synthetic.feature_table().write_parquet(features / "features-1.parquet")
    settings = RiskSettings(
        host="127.0.0.1", port=0, metrics_port=0, tokens_file=Path(tokens),
        model_dir=models, features=features, log_level="WARNING",
    )  # fmt: skip
    service = build(settings, CollectorRegistry()).start(metrics=False)
    ready.send(service.server.port)
    service.server.wait()


def _request(index: int) -> risk_pb2.ScoreFinancingRequest:
    return risk_pb2.ScoreFinancingRequest(
        request_id=f"b-{index}",
        enterprise_id=f"ENT{index % 200 + 1:05d}",
        product=risk_pb2.RECEIVABLES_FINANCING,
        amount=common_pb2.Money(currency_code="USD", units=10_000 + index),
        tenor_days=90,
    )


def _unary(stub: Any, md: Any, seconds: float) -> int:
    done = [0] * CLIENT_THREADS
    stop = time.monotonic() + seconds

    def worker(slot: int) -> None:
        index = slot
        while time.monotonic() < stop:
            stub.ScoreFinancing(_request(index), metadata=md, timeout=10)
            done[slot] += 1
            index += CLIENT_THREADS

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done)


def _stream(stub: Any, md: Any, seconds: float) -> int:
    batch = risk_pb2.StreamScoreFinancingRequest(requests=[_request(i) for i in range(BATCH)])
    stop = time.monotonic() + seconds

    def messages() -> Any:
        while time.monotonic() < stop:
            yield batch

    return sum(len(r.results) for r in stub.StreamScoreFinancing(messages(), metadata=md))


WORKLOADS: dict[str, Callable[[Any, Any, float], int]] = {"unary": _unary, "stream": _stream}


def _round(port: int, pid: int, md: Any, workload: str, seconds: float) -> dict[str, float]:
    server = psutil.Process(pid)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = risk_pb2_grpc.RiskScoringStub(channel)
        WORKLOADS[workload](stub, md, 0.5)  # warm-up
        cpu_before, busy_before = sum(server.cpu_times()[:2]), busy_seconds()
        started = time.perf_counter()
        items = WORKLOADS[workload](stub, md, seconds)
        elapsed = time.perf_counter() - started
        cpu = sum(server.cpu_times()[:2]) - cpu_before
        busy = busy_seconds() - busy_before
    return {
        "items": items,
        "items_per_s": items / elapsed,
        "server_cpu_us_per_item": cpu / items * 1e6,
        "machine_busy_cores": busy / elapsed,
        "loadavg_1m": os.getloadavg()[0],
    }


def _stage_rounds(rounds: int, calls: int) -> dict[str, Any]:
    """What fair share and the unary bound check cost per call, in process: the shipped
    ConcurrencyLimitStage and MessageGuardStage entering and leaving ``calls`` unary
    ScoreFinancing calls of one BANK token, against the 'off' side's global semaphore and a
    guard that skips bounds, alternating; CPU time per call (this thread's clock)."""
    service = "tradeguard.risk.v1.RiskScoring"
    info = CallInfo(f"/{service}/ScoreFinancing", service, "ScoreFinancing", "UNARY", ())
    principal = Principal("bench-bank", Role.BANK, "token-1")
    limits = ConcurrencyLimits(64, 32, 16)
    sides = {
        "on": (ConcurrencyLimitStage(limits, lambda _info: None), MessageGuardStage(60.0)),
        "off": (GlobalLimitOnly(limits.total), _without_bounds(MessageGuardStage(60.0))),
    }
    requests = [_request(i) for i in range(calls)]
    per_call: dict[str, list[float]] = {"on": [], "off": []}
    for index in range(rounds):
        for side in ("on", "off") if index % 2 == 0 else ("off", "on"):
            stages = sides[side]
            started = time.thread_time()
            for request in requests:
                call = ActiveCall(info, None, request, state={"principal": principal})  # type: ignore[arg-type]
                for stage in stages:
                    stage.enter(call)
                for stage in reversed(stages):
                    stage.exit(call, None)
            per_call[side].append((time.thread_time() - started) / calls * 1e6)
    on, off = statistics.median(per_call["on"]), statistics.median(per_call["off"])
    return {
        "what": "fair-share stage + unary bound check entering and leaving a call, in process, "
        "shipped vs global semaphore and no bounds",
        "calls_per_round": calls,
        "cpu_us_per_call": per_call,
        "on_cpu_us_per_call": round(on, 2),
        "off_cpu_us_per_call": round(off, 2),
        "extra_cpu_us_per_call": round(on - off, 2),
    }


def _handler_rounds(root: str, rounds: int, messages: int) -> dict[str, Any]:
    """What the stream's per-item bound check costs the handler itself, without two server
    processes between the sides: one servicer in this process scores the same message of
    ``BATCH`` requests ``messages`` times with the check as shipped, then with it replaced by a
    no-op, alternating; CPU time per scored request (this thread's clock)."""
    from prometheus_client import CollectorRegistry

    import services.risk.api.servicer as risk_servicer
    from services.risk.metrics import RiskMetrics
    from services.risk.reload import ScoringRuntime
    from services.tradedata.fx import USD_PER_UNIT

    runtime = ScoringRuntime(Path(root) / "models", Path(root) / "features", USD_PER_UNIT)
    if not runtime.poll_once():
        raise RuntimeError("no model or feature table to score with")
    servicer = risk_servicer.RiskScoringServicer(
        runtime, RiskMetrics(CollectorRegistry()), frozenset(USD_PER_UNIT)
    )
    batch = risk_pb2.StreamScoreFinancingRequest(requests=[_request(i) for i in range(BATCH)])
    shipped = risk_servicer.check_bounds
    sides: dict[str, Callable[..., None]] = {"on": shipped, "off": lambda *_a, **_k: None}
    per_item: dict[str, list[float]] = {"on": [], "off": []}
    try:
        for index in range(rounds):
            for side in ("on", "off") if index % 2 == 0 else ("off", "on"):
                risk_servicer.check_bounds = sides[side]  # type: ignore[attr-defined]
                list(servicer.StreamScoreFinancing(iter([batch] * 5), None))  # type: ignore[arg-type]
                started = time.thread_time()
                for _ in servicer.StreamScoreFinancing(iter([batch] * messages), None):  # type: ignore[arg-type]
                    pass
                per_item[side].append((time.thread_time() - started) / (messages * BATCH) * 1e6)
    finally:
        risk_servicer.check_bounds = shipped  # type: ignore[attr-defined]
    on, off = statistics.median(per_item["on"]), statistics.median(per_item["off"])
    return {
        "what": "StreamScoreFinancing handler in process, bound check as shipped vs a no-op",
        "messages_per_round": messages,
        "cpu_us_per_item": per_item,
        "on_cpu_us_per_item": round(on, 2),
        "off_cpu_us_per_item": round(off, 2),
        "cpu_cost_pct": round((on / off - 1) * 100, 2),
    }


def _start(root: str, tokens: str, checks: str) -> tuple[Any, int]:
    receive, send = mp.Pipe(duplex=False)
    process = mp.get_context("spawn").Process(
        target=_serve, args=(root, tokens, checks, send), daemon=True
    )
    process.start()
    if not receive.poll(300):
        raise RuntimeError("the risk server did not start")
    return process, int(receive.recv())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--quick", action="store_true", help="1 round of 1 s per side")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "hardening.json")
    args = parser.parse_args()
    rounds, seconds = (1, 1.0) if args.quick else (args.rounds, args.seconds)
    _pin(CLIENT_CPU)
    work = Path(tempfile.mkdtemp(prefix="bench-hardening-"))
    store = TokenStore(work / "tokens.json")
    md = (("authorization", f"Bearer {store.issue('bench-bank', Role.BANK)[0]}"),)
    raw: dict[str, dict[str, list[dict[str, float]]]] = {
        w: {"on": [], "off": []} for w in WORKLOADS
    }
    for index in range(rounds):
        # The side that runs first in a round alternates, so neither always meets a freshly
        # started machine state (page cache, frequency, the other side's exit) first.
        for checks in ("on", "off") if index % 2 == 0 else ("off", "on"):
            process, port = _start(str(work), str(work / "tokens.json"), checks)
            try:
                for workload in WORKLOADS:
                    raw[workload][checks].append(_round(port, process.pid, md, workload, seconds))
            finally:
                process.terminate()
                process.join(10)
    summary: dict[str, Any] = {w: _compare(sides) for w, sides in raw.items()}
    summary["unary_stages"] = _stage_rounds(max(rounds, 4), 2_000 if args.quick else 20_000)
    summary["stream_handler"] = _handler_rounds(str(work), max(rounds, 4), 10 if args.quick else 60)
    result = {
        "benchmark": "hardening: fair share and request bounds, on vs off",
        "command": " ".join([sys.executable, *sys.argv]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "rounds": rounds,
        "seconds_per_round": seconds,
        "summary": summary,
        "raw": raw,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


def _compare(sides: dict[str, list[dict[str, float]]]) -> dict[str, float]:
    def median(side: str, key: str) -> float:
        return statistics.median(r[key] for r in sides[side])

    on_rate, off_rate = median("on", "items_per_s"), median("off", "items_per_s")
    on_cpu = median("on", "server_cpu_us_per_item")
    off_cpu = median("off", "server_cpu_us_per_item")
    return {
        "on_items_per_s": round(on_rate, 1),
        "off_items_per_s": round(off_rate, 1),
        "throughput_cost_pct": round((1 - on_rate / off_rate) * 100, 2),
        "on_server_cpu_us_per_item": round(on_cpu, 1),
        "off_server_cpu_us_per_item": round(off_cpu, 1),
        "cpu_cost_pct": round((on_cpu / off_cpu - 1) * 100, 2),
        "per_round_on_over_off": [
            round(on["items_per_s"] / off["items_per_s"], 3)
            for on, off in zip(sides["on"], sides["off"], strict=True)
        ],
        "median_loadavg_1m": round(
            statistics.median(r["loadavg_1m"] for side in sides.values() for r in side), 2
        ),
    }


if __name__ == "__main__":
    main()

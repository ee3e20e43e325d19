"""StreamScreenTrades throughput through a real AML server on SQLite, against unary ScreenTrade
(32 calls in flight) on SQLite and on PostgreSQL in the same run: server and client pinned to
different cores, rounds alternating, foreign load recorded and noisy rounds repeated (the method
in the README's Benchmarks section). A last unary round runs against a server profiled in every
thread (cProfile); its top costs per trade are written beside the figures. Each round also sends
the unary calls to bench/peer/grpc_floor.py, a bare grpcio server on the same core that answers with
fixed bytes: the part of a unary call's cost that is grpcio's own, whatever the handler does.
And each round runs the same stream and unary calls against our server started with
TRADEGUARD_AML_BATCH_SCHEDULING=false (the kernel's default thread policy instead of
SCHED_BATCH): what the policy buys, in the same rounds. Unary calls come from two clients in
turn, each keeping 32 calls in flight: one thread issuing futures, and a grpc.aio client (32
tasks on one event loop), against our servers and the floor alike.

    python bench/aml_stream.py [--quick] [--model-dir DIR] [--baseline-src DIR] [--out FILE]

``--baseline-src DIR`` names another source tree (e.g. ``git archive <rev> services | tar -x -C
DIR``): its server runs beside ours on the same core, and its stream rounds and its unary rounds
(asyncio client) alternate with ours, so a change is measured against its predecessor under the
same machine load.

Trades are real documents from the synthetic generator (orders with their payments, waybills
and declarations), and the server loads the same data set as its reference data, so screening
does the full work (watchlist, enterprise registry, history windows). `stream_benchmark()` is
also called by bench/aml.py. Targets: stream >= 5,000 trades/s (twice Tazama's published
2,497/s); unary ScreenTrade at 32 in flight on SQLite >= 2,500 trades/s. PostgreSQL is the
machine's server on 127.0.0.1:5432 (a database of the run's own, dropped afterwards); without
it the PostgreSQL rounds are skipped and the result says so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import pstats
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import psutil
import sqlalchemy as sa
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from measure import busy_seconds, free_port  # noqa: E402

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc  # noqa: E402
from services._proto.tradeguard.common.v1 import common_pb2  # noqa: E402
from services.aml.api.trade_messages import load_trades  # noqa: E402
from services.common.tokens import Role, TokenStore  # noqa: E402
from services.tradedata.generator import GeneratorConfig, generate  # noqa: E402

SERVER_CPU, CLIENT_CPU = "1", 0
FOREIGN_LIMIT = 0.15
BATCH = 250
UNARY_IN_FLIGHT = 32
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PROFILE_TOP = 15
TARGET_TRADES_PER_S = 5000.0
TAZAMA_TRADES_PER_S = 2497.0
DEFAULT_SCHEDULING = {"TRADEGUARD_AML_BATCH_SCHEDULING": "false"}


# --- trades from the generator --------------------------------------------------------------


def dataset_trades(folder: Path, limit: int) -> list[common_pb2.Trade]:
    """The first `limit` orders in time order, each with all of its documents. Parties are left
    out of the messages: the server names them from its reference data, as banks' feeds do."""
    trades = load_trades(folder, limit=limit)
    for trade in trades:
        trade.ClearField("exporter")
        trade.ClearField("buyer")
    return trades


# --- measurement ----------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return float(times.user + times.system)


def measured(fn: Callable[[int], float], server_pid: int, retries: int = 2) -> dict[str, float]:
    """Runs `fn(attempt)` (returns trades done), repeating while other processes took more
    than FOREIGN_LIMIT cores; reports throughput, server CPU per trade and the foreign load.
    Each attempt must send fresh request ids: a repeated one is a cheap replay."""
    record: dict[str, float] = {}
    for attempt in range(retries + 1):
        me = os.getpid()
        server0, client0 = cpu_seconds(server_pid), cpu_seconds(me)
        busy0, t0 = busy_seconds(), time.monotonic()
        done = fn(attempt)
        elapsed = time.monotonic() - t0
        server, client = cpu_seconds(server_pid) - server0, cpu_seconds(me) - client0
        foreign = max(0.0, busy_seconds() - busy0 - server - client) / elapsed
        record = {
            "trades_per_s": done / elapsed,
            "server_cpu_us_per_trade": server / done * 1e6,
            # How busy the server's and the client's cores were: a round whose client core is
            # near 1.0 measured the client, not the server.
            "server_cores": server / elapsed,
            "client_cores": client / elapsed,
            "foreign_cores": foreign,
            "loadavg_1m": os.getloadavg()[0],
            "attempt": float(attempt),
        }
        if foreign <= FOREIGN_LIMIT:
            return record
    record["dropped_retries"] = float(retries)
    return record


def start_server(
    work: Path,
    data: Path,
    model_dir: Path | None,
    src: Path = ROOT,
    name: str = "aml",
    db_url: str | None = None,
    profile_out: Path | None = None,
    settings: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """The server of the source tree `src` (its `services` package), pinned to SERVER_CPU, on
    SQLite unless `db_url` names another store; profiled when `profile_out` is given;
    `settings`: more TRADEGUARD_AML_* variables."""
    port = free_port()
    entry = [str(ROOT / "bench" / "profiled_server.py")] if profile_out else ["-m", "services.aml"]
    cmd = [
        "taskset",
        "-c",
        SERVER_CPU,
        sys.executable,
        *entry,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--metrics-port",
        "0",
        "--log-level",
        "WARNING",
        "--max-batch",
        "1000",
        "--reference-dir",
        str(data),
    ]
    if model_dir is not None:
        cmd += ["--model-dir", str(model_dir)]
    env = {
        **os.environ,
        "TRADEGUARD_AML_DB_URL": db_url or f"sqlite:///{work / f'{name}.db'}",
        "TRADEGUARD_AML_AUDIT_KEY_FILE": str(work / f"{name}-audit.key"),
        "TRADEGUARD_AML_AUDIT_CHECKPOINT_DIR": str(work / f"{name}-audit-checkpoints"),
        "TRADEGUARD_TOKENS_FILE": str(work / "tokens.json"),
        "OMP_NUM_THREADS": "1",
        **(settings or {}),
    }
    if profile_out is not None:
        env["TRADEGUARD_PROFILE_OUT"] = str(profile_out)
    log = (work / f"{name}-server.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=src, env=env, stdout=log, stderr=subprocess.STDOUT)
    target = f"127.0.0.1:{port}"
    with grpc.insecure_channel(target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if health.Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                    return proc, target
            except grpc.RpcError:
                time.sleep(0.2)
    proc.kill()
    raise RuntimeError(
        f"AML server did not start: {(work / f'{name}-server.log').read_text()[-2000:]}"
    )


def start_floor(work: Path, response: bytes) -> tuple[subprocess.Popen[bytes], str]:
    """The floor server (bench/peer/grpc_floor.py) pinned as ours, answering with `response`."""
    port, answer = free_port(), work / "floor-response.bin"
    answer.write_bytes(response)
    floor = ROOT / "bench" / "peer" / "grpc_floor.py"
    cmd = ["taskset", "-c", SERVER_CPU, sys.executable, str(floor), "--port", str(port)]
    log = (work / "floor-server.log").open("wb")
    proc = subprocess.Popen([*cmd, "--response", str(answer)], stdout=log, stderr=subprocess.STDOUT)
    target = f"127.0.0.1:{port}"
    with grpc.insecure_channel(target) as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=60)
        except grpc.FutureTimeoutError as timeout:
            proc.kill()
            output = (work / "floor-server.log").read_text()
            raise RuntimeError(f"floor server did not start: {output}") from timeout
    return proc, target


def sample_response(target: str, tokens: TokenStore, trade: common_pb2.Trade) -> bytes:
    """One real ScreenTradeResponse of our server, as the floor server's answer."""
    token = tokens.issue("bank-sample", Role.BANK)[0]
    with grpc.insecure_channel(target) as channel:
        stub = aml_pb2_grpc.AmlMonitoringStub(channel)
        request = aml_pb2.ScreenTradeRequest(request_id="sample", trade=trade)
        reply = stub.ScreenTrade(request, metadata=(("authorization", f"Bearer {token}"),))
    return bytes(reply.SerializeToString())


def _requests(trades: list[common_pb2.Trade], tag: str) -> list[aml_pb2.ScreenTradeRequest]:
    return [
        aml_pb2.ScreenTradeRequest(request_id=f"{tag}-{i}", trade=t) for i, t in enumerate(trades)
    ]


def stream_round(stub: Any, token: str, trades: list[common_pb2.Trade], tag: str) -> float:
    requests = _requests(trades, tag)
    messages = [
        aml_pb2.StreamScreenTradesRequest(requests=requests[i : i + BATCH])
        for i in range(0, len(requests), BATCH)
    ]
    md = (("authorization", f"Bearer {token}"),)
    replies = stub.StreamScreenTrades(iter(messages), metadata=md, timeout=900)
    results = [r for reply in replies for r in reply.results]
    errors = [r for r in results if r.WhichOneof("outcome") == "error"]
    if errors or len(results) != len(trades):
        raise RuntimeError(f"{len(results)} answers, {len(errors)} errors: {errors[:1]}")
    return float(len(results))


def unary_round(stub: Any, token: str, trades: list[common_pb2.Trade], tag: str) -> float:
    """UNARY_IN_FLIGHT calls kept in flight from one client thread, as futures: a call starts
    as soon as one ends. (A pool of 32 threads each blocked on its call kept the client's own
    core ~95 % busy in the floor's rounds, so the floor measured the client, not the server.)"""
    md = (("authorization", f"Bearer {token}"),)
    slots = threading.Semaphore(UNARY_IN_FLIGHT)
    calls: list[Any] = []
    for request in _requests(trades, tag):
        slots.acquire()
        call = stub.ScreenTrade.future(request, metadata=md, timeout=60)
        call.add_done_callback(lambda _: slots.release())
        calls.append(call)
    for call in calls:
        call.result()  # the first failed call's error, if any
    return float(len(trades))


def asyncio_unary_round(target: str, token: str, trades: list[common_pb2.Trade], tag: str) -> float:
    """UNARY_IN_FLIGHT calls kept in flight by a grpc.aio client: one event loop thread, each of
    32 tasks sending its next call as its last one ends. Cheaper per call on the client than
    `unary_round` (no completion handed from grpcio's channel thread to another thread), so
    the server waits less for the next calls between batches (`server_cores` per round)."""
    md = (("authorization", f"Bearer {token}"),)
    requests = iter(_requests(trades, tag))

    async def run() -> None:
        async with grpc.aio.insecure_channel(target) as channel:
            stub = aml_pb2_grpc.AmlMonitoringStub(channel)

            async def caller() -> None:
                for request in requests:
                    await stub.ScreenTrade(request, metadata=md, timeout=60)

            await asyncio.gather(*(caller() for _ in range(UNARY_IN_FLIGHT)))

    asyncio.run(run())
    return float(len(trades))


def _round(
    run: Callable[[Any, str, list[common_pb2.Trade], str], float],
    endpoint: Any,
    tokens: TokenStore,
    trades: list[common_pb2.Trade],
    tag: str,
) -> Callable[[int], float]:
    """One measured round; every attempt screens as a new tenant with new request ids, since
    alerts dedup per tenant and a repeated request id is only a replay. `endpoint`: what `run`
    calls through (a stub, or the server's address for the asyncio client)."""

    def attempt(number: int) -> float:
        token = tokens.issue(f"bank-{tag}-{number}", Role.BANK)[0]
        return run(endpoint, token, trades, f"{tag}-{number}")

    return attempt


def stream_benchmark(
    quick: bool = False,
    model_dir: Path | None = None,
    rounds: int | None = None,
    baseline_src: Path | None = None,
) -> dict[str, Any]:
    """Generate data, start the server pinned to one core, alternate stream and unary rounds
    (and stream rounds of the baseline tree's server, when one is given)."""
    affinity = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {CLIENT_CPU})
    try:
        return _stream_benchmark(quick, model_dir, rounds, baseline_src)
    finally:
        os.sched_setaffinity(0, affinity)


def _stream_benchmark(
    quick: bool, model_dir: Path | None, rounds: int | None, baseline_src: Path | None
) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="tg-aml-bench-"))
    data = work / "data"
    generate(GeneratorConfig(enterprises=300, months=12, seed=11), data)
    n_stream, n_unary = (4000, 1000) if quick else (20_000, 4000)
    trades = dataset_trades(data, n_stream)
    tokens = TokenStore(work / "tokens.json")
    pg = _pg_database()
    servers = {"ours": start_server(work, data, model_dir)}
    # The same server with the default thread policy: what SCHED_BATCH buys, in the same rounds.
    servers["default_sched"] = start_server(
        work, data, model_dir, name="default-sched", settings=DEFAULT_SCHEDULING
    )
    if pg is not None:
        servers["pg"] = start_server(work, data, model_dir, name="pg", db_url=pg)
    if baseline_src is not None:
        servers["baseline"] = start_server(work, data, model_dir, baseline_src, "baseline")
    servers["floor"] = start_floor(work, sample_response(servers["ours"][1], tokens, trades[0]))
    rows: dict[str, list[dict[str, float]]] = {
        "stream": [],
        "stream_pg": [],
        "unary": [],
        "unary_pg": [],
        "unary_floor": [],
        "unary_asyncio": [],
        "unary_asyncio_pg": [],
        "unary_asyncio_floor": [],
        "stream_default_sched": [],
        "unary_default_sched": [],
    }
    if baseline_src is not None:
        rows["baseline_stream"] = []
        rows["baseline_unary_asyncio"] = []
    try:
        _alternate(servers, tokens, trades, n_unary, rounds or (2 if quick else 3), rows)
    finally:
        _stop(servers)
        _drop_pg_database(pg)
    profile = _profile_unary(work, data, model_dir, tokens, trades[:n_unary])
    return {
        **_summary(rows, n_stream, n_unary, model_dir, baseline_src),
        "postgresql": "127.0.0.1:5432, synchronous_commit=on" if pg else "not reachable: skipped",
        "unary_profile": profile,
    }


def _stop(servers: dict[str, tuple[subprocess.Popen[bytes], str]]) -> None:
    for proc, _ in servers.values():
        proc.terminate()
        proc.wait(timeout=30)


def _pg_database() -> str | None:
    """A database of this run's own on the machine's PostgreSQL, or None when there is none."""
    name = f"tg_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError:
        return None
    finally:
        admin.dispose()
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _drop_pg_database(url: str | None) -> None:
    if url is None:
        return
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _profile_unary(
    work: Path,
    data: Path,
    model_dir: Path | None,
    tokens: TokenStore,
    trades: list[common_pb2.Trade],
) -> dict[str, Any]:
    """One unary round (32 in flight, SQLite) against a server profiled in every thread; the
    functions with the most own time, per trade screened."""
    out = work / "unary.prof"
    proc, target = start_server(work, data, model_dir, name="profiled", profile_out=out)
    try:
        with grpc.insecure_channel(target) as channel:
            stub = aml_pb2_grpc.AmlMonitoringStub(channel)
            token = tokens.issue("bank-profile", Role.BANK)[0]
            unary_round(stub, token, trades, "profile")
    finally:
        _stop({"profiled": (proc, target)})
    table: dict[Any, Any] = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in table.values())
    top = sorted(table.items(), key=lambda kv: kv[1][2], reverse=True)[:PROFILE_TOP]
    return {
        "trades": len(trades),
        "profiled_seconds": total,
        "note": (
            "cProfile in every server thread, timing each thread's CPU (waits excluded; the "
            "profiler itself adds overhead); own CPU per function per trade"
        ),
        "top_own_time": [
            {
                "function": f"{Path(file).name}:{line}:{name}",
                "calls": calls,
                "own_us_per_trade": own / len(trades) * 1e6,
                "own_share": own / total if total else 0.0,
                "cumulative_us_per_trade": cumulative / len(trades) * 1e6,
            }
            for (file, line, name), (_, calls, own, cumulative, _) in top
        ],
    }


def _alternate(
    servers: dict[str, tuple[subprocess.Popen[bytes], str]],
    tokens: TokenStore,
    trades: list[common_pb2.Trade],
    n_unary: int,
    rounds: int,
    rows: dict[str, list[dict[str, float]]],
) -> None:
    """Warm every server, then per round: baseline stream (if any), our stream, our unary on
    SQLite (thread client, then asyncio client, then the baseline's with the asyncio client if
    there is one), the same unary and stream with the default thread policy, the floor (both
    clients), our stream and unary on PostgreSQL (if any, both clients)."""
    channels = {name: grpc.insecure_channel(target) for name, (_, target) in servers.items()}
    try:
        stubs = {name: aml_pb2_grpc.AmlMonitoringStub(c) for name, c in channels.items()}
        warm = tokens.issue("bank-warmup", Role.BANK)[0]
        for name, stub in stubs.items():
            if name == "floor":
                unary_round(stub, warm, trades[:n_unary], "warm")
            else:
                stream_round(stub, warm, trades[:1000], "warm")
        ours, pid = stubs["ours"], servers["ours"][0].pid
        for r in range(rounds):
            if "baseline" in stubs:
                base = _round(stream_round, stubs["baseline"], tokens, trades, f"b{r}")
                rows["baseline_stream"].append(measured(base, servers["baseline"][0].pid))
            rows["stream"].append(
                measured(_round(stream_round, ours, tokens, trades, f"s{r}"), pid)
            )
            unary = _round(unary_round, ours, tokens, trades[:n_unary], f"u{r}")
            rows["unary"].append(measured(unary, pid))
            aio = _round(asyncio_unary_round, servers["ours"][1], tokens, trades[:n_unary], f"a{r}")
            rows["unary_asyncio"].append(measured(aio, pid))
            if "baseline" in stubs:
                base_pid, base_target = servers["baseline"][0].pid, servers["baseline"][1]
                base_aio = _round(
                    asyncio_unary_round, base_target, tokens, trades[:n_unary], f"ba{r}"
                )
                rows["baseline_unary_asyncio"].append(measured(base_aio, base_pid))
            plain, plain_pid = stubs["default_sched"], servers["default_sched"][0].pid
            plain_unary = _round(unary_round, plain, tokens, trades[:n_unary], f"du{r}")
            rows["unary_default_sched"].append(measured(plain_unary, plain_pid))
            plain_stream = _round(stream_round, plain, tokens, trades, f"ds{r}")
            rows["stream_default_sched"].append(measured(plain_stream, plain_pid))
            floor_pid, floor_target = servers["floor"][0].pid, servers["floor"][1]
            floor = _round(unary_round, stubs["floor"], tokens, trades[:n_unary], f"f{r}")
            rows["unary_floor"].append(measured(floor, floor_pid))
            floor = _round(asyncio_unary_round, floor_target, tokens, trades[:n_unary], f"fa{r}")
            rows["unary_asyncio_floor"].append(measured(floor, floor_pid))
            if "pg" in stubs:
                pg_pid = servers["pg"][0].pid
                streamed = _round(stream_round, stubs["pg"], tokens, trades, f"q{r}")
                rows["stream_pg"].append(measured(streamed, pg_pid))
                on_pg = _round(unary_round, stubs["pg"], tokens, trades[:n_unary], f"p{r}")
                rows["unary_pg"].append(measured(on_pg, pg_pid))
                pg_target = servers["pg"][1]
                on_pg = _round(asyncio_unary_round, pg_target, tokens, trades[:n_unary], f"pa{r}")
                rows["unary_asyncio_pg"].append(measured(on_pg, pg_pid))
    finally:
        for channel in channels.values():
            channel.close()


def _median(rows: list[dict[str, float]], key: str) -> float:
    return float(statistics.median(r[key] for r in rows))


def _baseline(rows: dict[str, list[dict[str, float]]], src: Path | None) -> dict[str, Any]:
    if not rows.get("baseline_stream"):
        return {}
    stream = _against_baseline("stream", rows["stream"], rows["baseline_stream"])
    # The name bench/architecture.py reads, from this tree's output and from older trees'.
    stream["paired_speedups"] = stream.pop("stream_paired_speedups")
    unary = _against_baseline(
        "unary_asyncio", rows["unary_asyncio"], rows["baseline_unary_asyncio"]
    )
    return {"baseline_src": str(src), **stream, **unary}


def _against_baseline(
    kind: str, ours: list[dict[str, float]], base: list[dict[str, float]]
) -> dict[str, Any]:
    """Our rounds of one kind against the baseline tree's, as medians and round by round."""
    tps, cpu = _median(base, "trades_per_s"), _median(base, "server_cpu_us_per_trade")
    pairs = list(zip(ours, base, strict=True))
    return {
        f"baseline_{kind}_trades_per_s": tps,
        f"baseline_{kind}_server_cpu_us_per_trade": cpu,
        f"{kind}_speedup_over_baseline": _median(ours, "trades_per_s") / tps,
        f"{kind}_cpu_ratio_to_baseline": _median(ours, "server_cpu_us_per_trade") / cpu,
        f"{kind}_paired_speedups": [o["trades_per_s"] / b["trades_per_s"] for o, b in pairs],
        f"{kind}_paired_cpu_ratios": [
            o["server_cpu_us_per_trade"] / b["server_cpu_us_per_trade"] for o, b in pairs
        ],
    }


def _default_scheduling(rows: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    """Our server against itself with the default thread policy (SCHED_OTHER), same rounds."""
    unary, plain = rows["unary"], rows["unary_default_sched"]
    stream, plain_stream = rows["stream"], rows["stream_default_sched"]
    return {
        "setting": "TRADEGUARD_AML_BATCH_SCHEDULING=false, otherwise the same server",
        "unary_trades_per_s": _median(plain, "trades_per_s"),
        "unary_server_cpu_us_per_trade": _median(plain, "server_cpu_us_per_trade"),
        "stream_trades_per_s": _median(plain_stream, "trades_per_s"),
        "stream_server_cpu_us_per_trade": _median(plain_stream, "server_cpu_us_per_trade"),
        "unary_speedup_of_batch_scheduling": _median(unary, "trades_per_s")
        / _median(plain, "trades_per_s"),
        "unary_paired_speedups": [
            o["trades_per_s"] / p["trades_per_s"] for o, p in zip(unary, plain, strict=True)
        ],
        "stream_paired_speedups": [
            o["trades_per_s"] / p["trades_per_s"] for o, p in zip(stream, plain_stream, strict=True)
        ],
    }


def _asyncio_client(rows: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    """The unary figures with the asyncio client, beside the thread client's, same rounds."""
    aio, aio_pg, floor = (
        rows["unary_asyncio"],
        rows["unary_asyncio_pg"],
        rows["unary_asyncio_floor"],
    )
    tps = _median(aio, "trades_per_s")
    return {
        "unary_asyncio_trades_per_s": tps,
        "unary_asyncio_server_cpu_us_per_trade": _median(aio, "server_cpu_us_per_trade"),
        "unary_asyncio_server_cores": _median(aio, "server_cores"),
        "unary_asyncio_client_cores": _median(aio, "client_cores"),
        "unary_asyncio_pg_trades_per_s": _median(aio_pg, "trades_per_s") if aio_pg else None,
        "unary_asyncio_pg_server_cpu_us_per_trade": (
            _median(aio_pg, "server_cpu_us_per_trade") if aio_pg else None
        ),
        "unary_asyncio_grpc_floor_calls_per_s": _median(floor, "trades_per_s"),
        "unary_asyncio_grpc_floor_server_cpu_us_per_call": _median(
            floor, "server_cpu_us_per_trade"
        ),
        "unary_asyncio_over_tazama": tps / TAZAMA_TRADES_PER_S,
        # Per round: the asyncio client's figure over the thread client's, same server.
        "unary_asyncio_over_thread_client_per_round": [
            a["trades_per_s"] / t["trades_per_s"] for a, t in zip(aio, rows["unary"], strict=True)
        ],
    }


def _summary(
    rows: dict[str, list[dict[str, float]]],
    n_stream: int,
    n_unary: int,
    model_dir: Path | None,
    baseline_src: Path | None = None,
) -> dict[str, Any]:
    stream, unary = _median(rows["stream"], "trades_per_s"), _median(rows["unary"], "trades_per_s")
    on_pg, streamed_pg = rows["unary_pg"], rows["stream_pg"]
    return {
        **_asyncio_client(rows),
        "stream_trades_per_s": stream,
        "stream_pg_trades_per_s": _median(streamed_pg, "trades_per_s") if streamed_pg else None,
        "unary_trades_per_s": unary,
        "unary_pg_trades_per_s": _median(on_pg, "trades_per_s") if on_pg else None,
        "stream_over_unary": stream / unary,
        "stream_server_cpu_us_per_trade": _median(rows["stream"], "server_cpu_us_per_trade"),
        "unary_server_cpu_us_per_trade": _median(rows["unary"], "server_cpu_us_per_trade"),
        "unary_pg_server_cpu_us_per_trade": (
            _median(on_pg, "server_cpu_us_per_trade") if on_pg else None
        ),
        "unary_grpc_floor_calls_per_s": _median(rows["unary_floor"], "trades_per_s"),
        "unary_grpc_floor_server_cpu_us_per_call": _median(
            rows["unary_floor"], "server_cpu_us_per_trade"
        ),
        # Per round: the service's server CPU per trade over the floor's per call, same client.
        "unary_cpu_over_grpc_floor_per_round": [
            u["server_cpu_us_per_trade"] / f["server_cpu_us_per_trade"]
            for u, f in zip(rows["unary"], rows["unary_floor"], strict=True)
        ],
        # The most unary calls a second this core could serve if a call cost no more than
        # grpcio's floor plus the stream's whole work per trade (read, screen, commit, answer):
        # the ceiling of any unary path over this screening, before its own per-call costs.
        "unary_ceiling_floor_plus_stream_trades_per_s": 1e6
        / (
            _median(rows["unary_floor"], "server_cpu_us_per_trade")
            + _median(rows["stream"], "server_cpu_us_per_trade")
        ),
        "unary_target_trades_per_s": TAZAMA_TRADES_PER_S,
        "unary_over_tazama": unary / TAZAMA_TRADES_PER_S,
        "target_trades_per_s": TARGET_TRADES_PER_S,
        "tazama_published_trades_per_s": TAZAMA_TRADES_PER_S,
        "stream_over_tazama": stream / TAZAMA_TRADES_PER_S,
        **_baseline(rows, baseline_src),
        "default_scheduling": _default_scheduling(rows),
        "rounds": rows,
        "setup": {
            "store": "SQLite (WAL, synchronous=FULL); stream and unary also on PostgreSQL",
            "history": (
                "behaviour-rule windows (structuring, pass-through, shell volume) kept per "
                "tenant in the store's database: one read per window kind and one write per "
                "message of 250 trades"
            ),
            "what_each_side_computes": (
                "every trade: validation, rules, typologies, model when given, alerts and the "
                "stored response committed durably before the answer; stream: 250 trades per "
                "message, one commit per message; unary: one trade per call, 32 calls in flight, "
                "concurrent calls share a commit (group commit); unary grpc floor: "
                "bench/peer/grpc_floor.py, a grpcio server built as ours (thread pool, channel "
                "options, SCHED_BATCH) on the same core answering the same calls from the same "
                "client with the bytes of a real ScreenTradeResponse and doing nothing else: "
                "what grpcio alone costs per unary call on this machine, before any of the "
                "service's work"
            ),
            "batch_per_message": BATCH,
            "stream_trades_per_round": n_stream,
            "unary_trades_per_round": n_unary,
            "unary_in_flight": UNARY_IN_FLIGHT,
            "unary_client": (
                "two clients, each keeping 32 calls in flight (a new call as each one ends) and "
                "each used for our servers and the floor alike: unary_* one client thread "
                "issuing calls as futures whose completions arrive on grpcio's channel thread "
                "(~150 µs of client CPU per call: the floor's rounds keep its core ~95 % busy, "
                "so the floor's calls/s are the client's limit and its server CPU per call is "
                "the floor figure); unary_asyncio_* a grpc.aio channel with 32 tasks on one "
                "event loop, cheaper per call on the client, so the server waits less for the "
                "next calls between batches. "
                "server_cores and client_cores per round say which side was the limit"
            ),
            "data": "generator enterprises=300 months=12 seed=11, first orders in time order",
            "model": str(model_dir) if model_dir else "rules only",
            "server_cpu": SERVER_CPU,
            "client_cpu": CLIENT_CPU,
            "server_log_level": "WARNING: no access log line per call (INFO, the default, "
            "writes one per call and per stream)",
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--model-dir", type=Path)
    parser.add_argument("--baseline-src", type=Path, help="source tree to compare against")
    parser.add_argument("--rounds", type=int, help="measured rounds (default 3, quick 2)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "aml_stream.json")
    args = parser.parse_args()
    result = stream_benchmark(
        args.quick, args.model_dir, args.rounds, baseline_src=args.baseline_src
    )
    result["machine"] = {
        "python": platform.python_version(),
        "grpcio": grpc.__version__,
        "cpus": os.cpu_count(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    keys = (
        "stream_trades_per_s",
        "stream_pg_trades_per_s",
        "unary_trades_per_s",
        "unary_pg_trades_per_s",
        "stream_server_cpu_us_per_trade",
        "baseline_stream_trades_per_s",
        "baseline_stream_server_cpu_us_per_trade",
    )
    print(json.dumps({k: round(result[k], 2) for k in keys if result.get(k) is not None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

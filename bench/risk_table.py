"""Loading a large feature table into the risk service: time and peak memory.

    python bench/risk_table.py [--rows 1000000] [--quick] [--steady SECONDS] [--no-swap]

Builds a table of `--rows` enterprises by resampling the bench model's feature table (new ids,
the same feature distribution), writes it as Parquet, then, in a fresh process, builds the
scoring snapshot the service would swap in (read, encode, PSI bins, id index) and scores one
request. Reports seconds and peak RSS of that process, with the machine load. Targets: 1M rows
in <= 30 s and <= 2 GiB.

Then the swap: a risk server (pinned to one CPU, as in bench/risk.py) serves that table while
one client calls ScoreFinancing back to back for distinct enterprises; after `--steady`
seconds a new table (the same rows, as-of one day later) is written beside it, and calls go on
until answers carry the new as-of. Reports p50/p99/max of the calls before and during the swap
(from the new file's write to the first answer from it). Target: p99 during the swap <= 2x the
steady p99 (`--no-swap` skips this part).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import start_risk_server  # noqa: E402

from services._proto.tradeguard.common.v1 import common_pb2  # noqa: E402
from services._proto.tradeguard.risk.v1 import risk_pb2, risk_pb2_grpc  # noqa: E402
from services.common.tokens import Role, TokenStore  # noqa: E402
from services.risk import model as model_io  # noqa: E402
from services.tradedata.features.table_file import write_feature_table  # noqa: E402

SERVER_CPU, CLIENT_CPU = "1", 0

CACHE = ROOT / "var/bench/risk"
LOAD = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from services.risk import model as model_io
from services.risk.domain import FinancingRequest, Product
from services.risk.feature_table import read_feature_table
from services.risk.psi import PsiMonitor
from services.risk.scoring import ScoringSnapshot
imported = time.perf_counter()
bundle = model_io.load(model_io.latest_bundle_dir(Path(sys.argv[1])))
table = read_feature_table(Path(sys.argv[2]))
snapshot = ScoringSnapshot(
    bundle, table, bundle.metadata.policy, {"USD": 1.0}, PsiMonitor(bundle.metadata.references)
)
loaded = time.perf_counter()
request = FinancingRequest("b", sys.argv[3], Product.ORDER_FINANCING, 1000.0, "USD", 90)
snapshot.score(request)
print(json.dumps({
    "load_seconds": loaded - imported,
    "import_seconds": imported - t0,
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rows": snapshot.enterprise_count,
}))
"""


def build_table(rows: int, out: Path) -> str:
    """`rows` enterprises resampled from the bench feature table; returns one of their ids."""
    source = pl.read_parquet(CACHE / "features.parquet")
    picks = np.random.default_rng(0).integers(0, source.height, rows)
    frame = source[picks].with_columns(
        pl.format("X{}", pl.int_range(rows, dtype=pl.Int64).cast(pl.String).str.zfill(8)).alias(
            "enterprise_id"
        )
    )
    frame.write_parquet(out)
    return str(frame["enterprise_id"][rows // 2])


def _latencies_ms(values: list[float]) -> dict[str, float]:
    array = np.asarray(values) * 1000
    return {
        "calls": float(len(array)),
        "p50_ms": float(np.percentile(array, 50)),
        "p99_ms": float(np.percentile(array, 99)),
        "max_ms": float(array.max()),
    }


def _start_server(served: Path, work: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    store = TokenStore(work / "tokens.json")
    token, _ = store.issue("bench", Role.BANK)
    proc, target = start_risk_server(
        model_io.latest_bundle_dir(CACHE / "models"),  # the bundle itself: pinned
        served,
        work / "tokens.json",
        work / "server.log",
        cpu=SERVER_CPU,
        extra=("--reload-seconds", "0.5"),
    )
    return proc, target, token


def swap_latency(table: Path, steady_seconds: float) -> dict[str, Any]:
    """Call latencies of one client before and during a feature-table swap (see the module)."""
    work = Path(tempfile.mkdtemp(prefix="risk-swap-"))
    served = work / "features"
    served.mkdir()
    frame = pl.read_parquet(table)
    write_feature_table(frame, served / "features-1.parquet")
    ids = frame["enterprise_id"].to_list()
    order = np.random.default_rng(1).permutation(len(ids))
    proc, target, token = _start_server(served, work)
    metadata = (("authorization", f"Bearer {token}"),)
    try:
        channel = grpc.insecure_channel(target)
        grpc.channel_ready_future(channel).result(timeout=600)
        stub = risk_pb2_grpc.RiskScoringStub(channel)
        os.sched_setaffinity(0, {CLIENT_CPU})
        calls = 0

        def call() -> tuple[float, str]:
            nonlocal calls
            request = risk_pb2.ScoreFinancingRequest(
                request_id=f"s{calls}",
                enterprise_id=str(ids[order[calls % len(order)]]),
                product=risk_pb2.RECEIVABLES_FINANCING,
                amount=common_pb2.Money(currency_code="USD", units=50_000),
                tenor_days=90,
            )
            calls += 1
            started = time.perf_counter()
            answer = stub.ScoreFinancing(request, metadata=metadata, timeout=60)
            as_of = answer.features_as_of.ToJsonString()
            return time.perf_counter() - started, as_of

        ready_by = time.monotonic() + 600
        while True:  # wait for the server to be ready (it starts NOT_SERVING while it loads)
            try:
                _, first_as_of = call()
                break
            except grpc.RpcError:
                if time.monotonic() > ready_by:
                    raise
                time.sleep(0.5)
        for _ in range(200):
            call()  # warm
        steady: list[float] = []
        end = time.perf_counter() + steady_seconds
        while time.perf_counter() < end:
            steady.append(call()[0])
        later = frame.with_columns(pl.col("as_of") + timedelta(days=1))
        write_feature_table(later, served / "features-2.parquet")
        written = time.perf_counter()
        during: list[float] = []
        swapped_by = time.monotonic() + 600
        while time.monotonic() < swapped_by:
            seconds, as_of = call()
            during.append(seconds)
            if as_of != first_as_of:
                break
        else:
            raise SystemExit("the server did not serve the new table within 10 minutes")
        swap_seconds = time.perf_counter() - written
        channel.close()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    result: dict[str, Any] = {
        "concurrency": 1,
        "steady": _latencies_ms(steady),
        "during_swap": _latencies_ms(during),
        "swap_seconds": swap_seconds,
    }
    result["p99_during_over_steady"] = result["during_swap"]["p99_ms"] / result["steady"]["p99_ms"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="enterprises in the table")
    parser.add_argument("--quick", action="store_true", help="100,000 rows, 3 s before the swap")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/risk_table.json")
    parser.add_argument("--no-swap", action="store_true", help="measure the load only")
    parser.add_argument(
        "--steady", type=float, default=10.0, help="seconds of calls before the swap"
    )
    args = parser.parse_args()
    if args.quick:
        args.rows, args.steady = 100_000, 3.0
    if not (CACHE / "features.parquet").exists():
        raise SystemExit("run bench/risk.py first: it builds the bench model and table")
    work = Path(tempfile.mkdtemp(prefix="risk-table-"))
    table = work / "features.parquet"
    probe = build_table(args.rows, table)
    load_before = os.getloadavg()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", LOAD, str(CACHE / "models"), str(table), probe],
        cwd=ROOT,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    process_seconds = time.perf_counter() - started
    swap = None if args.no_swap else swap_latency(table, args.steady)
    report = {
        "benchmark": "risk_table",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "rows": args.rows,
        "file_mib": table.stat().st_size / 2**20,
        "process_seconds": process_seconds,
        **result,
        "targets": {
            "load_le_30_s": result["load_seconds"] <= 30,
            "peak_rss_le_2_gib": result["peak_rss_mib"] <= 2048,
            "swap_p99_le_2x_steady": None if swap is None else swap["p99_during_over_steady"] <= 2,
        },
        "swap": swap,
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
    }
    table.unlink()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Trade-data pipeline throughput and memory: generator rows/s, validation rows/s, feature
pipeline orders/s and peak RSS at 1M and 5M orders. Writes bench/results/tradedata.json.

    python bench/tradedata.py [--quick] [--sizes 1000000,5000000] [--rounds N]

Each size runs in fresh subprocesses (one to generate and write, one to load, validate and
compute features), so the peak RSS reported is that size's own. The feature pipeline is timed
for one as-of over all enterprises (the batch table the services load) and compared in the same
process with a floor: scanning the orders and summing amounts per enterprise, the least any
per-enterprise feature job must do. Every round records wall and CPU time and the cores other
processes used meanwhile (the machine is shared); orders per CPU-second is the figure least
disturbed by them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from measure import busy_seconds

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "tradedata.json"
MONTHS = 24
ORDERS_PER_ENTERPRISE = 269  # measured: 24 months at the default 10 orders/month
FEATURES_TARGET_ORDERS_PER_S = 1_000_000
RSS_TARGET_MIB = 4096
MAX_POINTS = 25_000  # the risk model's training set: ~20-50k financings


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """Run ``fn``; wall and CPU seconds and the cores other processes used meanwhile."""
    busy, cpu, wall = busy_seconds(), time.process_time(), time.perf_counter()
    result = fn()
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    foreign = max(0.0, (busy_seconds() - busy - cpu) / wall) if wall > 0 else 0.0
    return result, {
        "wall_s": wall,
        "cpu_s": cpu,
        "foreign_cores": foreign,
        "loadavg_1m": os.getloadavg()[0],
    }


def _generate(orders: int, out: Path) -> dict[str, Any]:
    from services.tradedata.generator import GeneratorConfig, generate

    enterprises = max(100, round(orders / ORDERS_PER_ENTERPRISE))
    cfg = GeneratorConfig(enterprises=enterprises, months=MONTHS, seed=1)
    # generate() writes each table as soon as it exists: the time includes Parquet (zstd).
    data, gen = _timed(lambda: generate(cfg, out))
    return {
        "enterprises": enterprises,
        "months": MONTHS,
        "orders": data.orders,
        "rows": data.rows,
        "rows_by_table": data.rows_by_table,
        "generate_and_write": {
            **gen,
            "rows_per_s": data.rows / gen["wall_s"],
            "orders_per_s": data.orders / gen["wall_s"],
        },
        "peak_rss_mib": _peak_rss_mib(),
    }


def _floor(data_dir: Path) -> Any:
    import polars as pl

    return (
        pl.scan_parquet(data_dir / "orders.parquet")
        .group_by("enterprise_id")
        .agg(pl.col("amount").sum())
        .collect()
    )


def _rounds(fn: Callable[[], Any], rounds: int) -> list[dict[str, float]]:
    return [_timed(fn)[1] for _ in range(rounds)]


def _summary(rounds: list[dict[str, float]], orders: int) -> dict[str, float]:
    wall = statistics.median(r["wall_s"] for r in rounds)
    cpu = statistics.median(r["cpu_s"] for r in rounds)
    return {
        "median_wall_s": wall,
        "median_cpu_s": cpu,
        "orders_per_s": orders / wall,
        "orders_per_cpu_s": orders / cpu,
        "median_foreign_cores": statistics.median(r["foreign_cores"] for r in rounds),
    }


def _features(data_dir: Path, rounds: int) -> dict[str, Any]:
    import polars as pl

    from services.tradedata.features import compute_features, compute_features_at
    from services.tradedata.loading import load_dataset

    ds, validate = _timed(lambda: load_dataset(data_dir))
    rows = sum(
        ds.table(n).select(pl.len()).collect().item()
        for n in (
            "orders",
            "payments",
            "waybills",
            "declarations",
            "financings",
            "buyers",
            "enterprises",
        )
    )
    orders = ds.orders.select(pl.len()).collect().item()
    end = ds.orders.select(pl.col("ordered_at").max()).collect().item()
    feature_rounds, floor_rounds = [], []
    for _ in range(rounds):  # alternate ours and the floor so both see the same machine
        feature_rounds += _rounds(lambda: compute_features(ds, end).collect(), 1)
        floor_rounds += _rounds(lambda: _floor(data_dir), 1)
    peak_single = _peak_rss_mib()  # point-in-time runs last: its peak is reported apart
    points = ds.financings.select("enterprise_id", pl.col("disbursed_at").alias("as_of"))
    points = points.head(MAX_POINTS).collect()
    _, pit = _timed(lambda: compute_features_at(ds, points).collect())
    ours, floor = _summary(feature_rounds, orders), _summary(floor_rounds, orders)
    return {
        "validate": {**validate, "rows": rows, "rows_per_s": rows / validate["wall_s"]},
        "features_single_as_of": {**ours, "rounds": feature_rounds},
        "floor_scan_and_sum": {**floor, "rounds": floor_rounds},
        "features_over_floor_wall": ours["median_wall_s"] / floor["median_wall_s"],
        "point_in_time": {
            **pit,
            "points": points.height,
            "points_per_s": points.height / pit["wall_s"],
        },
        "peak_rss_mib_validate_and_features": peak_single,
        "peak_rss_mib": _peak_rss_mib(),
    }


def _worker(args: argparse.Namespace) -> None:
    out = Path(args.data)
    if args.worker == "generate":
        result = _generate(args.orders, out)
    else:
        result = _features(out, args.rounds)
    print(json.dumps(result))


def _run_worker(phase: str, orders: int, data: Path, rounds: int) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        phase,
        "--orders",
        str(orders),
        "--data",
        str(data),
        "--rounds",
        str(rounds),
    ]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _size(orders: int, rounds: int) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix="tradedata-bench-"))
    try:
        generated = _run_worker("generate", orders, data, rounds)
        features = _run_worker("features", orders, data, rounds)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    peak = max(generated["peak_rss_mib"], features["peak_rss_mib_validate_and_features"])
    fps = features["features_single_as_of"]["orders_per_s"]
    return {
        "requested_orders": orders,
        **generated,
        **{"pipeline": features},
        "peak_rss_mib_max": peak,
        "meets_features_target": fps >= FEATURES_TARGET_ORDERS_PER_S,
        "meets_rss_target": peak <= RSS_TARGET_MIB,
    }


def _versions() -> dict[str, str]:
    import numpy
    import polars
    import pyarrow

    return {
        "python": platform.python_version(),
        "polars": polars.__version__,
        "numpy": numpy.__version__,
        "pyarrow": pyarrow.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small size (100k orders)")
    parser.add_argument("--sizes", help="comma-separated order counts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", choices=("generate", "features"), help=argparse.SUPPRESS)
    parser.add_argument("--orders", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args)
        return
    sizes = [100_000] if args.quick else [1_000_000, 5_000_000]
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load_start = os.getloadavg()
    results = []
    for size in sizes:
        rounds = args.rounds if size <= 1_000_000 else max(1, args.rounds - 1)
        print(f"== {size:,} orders", flush=True)
        results.append(_size(size, rounds))
        summary = results[-1]["pipeline"]["features_single_as_of"]
        print(
            f"   generate {results[-1]['generate_and_write']['rows_per_s']:,.0f} rows/s, features "
            f"{summary['orders_per_s']:,.0f} orders/s ({summary['orders_per_cpu_s']:,.0f} per "
            f"CPU-second, {summary['median_foreign_cores']:.1f} cores busy elsewhere), peak RSS "
            f"{results[-1]['peak_rss_mib_max']:,.0f} MiB",
            flush=True,
        )
    report = {
        "benchmark": "tradedata generator, validation and feature pipeline",
        "command": " ".join([Path(sys.executable).name, "bench/tradedata.py", *sys.argv[1:]]),
        "started_at": started,
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_start": load_start,
            "loadavg_end": os.getloadavg(),
            **_versions(),
        },
        "targets": {
            "features_orders_per_s": FEATURES_TARGET_ORDERS_PER_S,
            "peak_rss_mib_at_5m_orders": RSS_TARGET_MIB,
        },
        "method": {
            "months": MONTHS,
            "seed": 1,
            "features": "compute_features(ds, as_of=last order time).collect(), all "
            "enterprises; floor = scan orders + sum(amount) by enterprise",
            "point_in_time": f"compute_features_at at up to {MAX_POINTS} financings",
            "rss": "ru_maxrss of each worker process (generate / load+features)",
        },
        "sizes": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

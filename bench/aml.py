"""AML detection benchmarks: batch row rules (polars), network scan, in-process screening.

    python bench/aml.py [--orders 1000000] [--rounds 5] [--quick]

Generates a data set of about ``--orders`` orders once (tradedata generator), then measures in
one run, alternating rounds:

* ``batch_row_rules``: the vectorised per-trade rules (features + 0/1 rule columns) over the
  joined one-row-per-trade table - trades/s (target >= 1,000,000); ``batch_end_to_end`` adds the
  joins, aggregations and name screening that build that table from the raw tables;
* ``per_trade_rules``: the same rules one trade at a time in Python (the live path) on a sample,
  the floor the vectorised path is compared with;
* ``network_scan``: seconds to scan all flows (one per order) for cycles, fans, pass-through;
* ``detector_screen_many``: in-process ``AmlDetector.screen_many`` throughput (rules + model).

Results (raw rounds, medians, machine load, versions, the command) go to
``bench/results/aml.json``. The gRPC ``StreamScreenTrades`` throughput through a real server is
a further section appended to ``SECTIONS`` by the service side (see ``SECTIONS`` below).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import lightgbm
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.aml.batch import collect_rows, joined_trades, row_rules, trade_frame  # noqa: E402
from services.aml.detector import AmlDetector  # noqa: E402
from services.aml.network import scan  # noqa: E402
from services.aml.reference import load_reference  # noqa: E402
from services.aml.rules.engine import RuleEngine  # noqa: E402
from services.aml.rules.pricing import MarketReference  # noqa: E402
from services.aml.ruleset import RuleSet  # noqa: E402
from services.aml.screening import NameIndex  # noqa: E402
from services.aml.trade_rows import iter_trades  # noqa: E402
from services.aml.training.train import data_end  # noqa: E402
from services.tradedata.generator import GeneratorConfig, generate  # noqa: E402
from services.tradedata.loading import load_dataset  # noqa: E402

ORDERS_PER_ENTERPRISE_YEAR = 138.0  # measured on the generator's defaults (12 months)


def loadavg() -> float:
    return os.getloadavg()[0]


def timed(fn: Callable[[], Any]) -> dict[str, float]:
    """Wall and process CPU seconds of one call, with the load average around it.

    On this shared 2-core machine wall time swings with other jobs; CPU seconds of this process
    (all its threads) show what the work itself costs."""
    before = loadavg()
    cpu, start = time.process_time(), time.perf_counter()
    fn()
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "load_before": before,
        "load_after": loadavg(),
    }


def rounds(fn: Callable[[], Any], n: int) -> list[dict[str, float]]:
    return [timed(fn) for _ in range(n)]


def summary(raw: list[dict[str, float]], items: int) -> dict[str, Any]:
    med = statistics.median(r["seconds"] for r in raw)
    cpu = statistics.median(r["cpu_seconds"] for r in raw)
    return {
        "items": items,
        "median_seconds": med,
        "per_second": items / med,
        "median_cpu_seconds": cpu,
        "per_cpu_second": items / cpu if cpu else None,
        "rounds": raw,
    }


class Fixture:
    """The generated data and everything fitted on it, shared by the sections."""

    def __init__(self, directory: Path) -> None:
        self.data = load_dataset(directory)
        self.reference = load_reference(self.data)
        self.rules = RuleSet()
        self.usd = dict(self.reference.usd_rates)
        self.market = MarketReference.fit(self.data.orders, self.data.waybills, self.usd)
        self.names = NameIndex(self.reference.watchlist)
        self.as_of = data_end(self.data)
        self.orders = self.data.orders.select(pl.len()).collect().item()


def batch_sections(fx: Fixture, n: int) -> dict[str, Any]:
    joined = joined_trades(fx.data, fx.rules, fx.names, fx.usd, fx.data.relations).collect()
    frame = joined.lazy()
    rows = joined.height
    row = rounds(lambda: collect_rows(row_rules(frame, fx.rules, fx.market, fx.as_of, fx.usd)), n)
    e2e = rounds(
        lambda: trade_frame(
            fx.data,
            fx.rules,
            fx.market,
            fx.names,
            fx.usd,
            fx.as_of,
            relations=fx.data.relations,
            round_trips=False,
        ),
        max(1, n // 2),
    )
    return {"batch_row_rules": summary(row, rows), "batch_end_to_end": summary(e2e, rows)}


def per_trade_section(fx: Fixture, sample: int) -> dict[str, Any]:
    trades = next(iter_trades(fx.data, sample))
    engine = RuleEngine.build(fx.rules, fx.reference, fx.market, fx.names)
    raw = rounds(lambda: [engine.evaluate(t, fx.as_of) for t in trades], 1)
    return {"per_trade_rules": summary(raw, len(trades))}


def scan_section(fx: Fixture, n: int) -> dict[str, Any]:
    found: list[int] = []
    raw = rounds(lambda: found.append(len(scan(fx.data, fx.rules, fx.usd))), n)
    result = summary(raw, fx.orders)
    result["flows"] = fx.orders
    result["structures_found"] = found[-1]
    return {"network_scan": result}


def screen_many_section(fx: Fixture, sample: int, batch: int = 256) -> dict[str, Any]:
    detector = AmlDetector(fx.rules, fx.reference, fx.market)
    chunks = list(iter_trades(fx.data, batch))
    chunks = chunks[: max(1, sample // batch)]
    total = sum(len(c) for c in chunks)
    raw = rounds(lambda: [detector.screen_many(c, "bench", as_of=fx.as_of) for c in chunks], 1)
    return {"detector_screen_many": summary(raw, total)}


def stream_section(_fx: Fixture, a: argparse.Namespace) -> dict[str, Any]:
    """StreamScreenTrades vs unary ScreenTrade through a real server (bench/aml_stream.py)."""
    from aml_stream import stream_benchmark

    r = stream_benchmark(quick=a.quick, baseline_src=a.baseline_src)
    n_stream = r["setup"]["stream_trades_per_round"]
    n_unary = r["setup"]["unary_trades_per_round"]
    stream, unary = r["stream_trades_per_s"], r["unary_trades_per_s"]
    return {
        "grpc_stream_screen_trades": {
            "items": n_stream,
            "median_seconds": n_stream / stream,
            "per_second": stream,
            **r,
        },
        "grpc_unary_screen_trade": {
            "items": n_unary,
            "median_seconds": n_unary / unary,
            "per_second": unary,
            "client": "one thread, 32 calls in flight as futures",
            "rounds": r["rounds"]["unary"],
        },
        "grpc_unary_screen_trade_asyncio_client": {
            "items": n_unary,
            "median_seconds": n_unary / r["unary_asyncio_trades_per_s"],
            "per_second": r["unary_asyncio_trades_per_s"],
            "client": "grpc.aio, 32 tasks on one event loop, 32 calls in flight",
            "rounds": r["rounds"]["unary_asyncio"],
        },
    }


# Sections run in this order; each takes (fixture, args) and returns {name: summary}. The gRPC
# StreamScreenTrades throughput (through a real server, SQLite store) joins this list.
SECTIONS: list[Callable[[Fixture, argparse.Namespace], dict[str, Any]]] = [
    lambda fx, a: batch_sections(fx, a.rounds),
    lambda fx, a: per_trade_section(fx, a.sample),
    lambda fx, a: scan_section(fx, max(1, a.rounds // 2)),
    lambda fx, a: screen_many_section(fx, a.sample),
    stream_section,
]


def _last_load(result: dict[str, Any]) -> float:
    raw = result.get("rounds")
    last = raw[-1] if isinstance(raw, list) and raw else {}
    return float(last.get("load_after", "nan")) if isinstance(last, dict) else float("nan")


def make_data(orders: int, directory: Path) -> float:
    enterprises = max(20, round(orders / ORDERS_PER_ENTERPRISE_YEAR))
    start = time.perf_counter()
    generate(
        GeneratorConfig(enterprises=enterprises, months=12, seed=99, start=date(2024, 1, 1)),
        directory,
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=20_000, help="trades for per-trade paths")
    parser.add_argument("--quick", action="store_true", help="200k orders, 3 rounds")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "aml.json")
    parser.add_argument(
        "--baseline-src", type=Path, help="source tree whose stream server runs beside ours"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.orders, args.rounds, args.sample = 200_000, 3, 5_000
    with tempfile.TemporaryDirectory(prefix="aml-bench-") as tmp:
        gen_seconds = make_data(args.orders, Path(tmp))
        fx = Fixture(Path(tmp))
        results: dict[str, Any] = {}
        for section in SECTIONS:
            results.update(section(fx, args))
    report = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "loadavg_end": os.getloadavg(),
        },
        "versions": {
            "python": platform.python_version(),
            "polars": pl.__version__,
            "lightgbm": lightgbm.__version__,
        },
        "data": {"orders": fx.orders, "generate_seconds": gen_seconds},
        "results": results,
        "targets": {
            "batch_row_rules_per_second": 1_000_000,
            "grpc_stream_screen_trades_per_second": 5_000,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    for name, r in results.items():
        print(
            f"{name:<24} {r['items']:>9} items  median {r['median_seconds']:8.3f} s  "
            f"{r['per_second']:>12,.0f} /s  (load {_last_load(r):.1f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Local versus Dask LocalCluster: the feature table and risk-model training on the same data.

    python bench/dask_features.py [--quick] [--data DIR] [--enterprises N --months M]
                                  [--rounds R] [--no-train]

Generates a trade data set (about 1.1 M orders by default; or uses --data), starts a LocalCluster
of two single-threaded worker processes, then alternates local and cluster runs round after round:
  features  - the enterprise feature table as of the data end, read from the Parquet files
              (local: compute_features; cluster: workers scan their own partitions of the files)
  training  - the risk model's booster fit on the same encoded training rows (local:
              services.risk.training.trainer.fit_booster with 2 threads, as `train risk` runs by
              default, and with 1 thread; cluster: DaskLGBMClassifier with the same parameters
              and stopping rule, one thread per worker), with each model's test-period AUC
Writes bench/results/dask.json: raw rounds with machine load, medians, cluster/local ratios,
the equality check of the two feature tables, versions and the exact command.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import dask
import distributed
import lightgbm as lgb
import polars as pl
import psutil
from polars.testing import assert_frame_equal
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from measure import busy_seconds  # noqa: E402

from services.risk.features import category_vocabulary, encode  # noqa: E402
from services.risk.training.dataset import training_data_from_dir  # noqa: E402
from services.risk.training.trainer import (  # noqa: E402
    Split,
    TrainingData,
    TrainingOptions,
    fit_booster,
    split_out_of_time,
    with_policy,
)
from services.scale.cluster import LOCAL, LOCAL_WORKERS, dask_client  # noqa: E402
from services.scale.features import dask_features  # noqa: E402
from services.scale.training import cluster_fitter  # noqa: E402
from services.tradedata.features import compute_features  # noqa: E402
from services.tradedata.generator import GeneratorConfig, generate  # noqa: E402
from services.tradedata.loading import load_dataset  # noqa: E402

FOREIGN_LIMIT = 0.15
"""Rounds where other processes used more than this many cores are repeated (twice at most)."""
RETRIES = 2
COUNTED = ("enterprises", "orders", "payments", "waybills", "declarations", "financings")


def own_cpu_seconds() -> float:
    """CPU of this process and its children (the cluster's worker processes)."""
    me = psutil.Process()
    total = 0.0
    for proc in (me, *me.children(recursive=True)):
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def measured(fn: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    """Runs ``fn``, repeating while foreign processes took more than FOREIGN_LIMIT cores."""
    load: dict[str, Any] = {}
    for attempt in range(RETRIES + 1):
        ours0, busy0, t0 = own_cpu_seconds(), busy_seconds(), time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - t0
        ours = own_cpu_seconds() - ours0
        foreign = max(0.0, busy_seconds() - busy0 - ours)
        load = {
            "seconds": seconds,
            "own_cores": ours / seconds,
            "foreign_cores": foreign / seconds,
            "loadavg_1m": os.getloadavg()[0],
            "attempt": attempt,
        }
        if load["foreign_cores"] <= FOREIGN_LIMIT:
            return result, load
    load["over_limit_after_retries"] = True
    return result, load


def prepare_data(args: argparse.Namespace, work: Path) -> tuple[Path, dict[str, Any]]:
    if args.data is not None:
        return args.data, {"source": str(args.data)}
    enterprises, months = (600, 12) if args.quick else (args.enterprises, args.months)
    cfg = GeneratorConfig(enterprises=enterprises, months=months, seed=args.seed)
    started = time.perf_counter()
    generate(cfg, work / "data")
    return work / "data", {
        "generated": {"enterprises": enterprises, "months": months, "seed": args.seed},
        "generate_seconds": time.perf_counter() - started,
    }


def row_counts(data_dir: Path) -> dict[str, int]:
    ds = load_dataset(data_dir, validate=False)
    return {name: ds.table(name).select(pl.len()).collect().item() for name in COUNTED}


def feature_plans(client: Any, data_dir: Path, as_of: datetime) -> dict[str, Callable[[], Any]]:
    def local() -> pl.DataFrame:
        return compute_features(load_dataset(data_dir, validate=False), as_of).collect()

    return {"local": local, "cluster": partial(dask_features, client, data_dir, as_of)}


def encoded_periods(data: TrainingData, options: TrainingOptions) -> tuple[Split, ...]:
    """Train, validation and test periods encoded as the local trainer encodes them."""
    periods = split_out_of_time(data, options)
    vocab = category_vocabulary(periods[0], data.specs)
    return tuple(
        Split(
            x=encode(rows, data.specs, vocab),
            y=rows.get_column(data.label).cast(pl.Float64).to_numpy(),
            start=str(rows.get_column(data.time).min()),
            end=str(rows.get_column(data.time).max()),
        )
        for rows in periods
    )


def training_plans(
    client: Any, data: TrainingData, options: TrainingOptions
) -> dict[str, Callable[[], Any]]:
    """The booster fit alone (the rest of the trainer is the same code on both paths)."""
    train_s, valid_s, test_s = encoded_periods(data, options)

    def run(fit: Callable[..., lgb.Booster]) -> dict[str, float]:
        booster = fit(train_s, valid_s, data.specs, options)
        raw = booster.predict(test_s.x, raw_score=True)
        return {"test_auc": float(roc_auc_score(test_s.y, raw)), "trees": booster.best_iteration}

    one_thread = replace(options, num_threads=1)

    def local_one_thread(train: Split, valid: Split, specs: Any, _: TrainingOptions) -> Any:
        return fit_booster(train, valid, specs, one_thread)

    return {
        "local": partial(run, fit_booster),
        "local_1_thread": partial(run, local_one_thread),
        "cluster": partial(run, cluster_fitter(client)),
    }


def alternate(
    scenario: str, plans: dict[str, Callable[[], Any]], rounds: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The systems back to back, the order rotating every round."""
    raw: list[dict[str, Any]] = []
    last: dict[str, Any] = {}
    systems = list(plans)
    for round_no in range(rounds):
        shift = round_no % len(systems)
        for system in systems[shift:] + systems[:shift]:
            result, load = measured(plans[system])
            last[system] = result
            entry: dict[str, Any] = {"round": round_no, "scenario": scenario, "system": system}
            entry["load"] = load
            if isinstance(result, dict):
                entry["results"] = result
            raw.append(entry)
            print(
                f"{scenario:<9} round {round_no} {system:<15} {load['seconds']:7.2f} s "
                f"(foreign {load['foreign_cores']:.2f} cores, load {load['loadavg_1m']:.1f})",
                flush=True,
            )
    return raw, last


def median_seconds(raw: list[dict[str, Any]], scenario: str, system: str) -> float:
    values = [
        r["load"]["seconds"] for r in raw if r["scenario"] == scenario and r["system"] == system
    ]
    return float(statistics.median(values)) if values else float("nan")


def feature_equality(local: pl.DataFrame, cluster: pl.DataFrame) -> dict[str, Any]:
    try:
        assert_frame_equal(cluster, local, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)
    except AssertionError as exc:
        return {"equal_within_1e-9": False, "difference": str(exc)[:500]}
    return {"equal_within_1e-9": True, "rows": local.height, "columns": local.width}


def summarize(raw: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for scenario in sorted({r["scenario"] for r in raw}):
        systems = sorted({r["system"] for r in raw if r["scenario"] == scenario})
        medians = {system: median_seconds(raw, scenario, system) for system in systems}
        entry: dict[str, float] = {f"{system}_median_s": value for system, value in medians.items()}
        for system in systems:
            if system != "cluster":
                entry[f"cluster_over_{system}"] = medians["cluster"] / medians[system]
        summary[scenario] = entry
    return summary


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, help="existing trade data directory")
    parser.add_argument("--enterprises", type=int, default=4200)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small data, one round")
    parser.add_argument("--no-train", action="store_true", help="features only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/dask.json")
    return parser.parse_args()


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    rounds = 1 if args.quick else args.rounds
    data_dir, data_info = prepare_data(args, work)
    data_info["rows"] = row_counts(data_dir)
    as_of = load_dataset(data_dir, validate=False).orders.select(pl.col("ordered_at").max())
    moment = as_of.collect().item()
    started = time.perf_counter()
    with dask_client(LOCAL) as client:
        startup = time.perf_counter() - started
        raw, last = alternate("features", feature_plans(client, data_dir, moment), rounds)
        equality = feature_equality(last["local"], last["cluster"])
        training_info: dict[str, Any] = {}
        if not args.no_train:
            data, policy = training_data_from_dir(data_dir)
            options = with_policy(TrainingOptions(num_threads=LOCAL_WORKERS), policy)
            train_raw, train_last = alternate(
                "training", training_plans(client, data, options), rounds
            )
            raw += train_raw
            training_info = {"rows": data.frame.height, "last_results": train_last}
    return {
        "data": data_info,
        "cluster": {"workers": LOCAL_WORKERS, "threads_per_worker": 1, "startup_s": startup},
        "feature_equality": equality,
        "training": training_info,
        "rounds": rounds,
        "raw": raw,
        "summary": summarize(raw),
    }


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="dask-bench-"))
    try:
        body = run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = {
        "benchmark": "dask",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "versions": {
            "polars": pl.__version__,
            "lightgbm": lgb.__version__,
            "dask": dask.__version__,
            "distributed": distributed.__version__,
        },
        "method": {
            "alternating": "systems back to back, their order rotating every round",
            "foreign_load_limit_cores": FOREIGN_LIMIT,
            "retries_per_round": RETRIES,
            "rounds_over_limit": sum(
                1 for r in body["raw"] if r["load"].get("over_limit_after_retries")
            ),
        },
        **body,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps(report["summary"], indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

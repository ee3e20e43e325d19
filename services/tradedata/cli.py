"""``tradeguard generate``, ``tradeguard features`` and ``tradeguard data validate``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from .loading import TradeDataset

EXIT_INVALID = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    _register_generate(subparsers)
    _register_features(subparsers)
    _register_data(subparsers)


def _register_generate(subparsers: Any) -> None:
    p = subparsers.add_parser("generate", help="write a synthetic trade data set with labels")
    p.add_argument("--enterprises", type=int, default=300)
    p.add_argument("--months", type=int, default=36)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument(
        "--start",
        type=date.fromisoformat,
        default=date(2024, 1, 1),
        help="first month (YYYY-MM-DD)",
    )
    p.add_argument(
        "--orders-per-month", type=float, default=10.0, help="mean orders per enterprise and month"
    )
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="TYPOLOGY=VALUE",
        help="override a typology rate, e.g. --rate phantom_shipment=0.01",
    )
    p.set_defaults(func=_generate)


def _register_features(subparsers: Any) -> None:
    p = subparsers.add_parser("features", help="compute the enterprise feature table")
    p.add_argument("--data", type=Path, help="trade data directory")
    p.add_argument("--as-of", help="features from data strictly before this date/time")
    p.add_argument(
        "--points",
        type=Path,
        help="Parquet file of (enterprise_id, as_of) pairs instead of --as-of",
    )
    p.add_argument("--out", type=Path, help="output Parquet file")
    p.add_argument("--list", action="store_true", help="print the feature registry (Markdown)")
    p.set_defaults(func=_features)


def _register_data(subparsers: Any) -> None:
    p = subparsers.add_parser("data", help="trade data utilities")
    sub = p.add_subparsers(dest="data_command", required=True, metavar="COMMAND")
    v = sub.add_parser("validate", help="check a data directory against the contract")
    v.add_argument("dir", type=Path)
    v.add_argument("--limit", type=int, default=200, help="problems to print (all are counted)")
    v.set_defaults(func=_validate)


def _rates(pairs: list[str]) -> dict[str, Any]:
    from .generator import TypologyRates

    known = {f.name: f.type for f in fields(TypologyRates)}
    rates: dict[str, Any] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        name = name.strip().lower()
        if name not in known or not value:
            raise ValueError(f"unknown typology rate {pair!r}; known: {', '.join(known)}")
        rates[name] = int(value) if known[name] in (int, "int") else float(value)
    return rates


def _generate(args: argparse.Namespace) -> int:
    from .generator import GeneratorConfig, TypologyRates, generate

    try:
        cfg = GeneratorConfig(
            enterprises=args.enterprises,
            months=args.months,
            seed=args.seed,
            start=args.start,
            orders_per_month=args.orders_per_month,
            file_format=args.format,
            typologies=TypologyRates(**_rates(args.rate)),
        )
    except (ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    data = generate(cfg, args.out)
    elapsed = time.perf_counter() - started
    counts = ", ".join(f"{name} {rows}" for name, rows in data.rows_by_table.items())
    print(f"wrote {args.out} in {elapsed:.1f} s: {counts}")
    return 0


def _features(args: argparse.Namespace) -> int:
    return run_features(args, _compute_locally)


def _compute_locally(args: argparse.Namespace, ds: TradeDataset) -> pl.DataFrame:
    import polars as pl

    from .features import compute_features, compute_features_at

    if args.points is not None:
        return compute_features_at(ds, pl.read_parquet(args.points)).collect()
    return compute_features(ds, args.as_of).collect()


FeatureCompute = Callable[[argparse.Namespace, "TradeDataset"], "pl.DataFrame"]
"""Computes the table `tradeguard features` writes from the parsed flags and the loaded data."""


def run_features(args: argparse.Namespace, compute: FeatureCompute) -> int:
    """`tradeguard features`: check the flags and the data, compute the table, write it."""
    from .errors import DataValidationError
    from .features.coverage import cover_table, extract_start
    from .features.registry import registry_markdown
    from .features.table_file import write_feature_table
    from .loading import load_dataset

    if args.list:
        print(registry_markdown(), end="")
        return 0
    if (args.as_of is None) == (args.points is None) or args.data is None or args.out is None:
        print("error: give --data, --out and exactly one of --as-of and --points", file=sys.stderr)
        return EXIT_USAGE
    try:
        ds = load_dataset(args.data)
    except (DataValidationError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    # The coverage rule on whatever computed the table (locally or on a cluster).
    table = cover_table(ds, compute(args, ds), extract_start(ds))
    write_feature_table(table, args.out)
    print(f"wrote {args.out}: {table.height} rows, {table.width - 2} features")
    return 0


def _validate(args: argparse.Namespace) -> int:
    import polars as pl

    from .errors import DataValidationError
    from .loading import load_dataset

    try:
        ds = load_dataset(args.dir)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DataValidationError as exc:
        print(exc.summary(limit=args.limit))
        return EXIT_INVALID
    for name in ("enterprises", "orders", "payments", "waybills", "declarations", "financings"):
        rows = ds.table(name).select(pl.len()).collect().item()
        print(f"{name}: {rows} rows")
    print(f"{args.dir}: valid")
    return 0

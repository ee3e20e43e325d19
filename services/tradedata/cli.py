"""``tradeguard generate``, ``tradeguard features`` and ``tradeguard data validate``."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from .loading import TradeDataset

from services.commandline.errors import EXIT_FAILED, CommandError
from services.commandline.output import add_json_flag, print_json, record, table
from services.commandline.values import (
    iso_date,
    iso_datetime,
    non_negative_int,
    positive_int,
)


def register(subparsers: Any) -> None:
    _register_generate(subparsers)
    _register_features(subparsers)
    _register_data(subparsers)


def _register_generate(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "generate",
        help="write a synthetic trade data set with labels",
        description="Writes every table of the trade-data contract, and the ground truth of "
        "the injected typologies under labels/ (which the services never read).",
    )
    p.add_argument("--enterprises", type=positive_int, default=300, help="exporters (20 or more)")
    p.add_argument("--months", type=positive_int, default=36, help="months of trade (4..120)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument(
        "--start", type=iso_date, default=date(2024, 1, 1), help="first month, YYYY-MM-DD"
    )
    p.add_argument(
        "--orders-per-month", type=float, default=10.0, help="mean orders per enterprise and month"
    )
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="file format")
    p.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="TYPOLOGY=VALUE",
        help="override a typology rate, e.g. --rate phantom_shipment=0.01",
    )
    p.add_argument(
        "--double-look-alikes",
        action="store_true",
        help="make honest trade that looks like a typology (lots, instalments, platforms and "
        "banks paying, parents paying, price lines, ...) twice as common: a hold-out the model "
        "was not trained on",
    )
    add_json_flag(p)
    p.set_defaults(func=_generate)


def _register_features(subparsers: Any) -> None:
    p = subparsers.add_parser("features", help="compute the enterprise feature table")
    p.add_argument("--data", type=Path, help="trade data directory")
    p.add_argument(
        "--as-of",
        type=iso_datetime,
        help="features from data strictly before this date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
    )
    p.add_argument(
        "--points",
        type=Path,
        help="Parquet file of (enterprise_id, as_of) pairs instead of --as-of",
    )
    p.add_argument("--out", type=Path, help="output Parquet file")
    p.add_argument(
        "--incremental",
        action="store_true",
        help="bring the table at --out forward to --as-of: recompute only the enterprises with "
        "documents dated since its as-of (or new to it), keep the other rows, replace atomically",
    )
    p.add_argument("--list", action="store_true", help="print the feature registry")
    add_json_flag(p)
    p.set_defaults(func=_features)


def _register_data(subparsers: Any) -> None:
    p = subparsers.add_parser("data", help="trade data utilities")
    sub = p.add_subparsers(dest="data_command", required=True, metavar="COMMAND")
    v = sub.add_parser("validate", help="check a data directory against the contract")
    v.add_argument("dir", type=Path, help="trade data directory")
    v.add_argument(
        "--limit", type=positive_int, default=200, help="problems to print (all are counted)"
    )
    add_json_flag(v)
    v.set_defaults(func=_validate)


def _rates(pairs: list[str]) -> dict[str, Any]:
    from .generator import TypologyRates

    known = {f.name: f.type for f in fields(TypologyRates)}
    rates: dict[str, Any] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        name = name.strip().lower()
        if name not in known or not value:
            raise CommandError(f"unknown typology rate {pair!r}; known: {', '.join(known)}")
        try:
            rates[name] = int(value) if known[name] in (int, "int") else float(value)
        except ValueError as exc:
            raise CommandError(f"--rate {pair}: {value!r} is not a number") from exc
    return rates


def _generator_config(args: argparse.Namespace) -> Any:
    from .generator import GeneratorConfig, LookAlikeRates, TypologyRates

    look_alikes = LookAlikeRates()
    try:
        return GeneratorConfig(
            enterprises=args.enterprises,
            months=args.months,
            seed=args.seed,
            start=args.start,
            orders_per_month=args.orders_per_month,
            file_format=args.format,
            typologies=TypologyRates(**_rates(args.rate)),
            look_alikes=look_alikes.doubled() if args.double_look_alikes else look_alikes,
        )
    except (ValueError, TypeError) as exc:
        raise CommandError(str(exc)) from exc


def _generate(args: argparse.Namespace) -> int:
    from .generator import generate

    cfg = _generator_config(args)
    started = time.perf_counter()
    try:
        data = generate(cfg, args.out)
    except ValueError as exc:
        raise CommandError(
            f"{exc}: {cfg.enterprises} enterprises cannot hold the injected structures; "
            "use more (300 is the default) or fewer structures (--rate circular_trading=0 ...)"
        ) from exc
    elapsed = round(time.perf_counter() - started, 1)
    if args.json:
        print_json({"out": args.out, "seconds": elapsed, "rows": data.rows_by_table})
        return 0
    print(f"wrote {args.out} in {elapsed:.1f} s")
    rows = [{"table": name, "rows": f"{n:,}"} for name, n in data.rows_by_table.items()]
    print(table(rows, ("table", "rows")))
    return 0


def _features(args: argparse.Namespace) -> int:
    if args.incremental:
        return _features_incremental(args)
    return run_features(args, _compute_locally)


def _features_incremental(args: argparse.Namespace) -> int:
    import polars as pl

    from .features.incremental import bring_forward
    from .features.table_file import write_feature_table
    from .loading import load_dataset

    if args.as_of is None or args.points is not None or args.data is None or args.out is None:
        raise CommandError("--incremental needs --data, --as-of and the --out table to update")
    if not args.out.is_file():
        raise CommandError(f"--incremental updates an existing table; {args.out} does not exist")
    _not_ahead_of_clock(args.as_of)
    previous = pl.read_parquet(args.out)
    try:
        frame, recomputed = bring_forward(load_dataset(args.data), previous, args.as_of)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    write_feature_table(frame, args.out)
    if args.json:
        print_json({"out": args.out, "rows": frame.height, "recomputed": recomputed})
    else:
        print(f"updated {args.out}: {recomputed} of {frame.height} enterprises recomputed")
    return 0


def _not_ahead_of_clock(as_of: datetime | None) -> None:
    """A table holds what was known before its as-of; a moment still to come is refused (the
    served table's age would be negative and its features a claim about the future)."""
    if as_of is None:
        return
    moment = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    now = datetime.now(UTC)
    if moment > now:
        raise CommandError(
            f"--as-of {as_of.isoformat()} is after the current time "
            f"({now.isoformat(timespec='seconds')}); features can only be as of a moment passed"
        )


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
    from .features.coverage import cover_table, extract_start
    from .features.table_file import write_feature_table
    from .loading import load_dataset

    if args.list:
        return _feature_list(args.json)
    if getattr(args, "incremental", False):
        raise CommandError("--incremental computes locally: drop --dask")
    if (args.as_of is None) == (args.points is None) or args.data is None or args.out is None:
        raise CommandError("give --data, --out and exactly one of --as-of and --points")
    _not_ahead_of_clock(args.as_of)
    ds = load_dataset(args.data)
    # The coverage rule on whatever computed the table (locally or on a cluster).
    frame = cover_table(ds, compute(args, ds), extract_start(ds))
    write_feature_table(frame, args.out)
    if args.json:
        print_json({"out": args.out, "rows": frame.height, "features": frame.width - 2})
    else:
        print(f"wrote {args.out}: {frame.height} rows, {frame.width - 2} features")
    return 0


def _feature_list(as_json: bool) -> int:
    from .features.registry import FEATURE_REGISTRY, registry_markdown

    if as_json:
        print_json([asdict(spec) for spec in FEATURE_REGISTRY.values()])
    else:
        print(registry_markdown(), end="")
    return 0


def _validate(args: argparse.Namespace) -> int:
    import polars as pl

    from .errors import DataValidationError
    from .loading import load_dataset

    try:
        ds = load_dataset(args.dir)
    except DataValidationError as exc:
        if args.json:
            print_json(
                {"dir": args.dir, "valid": False, "problems": [asdict(p) for p in exc.problems]}
            )
        else:
            print(exc.summary(limit=args.limit))
        return EXIT_FAILED
    names = ("enterprises", "orders", "payments", "waybills", "declarations", "financings")
    rows = {name: ds.table(name).select(pl.len()).collect().item() for name in names}
    if args.json:
        print_json({"dir": args.dir, "valid": True, "rows": rows})
        return 0
    print(record([(name, f"{n:,} rows") for name, n in rows.items()]))
    print(f"{args.dir}: valid")
    return 0

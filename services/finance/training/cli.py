"""`tradeguard train buyers`: fit the buyer default model on trade data and its buyer-default
labels, validate it out of time, and write the bundle the finance service loads.
Heavy imports stay inside the handler."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from services.commandline.output import add_json_flag, print_json, record
from services.commandline.values import non_negative_int, positive_int


def register(subparsers: Any) -> None:
    """Add `train buyers` to the `tradeguard` command line."""
    from services.common.cli_groups import subcommand_group

    train = subcommand_group(subparsers, "train", "train a model bundle").add_parser(
        "buyers", help="train the buyer default model (finance) with an out-of-time validation"
    )
    train.add_argument("--data", type=Path, required=True, help="trade data directory")
    train.add_argument(
        "--labels",
        type=Path,
        default=None,
        help="buyer defaults (buyer_id, defaulted_at); default DATA/labels/buyer_defaults.parquet",
    )
    train.add_argument("--out", type=Path, required=True, help="directory for the model bundle")
    train.add_argument(
        "--horizon-days", type=positive_int, default=180, help="default horizon the PD is for"
    )
    train.add_argument("--seed", type=non_negative_int, default=0, help="random seed")
    train.add_argument("--threads", type=positive_int, default=1, help="LightGBM threads")
    add_json_flag(train)
    train.set_defaults(func=_train)


def _train(args: argparse.Namespace) -> int:
    import polars as pl

    from services.finance.training.buyer_pd import TrainingOptions, train_buyer_model, write_report
    from services.tradedata.loading import load_dataset

    labels = args.labels or args.data / "labels" / "buyer_defaults.parquet"
    defaults = pl.read_parquet(labels).select("buyer_id", "defaulted_at")
    options = TrainingOptions(
        horizon_days=args.horizon_days, seed=args.seed, num_threads=args.threads
    )
    bundle, metrics = train_buyer_model(load_dataset(args.data), defaults, options)
    bundle.save(args.out)
    write_report(args.out / "report.json", bundle)
    if args.json:
        print_json({"version": bundle.version, "out": args.out, **metrics})
        return 0
    print(record([(key, value) for key, value in metrics.items()]))
    print(f"buyer model {bundle.version} written to {args.out}")
    return 0

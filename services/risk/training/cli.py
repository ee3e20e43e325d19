"""`tradeguard train risk`: train a PD model bundle from trade data or from a labelled table."""

from __future__ import annotations

import argparse
from pathlib import Path

from services.commandline.errors import CommandError
from services.commandline.output import add_json_flag, print_json
from services.commandline.values import non_negative_int, positive_int
from services.common.cli_groups import SubParsers, subcommand_group
from services.risk.calibration import ISOTONIC, PLATT
from services.risk.training.trainer import TrainingOptions


def register(subparsers: SubParsers) -> None:
    group = subcommand_group(subparsers, "train", "train models")
    parser = group.add_parser(
        "risk",
        help="train the financing PD model",
        description="Train from generated or real trade data (--data DIR) with an out-of-time "
        "split, or from any labelled table (--table FILE --label COLUMN) with 5-fold CV.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, help="trade-data folder (the data contract)")
    source.add_argument("--table", type=Path, help="labelled table, Parquet or CSV")
    parser.add_argument("--label", help="label column of --table (0/1 or boolean)")
    parser.add_argument(
        "--protected",
        default="",
        metavar="COLS",
        help="comma-separated protected columns of --table, kept out of the model (besides "
        "any column named with age, sex, gender, marital, nationality, religion or race)",
    )
    parser.add_argument(
        "--allow-protected",
        default="",
        metavar="COLS",
        help="comma-separated protected columns the model may use nonetheless",
    )
    parser.add_argument("--out", type=Path, required=True, help="models folder for the bundle")
    parser.add_argument(
        "--calibration",
        choices=(ISOTONIC, PLATT),
        default=PLATT,
        help="how raw scores become probabilities",
    )
    parser.add_argument("--threads", type=positive_int, default=2, help="LightGBM training threads")
    parser.add_argument("--seed", type=non_negative_int, default=7, help="random seed")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def training_options(args: argparse.Namespace) -> TrainingOptions:
    """The options the `train risk` flags ask for."""
    return TrainingOptions(
        seed=args.seed, num_threads=args.threads, calibration_method=args.calibration
    )


def run(args: argparse.Namespace) -> int:
    options = training_options(args)
    if args.table is not None:
        return _run_table(args, options)
    from services.risk.training.dataset import training_data_from_dir
    from services.risk.training.report import training_report
    from services.risk.training.trainer import train, with_policy

    data, policy = training_data_from_dir(args.data)
    result = train(data, args.out, with_policy(options, policy))
    if args.json:
        print_json({"bundle_dir": result.bundle_dir, "version": result.version, **result.metrics})
    else:
        print(training_report(result))
    return 0


def _run_table(args: argparse.Namespace, options: TrainingOptions) -> int:
    from services.risk.training.report import table_report
    from services.risk.training.table import train_table

    if not args.label:
        raise CommandError("--table needs --label COLUMN")
    try:
        result = train_table(
            args.table,
            args.label,
            args.out,
            options,
            protected=_columns(args.protected),
            allow_protected=_columns(args.allow_protected),
        )
    except ValueError as error:
        raise CommandError(str(error)) from None
    if args.json:
        print_json(
            {
                "bundle_dir": result.bundle_dir,
                "cv_auc": result.cv_auc,
                "fold_auc": result.fold_auc,
                "protected": result.fairness,
            }
        )
    else:
        print(table_report(result))
    return 0


def _columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]

"""``--dask SCHEDULER`` on ``tradeguard features`` and ``tradeguard train risk``.

Registered after the modules that own those commands, this adds the flag to their parsers and
routes a ``--dask`` run to the cluster; without the flag their own command runs untouched, so
neither trade data nor risk training knows the cluster exists. Dask, polars and the training
code load only when a command runs. An unreachable scheduler ends the command with a one-line
error, as argparse does for bad input.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from services.common.cli_groups import SubParsers

if TYPE_CHECKING:
    import polars as pl

    from services.tradedata.loading import TradeDataset

Command = Callable[[argparse.Namespace], int]


def register(subparsers: SubParsers) -> None:
    features = subparsers.choices.get("features")
    if features is not None:
        features.add_argument(
            "--dask",
            metavar="SCHEDULER",
            help="compute on a Dask cluster: scheduler address (tcp://host:8786) or 'local' for "
            "two local worker processes; the workers read --data, so it must be on storage they "
            "share",
        )
        features.set_defaults(func=partial(_features, features.get_default("func")))
    train_risk = _train_risk_parser(subparsers)
    if train_risk is not None:
        train_risk.add_argument(
            "--dask",
            metavar="SCHEDULER",
            help="features and training (lightgbm.dask) on a Dask cluster: scheduler address or "
            "'local' for two local worker processes; with --data only, on storage the workers "
            "share",
        )
        train_risk.set_defaults(func=partial(_train_risk, train_risk.get_default("func")))


def _train_risk_parser(subparsers: SubParsers) -> argparse.ArgumentParser | None:
    train = subparsers.choices.get("train")
    if train is None:
        return None
    for action in train._actions:
        if isinstance(action, argparse._SubParsersAction):
            parser: argparse.ArgumentParser | None = action.choices.get("risk")
            return parser
    return None


def _features(local: Command, args: argparse.Namespace) -> int:
    if args.dask is None:
        return local(args)
    from services.tradedata.cli import run_features

    return run_features(args, _features_on_cluster)


def _features_on_cluster(args: argparse.Namespace, dataset: TradeDataset) -> pl.DataFrame:
    """The feature table of ``tradeguard features`` computed on the ``--dask`` scheduler (the
    workers read ``--data`` themselves; ``dataset`` was loaded only to validate it)."""
    import polars as pl

    from services.scale.cluster import ClusterUnavailableError
    from services.scale.features import features_on_scheduler

    request = args.as_of if args.points is None else pl.read_parquet(args.points)
    try:
        return features_on_scheduler(args.dask, args.data, request)
    except ClusterUnavailableError as exc:
        raise SystemExit(f"error: {exc}") from exc


def _train_risk(local: Command, args: argparse.Namespace) -> int:
    """``tradeguard train risk --data DIR`` with features and the fit on the scheduler."""
    if args.dask is None:
        return local(args)
    if args.table is not None:
        raise SystemExit("--dask trains from --data only")
    from services.risk.training.cli import training_options
    from services.risk.training.report import training_report
    from services.scale.cluster import ClusterUnavailableError
    from services.scale.training import train_risk_on_scheduler

    try:
        result = train_risk_on_scheduler(args.dask, args.data, args.out, training_options(args))
    except ClusterUnavailableError as exc:
        raise SystemExit(f"error: {exc}") from exc
    print(training_report(result))
    return 0

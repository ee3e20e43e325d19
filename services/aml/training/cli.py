"""`tradeguard train aml`: fit the AML model bundle and evaluate it on a labelled hold-out.
Heavy imports stay inside the handlers."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from services.commandline.output import add_json_flag, print_json
from services.commandline.values import non_negative_int, positive_int


def register(subparsers: Any) -> None:
    """Add `train aml` to the `tradeguard` command line."""
    from services.common.cli_groups import subcommand_group

    train = subcommand_group(subparsers, "train", "train a model bundle").add_parser(
        "aml", help="train the AML model on generated data and report hold-out detection quality"
    )
    train.add_argument("--data", type=Path, required=True, help="labelled training data directory")
    train.add_argument("--out", type=Path, required=True, help="directory for the model bundle")
    train.add_argument(
        "--holdout", type=Path, help="labelled hold-out (another seed, later period)"
    )
    train.add_argument(
        "--doubled-holdout",
        type=Path,
        help="labelled hold-out with the honest look-alikes twice as common "
        "(tradeguard generate --double-look-alikes)",
    )
    train.add_argument("--ruleset", type=Path, help="RuleSet JSON (default: built-in)")
    train.add_argument("--seed", type=non_negative_int, default=7, help="random seed")
    train.add_argument("--threads", type=positive_int, default=2, help="LightGBM threads")
    add_json_flag(train)
    train.set_defaults(func=_train)


def _train(args: argparse.Namespace) -> int:
    from services.aml.ruleset import RuleSet
    from services.aml.training.train import (
        RULE_ONLY,
        TrainConfig,
        dominant_features,
        feature_importance,
        gain_shares,
        train,
    )

    rules = RuleSet.load(args.ruleset) if args.ruleset else RuleSet()
    started = time.perf_counter()
    model = train(TrainConfig(args.data, args.out, rules, args.seed, args.threads))
    model.metrics["train_seconds"] = round(time.perf_counter() - started, 2)
    model.metrics["top_features"] = feature_importance(model)
    model.metrics["gain_shares"] = gain_shares(model)
    model.metrics["dominant_features"] = dominant_features(model)
    model.metrics["rule_only"] = sorted(RULE_ONLY)
    if not args.json:
        print(format_gain_shares(model.metrics["gain_shares"]))
        print(f"left to the rules (no model): {', '.join(sorted(RULE_ONLY))}")
    for key, folder in (("holdout", args.holdout), ("holdout_doubled", args.doubled_holdout)):
        if folder is not None:
            if not args.json:
                print(f"{key.replace('_', ' ')}: {folder}")
            model.metrics[key] = _evaluate(model, folder, not args.json)
    model.save(args.out)
    if args.json:
        print_json({"version": model.version, "out": args.out, "metrics": model.metrics})
    else:
        print(f"model {model.version} written to {args.out}")
    return 0


def _evaluate(model: Any, holdout: Path, show: bool) -> dict[str, Any]:
    from services.aml.detector import AmlDetector
    from services.aml.reference import load_reference
    from services.aml.training.evaluation import evaluate, format_table
    from services.aml.training.train import holdout_as_of
    from services.tradedata.loading import load_dataset

    data = load_dataset(holdout)
    detector = AmlDetector(model.ruleset, load_reference(data), model.market, model)
    started = time.perf_counter()
    report = evaluate(detector, data, holdout, holdout_as_of(data))
    report["seconds"] = round(time.perf_counter() - started, 2)
    report["holdout_dir"] = str(holdout)
    if show:
        print(format_table(report))
    return report


def format_gain_shares(shares: dict[str, dict[str, float]], top: int = 3) -> str:
    """Each typology model's largest shares of gain, flagging one feature above half."""
    from services.aml.training.train import MAX_GAIN_SHARE

    lines = ["typology              feature shares of gain (largest first)"]
    for typology, by_feature in shares.items():
        parts = [f"{name} {share:.2f}" for name, share in list(by_feature.items())[:top]]
        leading = next(iter(by_feature.values()), 0.0)
        flag = "  ! one feature above half of the gain" if leading > MAX_GAIN_SHARE else ""
        lines.append(f"{typology:21} {', '.join(parts)}{flag}")
    return "\n".join(lines)

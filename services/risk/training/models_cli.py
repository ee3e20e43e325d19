"""`tradeguard models list | promote | rollback | report`: the risk model registry.

Works on the models folder the risk service serves from (``--models``, default
``$TRADEGUARD_RISK_MODEL_DIR``); a running service picks a promotion or rollback up on its next
reload tick.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from services.commandline.errors import CommandError
from services.commandline.output import add_json_flag, print_json, table
from services.common.cli_groups import SubParsers, subcommand_group


def _models_flag(parser: argparse.ArgumentParser) -> None:
    default = os.environ.get("TRADEGUARD_RISK_MODEL_DIR")
    parser.add_argument(
        "--models",
        type=Path,
        default=Path(default) if default else None,
        help="models folder (default: $TRADEGUARD_RISK_MODEL_DIR)",
    )
    add_json_flag(parser)


def _decision_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--approver", required=True, help="who approves (recorded in the log)")
    parser.add_argument("--reason", required=True, help="why (recorded in the log)")


def register(subparsers: SubParsers) -> None:
    group = subcommand_group(subparsers, "models", "the risk model registry")
    listing = group.add_parser("list", help="trained models, their gates and which one serves")
    _models_flag(listing)
    listing.set_defaults(func=run_list)
    promote = group.add_parser("promote", help="make a candidate that passed its gates serve")
    promote.add_argument("version", help="model version, from `models list`")
    _models_flag(promote)
    _decision_flags(promote)
    promote.set_defaults(func=run_promote)
    rollback = group.add_parser("rollback", help="serve the previously promoted model again")
    _models_flag(rollback)
    _decision_flags(rollback)
    rollback.set_defaults(func=run_rollback)
    report = group.add_parser("report", help="write the model document (Markdown + PNG)")
    report.add_argument("version", help="model version, from `models list`")
    report.add_argument("--out", type=Path, required=True, help="folder for the document")
    _models_flag(report)
    report.set_defaults(func=run_report)


def _models(args: argparse.Namespace) -> Path:
    if args.models is None:
        raise CommandError("give --models DIR or set TRADEGUARD_RISK_MODEL_DIR")
    if not Path(args.models).is_dir():
        raise CommandError(f"no models folder at {args.models}")
    return Path(args.models)


def run_list(args: argparse.Namespace) -> int:
    from services.risk.registry import list_models

    entries = list_models(_models(args))
    rows = [
        {
            "version": e.version,
            "status": e.status,
            "gates": "pass" if e.gates_passed else "FAIL",
            "trained_at": e.trained_at,
            "gate_failures": list(e.gate_failures),
        }
        for e in entries
    ]
    if args.json:
        print_json(rows)
        return 0
    print(table(rows, ("version", "status", "gates", "trained_at", "gate_failures")))
    print(f"{len(rows)} model(s) in {args.models}")
    return 0


def run_promote(args: argparse.Namespace) -> int:
    from services.risk.registry import RegistryError, promote

    try:
        event = promote(_models(args), args.version, args.approver, args.reason)
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        print_json(event)
        return 0
    print(f"promoted {event.version} (was {event.previous or 'none'}) by {event.approver}")
    return 0


def run_rollback(args: argparse.Namespace) -> int:
    from services.risk.registry import RegistryError, rollback

    try:
        event = rollback(_models(args), args.approver, args.reason)
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        print_json(event)
        return 0
    print(f"rolled back from {event.previous} to {event.version} by {event.approver}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from services.risk.model import BundleError, load
    from services.risk.training.document import write_model_document

    folder = _models(args) / args.version
    try:
        bundle = load(folder)
    except BundleError as exc:
        raise CommandError(str(exc)) from None
    path = write_model_document(bundle, args.out)
    if args.json:
        print_json({"document": path})
    else:
        print(f"wrote {path}")
    return 0

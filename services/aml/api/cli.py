"""`tradeguard aml ...`: alert review for analysts (over gRPC), the audit check (on the DB) and
the network scan of a local data directory.

    tradeguard aml alerts list [--status NEW] [--min-severity HIGH] [--all]
    tradeguard aml alerts show ALERT_ID [--events]
    tradeguard aml alerts review ALERT_ID --decision CONFIRM --note "..." --expected-version 2
    tradeguard aml workflow            # the review transition table
    tradeguard aml verify-audit        # exit 0 when the hash chain is intact, 1 when not
    tradeguard aml scan --data DIR     # network typologies over a data directory

The alert commands talk to the running service (``--target``, token from ``--token`` or
``TRADEGUARD_TOKEN``), so the caller's role and tenant apply and reviews are audited under
their name. ``verify-audit`` reads the database directly (``--db-url`` or
``TRADEGUARD_AML_DB_URL``); ``scan`` runs the detector over local files. Heavy imports stay
inside the functions to keep ``--help`` fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
STATUSES = ("NEW", "IN_REVIEW", "CONFIRMED", "DISMISSED", "ESCALATED", "REPORTED")
DECISIONS = ("START_REVIEW", "CONFIRM", "DISMISS", "ESCALATE", "REPORT")
_COLUMNS = (
    "alert_id",
    "created_at",
    "tenant",
    "enterprise_id",
    "typology",
    "severity",
    "risk_score",
    "status",
    "version",
)


def aml_subparsers(subparsers: Any) -> Any:
    """The `aml` command's subparsers, created once: other modules add commands to it too."""
    from services.common.cli_groups import subcommand_group

    return subcommand_group(subparsers, "aml", "AML alerts, review workflow, audit log")


def _connection_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        default=os.environ.get("TRADEGUARD_AML_TARGET", "localhost:50052"),
        help="host:port of the AML service (env TRADEGUARD_AML_TARGET)",
    )
    parser.add_argument(
        "--token",
        default=None,
        help="bearer token (env TRADEGUARD_TOKEN); write --token=VALUE if it starts with -",
    )
    parser.add_argument("--ca-file", default=None, help="CA bundle for a TLS connection")
    parser.add_argument("--timeout", type=float, default=10.0, help="deadline in seconds")


def register(subparsers: Any) -> None:
    aml = aml_subparsers(subparsers)
    alerts = aml.add_parser("alerts", help="list, show and review alerts")
    commands = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    _register_list(commands)
    _register_show(commands)
    _register_review(commands)
    workflow = aml.add_parser("workflow", help="print the review transition table")
    workflow.set_defaults(func=_workflow)
    verify = aml.add_parser(
        "verify-audit", help="check the audit log's MAC chain, checkpoints and alert rows"
    )
    verify.add_argument("--db-url", default=None, help="alert store URL (TRADEGUARD_AML_DB_URL)")
    verify.add_argument(
        "--audit-key-file", type=Path, default=None, help="TRADEGUARD_AML_AUDIT_KEY_FILE"
    )
    verify.add_argument(
        "--checkpoint-dir", type=Path, default=None, help="TRADEGUARD_AML_AUDIT_CHECKPOINT_DIR"
    )
    verify.set_defaults(func=_verify_audit)
    _register_scan(aml)


def _register_scan(aml: Any) -> None:
    scan = aml.add_parser(
        "scan", help="find circular trading, fan-in/out and pass-through in a data directory"
    )
    scan.add_argument("--data", type=Path, required=True)
    scan.add_argument("--model-dir", type=Path, help="bundle whose rule set to use")
    scan.add_argument("--window-start", type=datetime.fromisoformat)
    scan.add_argument("--window-end", type=datetime.fromisoformat)
    scan.add_argument("--json", action="store_true", help="one JSON object per structure")
    scan.set_defaults(func=_scan)


def _register_list(commands: Any) -> None:
    parser = commands.add_parser("list", help="alerts, newest first")
    _connection_flags(parser)
    parser.add_argument("--status", choices=STATUSES)
    parser.add_argument("--typology")
    parser.add_argument("--min-severity", choices=SEVERITIES)
    parser.add_argument("--enterprise")
    parser.add_argument("--tenant", help="regulators only: one tenant's alerts")
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--all", action="store_true", help="follow page tokens to the end")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(func=_list)


def _register_show(commands: Any) -> None:
    parser = commands.add_parser("show", help="one alert as JSON")
    _connection_flags(parser)
    parser.add_argument("alert_id")
    parser.add_argument("--events", action="store_true", help="include its audit events")
    parser.set_defaults(func=_show)


def _register_review(commands: Any) -> None:
    parser = commands.add_parser("review", help="apply a decision (regulators)")
    _connection_flags(parser)
    parser.add_argument("alert_id")
    parser.add_argument("--decision", required=True, choices=DECISIONS)
    parser.add_argument("--note", default="")
    parser.add_argument("--expected-version", type=int, required=True)
    parser.set_defaults(func=_review)


def _stub(args: argparse.Namespace) -> Any:
    from services._proto.tradeguard.aml.v1 import aml_pb2_grpc
    from services.common.client import ChannelConfig, connect

    token = args.token or os.environ.get("TRADEGUARD_TOKEN")
    ca_file = Path(args.ca_file) if args.ca_file else None
    config = ChannelConfig(args.target, token=token, ca_file=ca_file, timeout_seconds=args.timeout)
    return aml_pb2_grpc.AmlMonitoringStub(connect(config))


def _as_dict(message: Any) -> dict[str, Any]:
    from google.protobuf.json_format import MessageToDict

    return dict(MessageToDict(message, preserving_proto_field_name=True))


def _rpc(call: Any) -> int:
    """Run `call()`, printing a gRPC failure as `CODE: message` with exit code 1."""
    import grpc

    try:
        call()
    except grpc.RpcError as exc:
        print(f"{exc.code().name}: {exc.details()}", file=sys.stderr)
        return 1
    return 0


def _list_request(args: argparse.Namespace, token: str) -> Any:
    from services._proto.tradeguard.aml.v1 import aml_pb2

    return aml_pb2.ListAlertsRequest(
        page_size=args.page_size,
        page_token=token,
        status=args.status,
        min_severity=args.min_severity,
        typology=args.typology or "",
        enterprise_id=args.enterprise or "",
        tenant=args.tenant or "",
    )


def _print_alerts(alerts: list[dict[str, Any]], as_json: bool) -> None:
    for alert in alerts:
        if as_json:
            print(json.dumps(alert, ensure_ascii=False, sort_keys=True))
        else:
            print("\t".join(str(alert.get(c, "")) for c in _COLUMNS))


def _list(args: argparse.Namespace) -> int:
    stub = _stub(args)

    def run() -> None:
        token = ""
        if not args.json:
            print("\t".join(_COLUMNS))
        while True:
            page = stub.ListAlerts(_list_request(args, token))
            _print_alerts([_as_dict(a) for a in page.alerts], args.json)
            token = page.next_page_token
            if not (args.all and token):
                break

    return _rpc(run)


def _show(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.aml.v1 import aml_pb2

    stub = _stub(args)

    def run() -> None:
        shown = _as_dict(stub.GetAlert(aml_pb2.GetAlertRequest(alert_id=args.alert_id)))
        if args.events:
            request = aml_pb2.ListAlertEventsRequest(alert_id=args.alert_id, page_size=500)
            shown["events"] = [_as_dict(e) for e in stub.ListAlertEvents(request).events]
        print(json.dumps(shown, ensure_ascii=False, indent=2, sort_keys=True))

    return _rpc(run)


def _review(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.aml.v1 import aml_pb2

    stub = _stub(args)
    request = aml_pb2.ReviewAlertRequest(
        alert_id=args.alert_id,
        decision=args.decision,
        note=args.note,
        expected_version=args.expected_version,
    )

    def run() -> None:
        alert = stub.ReviewAlert(request)
        print(f"{alert.alert_id}\t{aml_pb2.AlertStatus.Name(alert.status)}\tv{alert.version}")

    return _rpc(run)


def _workflow(_args: argparse.Namespace) -> int:
    from services.aml.review import transition_table_markdown

    print(transition_table_markdown())
    return 0


def _verify_audit(args: argparse.Namespace) -> int:
    from services.aml.audit_trail import AuditKeyError, AuditTrail
    from services.aml.settings import AmlSettings
    from services.aml.store import AlertStore
    from services.common.errors import UnavailableError
    from services.common.settings import settings_from_args

    settings = settings_from_args(AmlSettings)
    url = args.db_url or settings.db_url
    key_file = args.audit_key_file or settings.audit_key_file
    folder = args.checkpoint_dir or settings.audit_checkpoint_dir
    try:
        trail = AuditTrail.from_files(key_file, folder, create=False)
        store = AlertStore.open(url, trail, migrate=False)
        report = store.verify_audit()
    except AuditKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except UnavailableError as exc:
        print(f"UNAVAILABLE: {exc.message}", file=sys.stderr)
        return 2
    store.close()
    if report.ok:
        print(f"ok: {report.events_checked} events, chain tip at {report.head_seq}")
        return 0
    for problem in report.problems:
        print(f"seq {problem.seq}: {problem.kind}: {problem.detail}")
    print(f"TAMPERED: first bad event is seq {report.first_bad_seq}", file=sys.stderr)
    return 1


def _scan(args: argparse.Namespace) -> int:
    from services.aml.detector import AmlDetector
    from services.aml.network import Window
    from services.aml.reference import load_reference
    from services.tradedata.loading import load_dataset

    data = load_dataset(args.data)
    detector = AmlDetector.load(args.model_dir, load_reference(data))
    window = Window(args.window_start, args.window_end)
    for alert in detector.scan(data, window, ""):
        if args.json:
            body = {
                "typology": alert.typology,
                "members": list(alert.members),
                "order_ids": list(alert.order_ids),
                "dedup_key": alert.dedup_key,
                "summary": alert.evidence.get("summary", ""),
            }
            print(json.dumps(body))
        else:
            print(
                f"{alert.typology:<20} {len(alert.members):>3} members "
                f"{len(alert.order_ids):>3} orders  {alert.evidence.get('summary', '')}"
            )
    sys.stdout.flush()
    return 0

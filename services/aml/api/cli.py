"""`tradeguard aml ...`: alert review for analysts (over gRPC), the audit check (on the DB) and
the network scan of a local data directory.

    tradeguard aml alerts list [--status NEW] [--min-severity HIGH] [--all | --page-token T]
    tradeguard aml alerts show ALERT_ID [--events]
    tradeguard aml alerts review ALERT_ID --decision CONFIRM --note "..." --expected-version 2
    tradeguard aml workflow            # the review transition table
    tradeguard aml verify-audit        # exit 0 when the hash chain is intact, 1 when not
    tradeguard aml scan --data DIR     # network typologies over a data directory
    tradeguard aml rules [--json]      # each rule's indicator, look-alike, how told apart

The alert commands talk to the running service, so the caller's role and tenant apply and
reviews are audited under their name. ``verify-audit`` reads the database directly (``--db-url``
or ``TRADEGUARD_AML_DB_URL``); ``scan`` runs the detector over local files. Heavy imports stay
inside the functions to keep ``--help`` fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from services.aml.api.rules_cli import register_rules
from services.commandline.errors import EXIT_FAILED, CommandError
from services.commandline.output import (
    add_json_flag,
    flat_pairs,
    page_footer,
    print_json,
    print_json_lines,
    record,
    table,
)
from services.commandline.remote import add_connection_flags, open_channel
from services.commandline.values import iso_datetime, positive_int

SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
STATUSES = ("NEW", "IN_REVIEW", "CONFIRMED", "DISMISSED", "ESCALATED", "REPORTED")
DECISIONS = ("START_REVIEW", "CONFIRM", "DISMISS", "ESCALATE", "REPORT")
COLUMNS = (
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


def register(subparsers: Any) -> None:
    aml = aml_subparsers(subparsers)
    alerts = aml.add_parser("alerts", help="list, show and review alerts")
    commands = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    _register_list(commands)
    _register_show(commands)
    _register_review(commands)
    workflow = aml.add_parser("workflow", help="print the review transition table")
    add_json_flag(workflow)
    workflow.set_defaults(func=_workflow)
    verify = aml.add_parser(
        "verify-audit", help="check the audit log's MAC chain, checkpoints and alert rows"
    )
    verify.add_argument(
        "--db-url", default=None, help="alert store URL (default: $TRADEGUARD_AML_DB_URL)"
    )
    verify.add_argument(
        "--audit-key-file",
        type=Path,
        default=None,
        help="the audit MAC key (default: $TRADEGUARD_AML_AUDIT_KEY_FILE)",
    )
    verify.add_argument(
        "--checkpoint-dir",
        type=Path,
        default=None,
        help="the audit checkpoints (default: $TRADEGUARD_AML_AUDIT_CHECKPOINT_DIR)",
    )
    add_json_flag(verify)
    verify.set_defaults(func=_verify_audit)
    _register_scan(aml)
    register_rules(aml)


def _register_scan(aml: Any) -> None:
    scan = aml.add_parser(
        "scan", help="find circular trading, fan-in/out and pass-through in a data directory"
    )
    scan.add_argument("--data", type=Path, required=True, help="trade data directory")
    scan.add_argument("--model-dir", type=Path, help="bundle whose rule set to use")
    scan.add_argument("--window-start", type=iso_datetime, help="first moment scanned")
    scan.add_argument("--window-end", type=iso_datetime, help="moment the scan stops before")
    add_json_flag(scan)
    scan.set_defaults(func=_scan)


def _register_list(commands: Any) -> None:
    parser = commands.add_parser("list", help="alerts, newest first, a page at a time")
    parser.add_argument("--status", choices=STATUSES, help="only alerts in this status")
    parser.add_argument("--typology", help="only this typology, e.g. PHANTOM_SHIPMENT")
    parser.add_argument("--min-severity", choices=SEVERITIES, help="this severity or above")
    parser.add_argument("--enterprise", help="only this enterprise_id")
    parser.add_argument("--tenant", help="regulators only: one tenant's alerts")
    parser.add_argument("--page-size", type=positive_int, default=50, help="alerts per page")
    parser.add_argument("--page-token", default="", help="the page a previous list pointed to")
    parser.add_argument("--all", action="store_true", help="follow the pages to the end")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only alert ids")
    add_json_flag(parser)
    add_connection_flags(parser, "aml")
    parser.set_defaults(func=_list)


def _register_show(commands: Any) -> None:
    parser = commands.add_parser("show", help="one alert with its evidence")
    parser.add_argument("alert_id", help="id from `aml alerts list`")
    parser.add_argument("--events", action="store_true", help="include its audit events")
    add_json_flag(parser)
    add_connection_flags(parser, "aml")
    parser.set_defaults(func=_show)


def _register_review(commands: Any) -> None:
    parser = commands.add_parser("review", help="apply a decision (regulators)")
    parser.add_argument("alert_id", help="id from `aml alerts list`")
    parser.add_argument("--decision", required=True, choices=DECISIONS, help="the decision")
    parser.add_argument("--note", default="", help="why, kept in the audit log")
    parser.add_argument(
        "--expected-version",
        type=positive_int,
        required=True,
        help="the version you reviewed (`alerts show`); a newer one answers ABORTED",
    )
    add_json_flag(parser)
    add_connection_flags(parser, "aml")
    parser.set_defaults(func=_review)


def _stub(channel: Any) -> Any:
    from services._proto.tradeguard.aml.v1 import aml_pb2_grpc

    return aml_pb2_grpc.AmlMonitoringStub(channel)


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


def _pages(args: argparse.Namespace) -> tuple[list[Any], Any]:
    """Every alert fetched (one page, or all with --all) and the last page's answer."""
    alerts: list[Any] = []
    with open_channel(args) as channel:
        stub, token = _stub(channel), args.page_token
        while True:
            page = stub.ListAlerts(_list_request(args, token))
            alerts += page.alerts
            token = page.next_page_token
            if not (args.all and token):
                return alerts, page


def _list(args: argparse.Namespace) -> int:
    alerts, last = _pages(args)
    if args.quiet:
        print("\n".join(a.alert_id for a in alerts))
    elif args.json:
        print_json_lines(alerts)
    else:
        rows = [{c: getattr(a, c) for c in COLUMNS} for a in alerts]
        for row, alert in zip(rows, alerts, strict=True):
            row.update(_enum_names(alert))
            row["risk_score"] = f"{alert.risk_score:.2f}"
        print(table(rows, COLUMNS))
        print(page_footer(len(alerts), last.total_size, last.next_page_token, "aml alerts list"))
    return 0


def _enum_names(alert: Any) -> dict[str, str]:
    from services._proto.tradeguard.aml.v1 import aml_pb2

    return {
        "severity": aml_pb2.Severity.Name(alert.severity),
        "status": aml_pb2.AlertStatus.Name(alert.status),
        "created_at": alert.created_at.ToJsonString(),
    }


def _show(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.aml.v1 import aml_pb2

    with open_channel(args) as channel:
        stub = _stub(channel)
        alert = stub.GetAlert(aml_pb2.GetAlertRequest(alert_id=args.alert_id))
        events: list[Any] = []
        token = "" if args.events else None
        while token is not None:  # every page: a page ends early rather than grow too large
            request = aml_pb2.ListAlertEventsRequest(
                alert_id=args.alert_id, page_size=500, page_token=token
            )
            page = stub.ListAlertEvents(request)
            events += page.events
            token = page.next_page_token or None
    if args.json:
        print_json({**_json(alert), **({"events": events} if args.events else {})})
        return 0
    print(format_alert(alert))
    if events:
        print("events:")
        print(format_events(events))
    return 0


def _json(message: Any) -> dict[str, Any]:
    from services.commandline.messages import message_dict

    shown: dict[str, Any] = message_dict(message)
    return shown


def format_alert(alert: Any) -> str:
    """The alert's fields, then its evidence once and each rule hit in one line."""
    from services._proto.tradeguard.aml.v1 import aml_pb2

    head = {k: v for k, v in _json(alert).items() if k not in {"evidence", "hits", "flows"}}
    lines = [record(flat_pairs(head)), f"evidence: {alert.evidence.summary}"]
    lines += [f"  {k}: {v}" for k, v in flat_pairs(_json(alert.evidence).get("details") or {})]
    lines += [f"  document {d.document_type} {d.document_id}" for d in alert.evidence.documents]
    for hit in alert.hits:
        severity = aml_pb2.Severity.Name(hit.severity)
        lines.append(f"hit {hit.rule} ({hit.typology}, {severity}): {hit.evidence.summary}")
    return "\n".join(lines)


def format_events(events: list[Any]) -> str:
    from services._proto.tradeguard.aml.v1 import aml_pb2

    return "\n".join(
        f"  #{e.sequence} {e.event_type:<10} {aml_pb2.AlertStatus.Name(e.to_status):<10} "
        f"by {e.actor:<28} {e.created_at.ToJsonString()}  hash {e.hash[:16]}…"
        for e in events
    )


def _review(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.aml.v1 import aml_pb2

    request = aml_pb2.ReviewAlertRequest(
        alert_id=args.alert_id,
        decision=args.decision,
        note=args.note,
        expected_version=args.expected_version,
    )
    with open_channel(args) as channel:
        alert = _stub(channel).ReviewAlert(request)
    if args.json:
        print_json(alert)
    else:
        print(f"{alert.alert_id} {aml_pb2.AlertStatus.Name(alert.status)} v{alert.version}")
    return 0


def _workflow(args: argparse.Namespace) -> int:
    from services.aml.review import TRANSITIONS, transition_table_markdown

    if args.json:
        print_json([{"from": s, "decision": d, "to": t} for (s, d), t in TRANSITIONS.items()])
    else:
        print(transition_table_markdown())
    return 0


def _open_store(url: str, key_file: Path, checkpoints: Path) -> Any:
    """The alert store at `url`; a SQLite file that is not there is an error, not a new store,
    and so is a missing audit key."""
    from sqlalchemy.engine import make_url

    from services.aml.audit_trail import AuditKeyError, AuditTrail
    from services.aml.store import AlertStore

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        if not Path(parsed.database).is_file():
            raise CommandError(
                f"no alert store at {parsed.database}; give --db-url or TRADEGUARD_AML_DB_URL"
            )
    try:
        trail = AuditTrail.from_files(key_file, checkpoints, create=False)
    except AuditKeyError as exc:
        raise CommandError(str(exc)) from exc
    return AlertStore.open(url, trail, migrate=False)


def _verify_audit(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from services.aml.settings import AmlSettings
    from services.common.settings import settings_from_args

    settings = settings_from_args(AmlSettings)
    store = _open_store(
        args.db_url or settings.db_url,
        args.audit_key_file or settings.audit_key_file,
        args.checkpoint_dir or settings.audit_checkpoint_dir,
    )
    try:
        report = store.verify_audit()
    finally:
        store.close()
    if args.json:
        print_json({"ok": report.ok, "first_bad_seq": report.first_bad_seq, **asdict(report)})
    elif report.ok:
        print(f"ok: {report.events_checked} events, chain tip at {report.head_seq}")
    else:
        for problem in report.problems:
            print(f"seq {problem.seq}: {problem.kind}: {problem.detail}")
        raise CommandError(f"TAMPERED: first bad event is seq {report.first_bad_seq}", EXIT_FAILED)
    return 0 if report.ok else EXIT_FAILED


def _scan(args: argparse.Namespace) -> int:
    from services.aml.detector import AmlDetector
    from services.aml.network import Window
    from services.aml.reference import load_reference
    from services.tradedata.loading import load_dataset

    data = load_dataset(args.data)
    detector = AmlDetector.load(args.model_dir, load_reference(data))
    found = list(detector.scan(data, Window(args.window_start, args.window_end), ""))
    rows = [
        {
            "typology": alert.typology,
            "members": list(alert.members),
            "order_ids": list(alert.order_ids),
            "dedup_key": alert.dedup_key,
            "summary": alert.evidence.get("summary", ""),
        }
        for alert in found
    ]
    if args.json:
        print_json_lines(rows)
        return 0
    for row in rows:
        row["members"], row["orders"] = len(row["members"]), len(row["order_ids"])
    print(table(rows, ("typology", "members", "orders", "summary")))
    print(f"{len(rows)} structure(s) in {args.data}")
    return 0

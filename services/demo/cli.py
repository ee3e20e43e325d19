"""`tradeguard demo`: prepare data and models, start the three services, show what they do.

Each long step prints a line when it starts and when it ends; the services keep running until
Ctrl-C (or SIGTERM), which drains and stops all three.
"""

from __future__ import annotations

import argparse
import signal
import time
from pathlib import Path
from types import FrameType
from typing import Any

from services.commandline.errors import CommandError
from services.commandline.values import non_negative_int, positive_int
from services.demo.console import console_url, start_console
from services.demo.ports import (
    DEFAULT_PORTS,
    console_port,
    endpoints,
    ensure_free,
    refuse_if_taken,
    workdir_lock,
)
from services.demo.processes import Endpoint, ServiceProcesses
from services.demo.steps import DemoPaths, issue_tokens, prepare


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="generate data, train, start all three services and run the demo client"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("var/demo"),
        help="where the demo keeps its data, models, stores, tokens and logs",
    )
    parser.add_argument(
        "--enterprises", type=positive_int, default=300, help="exporters in the generated data"
    )
    parser.add_argument("--months", type=positive_int, default=36, help="months of trade")
    parser.add_argument(
        "--seed", type=non_negative_int, default=0, help="generator seed (its default, 0)"
    )
    parser.add_argument(
        "--grpc-ports",
        default=None,
        metavar="RISK,AML,FINANCE",
        help="gRPC ports (default: $TRADEGUARD_<SERVICE>_PORT, else 50051,50052,50053)",
    )
    parser.add_argument(
        "--metrics-ports",
        default=None,
        metavar="RISK,AML,FINANCE",
        help="metrics ports (default: $TRADEGUARD_<SERVICE>_METRICS_PORT, else 9101,9102,9103)",
    )
    parser.add_argument(
        "--console-port",
        type=int,
        default=None,
        help="web console HTTP port (default: $TRADEGUARD_CONSOLE_PORT, else 8080)",
    )
    parser.add_argument(
        "--exit-after-demo", action="store_true", help="stop the services after the demo client"
    )
    parser.set_defaults(func=run_demo)


def _service_env(
    name: str, paths: DemoPaths, ends: dict[str, Endpoint], tokens: dict[str, str]
) -> dict[str, str]:
    prefix = f"TRADEGUARD_{name.upper()}_"
    env = {
        "TRADEGUARD_TOKENS_FILE": str(paths.tokens_file),
        f"{prefix}HOST": "127.0.0.1",
        f"{prefix}PORT": str(ends[name].port),
        f"{prefix}METRICS_PORT": str(ends[name].metrics_port),
    }
    by_service: dict[str, dict[str, object]] = {
        "risk": {"MODEL_DIR": paths.risk_models, "FEATURES": paths.features},
        "aml": {
            "DB_URL": f"sqlite:///{paths.aml_db}",
            "AUDIT_KEY_FILE": paths.root / "aml-audit.key",
            "AUDIT_CHECKPOINT_DIR": paths.root / "aml-audit-checkpoints",
            "MODEL_DIR": paths.aml_models,
            "REFERENCE_DIR": paths.data,
            "DATA_ROOT": paths.root,
        },
        "finance": {
            "DB_URL": f"sqlite:///{paths.finance_db}",
            "RISK_TARGET": ends["risk"].target,
            "AML_TARGET": ends["aml"].target,
            "RISK_TOKEN": tokens["finance-service"],
            "AML_TOKEN": tokens["finance-service"],
            "RELATIONS_FILE": paths.data / "relations.parquet",
            "BUYER_MODEL_DIR": paths.buyer_models,
        },
    }
    env.update({prefix + key: str(value) for key, value in by_service[name].items()})
    return env


def start_services(
    paths: DemoPaths, ends: dict[str, Endpoint], tokens: dict[str, str]
) -> ServiceProcesses:
    services = ServiceProcesses(ends)
    for name in ("risk", "aml", "finance"):
        print(f"==> starting {name} on {ends[name].target} ...", flush=True)
        services.start(name, _service_env(name, paths, ends, tokens), paths.logs / f"{name}.log")
    try:
        for name in ("risk", "aml", "finance"):
            services.wait_healthy(name)
            print(f"    {name} is SERVING", flush=True)
    except (RuntimeError, TimeoutError) as exc:
        services.stop()
        raise CommandError(f"{exc}; see {paths.logs}/") from exc
    return services


def export_line(paths: DemoPaths, ends: dict[str, Endpoint]) -> str:
    """The one line that points a shell's `tradeguard` commands at this demo."""
    settings = {
        "TRADEGUARD_TOKENS_FILE": str(paths.tokens_file),
        "TRADEGUARD_AML_DB_URL": f"sqlite:///{paths.aml_db}",
        "TRADEGUARD_AML_AUDIT_KEY_FILE": str(paths.root / "aml-audit.key"),
        "TRADEGUARD_AML_AUDIT_CHECKPOINT_DIR": str(paths.root / "aml-audit-checkpoints"),
    }
    for end in ends.values():
        if end.port != DEFAULT_PORTS[end.name][0]:
            settings[f"TRADEGUARD_{end.name.upper()}_PORT"] = str(end.port)
    return "export " + " ".join(f"{key}={value}" for key, value in settings.items())


def _where_to_look(
    paths: DemoPaths, ends: dict[str, Endpoint], console: int, regulator_token: str
) -> None:
    print("\nTradeGuard is running:")
    for e in ends.values():
        print(f"  {e.name:<8} gRPC {e.target:<17} metrics {e.metrics_url}")
    print(f"  console  {console_url(console)}  (nobody is signed in: paste a token)")
    print(f"  regulator token for the console: {regulator_token}")
    print(f"  logs     {paths.logs}/")
    print("Point the command line at this demo, in another terminal at the repository root:")
    print(f"  {export_line(paths, ends)}")
    print("Ctrl-C stops all three services.", flush=True)


def run_demo(args: argparse.Namespace) -> int:
    paths = DemoPaths(args.workdir)
    ends = endpoints(args.grpc_ports, args.metrics_ports)
    console = console_port(args.console_port)
    with workdir_lock(paths.root):
        ensure_free(ends)
        refuse_if_taken(console, "console HTTP", "TRADEGUARD_CONSOLE_PORT")
        prepare(paths, args.enterprises, args.months, args.seed)
        tokens = issue_tokens(paths)
        services = start_services(paths, ends, tokens)
        try:
            start_console(services, paths, ends["aml"].target, console)
            _tell_the_stories(paths, ends, tokens)
            if not args.exit_after_demo:
                _where_to_look(paths, ends, console, tokens["regulator"])
                _wait_for_signal(services)
        finally:
            codes = services.stop()
            stopped = ", ".join(f"{name} {code}" for name, code in codes.items())
            print(f"services stopped (exit codes): {stopped}", flush=True)
    return 0 if all(code == 0 for code in codes.values()) else 1


def _tell_the_stories(paths: DemoPaths, ends: dict[str, Endpoint], tokens: dict[str, str]) -> None:
    from services.demo import stories
    from services.demo.underwriting import underwriting_story

    exporter = stories.bank_scores_financing(ends["risk"].target, tokens["bank"], paths.data)
    stories.insurer_quotes_premium(ends["finance"].target, tokens["insurer"], paths.data, exporter)
    underwriting_story(ends["finance"].target, tokens, paths.data, exporter)
    stories.bank_screens_trades(ends["aml"].target, tokens["bank"], paths.data)
    stories.regulator_scans(ends["aml"].target, tokens["regulator"], "data")
    stories.regulator_reviews(ends["aml"].target, tokens["regulator"])


def _wait_for_signal(services: ServiceProcesses) -> None:
    stop = False

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stop:
            exited = services.any_exited()
            if exited is not None:
                print(f"{exited} exited unexpectedly; see its log", flush=True)
                return
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)

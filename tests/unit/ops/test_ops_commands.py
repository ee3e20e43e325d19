"""Every `tradeguard` command a manifest runs is one the command line accepts."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from services.cli import build_parser


def _commands(docs: list[dict[str, Any]], validator: Any) -> Iterator[tuple[str, list[str]]]:
    """(where, argv after `tradeguard`) for each container command invoking the CLI."""
    for doc in docs:
        if doc.get("kind") not in {"Deployment", "Job", "CronJob"}:
            continue
        for container in validator.all_containers(validator.pod_spec(doc)):
            argv = [*container.get("command", []), *container.get("args", [])]
            if argv[:2] == ["/bin/sh", "-ec"]:
                # What the shell substitutes before the command sees its arguments.
                script = argv[2].replace("$(date -u +%Y-%m-%d)", date.today().isoformat())
                argv = shlex.split(script.replace("&&", " ; "))
            where = f"{doc['kind']}/{doc['metadata']['name']}"
            for start, word in enumerate(argv):
                if word == "tradeguard":
                    end = argv.index(";", start) if ";" in argv[start:] else len(argv)
                    yield where, argv[start + 1 : end]


def test_manifest_commands_parse(rendered: dict[str, list[dict[str, Any]]], validator: Any) -> None:
    parser = build_parser()
    seen = 0
    for overlay, docs in rendered.items():
        for where, argv in _commands(docs, validator):
            try:
                args = parser.parse_args(argv)
            except SystemExit:
                pytest.fail(f"{overlay} {where}: `tradeguard {' '.join(argv)}` does not parse")
            assert callable(args.func)
            seen += 1
    assert seen >= 6, "expected the training, feature and data commands in both overlays"

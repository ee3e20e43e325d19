"""Shared `tradeguard <group> <command>` groups (`train risk` and `train aml`, `aml alerts` and
`aml scan`) that several modules add commands to."""

from __future__ import annotations

import argparse
from typing import Any

SubParsers = Any
"""argparse's sub-parsers action (a private type in the standard library)."""


def subcommand_group(subparsers: SubParsers, name: str, help_text: str) -> SubParsers:
    """The sub-parsers of group `name`, created on first use so several services can add
    their own target (`train risk`, `train aml`) without clashing."""
    existing = subparsers.choices.get(name)
    if existing is not None:
        for action in existing._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action
    parser = subparsers.add_parser(name, help=help_text)
    return parser.add_subparsers(dest=f"{name}_target", required=True, metavar="COMMAND")

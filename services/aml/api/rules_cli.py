"""`tradeguard aml rules`: every per-trade rule, and every structure the network scan looks for,
with the FATF-Egmont indicator it implements, the legitimate business that looks the same, and
how the rule tells the two apart."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from services.commandline.output import add_json_flag, print_json_lines


def register_rules(aml: Any) -> None:
    parser = aml.add_parser(
        "rules", help="each rule's indicator, its legitimate look-alike and how it tells them apart"
    )
    add_json_flag(parser)
    parser.set_defaults(func=_rules)


def _rules(args: argparse.Namespace) -> int:
    from services.aml.rules.rationale import SCAN_RULES
    from services.aml.rules.specs import RULE_SPECS

    named = [(s.name, s.typology, s.why) for s in RULE_SPECS]
    named += [(s.name, s.typology, s.why) for s in SCAN_RULES]
    rows = [
        {
            "rule": name,
            "typology": typology,
            "indicator": why.indicator,
            "look_alike": why.look_alike,
            "told_apart": why.told_apart,
        }
        for name, typology, why in named
    ]
    if args.json:
        print_json_lines(rows)
    else:
        print("\n".join(_block(row) for row in rows))
    return 0


def _block(row: dict[str, str]) -> str:
    lines = [f"{row['rule']}  ({row['typology']})"]
    for label, key in (
        ("indicator", "indicator"),
        ("look-alike", "look_alike"),
        ("told apart", "told_apart"),
    ):
        lines += textwrap.wrap(
            row[key], 96, initial_indent=f"  {label + ':':12}", subsequent_indent=" " * 14
        )
    return "\n".join(lines) + "\n"

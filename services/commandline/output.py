"""One output style: a human table or record by default, JSON with `--json`.

JSON is snake_case, decimals (money, rates) are strings so no digit is lost or invented, other
floats are rounded to 12 significant digits (no `4.662000000000001`), enums are their names,
times RFC 3339 in UTC.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="print JSON (snake_case, decimals as strings) instead of a table",
    )


def clean_float(value: float) -> float | int | None:
    """The float without binary noise; NaN and infinities become null (JSON has none)."""
    if not math.isfinite(value):
        return None
    return float(f"{value:.12g}")


def decimal_text(value: Decimal) -> str:
    """`100000.5`, not `1.000005E+5` nor `100000.500000000`."""
    return format(value.normalize(), "f")


def jsonable(value: Any) -> Any:
    """Plain JSON values for dataclass-like records, Decimals, dates, enums and messages."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return clean_float(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "DESCRIPTOR"):
        from services.commandline.messages import message_dict

        return message_dict(value)
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [jsonable(v) for v in value]
    return str(value)


def print_json(value: Any) -> None:
    print(json.dumps(jsonable(value), indent=2, ensure_ascii=False))


def print_json_lines(values: Iterable[Any]) -> None:
    for value in values:
        print(json.dumps(jsonable(value), ensure_ascii=False))


def text(value: Any) -> str:
    """A value as a table cell."""
    shown = jsonable(value)
    if shown is None:
        return ""
    if isinstance(shown, list):
        return ", ".join(text(v) for v in shown)
    if isinstance(shown, dict):
        return json.dumps(shown, ensure_ascii=False)
    return str(shown)


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Aligned columns with an upper-case header; the last column is not padded."""
    cells = [[text(row.get(c)) for c in columns] for row in rows]
    header = [c.upper() for c in columns]
    widths = [max(len(r[i]) for r in [header, *cells]) for i in range(len(columns))]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *cells]
    ]
    return "\n".join(lines)


def record(pairs: Sequence[tuple[str, Any]]) -> str:
    """`label   value` lines, labels aligned."""
    width = max((len(label) for label, _ in pairs), default=0)
    return "\n".join(f"{label:<{width}}  {text(value)}".rstrip() for label, value in pairs)


def flat_pairs(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A nested record as `a.b  value` pairs, money as `USD 100000.5`, empty values left out."""
    shown = jsonable(value)
    if isinstance(shown, dict) and set(shown) == {"currency_code", "amount"}:
        return [(prefix, f"{shown['currency_code']} {shown['amount']}")]
    if isinstance(shown, dict):
        pairs: list[tuple[str, Any]] = []
        for key, item in shown.items():
            pairs += flat_pairs(item, f"{prefix}.{key}" if prefix else key)
        return pairs
    if shown in (None, "", []):
        return []
    return [(prefix, shown)]


def page_footer(shown: int, total: int, next_token: str, command: str) -> str:
    """`showing N of M` and how to see the rest."""
    line = f"showing {shown} of {total}"
    if next_token:
        line += f"; next page: {command} --page-token {next_token} (or --all)"
    return line


def stdout_line(line: str = "") -> None:
    sys.stdout.write(line + "\n")

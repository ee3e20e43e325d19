"""``tradeguard tokens issue|list|revoke``: manage the hashed bearer tokens file."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.commandline.errors import EXIT_FAILED, CommandError
from services.commandline.output import add_json_flag, print_json, table
from services.common.tokens import Role, TokenStore

DEFAULT_TOKENS_FILE = "var/tokens.json"


def default_tokens_file() -> Path:
    """``TRADEGUARD_TOKENS_FILE`` or ``var/tokens.json``, the same default the servers use."""
    return Path(os.environ.get("TRADEGUARD_TOKENS_FILE", DEFAULT_TOKENS_FILE))


def register(subparsers: Any) -> None:
    """Add the ``tokens`` command group."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--file",
        type=Path,
        default=None,
        help="tokens file (default: $TRADEGUARD_TOKENS_FILE or var/tokens.json)",
    )
    tokens = subparsers.add_parser("tokens", help="issue, list and revoke bearer tokens")
    commands = tokens.add_subparsers(dest="tokens_command", required=True, metavar="COMMAND")
    issue = commands.add_parser("issue", parents=[common], help="issue a token, printed once")
    issue.add_argument("--tenant", required=True, help="tenant the token acts for")
    issue.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        type=str.upper,
        help="who the caller is: BANK, INSURER, REGULATOR, ADMIN, or SERVICE for another service",
    )
    issue.add_argument("--label", default="", help="free text shown by `tokens list`")
    issue.add_argument(
        "--expires-in",
        type=duration,
        default=None,
        metavar="DURATION",
        help="refuse the token after this long: 3600s, 90m, 12h or 30d (default: never)",
    )
    add_json_flag(issue)
    issue.set_defaults(func=_issue)
    listing = commands.add_parser("list", parents=[common], help="list tokens (no secrets)")
    add_json_flag(listing)
    listing.set_defaults(func=_list)
    revoke = commands.add_parser("revoke", parents=[common], help="revoke a token by its id")
    revoke.add_argument("token_id", help="id shown by `tokens list` (tok_...)")
    add_json_flag(revoke)
    revoke.set_defaults(func=_revoke)


def _store(args: argparse.Namespace) -> TokenStore:
    return TokenStore(args.file or default_tokens_file())


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> timedelta:
    """``90m`` -> 90 minutes; a bare number is seconds. Refuses zero, negatives and junk."""
    value, unit = (text[:-1], text[-1]) if text[-1:] in _UNITS else (text, "s")
    try:
        seconds = float(value) * _UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a duration: {text!r} (try 3600s, 90m, 12h, 30d)"
        ) from None
    if not 0 < seconds < 100 * 365 * 86400:
        raise argparse.ArgumentTypeError(f"duration out of range: {text!r}")
    return timedelta(seconds=seconds)


def _issue(args: argparse.Namespace) -> int:
    token, record = _store(args).issue(
        args.tenant, Role(args.role), args.label, expires_in=args.expires_in
    )
    if args.json:
        print_json({"token": token, **_row(record)})
        return 0
    # The token alone on stdout so scripts can capture it; the rest goes to stderr.
    print(token)
    print(
        f"issued {record.token_id} for {record.tenant} ({record.role.value})"
        f"{', expires ' + record.expires_at if record.expires_at else ''}; "
        "the token is shown only once",
        file=sys.stderr,
    )
    return 0


def _row(record: Any) -> dict[str, Any]:
    return {**asdict(record), "role": record.role.value}


def _list(args: argparse.Namespace) -> int:
    records = _store(args).list()
    rows = [_row(r) for r in records]
    if args.json:
        print_json(rows)
        return 0
    now = datetime.now(UTC)
    for row, r in zip(rows, records, strict=True):
        row["state"] = "revoked" if r.revoked else "expired" if r.expired(now) else "active"
    print(table(rows, ("token_id", "tenant", "role", "created_at", "state", "label")))
    print(f"{len(rows)} token(s) in {args.file or default_tokens_file()}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    try:
        record = _store(args).revoke(args.token_id)
    except KeyError as exc:
        raise CommandError(f"no token with id {args.token_id}", EXIT_FAILED) from exc
    if args.json:
        print_json(_row(record))
    else:
        print(f"revoked {record.token_id} ({record.tenant}, {record.role.value})")
    return 0

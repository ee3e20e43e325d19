"""``tradeguard tokens issue|list|revoke``: manage the hashed bearer tokens file."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import asdict
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
    issue.add_argument("--role", required=True, choices=[r.value for r in Role], type=str.upper)
    issue.add_argument("--label", default="", help="free text shown by `tokens list`")
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


def _issue(args: argparse.Namespace) -> int:
    token, record = _store(args).issue(args.tenant, Role(args.role), args.label)
    if args.json:
        print_json({"token": token, **_row(record)})
        return 0
    # The token alone on stdout so scripts can capture it; the rest goes to stderr.
    print(token)
    print(
        f"issued {record.token_id} for {record.tenant} ({record.role.value}); "
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
    for row in rows:
        row["state"] = "revoked" if row["revoked"] else "active"
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

"""Token expiry (`tokens issue --expires-in`), files created 0600, log fields clipped."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.common.database import store_engine
from services.common.logging import MAX_FIELD_CHARS, JsonFormatter, clip
from services.common.private_files import write_private_text
from services.common.tokens import Role, TokenStore


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_expired_token_authenticates_nobody(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    short, record = store.issue("bank-a", Role.BANK, expires_in=timedelta(seconds=1))
    hour, _ = store.issue("bank-a", Role.BANK, expires_in=timedelta(hours=1))
    lasting, _ = store.issue("bank-a", Role.BANK)
    assert record.expires_at
    time.sleep(1.1)
    assert store.authenticate(short) is None
    assert store.authenticate(hour) is not None
    assert store.authenticate(lasting) is not None


def test_non_positive_expiry_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenStore(tmp_path / "t.json").issue("bank-a", Role.BANK, expires_in=timedelta(0))


def _tokens_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "tokens", *args, "--file", str(tmp_path / "t.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_tokens_issue_expires_in_from_the_command_line(tmp_path: Path) -> None:
    issued = _tokens_cli(
        tmp_path, "issue", "--tenant", "bank-a", "--role", "BANK", "--expires-in", "12h"
    )
    assert issued.returncode == 0, issued.stderr
    assert "expires" in issued.stderr
    listed = json.loads(_tokens_cli(tmp_path, "list", "--json").stdout)
    assert listed[0]["expires_at"]
    bad = _tokens_cli(tmp_path, "issue", "--tenant", "b", "--role", "BANK", "--expires-in", "soon")
    assert bad.returncode != 0
    assert "not a duration" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_token_lock_file_and_demo_token_file_are_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        TokenStore(tmp_path / "tokens.json").issue("bank-a", Role.BANK)
        write_private_text(tmp_path / "clear-tokens.json", "{}")
    finally:
        os.umask(old_umask)
    assert _mode(tmp_path / "tokens.json.lock") == 0o600
    assert _mode(tmp_path / "clear-tokens.json") == 0o600


def test_sqlite_store_files_are_created_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        engine = store_engine(
            f"sqlite:///{tmp_path / 'store.db'}", busy_timeout_ms=1000, connect_timeout_s=1
        )
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    finally:
        os.umask(old_umask)
    assert _mode(tmp_path / "store.db") == 0o600
    assert _mode(tmp_path / "store.db-wal") == 0o600
    engine.dispose()


def test_client_strings_are_clipped_in_log_lines() -> None:
    record = logging.LogRecord("services.access", logging.INFO, "", 0, "rpc", None, None)
    record.request_id = "r" * 3_000_000
    line = JsonFormatter().format(record)
    assert len(line) < 2 * MAX_FIELD_CHARS
    assert json.loads(line)["request_id"].endswith("[3000000 chars]")
    assert clip("short") == "short"

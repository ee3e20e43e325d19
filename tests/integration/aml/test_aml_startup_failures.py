"""`python -m services.aml` (as Kubernetes runs it) that cannot start says why in one line, never
a traceback: no real audit key (the key comes from a Secret, never made in the pod), or its port
already taken by another instance."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from services.common.tokens import Role, TokenStore

ROOT = Path(__file__).resolve().parents[3]


def _start(tmp_path: Path, key_file: Path, port: int = 0) -> subprocess.CompletedProcess[str]:
    TokenStore(tmp_path / "tokens.json").issue("bank-1", Role.BANK)
    env = {
        **os.environ,
        "TRADEGUARD_TOKENS_FILE": str(tmp_path / "tokens.json"),
        "TRADEGUARD_AML_HOST": "127.0.0.1",
        "TRADEGUARD_AML_DB_URL": f"sqlite:///{tmp_path / 'aml.db'}",
        "TRADEGUARD_AML_AUDIT_KEY_FILE": str(key_file),
        "TRADEGUARD_AML_AUDIT_KEY_CREATE": "false",
        "TRADEGUARD_AML_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
    }
    command = [sys.executable, "-m", "services.aml", "--port", str(port), "--metrics-port", "0"]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        ("REPLACE-WITH-THE-OUTPUT-OF-openssl-rand-hex-32\n", "does not hold a hex key"),
        ("00ff" * 4 + "\n", "at least 32 bytes"),
    ],
)
def test_the_service_refuses_to_start_without_a_real_audit_key(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    key_file = tmp_path / "secret" / "audit.key"
    if content is not None:
        key_file.parent.mkdir()
        key_file.write_text(content)
    result = _start(tmp_path, key_file)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("aml: cannot start: ") and expected in lines[-1]
    assert "openssl rand -hex 32" in lines[-1]
    assert "Traceback" not in result.stderr
    assert not key_file.exists() or key_file.read_text() == content  # never replaced


def test_the_service_refuses_to_start_on_a_port_already_taken(tmp_path: Path) -> None:
    key_file = tmp_path / "audit.key"
    key_file.write_text("ab" * 32 + "\n")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _start(tmp_path, key_file, port)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("aml: cannot start: cannot listen on") and str(port) in last
    assert "Traceback" not in result.stderr

"""As Kubernetes runs it (the key from a Secret, never made in the pod), the AML service refuses
to start without a real audit key, and says so in one line instead of a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.common.tokens import Role, TokenStore

ROOT = Path(__file__).resolve().parents[3]


def _start(tmp_path: Path, key_file: Path) -> subprocess.CompletedProcess[str]:
    TokenStore(tmp_path / "tokens.json").issue("bank-1", Role.BANK)
    env = {
        **os.environ,
        "TRADEGUARD_TOKENS_FILE": str(tmp_path / "tokens.json"),
        "TRADEGUARD_AML_DB_URL": f"sqlite:///{tmp_path / 'aml.db'}",
        "TRADEGUARD_AML_AUDIT_KEY_FILE": str(key_file),
        "TRADEGUARD_AML_AUDIT_KEY_CREATE": "false",
        "TRADEGUARD_AML_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
    }
    command = [sys.executable, "-m", "services.aml", "--port", "0", "--metrics-port", "0"]
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

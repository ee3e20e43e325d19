"""`tradeguard aml verify-audit` and `tradeguard aml workflow` from the real command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from services.aml.alert_records import NewAlert
from services.aml.audit_trail import AuditTrail
from services.aml.migrations.schema import alert_events
from services.aml.store import AlertStore
from services.cli import main

from .conftest import BANK


def _trail(folder: Path) -> tuple[AuditTrail, list[str]]:
    """A key file and checkpoint folder, and the flags that point verify-audit at them."""
    key, checkpoints = folder / "audit.key", folder / "checkpoints"
    trail = AuditTrail.from_files(key, checkpoints, create=True)
    return trail, ["--audit-key-file", str(key), "--checkpoint-dir", str(checkpoints)]


def test_verify_audit_passes_on_an_intact_log(
    tmp_path: Path, new_alert: Callable[..., NewAlert], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'aml.db'}"
    trail, flags = _trail(tmp_path)
    store = AlertStore.open(url, trail)
    store.raise_alerts([new_alert("a"), new_alert("b")], BANK)
    store.close()
    assert main(["aml", "verify-audit", "--db-url", url, *flags]) == 0
    assert "ok: 2 events" in capsys.readouterr().out


def test_verify_audit_names_the_tampered_event(
    tmp_path: Path, new_alert: Callable[..., NewAlert], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'aml.db'}"
    trail, flags = _trail(tmp_path)
    store = AlertStore.open(url, trail)
    store.raise_alerts([new_alert(f"k{i}") for i in range(4)], BANK)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER alert_events_no_update")
        connection.execute(alert_events.update().where(alert_events.c.seq == 3).values(note="x"))
    store.close()
    assert main(["aml", "verify-audit", "--db-url", url, *flags]) == 1
    captured = capsys.readouterr()
    assert "seq 3: EDITED" in captured.out
    assert "first bad event is seq 3" in captured.err


def test_verify_audit_reads_the_url_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    trail, _ = _trail(tmp_path)
    AlertStore.open(url, trail).close()
    monkeypatch.setenv("TRADEGUARD_AML_DB_URL", url)
    monkeypatch.setenv("TRADEGUARD_AML_AUDIT_KEY_FILE", str(tmp_path / "audit.key"))
    monkeypatch.setenv("TRADEGUARD_AML_AUDIT_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    assert main(["aml", "verify-audit"]) == 0
    assert "ok: 0 events" in capsys.readouterr().out


def test_workflow_prints_the_transition_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["aml", "workflow"]) == 0
    out = capsys.readouterr().out
    assert "| IN_REVIEW | ESCALATE | ESCALATED |" in out
    assert "| ESCALATED | REPORT | REPORTED |" in out

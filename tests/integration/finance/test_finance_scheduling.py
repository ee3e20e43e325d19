"""A service process runs every one of its threads under SCHED_BATCH once it serves, and under
the default policy when the setting is off (``services.common.scheduling``; the finance service
is the one that starts without a model or reference data)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from .conftest import make_tokens, start_finance_process

pytestmark = pytest.mark.skipif(
    not hasattr(os, "SCHED_BATCH"), reason="SCHED_BATCH is a Linux policy"
)


def _settled_policies(pid: int, wanted: int, seconds: float = 10.0) -> dict[int, int]:
    """The process's threads' policies, once all are `wanted` or `seconds` have passed (the
    policy is set once start-up is done, just after the server answers)."""
    ends = time.monotonic() + seconds
    while True:
        policies = _policies(pid)
        if set(policies.values()) == {wanted} or time.monotonic() > ends:
            return policies
        time.sleep(0.1)


def _policies(pid: int) -> dict[int, int]:
    policies = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            policies[int(task.name)] = os.sched_getscheduler(int(task.name))
        except ProcessLookupError:
            continue
    return policies


def test_service_threads_run_batch_scheduled_unless_turned_off(
    tmp_path: Path, free_port_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRADEGUARD_FINANCE_BATCH_SCHEDULING", raising=False)
    tokens = make_tokens(tmp_path).path
    on_port, off_port = free_port_factory(), free_port_factory()
    on = start_finance_process(on_port, tmp_path / "on.db", tokens, tmp_path / "on.log")
    try:
        off = start_finance_process(
            off_port,
            tmp_path / "off.db",
            tokens,
            tmp_path / "off.log",
            {"TRADEGUARD_FINANCE_BATCH_SCHEDULING": "false"},
        )
        try:
            on_policies = _settled_policies(on.pid, os.SCHED_BATCH)
            off_policies = _policies(off.pid)
        finally:
            off.terminate()
            off.wait(timeout=30)
    finally:
        on.terminate()
        on.wait(timeout=30)
    # grpcio's poller and handler threads and the service's own threads: all of them.
    assert len(on_policies) > 3
    assert set(on_policies.values()) == {os.SCHED_BATCH}
    assert set(off_policies.values()) == {os.SCHED_OTHER}

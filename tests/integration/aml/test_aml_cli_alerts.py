"""`tradeguard aml alerts list|show|review` against a real server."""

from __future__ import annotations

import json

import pytest

from services.cli import main

from .conftest import Harness, screen


def _cli(harness: Harness, who: str, *args: str) -> int:
    target = f"127.0.0.1:{harness.service.port}"
    token = harness.callers.tokens[who]
    command, *rest = args
    # "--token=..." because a token may start with "-", which argparse takes for a flag.
    flags = ["--target", target, f"--token={token}", "--timeout", "30"]
    return main(["aml", "alerts", command, *flags, *rest])


def test_list_show_and_review(harness: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    alert = harness.stub.ScreenTrade(
        screen("C-1", shipped=False), metadata=harness.md("bank-1")
    ).alert
    capsys.readouterr()
    assert _cli(harness, "bank-1", "list", "--json") == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert alert.alert_id in {a["alert_id"] for a in listed}, listed
    assert {a["tenant"] for a in listed} == {"bank-1"}
    assert (
        _cli(
            harness,
            "regulator-1",
            "review",
            alert.alert_id,
            "--decision",
            "START_REVIEW",
            "--expected-version",
            "1",
        )
        == 0
    )
    assert capsys.readouterr().out.split() == [alert.alert_id, "IN_REVIEW", "v2"]
    assert _cli(harness, "bank-1", "show", alert.alert_id, "--events", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "IN_REVIEW"
    assert [e["event_type"] for e in shown["events"]] == ["CREATED", "REVIEWED"]


def test_refusals_exit_non_zero(harness: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    alert = harness.stub.ScreenTrade(
        screen("C-2", shipped=False), metadata=harness.md("bank-1")
    ).alert
    code = _cli(
        harness,
        "bank-1",
        "review",
        alert.alert_id,
        "--decision",
        "START_REVIEW",
        "--expected-version",
        "1",
    )
    assert code == 1
    assert capsys.readouterr().err.startswith("error: PERMISSION_DENIED: ")
    assert _cli(harness, "bank-2", "show", alert.alert_id) == 1
    assert capsys.readouterr().err.startswith("error: NOT_FOUND: ")


def test_list_says_how_many_and_where_the_next_page_is(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(3):
        harness.stub.ScreenTrade(screen(f"P-{n}", shipped=False), metadata=harness.md("bank-1"))
    capsys.readouterr()
    assert _cli(harness, "bank-1", "list", "--page-size", "2") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["ALERT_ID", "CREATED_AT", "TENANT"]
    total = int(lines[-1].split(" of ")[1].split(";")[0])
    assert total >= 3 and lines[-1].startswith("showing 2 of ")
    token = lines[-1].split("--page-token ")[1].split()[0]
    assert _cli(harness, "bank-1", "list", "--page-size", "2", "--page-token", token, "-q") == 0
    assert len(capsys.readouterr().out.split()) == min(2, total - 2)


def test_show_prints_the_evidence_once(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    alert = harness.stub.ScreenTrade(
        screen("E-1", shipped=False), metadata=harness.md("bank-1")
    ).alert
    capsys.readouterr()
    assert _cli(harness, "bank-1", "show", alert.alert_id) == 0
    out = capsys.readouterr().out
    assert out.count("evidence: ") == 1 and alert.evidence.summary in out
    assert "{" not in out.splitlines()[0]

"""`tradeguard limit` and `tradeguard policy` against a running finance service."""

from __future__ import annotations

import json

import pytest

from services.cli import main

from .conftest import Stack, short_term_request


def _run(stack: Stack, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    target = f"127.0.0.1:{stack.finance.server.port}"
    token = stack.tokens.clear["insurer-1"]
    code = main([*argv, "--target", target, "--token", token])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_limit_and_policy_commands(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(
        stack, capsys, "limit", "request", "--exporter-id", "ENT00007", "--buyer-id", "B-CLI",
        "--buyer-country", "BR", "--grade", "5", "--amount", "250,000", "--terms", "OA",
        "--credit-days", "90", "--json",
    )  # fmt: skip
    assert code == 0, out
    limit = json.loads(out)
    assert limit["decision"] == "CREDIT_LIMIT_DECISION_APPROVED"
    code, out = _run(stack, capsys, "limit", "list", "--buyer-id", "B-CLI", "--json")
    assert code == 0 and json.loads(out)["credit_limits"][0]["name"] == limit["name"]
    buyer = short_term_request("x").buyer
    buyer.buyer_id = "B-CLI"
    quote = stack.stub.QuotePremium(
        short_term_request("cli-quote", buyer=buyer), metadata=stack.md(), timeout=10
    )
    code, out = _run(stack, capsys, "policy", "bind", quote.quote_id, "--json")
    assert code == 0, out
    number = json.loads(out)["policy_number"]
    code, out = _run(stack, capsys, "policy", "events", number)
    assert code == 0 and "BOUND" in out
    code, out = _run(stack, capsys, "limit", "get", "not-a-name")
    assert code != 0 and len(out.strip().splitlines()) == 1 and "name" in out

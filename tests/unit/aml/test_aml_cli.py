"""`tradeguard train aml` and `tradeguard aml scan`, driven through their argparse registration."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from services.aml.api import cli as aml_cli
from services.aml.ruleset import RuleSet
from services.aml.training import cli as train_cli


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tradeguard")
    commands = parser.add_subparsers(dest="command", required=True)
    aml_cli.register(commands)
    train_cli.register(commands)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def test_scan_prints_one_structure_per_line(
    generated: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["aml", "scan", "--data", str(generated[0]), "--json"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    kinds = {f["typology"] for f in found}
    assert {"CIRCULAR_TRADING", "FAN_IN", "FAN_OUT", "RAPID_PASS_THROUGH"} <= kinds
    assert len({f["dedup_key"] for f in found}) == len(found)


def test_train_writes_a_bundle_with_the_holdout_report(
    generated: tuple[Path, Path],
    doubled_look_alikes: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "bundle"
    argv = [
        "train",
        "aml",
        "--data",
        str(generated[0]),
        "--out",
        str(out),
        "--holdout",
        str(generated[1]),
        "--doubled-holdout",
        str(doubled_look_alikes),
        "--threads",
        "1",
    ]
    assert _run(argv) == 0
    printed = capsys.readouterr().out
    assert "overall alert precision" in printed and "THREE_DOC_MISMATCH" in printed
    assert "feature shares of gain" in printed and "left to the rules" in printed
    metrics = json.loads((out / "bundle.json").read_text())["metrics"]
    for report in ("holdout", "holdout_doubled"):
        rows = {r["typology"] for r in metrics[report]["rows"]}
        assert "PHANTOM_SHIPMENT" in rows and "CIRCULAR_TRADING" in rows
    assert set(metrics["gain_shares"]).isdisjoint(metrics["rule_only"])
    assert metrics["dominant_features"] == {}
    assert RuleSet.load(out / "ruleset.json") == RuleSet()


def test_ruleset_file_round_trips_and_fingerprints(tmp_path: Path) -> None:
    rules = RuleSet(version="local-1")
    rules.save(tmp_path / "r.json")
    again = RuleSet.load(tmp_path / "r.json")
    assert again == rules and again.fingerprint() == rules.fingerprint()
    assert RuleSet().fingerprint() != rules.fingerprint()


def test_rules_answer_to_an_analyst(capsys: pytest.CaptureFixture[str]) -> None:
    from services.aml.rules.rationale import SCAN_RULES
    from services.aml.rules.specs import RULE_NAMES
    from services.aml.ruleset import NETWORK_TYPOLOGIES

    assert _run(["aml", "rules", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["rule"] for r in rows] == [*RULE_NAMES, *(s.name for s in SCAN_RULES)]
    assert set(NETWORK_TYPOLOGIES) <= {r["typology"] for r in rows}
    for row in rows:
        assert re.match(r"^[SDTAN]\d+(/[SDTAN]\d+)? ", row["indicator"]), row
        assert len(row["look_alike"]) > 20 and len(row["told_apart"]) > 40, row

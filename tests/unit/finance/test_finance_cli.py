"""`tradeguard quote mpr`: the offline MPR calculator prints every term, or the violations."""

from __future__ import annotations

import json

import pytest

from services.cli import main


def test_mpr_command_prints_the_published_example(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        "quote mpr --country-category 5 --buyer-category CC1 "
        "--disbursement-months 6 --repayment-years 10 --json".split()
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert round(out["mpr_percent"], 4) == 9.3179
    assert out["horizon_years"] == 10.25 and out["term_factor"] == pytest.approx(0.0045)
    assert out["arrangement_version"] == "TAD/PG(2023)7"


def test_mpr_command_reports_a_not_applicable_category(capsys: pytest.CaptureFixture[str]) -> None:
    code = main("quote mpr --country-category 6 --buyer-category CC5 --repayment-years 5".split())
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("error: ") and "buyer_category: " in line

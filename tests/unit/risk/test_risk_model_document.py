"""`tradeguard models report VERSION --out DIR`: the model document and its figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services.cli import main
from services.risk.training.trainer import TrainingResult

SECTIONS = (
    "## Gates",
    "## Data and target",
    "## Sample",
    "## Features",
    "## Out-of-time performance",
    "## Calibration",
    "## Stability and parity",
    "## Challengers",
    "## Limitations",
)


def test_report_writes_markdown_with_every_section_and_four_pictures(
    trained: TrainingResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models = tmp_path / "models"
    shutil.copytree(trained.bundle_dir, models / trained.version)
    out = tmp_path / "doc"
    assert (
        main(["models", "report", trained.version, "--models", str(models), "--out", str(out)]) == 0
    )
    document = (out / f"model-{trained.version}.md").read_text()
    positions = [document.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    for picture in ("roc.png", "calibration.png", "score_distribution.png", "psi.png"):
        assert (out / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"]({picture})" in document
    comparison = trained.metrics["challengers"]["champion_minus"]
    for name, difference in comparison.items():
        assert f"| {name} | {difference['difference']:+.3f} |" in document
    assert "Validated tenors: 60 to 120 days" in document


def test_report_of_an_unknown_version_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "models").mkdir()
    argv = ["models", "report", "0123456789abcdef", "--models", str(tmp_path / "models")]
    assert main([*argv, "--out", str(tmp_path / "doc")]) != 0
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "0123456789abcdef" in error[0]

"""The import contracts in ``.importlinter`` hold for the code, and each one catches a violation.

The check runs ``lint-imports`` (what ``make lint`` runs) over a copy of the package, once as it
is and once with one deliberate violation per contract planted in it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

#: contract name -> (file planted in the copy, its offending import)
VIOLATIONS = {
    "A service's domain never imports grpc, the generated stubs or its api package": (
        "services/finance/leak_wire.py",
        "import grpc",
    ),
    "tradedata knows no wire": (
        "services/tradedata/leak_wire.py",
        "from services._proto.tradeguard.common.v1 import common_pb2",
    ),
    "common knows no service": ("services/common/leak_service.py", "import services.risk.domain"),
    "finance reaches risk and aml over gRPC only": (
        "services/finance/leak_risk.py",
        "import services.risk.domain",
    ),
    "risk and aml never import each other": (
        "services/risk/leak_aml.py",
        "import services.aml.domain",
    ),
    # The console's wire-free modules are listed one by one, so the plant replaces one of them.
    "The console's documents, graphs, statistics, reports and sessions never reach the wire": (
        "services/console/sessions.py",
        "import grpc",
    ),
    "The console reaches the services over gRPC only": (
        "services/console/leak_aml.py",
        "import services.aml.domain",
    ),
    "Lower layers never import scale, the demo, the console or a command line": (
        "services/aml/leak_scale.py",
        "import services.scale",
    ),
}


def _copy_package(into: Path) -> Path:
    shutil.copytree(
        ROOT / "services",
        into / "services",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.parquet", "*.txt", "*.json"),
    )
    shutil.copy(ROOT / ".importlinter", into / ".importlinter")
    return into


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    return _copy_package(tmp_path)


def test_every_contract_is_kept(package_copy: Path) -> None:
    result = _lint_imports(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in VIOLATIONS:
        assert f"{name} KEPT" in " ".join(result.stdout.split())


def test_a_deliberate_violation_breaks_its_contract(package_copy: Path) -> None:
    for path, statement in VIOLATIONS.values():
        (package_copy / path).write_text(f'"""Planted violation."""\n\n{statement}\n')
    result = _lint_imports(package_copy)
    output = " ".join(result.stdout.split())
    assert result.returncode != 0
    for name in VIOLATIONS:
        assert f"{name} BROKEN" in output, name

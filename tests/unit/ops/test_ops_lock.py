"""The pinned requirements: `make lint` (scripts/check_lock.py) catches a lock that no longer
satisfies pyproject.toml, and the Makefile installs from the lock, runtime and dev apart."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CHECK = ROOT / "scripts" / "check_lock.py"


def check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECK), str(root)], capture_output=True, text=True, check=False
    )


def copy_project(tmp_path: Path) -> Path:
    (tmp_path / "requirements").mkdir()
    for name in ("pyproject.toml", "requirements/run.txt", "requirements/dev.txt"):
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def test_ops_lock_matches_pyproject() -> None:
    result = check(ROOT)
    assert result.returncode == 0, result.stderr


def test_ops_lock_check_catches_a_dependency_added_without_relocking(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    added = text.replace("dependencies = [\n", 'dependencies = [\n    "left-pad>=1",\n', 1)
    pyproject.write_text(added)
    result = check(root)
    assert result.returncode == 1
    assert "left-pad is not pinned in requirements/run.txt" in result.stderr
    assert "make lock" in result.stderr


def test_ops_lock_check_catches_a_raised_floor(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(re.sub(r'"polars>=[^"]*"', '"polars>=99"', text, count=1))
    result = check(root)
    assert result.returncode == 1
    assert "outside 'polars>=99'" in result.stderr


def test_ops_stub_runtime_floors_are_declared() -> None:
    """The generated stubs refuse older grpcio/protobuf; the declared floors say the same."""
    stub = (ROOT / "services/_proto/tradeguard/risk/v1/risk_pb2_grpc.py").read_text()
    pb2 = (ROOT / "services/_proto/tradeguard/risk/v1/risk_pb2.py").read_text()
    grpc_version = re.search(r"GRPC_GENERATED_VERSION = '([\d.]+)'", stub)
    protobuf = re.search(r"Domain\.PUBLIC,\s*(\d+),\s*(\d+),\s*(\d+),", pb2)
    assert grpc_version is not None and protobuf is not None
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'"grpcio>={grpc_version.group(1)},' in pyproject
    assert f'"protobuf>={".".join(protobuf.groups())},' in pyproject


def test_ops_make_run_installs_the_runtime_lock_only() -> None:
    result = subprocess.run(
        ["make", "-n", "-B", "run", f"VENV={ROOT / '.venv-dry-run'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "-r requirements/run.txt" in result.stdout
    assert "dev.txt" not in result.stdout and "[dev]" not in result.stdout


def test_ops_make_bench_passes_args_to_every_benchmark() -> None:
    result = subprocess.run(
        ["make", "-n", "bench", "ARGS=--quick", f"VENV={ROOT / '.venv-dry-run'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loop = result.stdout[result.stdout.index("for b in") :]
    benches = re.search(r"for b in ([^;]+);", loop)
    assert benches is not None
    scripts = benches.group(1).split()
    assert set(scripts) == {p.relative_to(ROOT).as_posix() for p in BENCH_SCRIPTS}
    assert "$b --quick" in loop


#: Modules the benchmarks import or start, not benchmarks of their own.
BENCH_HELPERS = {"measure.py", "aml_stream.py", "profiled_server.py"}
BENCH_SCRIPTS = [p for p in (ROOT / "bench").glob("*.py") if p.name not in BENCH_HELPERS]


def test_ops_benchmarks_name_no_file_outside_the_repository() -> None:
    outside = re.compile(r"""["'(\s](/(?:work|home|tmp|root|opt|srv)/[^\s"')]*)""")
    for script in (ROOT / "bench").rglob("*.py"):
        found = outside.findall(script.read_text())
        assert not found, f"{script.relative_to(ROOT)} points outside the repository: {found}"

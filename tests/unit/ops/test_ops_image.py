"""The container image recipe: slim, multi-stage, non-root, runtime dependencies only, and a
build context (what .dockerignore lets through) from which the package really builds."""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions(keyword: str) -> list[str]:
    return [
        line.split(None, 1)[1]
        for line in DOCKERFILE.splitlines()
        if line.upper().startswith(keyword + " ")
    ]


def dockerignore_rules() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def context_files() -> list[Path]:
    """Files Docker would send as build context, walking only directories it could keep."""
    rules = dockerignore_rules()
    allowed_roots = {rule.lstrip("!").split("/")[0] for rule in rules if rule.startswith("!")}
    kept: list[Path] = []
    for top in ROOT.iterdir():
        if top.is_file() and included(top.name, rules):
            kept.append(top)
        elif top.is_dir() and top.name in allowed_roots:
            kept += [
                path
                for path in top.rglob("*")
                if path.is_file() and included(path.relative_to(ROOT).as_posix(), rules)
            ]
    return kept


def included(relative: str, rules: list[str]) -> bool:
    """Docker's rule: patterns are rooted at the context, a match on a parent directory
    covers its contents, "**/" matches at any depth, and the last matching rule wins."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    anywhere = {
        "/".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)
    }
    keep = True
    for rule in rules:
        pattern = rule.lstrip("!").rstrip("/")
        deep = pattern.startswith("**/")
        candidates = anywhere if deep else prefixes
        if any(fnmatch.fnmatchcase(c, pattern.removeprefix("**/")) for c in candidates):
            keep = rule.startswith("!")
    return keep


def test_ops_image_is_slim_multi_stage_and_non_root() -> None:
    stages = instructions("FROM")
    assert len(stages) == 2 and all("PYTHON_IMAGE" in stage for stage in stages)
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in DOCKERFILE
    assert instructions("USER") == ["10001:10001"]
    assert instructions("ENTRYPOINT") == ['["tradeguard"]']


def test_ops_image_installs_runtime_dependencies_only() -> None:
    assert "pip install --no-deps ." in DOCKERFILE and "[dev]" not in DOCKERFILE
    # The same pinned runtime set as `make run`, not versions resolved afresh on each build.
    assert "pip install --requirement requirements/run.txt" in DOCKERFILE
    assert "dev.txt" not in DOCKERFILE
    assert "libgomp1" in DOCKERFILE  # LightGBM's OpenMP runtime


def test_ops_build_context_leaves_out_local_state() -> None:
    files = {path.relative_to(ROOT).as_posix() for path in context_files()}
    assert {"pyproject.toml", "README.md", "requirements/run.txt", "services/__init__.py"} <= files
    assert not [f for f in files if f.startswith((".venv/", "tests/", "var/", ".git/", "k8s/"))]
    assert not [f for f in files if "__pycache__" in f]


def test_ops_package_builds_from_the_build_context(tmp_path: Path) -> None:
    context = tmp_path / "context"
    for path in context_files():
        target = context / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    wheels = tmp_path / "wheels"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["--wheel-dir", str(wheels), str(context)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = wheels.glob("tradeguard-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "services/cli.py" in names
    assert any(name.startswith("services/_proto/tradeguard/risk/v1/") for name in names)
    assert any(name.endswith("entry_points.txt") for name in names)

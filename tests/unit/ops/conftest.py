"""Fixtures for the deployment checks: the manifest validator and the rendered overlays."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def validator() -> ModuleType:
    """scripts/validate_k8s.py as a module (scripts/ is not a package)."""
    path = ROOT / "scripts" / "validate_k8s.py"
    spec = importlib.util.spec_from_file_location("ops_validate_k8s", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def rendered(validator: ModuleType) -> dict[str, list[dict[str, Any]]]:
    """Each overlay rendered once by kustomize, keyed by overlay name."""
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        pytest.skip("kubectl (or kustomize) is needed to render the overlays")
    return {overlay.name: validator.render_overlay(overlay) for overlay in validator.OVERLAYS}


@pytest.fixture(scope="session")
def rule_groups(validator: ModuleType) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = validator.load_rule_groups()
    return groups

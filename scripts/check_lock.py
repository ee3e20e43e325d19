"""Fails when the pinned requirements no longer match pyproject.toml.

    python scripts/check_lock.py [ROOT]

Every dependency pyproject.toml declares must be pinned in the lock at a version its specifier
accepts: runtime ones in requirements/run.txt, runtime and dev ones in requirements/dev.txt; and
the dev lock must pin every runtime package at the runtime lock's version. Re-resolving would
need the package index and would fail whenever a new release appears, so this only checks that
the lock still satisfies the declarations, which is what goes stale when one is added or raised.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

Pins = dict[str, list[str]]


def read_pins(lock: Path) -> Pins:
    """Package name -> pinned versions whose markers hold on this interpreter."""
    pins: Pins = {}
    for raw in lock.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement, _, marker = line.partition(";")
        name, _, version = requirement.strip().partition("==")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        pins.setdefault(canonicalize_name(name), []).append(version.strip())
    return pins


def unmet(requirements: Iterable[str], pins: Pins, lock: str) -> list[str]:
    problems = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        versions = pins.get(canonicalize_name(requirement.name), [])
        if not versions:
            problems.append(f"{requirement.name} is not pinned in {lock}")
        elif not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{lock} pins {requirement.name}=={versions[0]}, outside {text!r}")
    return problems


def drifted(run: Pins, dev: Pins) -> list[str]:
    return [
        f"requirements/dev.txt pins {name} {dev.get(name)}, requirements/run.txt {versions}"
        for name, versions in run.items()
        if sorted(dev.get(name, [])) != sorted(versions)
    ]


def lock_problems(root: Path) -> list[str]:
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    runtime = project.get("dependencies", [])
    dev = project.get("optional-dependencies", {}).get("dev", [])
    run_pins = read_pins(root / "requirements" / "run.txt")
    dev_pins = read_pins(root / "requirements" / "dev.txt")
    return [
        *unmet(runtime, run_pins, "requirements/run.txt"),
        *unmet([*runtime, *dev], dev_pins, "requirements/dev.txt"),
        *drifted(run_pins, dev_pins),
    ]


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1]
    problems = lock_problems(root)
    for problem in problems:
        print(f"stale lock: {problem}", file=sys.stderr)
    if problems:
        print("run `make lock` and commit requirements/", file=sys.stderr)
        return 1
    print("requirements/ lock matches pyproject.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

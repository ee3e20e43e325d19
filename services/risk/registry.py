"""The model registry: which trained bundle serves, who decided it, when and why.

Training writes *candidates* (bundles under ``<models>/<version>/``). Only a promotion makes a
candidate serve, and a promotion is refused unless every gate the training run recorded in the
bundle passed (the bundle is content-hashed, so its recorded gates cannot be edited). Every
promotion and rollback is one JSON line appended to ``<models>/promotions.jsonl`` under an
exclusive lock and synced to disk; nothing is ever rewritten, so the log is the audit trail.
The serving version is the top of the stack the log describes: a promotion pushes a version,
a rollback pops back to the one promoted before it.

``models_dir`` that is itself a bundle directory pins that bundle explicitly (development and
tests); a folder of bundles serves only what was promoted.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.risk import model as model_io

LOG_FILE = "promotions.jsonl"
PROMOTE = "promote"
ROLLBACK = "rollback"


class RegistryError(Exception):
    """A registry request cannot be carried out (unknown version, nothing to roll back)."""


class PromotionRefused(RegistryError):
    """A candidate failed one of its gates; ``failures`` says which and why."""

    def __init__(self, version: str, failures: list[str]) -> None:
        super().__init__(f"model {version} cannot be promoted: " + "; ".join(failures))
        self.version = version
        self.failures = failures


class UnknownVersion(RegistryError):
    """No bundle of that version in the folder."""


class NoPromotedModel(RegistryError):
    """No model has been promoted in this folder yet."""


@dataclass(frozen=True, slots=True)
class RegistryEvent:
    action: str
    version: str
    approver: str
    reason: str
    at: str
    previous: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ModelEntry:
    version: str
    trained_at: str
    gates_passed: bool
    gate_failures: tuple[str, ...]
    status: str
    """SERVING, CANDIDATE or RETIRED (promoted once, no longer serving)."""


def gate_failures(metrics: Mapping[str, Any]) -> list[str]:
    """Every gate the training run recorded as failed (a run without gates fails)."""
    gates = metrics.get("gates")
    if not isinstance(gates, Mapping) or not gates:
        return ["no gate results recorded by the training run"]
    return [
        f"{name}: {result.get('detail', 'failed')}"
        for name, result in gates.items()
        if not (isinstance(result, Mapping) and result.get("passed") is True)
    ]


def read_events(models_dir: Path) -> list[RegistryEvent]:
    path = Path(models_dir) / LOG_FILE
    if not path.is_file():
        return []
    lines = path.read_text().splitlines()
    return [RegistryEvent(**json.loads(line)) for line in lines if line.strip()]


def serving_stack(events: list[RegistryEvent]) -> list[str]:
    """Versions promoted and not rolled back, the serving one last."""
    stack: list[str] = []
    for event in events:
        if event.action == PROMOTE:
            stack.append(event.version)
        elif event.action == ROLLBACK and stack:
            stack.pop()
    return stack


def serving_version(models_dir: Path) -> str:
    stack = serving_stack(read_events(models_dir))
    if not stack:
        raise NoPromotedModel(f"no model promoted under {models_dir}")
    return stack[-1]


def promoted_bundle_dir(models_dir: Path) -> Path:
    """The bundle to serve: the promoted version (or ``models_dir`` itself if it is a bundle)."""
    root = Path(models_dir)
    if (root / model_io.METADATA_FILE).is_file():
        return root
    try:
        return root / serving_version(root)
    except NoPromotedModel as exc:
        raise model_io.BundleError(str(exc)) from exc


def list_models(models_dir: Path) -> list[ModelEntry]:
    """Every bundle in the folder, newest first, with its gates and status."""
    root = Path(models_dir)
    events = read_events(root)
    stack = serving_stack(events)
    ever = {e.version for e in events if e.action == PROMOTE}
    entries = []
    for meta in root.glob("*/" + model_io.METADATA_FILE):
        if meta.parent.name.startswith("."):
            continue
        data = json.loads(meta.read_text())
        version = str(data.get("version", meta.parent.name))
        failures = gate_failures(data.get("metrics", {}))
        status = _status(version, stack, ever)
        entries.append(
            ModelEntry(
                version, str(data.get("trained_at", "")), not failures, tuple(failures), status
            )
        )
    return sorted(entries, key=lambda e: e.trained_at, reverse=True)


def _status(version: str, stack: list[str], ever: set[str]) -> str:
    if stack and stack[-1] == version:
        return "SERVING"
    return "RETIRED" if version in ever else "CANDIDATE"


def promote(models_dir: Path, version: str, approver: str, reason: str) -> RegistryEvent:
    """Make ``version`` serve, if every gate it recorded passed; logged with who and why."""
    _require_words(approver, reason)
    root = Path(models_dir)
    bundle = _load_version(root, version)
    failures = gate_failures(bundle.metadata.metrics)
    if failures:
        raise PromotionRefused(version, failures)
    with _locked(root) as log:
        stack = serving_stack(read_events(root))
        previous = stack[-1] if stack else ""
        if previous == version:
            raise RegistryError(f"model {version} is already serving")
        return _append(log, PROMOTE, version, approver, reason, previous)


def rollback(models_dir: Path, approver: str, reason: str) -> RegistryEvent:
    """Serve again the version promoted before the current one."""
    _require_words(approver, reason)
    root = Path(models_dir)
    with _locked(root) as log:
        stack = serving_stack(read_events(root))
        if len(stack) < 2:
            raise RegistryError("nothing to roll back to: fewer than two promotions in effect")
        return _append(log, ROLLBACK, stack[-2], approver, reason, stack[-1])


def _require_words(approver: str, reason: str) -> None:
    if not approver.strip():
        raise RegistryError("an approver is required")
    if not reason.strip():
        raise RegistryError("a reason is required")


def _load_version(root: Path, version: str) -> model_io.ModelBundle:
    if not version or "/" in version or version.startswith("."):
        raise UnknownVersion(f"not a model version: {version!r}")
    path = root / version
    if not (path / model_io.METADATA_FILE).is_file():
        raise UnknownVersion(f"no model {version} under {root}")
    return model_io.load(path)


@contextmanager
def _locked(root: Path) -> Iterator[int]:
    """The log opened for appending under an exclusive lock (one writer at a time)."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOG_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def _append(
    fd: int, action: str, version: str, approver: str, reason: str, previous: str
) -> RegistryEvent:
    event = RegistryEvent(
        action=action,
        version=version,
        approver=approver.strip(),
        reason=reason.strip(),
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        previous=previous,
    )
    os.write(fd, (json.dumps(event.to_json(), sort_keys=True) + "\n").encode())
    os.fsync(fd)
    return event

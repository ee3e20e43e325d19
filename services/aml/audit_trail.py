"""The secrets that make the audit log tamper-evident to someone who can write the database.

Events are MACed (HMAC-SHA256) with a key the database never holds: it is read from a file
(a Kubernetes Secret in production). A writer with database access alone can neither append nor
rewrite an event with a valid MAC. What such a writer can still do, delete the newest events or
wipe the log, is caught by checkpoints: the chain tip, MACed, written to a folder outside the
database at every store check and rotated (the newest ``keep`` are kept).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from services.common.private_files import write_private_text
from services.common.settings import ConfigurationError

_LOG = logging.getLogger("services.aml")
MIN_KEY_BYTES = 32
_CHECKPOINT_GLOB = "checkpoint-*.json"


#: How to make a key, for the messages that say one is missing or malformed.
MAKE_KEY = "make one with `openssl rand -hex 32`"


class AuditKeyError(ConfigurationError):
    """The audit key file is missing, unreadable or too short."""


@dataclass(frozen=True)
class AuditKey:
    """The MAC key of audit events: never stored in the database."""

    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_KEY_BYTES:
            raise AuditKeyError(
                f"the audit key must be at least {MIN_KEY_BYTES} bytes ({MIN_KEY_BYTES * 2} hex "
                f"digits); {MAKE_KEY}"
            )

    @classmethod
    def generate(cls) -> AuditKey:
        return cls(secrets.token_bytes(MIN_KEY_BYTES))

    def mac(self, text: str) -> str:
        """Hex HMAC-SHA256 of ``text``."""
        return hmac.new(self.secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def derive(self, purpose: str) -> bytes:
        """A key for another purpose (page tokens), independent of this one."""
        return hmac.new(self.secret, purpose.encode("utf-8"), hashlib.sha256).digest()


def load_audit_key(path: Path, *, create: bool = False) -> AuditKey:
    """The key in ``path`` (hex); with ``create``, a missing file is made (mode 0600)."""
    if create and not path.exists():
        write_private_text(path, secrets.token_hex(MIN_KEY_BYTES) + "\n")
        _LOG.warning("new audit key created", extra={"path": str(path)})
    try:
        secret = bytes.fromhex(path.read_text(encoding="utf-8").strip())
    except FileNotFoundError as exc:
        raise AuditKeyError(f"audit key file {path} does not exist; {MAKE_KEY}") from exc
    except ValueError as exc:
        raise AuditKeyError(f"audit key file {path} does not hold a hex key; {MAKE_KEY}") from exc
    return AuditKey(secret)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The chain tip as it was at ``written_at`` (epoch seconds)."""

    seq: int
    hash: str
    written_at: float


class CheckpointFolder:
    """MACed checkpoints of the chain tip in a folder outside the database."""

    def __init__(self, folder: Path, key: AuditKey, keep: int = 100) -> None:
        self.folder = folder
        self._key = key
        self._keep = keep

    def write(self, seq: int, head_hash: str) -> None:
        """Record the tip (once per tip) and drop the oldest beyond ``keep``."""
        path = self.folder / f"checkpoint-{seq:015d}.json"
        if path.exists():
            return
        body = {"seq": seq, "hash": head_hash, "written_at": time.time()}
        document = {**body, "mac": self._key.mac(_canonical(body))}
        tmp = path.with_suffix(f".{os.getpid()}.tmp")  # replicas may share the folder
        write_private_text(tmp, json.dumps(document) + "\n")
        os.replace(tmp, path)
        for old in sorted(self.folder.glob(_CHECKPOINT_GLOB))[: -self._keep]:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()

    def read(self) -> tuple[list[Checkpoint], list[str]]:
        """Valid checkpoints (oldest first) and the names of files whose MAC does not hold."""
        valid: list[Checkpoint] = []
        forged: list[str] = []
        for path in sorted(self.folder.glob(_CHECKPOINT_GLOB)):
            checkpoint = self._parse(path)
            if checkpoint is None:
                forged.append(path.name)
            else:
                valid.append(checkpoint)
        return valid, forged

    def _parse(self, path: Path) -> Checkpoint | None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            body = {k: document[k] for k in ("seq", "hash", "written_at")}
            mac = str(document["mac"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not hmac.compare_digest(mac, self._key.mac(_canonical(body))):
            return None
        return Checkpoint(int(body["seq"]), str(body["hash"]), float(body["written_at"]))


def _canonical(body: dict[str, object]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class AuditTrail:
    """What the store needs to write and verify the audit log: the key, and the checkpoint
    folder (None: no checkpoints, e.g. a one-off store in a tool)."""

    key: AuditKey
    checkpoints: CheckpointFolder | None = None

    @classmethod
    def from_files(cls, key_file: Path, checkpoint_dir: Path | None, *, create: bool) -> AuditTrail:
        key = load_audit_key(key_file, create=create)
        folder = CheckpointFolder(checkpoint_dir, key) if checkpoint_dir is not None else None
        return cls(key, folder)

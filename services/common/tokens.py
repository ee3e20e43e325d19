"""Bearer tokens: principals, and the hashed tokens file every service reads.

The file holds only SHA-256 digests of tokens, never the tokens themselves. Servers re-read it
when its mtime, size or inode changes, so issuing or revoking needs no restart.
"""

from __future__ import annotations

import builtins
import contextlib
import enum
import fcntl
import hashlib
import json
import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

_LOG = logging.getLogger("services.common")
_FORMAT_VERSION = 1


class Role(enum.StrEnum):
    """What a caller is, which decides the RPCs it may call."""

    BANK = "BANK"
    INSURER = "INSURER"
    REGULATOR = "REGULATOR"
    ADMIN = "ADMIN"
    #: Another TradeGuard service calling on its own behalf (finance -> risk, aml): it may
    #: score and screen parties, and nothing else.
    SERVICE = "SERVICE"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a tenant (bank, insurer, authority) acting in one role."""

    tenant: str
    role: Role
    token_id: str = ""


@dataclass(frozen=True)
class TokenRecord:
    """One stored token: its digest, who it stands for, and whether it was revoked."""

    token_id: str
    sha256: str
    tenant: str
    role: Role
    created_at: str
    revoked: bool = False
    label: str = ""
    #: ISO-8601 UTC instant after which the token is refused; empty: it never expires.
    expires_at: str = ""

    def principal(self) -> Principal:
        return Principal(self.tenant, self.role, self.token_id)

    def expired(self, now: datetime) -> bool:
        return bool(self.expires_at) and datetime.fromisoformat(self.expires_at) <= now

    def usable(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        return not self.revoked and not self.expired(now)


def hash_token(token: str) -> str:
    """Hex SHA-256 of a token; tokens are high-entropy, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _parse(raw: bytes) -> list[TokenRecord]:
    document = json.loads(raw) if raw.strip() else {"tokens": []}
    return [
        TokenRecord(**{**entry, "role": Role(entry["role"])})
        for entry in document.get("tokens", [])
    ]


def _serialise(records: list[TokenRecord]) -> bytes:
    entries = [{**asdict(r), "role": r.role.value} for r in records]
    document = {"version": _FORMAT_VERSION, "tokens": entries}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")


TOKEN_PREFIX = "tgk_"
"""Every issued bearer token starts with this."""


class TokenStore:
    """Thread-safe view of a tokens file with atomic updates and reload on change."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._signature: tuple[int, int, int] | None = None
        self._by_hash: dict[str, TokenRecord] = {}
        # The principals of tokens that can never lapse (not revoked, no expiry), built with
        # `_by_hash` on each reload: a call then needs neither the clock nor a new Principal.
        self._standing: dict[str, Principal] = {}

    def authenticate(self, token: str) -> Principal | None:
        """The principal for ``token``, or None when it is unknown, revoked or expired."""
        return self.authenticate_digest(hash_token(token))

    def authenticate_digest(self, digest: str) -> Principal | None:
        """``authenticate`` for a token known by its ``hash_token`` digest; the file is
        checked for changes (revocations) on every call all the same."""
        self._refresh()
        standing = self._standing.get(digest)
        if standing is not None:
            return standing
        record = self._by_hash.get(digest)
        if record is None or not record.usable(datetime.now(UTC)):
            return None
        return record.principal()

    def list(self) -> builtins.list[TokenRecord]:
        """Every stored token record (digests only), oldest first."""
        return self._read_records()

    def issue(
        self,
        tenant: str,
        role: Role,
        label: str = "",
        expires_in: timedelta | None = None,
    ) -> tuple[str, TokenRecord]:
        """Create a token, valid for ``expires_in`` (forever when None); the clear token is
        returned once and never stored."""
        if not tenant.strip():
            raise ValueError("tenant must not be empty")
        if expires_in is not None and expires_in <= timedelta(0):
            raise ValueError("expires_in must be positive")
        now = datetime.now(UTC)
        # The prefix makes tokens recognisable to secret scanners and keeps a leading "-"
        # (possible in url-safe base64) from being read as a command-line flag.
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = TokenRecord(
            token_id="tok_" + secrets.token_hex(6),
            sha256=hash_token(token),
            tenant=tenant,
            role=Role(role),
            created_at=now.isoformat(timespec="seconds"),
            label=label,
            expires_at=(now + expires_in).isoformat(timespec="seconds") if expires_in else "",
        )
        with self._exclusive():
            self._write(self._read_records() + [record])
        return token, record

    def revoke(self, token_id: str) -> TokenRecord:
        """Mark a token revoked (kept for audit); KeyError when the id is unknown."""
        with self._exclusive():
            records = self._read_records()
            for index, record in enumerate(records):
                if record.token_id == token_id:
                    records[index] = replace(record, revoked=True)
                    self._write(records)
                    return records[index]
        raise KeyError(token_id)

    def _refresh(self) -> None:
        signature = self._stat()
        if signature == self._signature:
            return
        with self._lock:
            if signature == self._signature:
                return
            try:
                records = self._read_records()
            except (OSError, ValueError, KeyError, TypeError) as exc:
                # Keep serving with the last good tokens rather than locking everyone out.
                _LOG.error(
                    "tokens file unreadable", extra={"path": str(self.path), "error": str(exc)}
                )
                return
            # Emptied first, so no call meets a principal of the old file beside new records.
            self._standing = {}
            self._by_hash = {r.sha256: r for r in records}
            self._standing = {
                r.sha256: r.principal() for r in records if not r.revoked and not r.expires_at
            }
            self._signature = signature

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _read_records(self) -> builtins.list[TokenRecord]:
        try:
            return _parse(self.path.read_bytes())
        except FileNotFoundError:
            return []

    def _write(self, records: builtins.list[TokenRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_serialise(records))
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Serialise writers across processes (two CLI invocations at once)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

"""The one domain error hierarchy shared by every service.

Domain and servicer code raise these; ``status_mapping`` turns them into gRPC statuses in one
place. Nothing here imports grpc, so domain modules can raise them freely.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldViolation:
    """One invalid request field: ``field`` is a dotted path (``buyer.country_code``)."""

    field: str
    description: str


class TradeGuardError(Exception):
    """Base of every error a client may see; ``reason`` is the UPPER_SNAKE ErrorInfo reason."""

    default_reason = "TRADEGUARD_ERROR"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.metadata = dict(metadata or {})


class ValidationError(TradeGuardError):
    """The request is malformed; carries one violation per bad field (INVALID_ARGUMENT)."""

    default_reason = "INVALID_REQUEST"

    def __init__(
        self,
        message: str,
        field_violations: Iterable[FieldViolation] = (),
        *,
        reason: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, reason=reason, metadata=metadata)
        self.field_violations = list(field_violations)

    @classmethod
    def for_field(cls, field: str, description: str) -> ValidationError:
        """Shortcut for the common single-field case."""
        return cls(f"invalid {field}: {description}", [FieldViolation(field, description)])


class NotFoundError(TradeGuardError):
    """The named resource does not exist (NOT_FOUND)."""

    default_reason = "NOT_FOUND"


class PermissionDenied(TradeGuardError):
    """The caller is authenticated but may not do this (PERMISSION_DENIED)."""

    default_reason = "PERMISSION_DENIED"


class UnauthenticatedError(TradeGuardError):
    """The caller presented no valid credentials (UNAUTHENTICATED)."""

    default_reason = "UNAUTHENTICATED"


class ConflictError(TradeGuardError):
    """A concurrent change won, e.g. a stale ``expected_version`` (ABORTED; client re-reads)."""

    default_reason = "VERSION_CONFLICT"


class AlreadyExists(TradeGuardError):
    """The resource to create exists already (ALREADY_EXISTS)."""

    default_reason = "ALREADY_EXISTS"


class FailedPrecondition(TradeGuardError):
    """The system is not in a state that allows this, e.g. an illegal transition."""

    default_reason = "FAILED_PRECONDITION"


class UnavailableError(TradeGuardError):
    """A dependency (store, model, downstream service) is down; retrying later may work."""

    default_reason = "UNAVAILABLE"


class ResourceExhausted(TradeGuardError):
    """A limit was hit (concurrency, quota, size); the client should back off."""

    default_reason = "RESOURCE_EXHAUSTED"


class DeadlineExceeded(TradeGuardError):
    """The client's deadline passed or the call was cancelled before the work finished."""

    default_reason = "DEADLINE_EXCEEDED"

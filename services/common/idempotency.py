"""The one rule for a repeated ``request_id`` (AIP-155 request identification).

A ``request_id`` names one request of one tenant. Sent again with the same body, the service
answers with the response it stored the first time (the client most likely lost it). Sent again
with a *different* body, it is refused in every service with ALREADY_EXISTS, reason
``REQUEST_ID_REUSED``: the id names a request that exists already, retrying cannot succeed, and
the client must pick a new id. The body is compared by a digest of its deterministic encoding.
"""

from __future__ import annotations

import hashlib

from services.common.errors import AlreadyExists

REQUEST_ID_REUSED = "REQUEST_ID_REUSED"


def body_digest(encoded: bytes) -> str:
    """Hex SHA-256 of a request body's deterministic encoding."""
    return hashlib.sha256(encoded).hexdigest()


def request_id_reused(request_id: str) -> AlreadyExists:
    """The error for ``request_id`` sent again with a different body."""
    shown = request_id if len(request_id) <= 64 else request_id[:64] + "…"
    return AlreadyExists(
        f"request_id {shown!r} was already used for a different request",
        reason=REQUEST_ID_REUSED,
        metadata={"field": "request_id"},
    )


def check_same_body(request_id: str, stored_digest: str, digest: str) -> None:
    """Raise ``request_id_reused`` unless the stored and the new body are the same."""
    if stored_digest != digest:
        raise request_id_reused(request_id)

"""Bearer-token authentication and per-method role checks for servers.

A service passes the roles allowed on each of its methods; a method missing from that map is
refused (fail closed). Health and reflection are always open so probes and tooling work.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping

from services.common.errors import PermissionDenied, UnauthenticatedError
from services.common.pipeline import ActiveCall
from services.common.tokens import Principal, Role, TokenRecord, TokenStore, hash_token

__all__ = [
    "AuthStage",
    "MethodRoles",
    "Principal",
    "Role",
    "TokenRecord",
    "TokenStore",
    "bearer_metadata",
    "current_principal",
    "hash_token",
    "require_principal",
]

#: Full method name (``/tradeguard.risk.v1.RiskScoring/ScoreFinancing``) -> roles allowed.
MethodRoles = Mapping[str, frozenset[Role]]

_PRINCIPAL: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "tradeguard_principal", default=None
)


def current_principal() -> Principal | None:
    """The caller of the RPC being handled in this thread, or None outside an RPC."""
    return _PRINCIPAL.get()


def require_principal() -> Principal:
    """The current caller; raises UnauthenticatedError when called outside an authenticated RPC."""
    principal = _PRINCIPAL.get()
    if principal is None:
        raise UnauthenticatedError("no authenticated caller")
    return principal


def bearer_metadata(token: str) -> tuple[tuple[str, str]]:
    """Call metadata carrying ``token``."""
    return (("authorization", f"Bearer {token}"),)


def _normalise(method: str) -> str:
    return method if method.startswith("/") else "/" + method


class AuthStage:
    """Authenticates the bearer token, checks the role, and exposes the principal."""

    def __init__(self, store: TokenStore, method_roles: MethodRoles) -> None:
        self._store = store
        self._roles = {_normalise(m): frozenset(r) for m, r in method_roles.items()}

    def authorise(self, method: str, authorization: str | None) -> Principal:
        """The principal for a call, or the domain error that refuses it."""
        token = _bearer_token(authorization)
        if token is None:
            raise UnauthenticatedError("missing bearer token", reason="MISSING_TOKEN")
        principal = self._store.authenticate(token)
        if principal is None:
            raise UnauthenticatedError("unknown or revoked token", reason="INVALID_TOKEN")
        if principal.role not in self._roles.get(_normalise(method), frozenset()):
            raise PermissionDenied(
                f"role {principal.role.value} may not call {method}", reason="ROLE_NOT_ALLOWED"
            )
        return principal

    def enter(self, call: ActiveCall) -> None:
        if call.info.is_open:
            return
        principal = self.authorise(call.info.full_method, call.info.metadata_value("authorization"))
        call.state["principal"] = principal
        call.state["principal_token"] = _PRINCIPAL.set(principal)

    def exit(self, call: ActiveCall, error: BaseException | None) -> None:
        token = call.state.get("principal_token")
        if token is not None:
            _reset(token)


def _reset(token: contextvars.Token[Principal | None]) -> None:
    try:
        _PRINCIPAL.reset(token)
    except ValueError:
        # A stream closed by garbage collection runs outside the call's context.
        _PRINCIPAL.set(None)


def _bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()

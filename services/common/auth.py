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


#: Distinct authorization headers whose digests are kept (a few hundred bytes each).
_MAX_CACHED_HEADERS = 4096


def _normalise(method: str) -> str:
    return method if method.startswith("/") else "/" + method


class AuthStage:
    """Authenticates the bearer token, checks the role, and exposes the principal."""

    def __init__(self, store: TokenStore, method_roles: MethodRoles) -> None:
        self._store = store
        self._roles = {_normalise(m): frozenset(r) for m, r in method_roles.items()}
        # Authorization header -> its token's digest ("" when it holds no bearer token). A
        # client sends the same header on every call; parsing and hashing it each time cost
        # more than the rest of the check. Only the digest is kept: whether the token is still
        # valid is asked of the store (which rereads a changed file) on every call.
        self._digests: dict[str, str] = {}

    def authorise(self, method: str, authorization: str | None) -> Principal:
        """The principal for a call, or the domain error that refuses it."""
        digest = self._digest(authorization)
        if not digest:
            raise UnauthenticatedError("missing bearer token", reason="MISSING_TOKEN")
        principal = self._store.authenticate_digest(digest)
        if principal is None:
            raise UnauthenticatedError("unknown or revoked token", reason="INVALID_TOKEN")
        roles = self._roles.get(method)
        if roles is None:
            roles = self._roles.get(_normalise(method), frozenset())
        if principal.role not in roles:
            raise PermissionDenied(
                f"role {principal.role.value} may not call {method}", reason="ROLE_NOT_ALLOWED"
            )
        return principal

    def _digest(self, authorization: str | None) -> str:
        if not authorization:
            return ""
        digest = self._digests.get(authorization)
        if digest is None:
            token = _bearer_token(authorization)
            digest = "" if token is None else hash_token(token)
            if len(self._digests) >= _MAX_CACHED_HEADERS:
                self._digests.clear()  # many distinct headers (a scan of guesses): start over
            self._digests[authorization] = digest
        return digest

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

"""Concurrency limits with fair share and exact accounting of shed calls.

grpcio's own ``maximum_concurrent_rpcs`` rejects a call on its polling thread after the
interceptors have already run but before the handler does, so an interceptor cannot tell a
shed call from one that is about to start. This stage enforces the limits itself, in the worker
thread, and counts every call it refuses. The thread pool must be larger than the limit so that
calls past the limit get a thread to be refused on instead of queueing.

Inside the global limit each tenant, and each principal (token) of a tenant, holds at most its
own share, so one caller holding its slots cannot lock the others out. The stage runs after
authentication, so the principal is known.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from services.common.errors import ResourceExhausted
from services.common.pipeline import ActiveCall, CallInfo
from services.common.settings import ConcurrencyLimits
from services.common.tokens import Principal


class _Held:
    """Counts of calls in flight, guarded by one lock (a few dict operations per call)."""

    def __init__(self) -> None:
        self.total = 0
        self.by_tenant: dict[str, int] = {}
        self.by_principal: dict[str, int] = {}

    def take(self, tenant: str, principal: str) -> None:
        self.total += 1
        self.by_tenant[tenant] = self.by_tenant.get(tenant, 0) + 1
        self.by_principal[principal] = self.by_principal.get(principal, 0) + 1

    def give_back(self, tenant: str, principal: str) -> None:
        self.total -= 1
        _decrement(self.by_tenant, tenant)
        _decrement(self.by_principal, principal)


def _decrement(counts: dict[str, int], key: str) -> None:
    left = counts[key] - 1
    if left:
        counts[key] = left
    else:
        del counts[key]


class ConcurrencyLimitStage:
    """Refuses a call with RESOURCE_EXHAUSTED when it would exceed any of the limits.

    ``on_saturation(True)`` is called when the last global slot is taken and
    ``on_saturation(False)`` when one frees again, so readiness can tell the truth.
    """

    def __init__(
        self,
        limits: ConcurrencyLimits | int,
        on_shed: Callable[[CallInfo], None],
        on_saturation: Callable[[bool], None] | None = None,
    ) -> None:
        if isinstance(limits, int):
            limits = ConcurrencyLimits(limits, limits, limits)
        self.limits = limits
        self.limit = limits.total
        self._held = _Held()
        self._lock = threading.Lock()
        self._on_shed = on_shed
        self._on_saturation = on_saturation

    @property
    def in_flight(self) -> int:
        return self._held.total

    def enter(self, call: ActiveCall) -> None:
        if call.info.is_open:
            return
        tenant, principal = _keys(call.state.get("principal"))
        held, limits = self._held, self.limits
        with self._lock:
            # The common case (below every limit) in line; _refusal words the refusal.
            if (
                held.total < limits.total
                and held.by_tenant.get(tenant, 0) < limits.per_tenant
                and held.by_principal.get(principal, 0) < limits.per_principal
            ):
                refusal = None
                held.take(tenant, principal)
                saturated = held.total == limits.total
            else:
                refusal = self._refusal(tenant, principal)
        if refusal is not None:
            self._on_shed(call.info)
            raise refusal
        call.state["slot_held"] = (tenant, principal)
        if saturated and self._on_saturation is not None:
            self._on_saturation(True)

    def exit(self, call: ActiveCall, error: BaseException | None) -> None:
        held = call.state.pop("slot_held", None)
        if held is None:
            return
        with self._lock:
            was_saturated = self._held.total == self.limits.total
            self._held.give_back(*held)
        if was_saturated and self._on_saturation is not None:
            self._on_saturation(False)

    def _refusal(self, tenant: str, principal: str) -> ResourceExhausted | None:
        held, limits = self._held, self.limits
        if held.total >= limits.total:
            return ResourceExhausted(
                f"server is at its limit of {limits.total} concurrent calls",
                reason="CONCURRENCY_LIMIT",
            )
        if held.by_tenant.get(tenant, 0) >= limits.per_tenant:
            return ResourceExhausted(
                f"tenant is at its limit of {limits.per_tenant} concurrent calls",
                reason="TENANT_CONCURRENCY_LIMIT",
            )
        if held.by_principal.get(principal, 0) >= limits.per_principal:
            return ResourceExhausted(
                f"token is at its limit of {limits.per_principal} concurrent calls",
                reason="PRINCIPAL_CONCURRENCY_LIMIT",
            )
        return None


def _keys(principal: Principal | None) -> tuple[str, str]:
    if principal is None:
        return "", ""
    return principal.tenant, principal.token_id or principal.tenant

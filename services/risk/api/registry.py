"""risk.v1 model registry RPCs (ADMIN): proto <-> ``services.risk.registry``.

The caller's tenant is recorded with the approver's name, so the log says who asked as well
as who approved. After a promotion or rollback the runtime reloads at once, so the answer and
the next score already come from the new version.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from google.protobuf.timestamp_pb2 import Timestamp

from services._proto.tradeguard.risk.v1 import risk_pb2
from services.common.auth import require_principal
from services.common.errors import (
    FailedPrecondition,
    FieldViolation,
    NotFoundError,
    ValidationError,
)
from services.common.page_fit import fit_page
from services.common.paging import Page, PageTokens, page_size_or_default, query_scope
from services.risk import registry
from services.risk.reload import ScoringRuntime

MAX_PAGE_SIZE = 200
#: Page tokens are MACed to refuse any the service did not issue; the registry holds nothing a
#: token could reveal beyond what the listing itself shows an ADMIN, so the key needs no secrecy.
_TOKENS = PageTokens(b"tradeguard.risk.v1 page tokens")
_SCOPE = query_scope("models")

_STATUS = {
    "CANDIDATE": risk_pb2.CANDIDATE,
    "SERVING": risk_pb2.SERVING,
    "RETIRED": risk_pb2.RETIRED,
}


def _timestamp(text: str) -> Timestamp:
    stamp = Timestamp()
    if text:
        stamp.FromDatetime(datetime.fromisoformat(text))
    return stamp


def _require(fields: dict[str, str]) -> None:
    missing = [
        FieldViolation(name, "required") for name, value in fields.items() if not value.strip()
    ]
    if missing:
        raise ValidationError("missing fields", missing)


def _approver(name: str) -> str:
    return f"{name.strip()} (tenant {require_principal().tenant})"


def _event(event: registry.RegistryEvent) -> risk_pb2.ModelRegistryEvent:
    return risk_pb2.ModelRegistryEvent(
        action=event.action,
        version=event.version,
        previous_version=event.previous,
        approver=event.approver,
        reason=event.reason,
        occurred_at=_timestamp(event.at),
    )


def _registered(entry: registry.ModelEntry) -> risk_pb2.RegisteredModel:
    return risk_pb2.RegisteredModel(
        version=entry.version,
        trained_at=_timestamp(entry.trained_at),
        status=_STATUS[entry.status],
        gates_passed=entry.gates_passed,
        gate_failures=list(entry.gate_failures),
    )


class ModelRegistryRpcs:
    """The three registry handlers, bound to the folder the runtime serves from."""

    def __init__(self, models_dir: Path, runtime: ScoringRuntime, page_bytes: int) -> None:
        self._models = Path(models_dir)
        self._runtime = runtime
        self._page_bytes = page_bytes

    def list_models(self, request: risk_pb2.ListModelsRequest) -> risk_pb2.ListModelsResponse:
        size = page_size_or_default(request.page_size, MAX_PAGE_SIZE)
        offset = _TOKENS.offset(request.page_token, _SCOPE)
        entries = registry.list_models(self._models) if self._models.is_dir() else []
        rows = entries[offset : offset + size + 1]
        page = Page(
            rows[:size], len(rows) > size, lambda i: _TOKENS.encode([offset + i + 1], _SCOPE)
        )
        models, token = fit_page(page, _registered, self._page_bytes)
        return risk_pb2.ListModelsResponse(models=models, next_page_token=token)

    def promote(self, request: risk_pb2.PromoteModelRequest) -> risk_pb2.ModelRegistryEvent:
        _require(
            {"version": request.version, "approver": request.approver, "reason": request.reason}
        )
        try:
            event = registry.promote(
                self._models, request.version, _approver(request.approver), request.reason
            )
        except registry.UnknownVersion as exc:
            raise NotFoundError(str(exc)) from exc
        except registry.PromotionRefused as exc:
            raise FailedPrecondition(str(exc), reason="GATE_FAILED") from exc
        except registry.RegistryError as exc:
            raise FailedPrecondition(str(exc)) from exc
        self._runtime.poll_once()
        return _event(event)

    def rollback(self, request: risk_pb2.RollbackModelRequest) -> risk_pb2.ModelRegistryEvent:
        _require({"approver": request.approver, "reason": request.reason})
        try:
            event = registry.rollback(self._models, _approver(request.approver), request.reason)
        except registry.RegistryError as exc:
            raise FailedPrecondition(str(exc)) from exc
        self._runtime.poll_once()
        return _event(event)

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
from services.risk import registry
from services.risk.reload import ScoringRuntime

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


class ModelRegistryRpcs:
    """The three registry handlers, bound to the folder the runtime serves from."""

    def __init__(self, models_dir: Path, runtime: ScoringRuntime) -> None:
        self._models = Path(models_dir)
        self._runtime = runtime

    def list_models(self) -> risk_pb2.ListModelsResponse:
        entries = registry.list_models(self._models) if self._models.is_dir() else []
        return risk_pb2.ListModelsResponse(
            models=[
                risk_pb2.RegisteredModel(
                    version=e.version,
                    trained_at=_timestamp(e.trained_at),
                    status=_STATUS[e.status],
                    gates_passed=e.gates_passed,
                    gate_failures=list(e.gate_failures),
                )
                for e in entries
            ]
        )

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

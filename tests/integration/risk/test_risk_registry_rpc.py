"""ADMIN-only model registry RPCs on a real server: list, promote through the gates, roll back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest

from services._proto.tradeguard.risk.v1 import risk_pb2
from services.common.tokens import Role
from services.risk.policy import DecisionPolicy
from services.risk.training import synthetic
from services.risk.training.trainer import TrainingData, TrainingOptions, train


def _unpromotable(models: Path) -> str:
    """A candidate trained without a serving population: no parity evidence, gate fails."""
    data = TrainingData(synthetic.financings(seed=5), synthetic.SPECS)
    options = TrainingOptions(
        num_threads=1,
        bootstrap_rounds=100,
        policy=DecisionPolicy(volume_feature=synthetic.VOLUME_FEATURE),
    )
    return train(data, models, options).version


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as failure:
        call()
    return failure.value.code()  # type: ignore[no-any-return]


def test_registry_rpcs_are_admin_only(risk_server: Any) -> None:
    request = risk_pb2.ListModelsRequest()
    denied = _code(lambda: risk_server.stub.ListModels(request, metadata=risk_server.auth()))
    assert denied == grpc.StatusCode.PERMISSION_DENIED
    listed = risk_server.stub.ListModels(request, metadata=risk_server.auth(Role.ADMIN))
    assert [m.status for m in listed.models] == [risk_pb2.SERVING]


def test_promote_and_rollback_swap_the_served_model(
    risk_server_factory: Callable[..., Any], bundle_trainer: Callable[[Path, int], Path]
) -> None:
    server = risk_server_factory()
    admin = server.auth(Role.ADMIN)
    first = server.stub.GetModel(risk_pb2.GetModelRequest(), metadata=admin).version
    # Trained, not promoted: the service keeps serving the first model.
    unpromotable = _unpromotable(server.models)
    assert server.stub.GetModel(risk_pb2.GetModelRequest(), metadata=admin).version == first
    refused = risk_pb2.PromoteModelRequest(version=unpromotable, approver="ana", reason="try")
    code = _code(lambda: server.stub.PromoteModel(refused, metadata=admin))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    second = bundle_trainer(server.models, 4).name  # trains and promotes through the gates
    server.service.runtime.poll_once()
    assert server.stub.GetModel(risk_pb2.GetModelRequest(), metadata=admin).version == second
    back = risk_pb2.RollbackModelRequest(approver="ana", reason="second refers too many")
    event = server.stub.RollbackModel(back, metadata=admin)
    assert (event.action, event.version, event.previous_version) == ("rollback", first, second)
    assert event.approver.startswith("ana (tenant ")
    assert server.stub.GetModel(risk_pb2.GetModelRequest(), metadata=admin).version == first
    again = risk_pb2.PromoteModelRequest(version=second, approver="ana", reason="fixed policy")
    assert server.stub.PromoteModel(again, metadata=admin).previous_version == first
    assert server.stub.GetModel(risk_pb2.GetModelRequest(), metadata=admin).version == second


def test_bad_registry_requests_get_clear_statuses(risk_server: Any) -> None:
    admin = risk_server.auth(Role.ADMIN)
    stub = risk_server.stub
    missing = risk_pb2.PromoteModelRequest(version="abc")
    assert _code(lambda: stub.PromoteModel(missing, metadata=admin)) == (
        grpc.StatusCode.INVALID_ARGUMENT
    )
    unknown = risk_pb2.PromoteModelRequest(version="0123456789abcdef", approver="a", reason="r")
    assert _code(lambda: stub.PromoteModel(unknown, metadata=admin)) == grpc.StatusCode.NOT_FOUND
    nothing = risk_pb2.RollbackModelRequest(approver="a", reason="r")
    assert _code(lambda: stub.RollbackModel(nothing, metadata=admin)) == (
        grpc.StatusCode.FAILED_PRECONDITION
    )

"""ADMIN-only model registry RPCs on a real server: list, promote through the gates, roll back."""

from __future__ import annotations

import json
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


def test_list_models_pages_past_oversized_registry_entries(
    risk_server_factory: Callable[..., Any],
) -> None:
    # Bundles whose recorded gate evidence is far beyond what a message can carry (a registry
    # folder holds whatever training or an operator wrote): the list still pages through them.
    limit = 64 * 1024
    server = risk_server_factory(max_message_bytes=limit)
    sizes = {"big-1": 30_000, "big-2": 1_000_000, "big-3": 30_000, "big-4": 30_000}
    for index, (version, size) in enumerate(sizes.items()):
        folder = server.models / version
        folder.mkdir()
        gates = {"parity": {"passed": False, "detail": "x" * size}}
        metadata = {"version": version, "trained_at": f"2020-01-0{index + 1}T00:00:00+00:00",
                    "metrics": {"gates": gates}}  # fmt: skip
        (folder / "metadata.json").write_text(json.dumps(metadata))
    admin = server.auth(Role.ADMIN)
    seen: list[risk_pb2.RegisteredModel] = []
    token = ""
    while True:
        request = risk_pb2.ListModelsRequest(page_size=50, page_token=token)
        page = server.stub.ListModels(request, metadata=admin)
        assert page.ByteSize() <= limit and page.models
        seen += page.models
        token = page.next_page_token
        if not token:
            break
    assert [m.version for m in seen if m.version.startswith("big-")] == sorted(sizes, reverse=True)
    failures = {m.version: m.gate_failures[0] for m in seen if m.version.startswith("big-")}
    assert failures["big-2"].endswith("characters clipped]")
    assert failures["big-1"] == "parity: " + "x" * 30_000
    foreign = risk_pb2.ListModelsRequest(page_token="not-a-token")
    assert _code(lambda: server.stub.ListModels(foreign, metadata=admin)) == (
        grpc.StatusCode.INVALID_ARGUMENT
    )

"""risk.v1.RiskScoring: converts proto <-> domain and delegates to the scoring snapshot."""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator

import grpc

from services._proto.tradeguard.risk.v1 import risk_pb2, risk_pb2_grpc
from services.common.deadlines import check_deadline
from services.common.errors import FailedPrecondition, TradeGuardError, ValidationError
from services.common.item_errors import item_error
from services.common.request_bounds import check_bounds
from services.risk.answers import Answers
from services.risk.api import model_info
from services.risk.api.convert import to_request
from services.risk.api.record_convert import to_record
from services.risk.api.registry import ModelRegistryRpcs
from services.risk.api.score_encoder import ScoreEncoder
from services.risk.batching import MicroBatcher
from services.risk.domain import FinancingRequest
from services.risk.metrics import RiskMetrics
from services.risk.reload import ScoringRuntime
from services.risk.scoring import ScoringSnapshot


class RiskScoringServicer(risk_pb2_grpc.RiskScoringServicer):
    def __init__(
        self,
        runtime: ScoringRuntime,
        metrics: RiskMetrics,
        currencies: Container[str],
        max_batch: int = 1000,
        models: ModelRegistryRpcs | None = None,
        linger: float = 0.005,
        gap: float = 0.001,
    ) -> None:
        self._runtime = runtime
        self._models = models
        self._max_batch = max_batch
        self._metrics = metrics
        self._currencies = currencies
        self._encoders: tuple[ScoringSnapshot, ScoreEncoder] | None = None
        self._batcher = MicroBatcher(
            on_answers=metrics.record_answers, linger=linger, gap=gap, respond=self._respond
        )

    def _encoder(self, snapshot: ScoringSnapshot) -> ScoreEncoder:
        """The encoder of `snapshot`; replaced (never mutated) when a new snapshot serves."""
        current = self._encoders
        if current is not None and current[0] is snapshot:
            return current[1]
        encoder = ScoreEncoder(snapshot.version, snapshot.features_as_of)
        self._encoders = (snapshot, encoder)
        return encoder

    def ScoreFinancing(
        self, request: risk_pb2.ScoreFinancingRequest, context: grpc.ServicerContext
    ) -> risk_pb2.FinancingScore:
        snapshot = self._runtime.snapshot
        if request.HasField("trade_record"):
            answers, index = self._answer_one(snapshot, request)
            return self._encoder(snapshot).encode(answers, index)
        response = self._batcher.response(snapshot, to_request(request, self._currencies))
        assert isinstance(response, risk_pb2.FinancingScore)
        return response

    def _respond(
        self, snapshot: ScoringSnapshot, answers: Answers
    ) -> list[risk_pb2.FinancingScore]:
        """Every response of a batch, written by its leader."""
        messages = [risk_pb2.FinancingScore() for _ in range(len(answers))]
        self._encoder(snapshot).fill_rows(messages, answers)
        return messages

    def StreamScoreFinancing(
        self,
        request_iterator: Iterator[risk_pb2.StreamScoreFinancingRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[risk_pb2.StreamScoreFinancingResponse]:
        for message in request_iterator:
            check_deadline(context)
            self._check_batch_size(len(message.requests))
            # One snapshot per message: a batch is never split across model versions.
            snapshot = self._runtime.snapshot
            response = risk_pb2.StreamScoreFinancingResponse()
            self._score_batch(snapshot, message.requests, response)
            yield response

    def _score_batch(
        self,
        snapshot: ScoringSnapshot,
        requests: Iterable[risk_pb2.ScoreFinancingRequest],
        response: risk_pb2.StreamScoreFinancingResponse,
    ) -> None:
        valid: list[FinancingRequest] = []
        rows: list[int] = []
        slots: list[risk_pb2.ScoreResult] = []
        encoder = self._encoder(snapshot)
        results = response.results
        for index, item in enumerate(requests):
            result = results.add(index=index)
            try:
                check_bounds(item)
                if item.HasField("trade_record"):  # its own features: scored on its own
                    answers, row = self._answer_one(snapshot, item)
                    encoder.fill_rows([result.score], answers, (row,))
                    continue
                domain = to_request(item, self._currencies)
                rows.append(snapshot.accept(domain))
            except TradeGuardError as error:
                result.error.CopyFrom(item_error(error, index))
                continue
            valid.append(domain)
            slots.append(result)
        if valid:
            answers = snapshot.answer_rows(valid, rows)
            self._metrics.record_answers(answers)
            encoder.fill_rows([slot.score for slot in slots], answers)

    def _answer_one(
        self, snapshot: ScoringSnapshot, request: risk_pb2.ScoreFinancingRequest
    ) -> tuple[Answers, int]:
        domain = to_request(request, self._currencies)
        if request.HasField("trade_record"):
            record = to_record(request.trade_record, domain.enterprise_id)
            answers = snapshot.answer_record(domain, record)
            self._metrics.record_answers(answers)
            return answers, 0
        return self._batcher.answer(snapshot, domain)

    def _check_batch_size(self, count: int) -> None:
        """Before any item is looked at: one oversized message must not cost the CPU of all
        its items (the stream ends; earlier messages were answered already)."""
        if count > self._max_batch:
            raise ValidationError.for_field(
                "requests", f"must hold at most {self._max_batch} items per message, got {count}"
            )

    def GetModel(
        self, request: risk_pb2.GetModelRequest, context: grpc.ServicerContext
    ) -> risk_pb2.ModelInfo:
        return model_info.to_proto(self._runtime.snapshot)

    def _registry(self) -> ModelRegistryRpcs:
        if self._models is None:
            raise FailedPrecondition("this service has no model registry")
        return self._models

    def ListModels(
        self, request: risk_pb2.ListModelsRequest, context: grpc.ServicerContext
    ) -> risk_pb2.ListModelsResponse:
        return self._registry().list_models(request)

    def PromoteModel(
        self, request: risk_pb2.PromoteModelRequest, context: grpc.ServicerContext
    ) -> risk_pb2.ModelRegistryEvent:
        return self._registry().promote(request)

    def RollbackModel(
        self, request: risk_pb2.RollbackModelRequest, context: grpc.ServicerContext
    ) -> risk_pb2.ModelRegistryEvent:
        return self._registry().rollback(request)

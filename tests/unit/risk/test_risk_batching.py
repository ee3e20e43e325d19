"""Concurrent calls scored together answer exactly what each would alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from services.common.errors import NotFoundError, ValidationError
from services.risk import model as model_io
from services.risk.answers import Answers
from services.risk.batching import MicroBatcher
from services.risk.domain import FinancingRequest, FinancingScore, Product
from services.risk.feature_table import from_frame
from services.risk.psi import PsiMonitor
from services.risk.scoring import ScoringSnapshot


@pytest.fixture
def snapshot(bundle_dir: Path, make_feature_table: Callable[..., pl.DataFrame]) -> ScoringSnapshot:
    bundle = model_io.load(bundle_dir)
    table = from_frame(make_feature_table(), "test", "2026-01-01")
    monitor = PsiMonitor(bundle.metadata.references, window=1000)
    return ScoringSnapshot(bundle, table, bundle.metadata.policy, {"USD": 1.0}, monitor)


def _request(i: int) -> FinancingRequest:
    enterprise = f"ENT{i:05d}" if i % 7 else f"MISSING{i}"
    return FinancingRequest(f"r{i}", enterprise, Product.ORDER_FINANCING, 1000.0 + i, "USD", 90)


def test_concurrent_calls_get_their_own_exact_answers(snapshot: ScoringSnapshot) -> None:
    batcher = MicroBatcher(max_batch=16)
    results: dict[int, FinancingScore | BaseException] = {}
    start = threading.Barrier(24)

    def call(worker: int) -> None:
        start.wait()
        for i in range(worker, 240, 24):
            try:
                answers, row = batcher.answer(snapshot, _request(i))
                results[i] = answers.score(row)
            except NotFoundError as error:
                results[i] = error

    threads = [threading.Thread(target=call, args=(w,)) for w in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 240
    for i, got in results.items():
        if i % 7 == 0:
            assert isinstance(got, NotFoundError)
            continue
        assert got == snapshot.score(_request(i))  # bit for bit, reasons and all


def test_a_lone_call_is_answered_at_once(snapshot: ScoringSnapshot) -> None:
    answers, row = MicroBatcher().answer(snapshot, _request(1))
    assert (len(answers), row) == (1, 0)
    assert answers.score(row).enterprise_id == "ENT00001"


def test_a_tenor_outside_the_validated_range_is_refused(snapshot: ScoringSnapshot) -> None:
    request = FinancingRequest("r", "ENT00001", Product.ORDER_FINANCING, 1000.0, "USD", 5)
    with pytest.raises(ValidationError) as refused:
        MicroBatcher().answer(snapshot, request)
    assert refused.value.field_violations[0].field == "tenor_days"


@pytest.mark.timeout(20)
def test_a_filling_batch_stops_once_as_many_calls_are_queued_as_last_time(
    snapshot: ScoringSnapshot,
) -> None:
    """With gaps and linger of an hour, a leader that waited for more calls than the load it
    measured would never return (the test then fails on its timeout)."""
    sizes: list[int] = []
    gates = [threading.Event(), threading.Event()]

    def hold(answers: Answers) -> None:  # the batch being answered holds the lead meanwhile
        sizes.append(len(answers))
        if len(sizes) <= len(gates):
            gates[len(sizes) - 1].wait()

    batcher = MicroBatcher(on_answers=hold, linger=3600.0, gap=3600.0)
    threads: list[threading.Thread] = []

    def start(requests: range) -> None:
        for i in requests:
            thread = threading.Thread(
                target=batcher.answer, args=(snapshot, _request(i)), daemon=True
            )
            thread.start()
            threads.append(thread)

    start(range(1, 2))  # alone: answered at once, then held in `hold`
    while not sizes:
        time.sleep(0.001)
    for held, (gate, calls) in enumerate(zip(gates, (range(2, 5), range(8, 11)), strict=True)):
        start(calls)
        while batcher.queued < len(calls):
            time.sleep(0.001)
        gate.set()  # the lead passes to a queue already as long as the last batch
        while len(sizes) < held + 2:  # that batch is answered (and held) before the next
            time.sleep(0.001)
    for thread in threads:
        thread.join()
    assert sizes == [1, 3, 3]


def test_each_call_gets_its_own_response_written_by_the_leader(
    snapshot: ScoringSnapshot,
) -> None:
    batcher = MicroBatcher(
        max_batch=16, respond=lambda snap, answers: [answers.score(i) for i in range(len(answers))]
    )
    results: dict[int, object] = {}
    start = threading.Barrier(12)

    def call(worker: int) -> None:
        start.wait()
        for i in range(worker, 120, 12):
            if i % 7:  # known enterprises only
                results[i] = batcher.response(snapshot, _request(i))

    threads = [threading.Thread(target=call, args=(w,)) for w in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len([i for i in range(120) if i % 7])
    for i, got in results.items():
        assert got == snapshot.score(_request(i))

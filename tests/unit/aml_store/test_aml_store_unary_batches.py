"""Unary screenings gathered into one batch: each call's request is read in the batch, and a
call whose reading fails fails alone while the calls beside it are screened and committed."""

from __future__ import annotations

import threading
from collections.abc import Callable

from prometheus_client import CollectorRegistry

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.aml.api.renderers import ScreenTradeRenderer
from services.aml.detector import AmlDetector
from services.aml.domain import ReferenceData
from services.aml.metrics import AmlMetrics
from services.aml.screening_store import ScreeningStore
from services.aml.store import AlertStore
from services.aml.trade_screening import ScreeningRequest, TradeScreening
from tests.unit.aml.conftest import make_trade

from .conftest import BANK

CALLS = 12
BROKEN = {3, 8}


def _reader(index: int) -> Callable[[], ScreeningRequest]:
    def read() -> ScreeningRequest:
        if index in BROKEN:
            raise RuntimeError(f"reader {index} broke")
        trade = make_trade(f"O{index}", shipped=index % 2 == 0)
        return ScreeningRequest(f"r{index}", f"fp{index}", trade)

    return read


def test_a_call_whose_request_fails_to_read_fails_alone(store: AlertStore) -> None:
    metrics = AmlMetrics(CollectorRegistry())
    screening = TradeScreening(
        ScreeningStore(store), AmlDetector.load(None, ReferenceData()), metrics
    )
    renderer = ScreenTradeRenderer()
    answers: dict[int, object] = {}
    start = threading.Barrier(CALLS)

    def call(index: int) -> None:
        start.wait()
        try:
            answers[index] = screening.screen_one(_reader(index), BANK, renderer)
        except BaseException as failure:  # noqa: BLE001 - the answer under test
            answers[index] = failure

    threads = [threading.Thread(target=call, args=(i,)) for i in range(CALLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index in range(CALLS):
        answer = answers[index]
        if index in BROKEN:
            assert isinstance(answer, RuntimeError) and str(answer) == f"reader {index} broke"
            continue
        assert isinstance(answer, aml_pb2.ScreenTradeResponse)
        assert answer.request_id == f"r{index}"
        # Each answer is its own trade's: only the unshipped ones (odd) are phantom shipments.
        phantom = "PHANTOM_SHIPMENT" in {a.typology for a in answer.alerts}
        assert phantom is (index % 2 == 1)
    stored = ScreeningStore(store).find(BANK.tenant, [f"r{i}" for i in range(CALLS)])
    assert sorted(stored) == sorted(f"r{i}" for i in range(CALLS) if i not in BROKEN)

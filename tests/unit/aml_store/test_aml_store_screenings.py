"""Idempotent screening commits: one stored response per request id, alerts deduplicated."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from services.aml.alert_records import NewAlert, RaisedAlert
from services.aml.migrations.schema import alerts, screenings
from services.aml.retention import purge_screenings
from services.aml.screening_store import ScreeningStore, ScreeningWrite, ShadowRecord
from services.aml.store import AlertStore

from .conftest import BANK

Build = Callable[..., NewAlert]


class Renderer:
    """Records how often a response was rendered and renders the alert ids it got."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, stored: Sequence[RaisedAlert]) -> bytes:
        self.calls += 1
        return ",".join(f"{r.alert.alert_id}:{int(r.created)}" for r in stored).encode()


def _rows(store: AlertStore, table: sa.Table) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_commit_stores_response_and_replays_it(store: AlertStore, new_alert: Build) -> None:
    render = Renderer()
    write = ScreeningWrite("r1", "fp1", [new_alert("k1"), new_alert("k2")], render)
    [first] = ScreeningStore(store).commit("bank-1", [write], BANK)
    assert not first.replayed and [r.created for r in first.raised] == [True, True]
    ids = [r.alert.alert_id for r in first.raised]
    assert first.response == f"{ids[0]}:1,{ids[1]}:1".encode()
    [again] = ScreeningStore(store).commit("bank-1", [write], BANK)
    assert again.replayed and again.response == first.response and again.raised == ()
    assert render.calls == 1
    assert ScreeningStore(store).find("bank-1", ["r1", "r2"])["r1"].response == first.response
    assert ScreeningStore(store).find("bank-2", ["r1"]) == {}
    assert _rows(store, alerts) == 2 and _rows(store, screenings) == 1


def test_new_request_for_a_known_trade_reuses_its_alert(
    store: AlertStore, new_alert: Build
) -> None:
    [first] = ScreeningStore(store).commit(
        "bank-1", [ScreeningWrite("r1", "f", [new_alert()], Renderer())], BANK
    )
    [second] = ScreeningStore(store).commit(
        "bank-1", [ScreeningWrite("r2", "f", [new_alert()], Renderer())], BANK
    )
    assert not second.replayed and not second.raised[0].created
    assert second.raised[0].alert.alert_id == first.raised[0].alert.alert_id
    assert _rows(store, alerts) == 1 and _rows(store, screenings) == 2


def test_repeated_request_inside_a_batch_replays_the_first(
    store: AlertStore, new_alert: Build
) -> None:
    render = Renderer()
    writes = [
        ScreeningWrite("r1", "fp-a", [new_alert("k1")], render),
        ScreeningWrite("r1", "fp-b", [new_alert("k9")], render),
        ScreeningWrite("", "fp-c", [new_alert("k1")], render),
        ScreeningWrite("", "fp-d", [], render),
    ]
    outcomes = ScreeningStore(store).commit("bank-1", writes, BANK)
    assert [o.replayed for o in outcomes] == [False, True, False, False]
    assert outcomes[1].fingerprint == "fp-a" and outcomes[1].response == outcomes[0].response
    assert outcomes[2].raised[0].alert.alert_id == outcomes[0].raised[0].alert.alert_id
    assert outcomes[3].response == b""
    assert render.calls == 3
    assert _rows(store, alerts) == 1 and _rows(store, screenings) == 1


def test_shadow_results_are_recorded_once_and_summarised(store: AlertStore) -> None:
    def shadow(subject: str, added: list[str]) -> ShadowRecord:
        return ShadowRecord("rs-2", "rs-1", subject, 0.7, ["k1", *added], added, ["k0"])

    writes = [
        ScreeningWrite("r1", "f", [], Renderer(), shadow("O1", ["k5"])),
        ScreeningWrite("r2", "f", [], Renderer(), shadow("O2", [])),
    ]
    ScreeningStore(store).commit("bank-1", writes, BANK)
    ScreeningStore(store).commit(
        "bank-1", [ScreeningWrite("r3", "f", [], Renderer(), shadow("O1", []))], BANK
    )
    summary = ScreeningStore(store).shadow_summary("rs-2")
    assert (summary.screened, summary.would_alert, summary.added, summary.removed) == (2, 3, 1, 2)
    assert ScreeningStore(store).shadow_summary("rs-9").screened == 0
    assert _rows(store, alerts) == 0


def test_purge_forgets_old_responses_but_keeps_alerts(store: AlertStore, new_alert: Build) -> None:
    old = AlertStore(store.engine, store.trail, clock=lambda: 1_600_000_000_000_000)
    ScreeningStore(old).commit(
        "bank-1", [ScreeningWrite("old", "f", [new_alert("k1")], Renderer())], BANK
    )
    ScreeningStore(store).commit("bank-1", [ScreeningWrite("new", "f", [], Renderer())], BANK)
    assert purge_screenings(store, datetime(2022, 1, 1, tzinfo=UTC)) == 1
    assert set(ScreeningStore(store).find("bank-1", ["old", "new"])) == {"new"}
    assert _rows(store, alerts) == 1

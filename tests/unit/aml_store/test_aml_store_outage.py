"""With PostgreSQL down the store answers UnavailableError, and it recovers by itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from services.aml.alert_records import AlertQuery, NewAlert
from services.aml.audit_trail import AuditTrail
from services.aml.store import AlertStore
from services.common.errors import UnavailableError

from . import private_pg
from .conftest import BANK

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not private_pg.available(), reason="PostgreSQL server binaries not installed"
    ),
]


@pytest.fixture
def server() -> Iterator[private_pg.PrivatePostgres]:
    instance = private_pg.PrivatePostgres()
    instance.start()
    yield instance
    instance.destroy()


def test_outage_is_unavailable_then_recovers(
    trail: AuditTrail, server: private_pg.PrivatePostgres, new_alert: Callable[..., NewAlert]
) -> None:
    store = AlertStore.open(server.url, trail)
    [before] = store.raise_alerts([new_alert("before")], BANK)
    server.stop()
    assert not store.ping()
    with pytest.raises(UnavailableError):
        store.raise_alerts([new_alert("during")], BANK)
    with pytest.raises(UnavailableError):
        store.get_alert(before.alert.alert_id, None)
    with pytest.raises(UnavailableError):
        store.list_alerts(AlertQuery(), None, 0, "")
    server.start()
    assert store.ping()
    [after] = store.raise_alerts([new_alert("after")], BANK)
    assert after.created
    assert store.get_alert(before.alert.alert_id, None) == before.alert
    assert len(store.list_alerts(AlertQuery(), None, 0, "").items) == 2
    assert store.verify_audit().ok
    store.close()


def test_store_that_starts_during_an_outage_reports_unavailable(
    trail: AuditTrail,
    server: private_pg.PrivatePostgres,
) -> None:
    server.stop()
    with pytest.raises(UnavailableError):
        AlertStore.open(server.url, trail)

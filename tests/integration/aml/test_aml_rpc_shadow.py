"""A shadow rule set configured by file: scored and recorded beside the live one, never alerted."""

from __future__ import annotations

from pathlib import Path

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.aml.api.server import load_detector
from services.aml.domain import ReferenceData
from services.aml.ruleset import PhantomConfig, RuleSet
from services.aml.screening_store import ScreeningStore

from .conftest import WATCHLIST, Callers, aml_settings, screen, start_harness


def test_shadow_rule_set_is_recorded_not_alerted(
    tmp_path: Path, callers: tuple[Path, Callers]
) -> None:
    # The shadow version waits a year for shipping documents, so it drops the phantom alert.
    shadow_file = tmp_path / "shadow.json"
    RuleSet(version="rs-shadow", phantom=PhantomConfig(days=365_000)).save(shadow_file)
    settings = aml_settings(
        tmp_path,
        callers[0],
        f"sqlite:///{tmp_path / 'aml.db'}",
        shadow_ruleset_file=shadow_file,
    )
    detector, _ = load_detector(settings)
    detector.set_watchlist(ReferenceData(watchlist=WATCHLIST).watchlist)
    harness = start_harness(settings, callers[1], detector)
    try:
        response = harness.stub.ScreenTrade(
            screen("SH-1", shipped=False), metadata=harness.md("bank-1")
        )
        assert response.alert.typology == "PHANTOM_SHIPMENT"
        [shadow] = response.shadow
        assert shadow.ruleset_version == "rs-shadow"
        assert "PHANTOM_SHIPMENT" not in shadow.would_alert_typologies
        summary = ScreeningStore(harness.service.store).shadow_summary("rs-shadow")
        assert (summary.screened, summary.removed) == (1, 1)
        listed = harness.stub.ListAlerts(
            aml_pb2.ListAlertsRequest(), metadata=harness.md("regulator-1")
        )
        assert {a.ruleset_version for a in listed.alerts} == {response.ruleset_version}
        assert len(listed.alerts) == len(response.alerts)
    finally:
        harness.channel.close()
        harness.service.stop(0)

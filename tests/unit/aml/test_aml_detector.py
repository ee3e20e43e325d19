"""The detector facade: typology alerts, dedup keys, shadow rule sets, party screening."""

from __future__ import annotations

from typing import Any

import pytest

from services.aml.detector import AmlDetector
from services.aml.domain import ReferenceData, WatchlistEntry
from services.aml.rules.pricing import MarketReference
from services.aml.ruleset import PricingConfig, RuleSet


@pytest.fixture
def detector(reference: ReferenceData, market: MarketReference) -> AmlDetector:
    return AmlDetector(RuleSet(), reference, market)


def test_clean_trade_scores_zero_without_alerts(detector: AmlDetector, kit: Any) -> None:
    result = detector.screen(kit.make_trade(), "bank-a", as_of=kit.AS_OF)
    assert result.risk_score == 0.0 and result.alerts == () and result.hits == ()


def test_over_invoiced_trade_raises_one_typology_alert(detector: AmlDetector, kit: Any) -> None:
    result = detector.screen(kit.make_trade(unit_price=300.0), "bank-a", as_of=kit.AS_OF)
    assert [a.typology for a in result.alerts] == ["OVER_INVOICING"]
    alert = result.alerts[0]
    assert alert.tenant == "bank-a" and alert.source == "SCREENING"
    assert alert.enterprise_id == "E1" and alert.order_ids == ("O1",)
    assert 0.5 <= alert.risk_score <= 1.0
    assert result.risk_score == alert.risk_score
    assert alert.evidence["rules"]["over_invoicing"]["details"]["robust_z"] > 4


def test_rescreening_keeps_the_dedup_key(detector: AmlDetector, kit: Any) -> None:
    trade = kit.make_trade(unit_price=300.0)
    first = detector.screen(trade, "bank-a", as_of=kit.AS_OF).alerts[0].dedup_key
    again = detector.screen(trade, "bank-a", as_of=kit.AS_OF).alerts[0].dedup_key
    other = detector.screen(trade, "bank-b", as_of=kit.AS_OF).alerts[0].dedup_key
    assert first == again != other


def test_document_hits_combine_into_their_typology(detector: AmlDetector, kit: Any) -> None:
    trade = kit.bend(kit.make_trade(), decl_quantity=150.0, decl_hs_code="620342")
    result = detector.screen(trade, "bank-a", as_of=kit.AS_OF)
    assert [a.typology for a in result.alerts] == ["THREE_DOC_MISMATCH"]
    # 150 declared at the order's value of 100 also prices each unit off, and the waybill's
    # weight spread over 150 units is off the norm: both are the same inconsistency seen twice.
    fired = {h.rule for h in result.alerts[0].hits}
    assert {"doc_quantity_mismatch", "doc_hs_mismatch"} <= fired


def test_jurisdiction_alone_is_scored_but_not_alerted(detector: AmlDetector, kit: Any) -> None:
    trade = kit.make_trade(payer=("Harbor Retail GmbH", "IR"))
    result = detector.screen(trade, "bank-a", as_of=kit.AS_OF)
    assert "high_risk_jurisdiction" in {h.rule for h in result.hits}
    assert "HIGH_RISK_JURISDICTION" not in {a.typology for a in result.alerts}


def test_shadow_ruleset_is_scored_and_compared_never_alerted(
    reference: ReferenceData, market: MarketReference, kit: Any
) -> None:
    shadow = RuleSet(version="shadow-2", pricing=PricingConfig(robust_z=2.0, min_log_ratio=0.2))
    detector = AmlDetector(RuleSet(), reference, market, shadow=shadow)
    result = detector.screen(kit.make_trade(unit_price=130.0), "bank-a", as_of=kit.AS_OF)
    assert result.alerts == ()
    assert result.shadow is not None and result.shadow.ruleset_version == "shadow-2"
    assert [a.typology for a in result.shadow.would_alert] == ["OVER_INVOICING"]
    assert result.shadow.added == (result.shadow.would_alert[0].dedup_key,)
    assert result.shadow.removed == ()


def test_screen_many_matches_one_by_one(
    reference: ReferenceData, market: MarketReference, kit: Any
) -> None:
    trades = [kit.make_trade(f"O{i}", unit_price=100.0 + 60 * i) for i in range(5)]
    batch = AmlDetector(RuleSet(), reference, market).screen_many(trades, "t", as_of=kit.AS_OF)
    single = AmlDetector(RuleSet(), reference, market)
    one_by_one = [single.screen(t, "t", as_of=kit.AS_OF) for t in trades]
    assert [r.alerts for r in batch] == [r.alerts for r in one_by_one]


def test_trade_without_order_id_is_rejected(detector: AmlDetector, kit: Any) -> None:
    with pytest.raises(ValueError):
        detector.screen(kit.make_trade(""), "t", as_of=kit.AS_OF)


def test_screen_party_uses_the_current_watchlist(detector: AmlDetector) -> None:
    assert [m.entry_id for m in detector.screen_party("Sun Golden Import Export")] == ["WL2"]
    detector.set_watchlist([WatchlistEntry("N1", "Blue Lotus Holdings", "SG", "SANCTIONS")])
    assert detector.screen_party("Sun Golden Import Export") == []
    assert [m.entry_id for m in detector.screen_party("Lotus Blue Holdings Pte")] == ["N1"]


def test_screen_party_against_given_entries_and_min_score(detector: AmlDetector) -> None:
    entries = [WatchlistEntry("X1", "Crest Prime Supplies", "HK", "NEGATIVE_LIST")]
    assert detector.screen_party("Crest Prime Supply", "HK", entries, min_score=0.9)
    assert not detector.screen_party("Crest Prime Supply", "HK", entries, min_score=0.999)

"""Watchlist RPCs and party screening through a real server."""

from __future__ import annotations

import grpc
import pytest

from services._proto.tradeguard.aml.v1 import aml_pb2

from .conftest import Harness


def _screen(harness: Harness, name: str, who: str = "insurer-1") -> list[aml_pb2.PartyMatch]:
    request = aml_pb2.ScreenPartyRequest(name=name)
    return list(harness.stub.ScreenParty(request, metadata=harness.md(who)).matches)


def test_reference_watchlist_is_seeded_and_screened(harness: Harness) -> None:
    listed = harness.stub.ListWatchlistEntries(
        aml_pb2.ListWatchlistEntriesRequest(), metadata=harness.md("regulator-1")
    )
    assert [e.entry_id for e in listed.entries] == ["W-1", "W-2"]
    matches = _screen(harness, "GOLDEN CRESCENT HOLDINGS LLC")
    assert matches and matches[0].entry_id == "W-1"
    assert matches[0].list == aml_pb2.SANCTIONS and matches[0].country_code == "AE"


def test_upsert_and_delete_change_what_screening_finds(harness: Harness) -> None:
    admin = harness.md("admin-1")
    entry = aml_pb2.WatchlistEntry(
        entry_id="W-9",
        name="Northern Lights Shipping Ltd",
        list=aml_pb2.NEGATIVE_LIST,
        country_code="HK",
        reason="fake trade ring",
    )
    stored = harness.stub.UpsertWatchlistEntry(
        aml_pb2.UpsertWatchlistEntryRequest(entry=entry), metadata=admin
    )
    assert stored.entry_id == "W-9" and stored.HasField("updated_at")
    assert [m.entry_id for m in _screen(harness, "Northern Lights Shipping")] == ["W-9"]
    harness.stub.DeleteWatchlistEntry(
        aml_pb2.DeleteWatchlistEntryRequest(entry_id="W-9"), metadata=admin
    )
    assert _screen(harness, "Northern Lights Shipping") == []
    with pytest.raises(grpc.RpcError) as caught:
        harness.stub.DeleteWatchlistEntry(
            aml_pb2.DeleteWatchlistEntryRequest(entry_id="W-9"), metadata=admin
        )
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND
    assert harness.service.store.verify_audit().ok


def test_invalid_entries_and_party_requests(harness: Harness) -> None:
    bad = aml_pb2.WatchlistEntry(entry_id="W-7", name="", country_code="hk")
    with pytest.raises(grpc.RpcError) as caught:
        harness.stub.UpsertWatchlistEntry(
            aml_pb2.UpsertWatchlistEntryRequest(entry=bad), metadata=harness.md("regulator-1")
        )
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    for request in (
        aml_pb2.ScreenPartyRequest(),
        aml_pb2.ScreenPartyRequest(name="x", min_score=2),
    ):
        with pytest.raises(grpc.RpcError) as refused:
            harness.stub.ScreenParty(request, metadata=harness.md("bank-1"))
        assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT

"""Watchlist RPCs and party screening through a real server."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services._proto.tradeguard.aml.v1 import aml_pb2

from .conftest import Harness


def _screen(harness: Harness, name: str, who: str = "insurer-1") -> list[aml_pb2.PartyMatch]:
    request = aml_pb2.ScreenPartyRequest(name=name)
    return list(harness.stub.ScreenParty(request, metadata=harness.md(who)).matches)


def field_violations(error: grpc.RpcError) -> list[str]:
    """The fields an INVALID_ARGUMENT names, in its order."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    found: list[str] = []
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            found += [v.field for v in bad.field_violations]
    return found


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


def test_screen_parties_answers_each_name_as_screen_party_does(harness: Harness) -> None:
    names = [
        aml_pb2.ScreenPartyRequest(name="Acme Imports Ltda", country_code="BR"),
        aml_pb2.ScreenPartyRequest(name="GOLDEN CRESCENT HOLDINGS LLC"),
        aml_pb2.ScreenPartyRequest(name="Ivan Petrov Trading", lists=[aml_pb2.SANCTIONS]),
    ]
    md = harness.md("service-1")
    batch = harness.stub.ScreenParties(aml_pb2.ScreenPartiesRequest(parties=names), metadata=md)
    one_by_one = [harness.stub.ScreenParty(name, metadata=md) for name in names]
    assert list(batch.results) == one_by_one
    assert [[m.entry_id for m in r.matches] for r in batch.results] == [[], ["W-1"], []]


def test_screen_parties_names_every_bad_name_by_its_place(harness: Harness) -> None:
    names = [
        aml_pb2.ScreenPartyRequest(name="fine"),
        aml_pb2.ScreenPartyRequest(name=" "),
        aml_pb2.ScreenPartyRequest(name="x", min_score=2),
    ]
    with pytest.raises(grpc.RpcError) as refused:
        harness.stub.ScreenParties(
            aml_pb2.ScreenPartiesRequest(parties=names), metadata=harness.md("bank-1")
        )
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(refused.value) == ["parties[1].name", "parties[2].min_score"]
    for count in (0, 17):
        request = aml_pb2.ScreenPartiesRequest(
            parties=[aml_pb2.ScreenPartyRequest(name="x")] * count
        )
        with pytest.raises(grpc.RpcError) as too_many:
            harness.stub.ScreenParties(request, metadata=harness.md("bank-1"))
        assert field_violations(too_many.value) == ["parties"]

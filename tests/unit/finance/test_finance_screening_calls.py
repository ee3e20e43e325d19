"""Screenings of concurrent quotes share ScreenParties calls: a quote is sent at once while a
call slot is free, else with the next call out; each quote gets its own names' answers."""

from __future__ import annotations

from concurrent.futures import Future

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.finance.api.screening_calls import Key, ScreeningCalls

ACME: Key = ("Acme Imports", "BR", 0.9)
NINGBO: Key = ("Ningbo Tools", "", 0.9)
PETROV: Key = ("Ivan Petrov Trading", "RU", 0.9)


def _never_stalls() -> float:  # a clock that stands still: no call is ever slow
    return 0.0


class Calls:
    """The calls sent, each with a future the test answers."""

    def __init__(self) -> None:
        self.sent: list[tuple[list[Key], float, Future[aml_pb2.ScreenPartiesResponse]]] = []

    def send(self, request: aml_pb2.ScreenPartiesRequest, timeout: float) -> object:
        future: Future[aml_pb2.ScreenPartiesResponse] = Future()
        keys = [(p.name, p.country_code, round(p.min_score, 6)) for p in request.parties]
        self.sent.append((keys, timeout, future))
        return future

    def answer(self, index: int) -> None:
        """Answers call ``index`` with one match per name, named after it."""
        keys, _timeout, future = self.sent[index]
        results = [
            aml_pb2.ScreenPartyResponse(matches=[aml_pb2.PartyMatch(name=name)])
            for name, _country, _score in keys
        ]
        future.set_result(aml_pb2.ScreenPartiesResponse(results=results))


def _names(outcomes: object) -> list[str]:
    assert isinstance(outcomes, list)
    return [response.matches[0].name for response, error in outcomes if error is None]


def test_quotes_beyond_the_free_slots_share_the_next_call_once_per_name() -> None:
    calls = Calls()
    screening = ScreeningCalls(calls.send, max_in_flight=2, clock=_never_stalls)
    first = screening.ask([NINGBO, ACME], 5.0)
    second = screening.ask([NINGBO, PETROV], 5.0)
    assert [keys for keys, _, _ in calls.sent] == [[NINGBO, ACME], [NINGBO, PETROV]]
    third = screening.ask([NINGBO, ACME], 5.0)
    fourth = screening.ask([PETROV, ACME], 9.0)
    assert len(calls.sent) == 2  # both slots taken: queued
    calls.answer(1)
    assert _names(second.wait()) == ["Ningbo Tools", "Ivan Petrov Trading"]
    assert not second.shared
    queued_keys, timeout, _ = calls.sent[2]
    assert queued_keys == [NINGBO, ACME, PETROV]  # each name once
    assert 5.0 < timeout <= 9.0  # the longest deadline of the quotes it serves
    calls.answer(2)
    assert _names(third.wait()) == ["Ningbo Tools", "Acme Imports"]
    assert _names(fourth.wait()) == ["Ivan Petrov Trading", "Acme Imports"]
    assert third.shared and fourth.shared
    calls.answer(0)
    assert _names(first.wait()) == ["Ningbo Tools", "Acme Imports"]
    assert len(calls.sent) == 3
    fifth = screening.ask([ACME], 5.0)  # slots free again: sent at once
    assert [keys for keys, _, _ in calls.sent[3:]] == [[ACME]]
    calls.answer(3)
    assert _names(fifth.wait()) == ["Acme Imports"]


def test_more_names_than_a_call_takes_go_in_several_calls_answered_together() -> None:
    calls = Calls()
    screening = ScreeningCalls(calls.send, max_in_flight=1, max_names=2, clock=_never_stalls)
    first = screening.ask([ACME], 5.0)
    queued = [screening.ask([(f"name {i}", "", 0.9), ACME], 5.0) for i in range(3)]
    calls.answer(0)
    assert [keys for keys, _, _ in calls.sent[1:]] == [
        [("name 0", "", 0.9), ACME],
        [("name 1", "", 0.9), ("name 2", "", 0.9)],
    ]
    calls.answer(2)
    assert not queued[1].answered  # not before every call of its group is back
    calls.answer(1)
    assert [_names(t.wait()) for t in queued] == [[f"name {i}", "Acme Imports"] for i in range(3)]
    assert _names(first.wait()) == ["Acme Imports"]


def test_a_failed_call_is_each_of_its_names_outcome() -> None:
    calls = Calls()
    screening = ScreeningCalls(calls.send, max_in_flight=1, clock=_never_stalls)
    ticket = screening.ask([ACME, NINGBO], 5.0)
    failure = RuntimeError("connection reset")
    calls.sent[0][2].set_exception(failure)
    outcomes = ticket.wait()
    assert outcomes == [(None, failure), (None, failure)]
    screening.ask([ACME], 5.0)  # the slot is free again
    assert len(calls.sent) == 2


def test_a_quote_past_its_deadline_stops_waiting_and_is_not_sent_for() -> None:
    calls = Calls()
    screening = ScreeningCalls(calls.send, max_in_flight=1, clock=_never_stalls)
    screening.ask([ACME], 5.0)
    late = screening.ask([NINGBO], 0.0)
    assert late.wait() is None
    calls.answer(0)
    assert len(calls.sent) == 1  # nobody waits for NINGBO any more
    screening.ask([PETROV], 5.0)
    assert [keys for keys, _, _ in calls.sent[1:]] == [[PETROV]]


def test_quotes_stop_queueing_behind_a_call_that_is_slow_to_come_back() -> None:
    calls = Calls()
    now = [100.0]
    screening = ScreeningCalls(
        calls.send, max_in_flight=1, stall_seconds=0.05, clock=lambda: now[0]
    )
    stuck = screening.ask([ACME], 5.0)
    queued = screening.ask([NINGBO], 5.0)
    now[0] += 0.04
    also_queued = screening.ask([PETROV], 5.0)
    assert len(calls.sent) == 1
    now[0] += 0.02  # the first call has been out 60 ms: the queue goes out with the next quote
    late = screening.ask([ACME], 5.0)
    assert [keys for keys, _, _ in calls.sent[1:]] == [[NINGBO, PETROV, ACME]]
    calls.answer(1)
    assert [_names(t.wait()) for t in (queued, also_queued, late)] == [
        ["Ningbo Tools"],
        ["Ivan Petrov Trading"],
        ["Acme Imports"],
    ]
    after = screening.ask([PETROV], 5.0)  # the stuck call still holds its slot: queued
    assert len(calls.sent) == 2
    calls.answer(0)
    assert _names(stuck.wait()) == ["Acme Imports"]
    assert [keys for keys, _, _ in calls.sent[2:]] == [[PETROV]]
    calls.answer(2)
    assert _names(after.wait()) == ["Ivan Petrov Trading"]

"""The party screenings of concurrent quotes gathered into shared aml ScreenParties calls.

A ScreenParties call costs finance and aml far more CPU than the name matching it asks for.
Each quote hands in its parties; while fewer than ``max_in_flight`` calls are out they are sent
at once, alone, so a lone quote waits for nothing. Otherwise they queue, with those of the
quotes arriving meanwhile, until a call returns; then everything queued goes out together
(several calls when there are more names than one call takes). Groups grow with the load.
A call that is slow to come back (``stall_seconds``, far beyond aml's usual answer) does not
hold the queue up to its deadline: the quotes queued behind it go out in a call of their own
(so one stuck call costs the quotes behind it that much, not their whole deadline).

Nothing is cached: every screening is asked in a call sent after its quote arrived, so it is
as fresh as a call of its own. A name asked by several quotes of one call (the same name,
country and threshold) is sent once: aml screens a name by those and its watchlist alone.

Each quote keeps its own deadline: it waits no longer than that for its answer, and a call is
given the longest deadline of the quotes it serves. A call refused for its input (a name aml
refuses) that served several quotes answers none of them: each asks again alone (see
``Ticket.shared``), so one quote's bad name fails that quote only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from services._proto.tradeguard.aml.v1 import aml_pb2

#: A name to screen: (name, country code, minimum score).
Key = tuple[str, str, float]
#: One name's answer: aml's result, or the error of the call that asked for it.
Outcome = tuple[aml_pb2.ScreenPartyResponse | None, Exception | None]
#: Sends a ScreenParties request with a timeout; returns grpc's future of the call.
Send = Callable[[aml_pb2.ScreenPartiesRequest, float], Any]

#: aml's ScreenParties takes 1..16 names.
MAX_NAMES_PER_CALL = 16
#: Calls out at once before quotes queue for the next. One: every quote arriving while it is
#: out joins the next call, so groups are as large as the load makes them (two calls out
#: halved them and cost finance and aml 150 us more CPU per screened quote at 32 in flight).
#: A queued quote waits at most its own deadline, and so does the call out.
DEFAULT_MAX_IN_FLIGHT = 1
#: How long the newest call may be out before quotes stop queueing behind it (aml answers
#: in a few milliseconds; the dependency deadline is 0.8 s by default).
DEFAULT_STALL_SECONDS = 0.05
_MIN_TIMEOUT_SECONDS = 0.001


class Ticket:
    """One quote's names, its deadline (``time.monotonic``), and their answers once they come."""

    __slots__ = ("keys", "deadline", "shared", "outcomes", "answered", "_latch")

    def __init__(self, keys: tuple[Key, ...], deadline: float) -> None:
        self.keys = keys
        self.deadline = deadline
        #: Answered by a call that also served other quotes.
        self.shared = False
        self.outcomes: list[Outcome] = []
        self.answered = False
        # Held until the answer comes: a bare lock is a far cheaper one-shot signal than an
        # Event (no condition, no waiter list), and this is made and waited on for every quote.
        self._latch = threading.Lock()
        self._latch.acquire()

    def wait(self) -> list[Outcome] | None:
        """Each name's outcome in the order asked; None once the deadline passed without it."""
        if self.answered:
            return self.outcomes
        if not self._latch.acquire(timeout=max(0.0, self.deadline - time.monotonic())):
            return None
        return self.outcomes

    def _answer(self, outcomes: list[Outcome], shared: bool) -> None:
        self.outcomes, self.shared = outcomes, shared
        self.answered = True
        self._latch.release()


@dataclass(eq=False)
class _Group:
    """The quotes one dispatch serves and the answers of its calls, gathered as they come."""

    tickets: list[Ticket]
    calls_left: int
    answers: dict[Key, Outcome] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class ScreeningCalls:
    """Gathers tickets into ScreenParties calls made with ``send``."""

    def __init__(
        self,
        send: Send,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        max_names: int = MAX_NAMES_PER_CALL,
        stall_seconds: float = DEFAULT_STALL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._max_in_flight = max_in_flight
        self._max_names = max_names
        self._stall = stall_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._queue: list[Ticket] = []
        self._in_flight = 0
        self._last_sent = 0.0

    def ask(self, keys: Sequence[Key], timeout: float) -> Ticket:
        """Screen ``keys`` within ``timeout`` seconds: sent now, or with the next call out."""
        now = self._clock()
        ticket = Ticket(tuple(keys), time.monotonic() + timeout)
        with self._lock:
            if self._in_flight < self._max_in_flight:
                tickets = [ticket]
            elif now - self._last_sent < self._stall:
                self._queue.append(ticket)
                return ticket
            else:  # the newest call is stuck: what queued behind it goes out now
                tickets, self._queue = [*self._queue, ticket], []
            self._in_flight += 1
            self._last_sent = now
        self._dispatch(tickets)
        return ticket

    def _dispatch(self, tickets: list[Ticket]) -> None:
        if len(tickets) == 1:  # as asked, so that aml's field paths are this quote's own
            keys = list(tickets[0].keys)
        else:
            keys = list(dict.fromkeys(key for ticket in tickets for key in ticket.keys))
        chunks = [keys[i : i + self._max_names] for i in range(0, len(keys), self._max_names)]
        timeout = max(ticket.deadline for ticket in tickets) - time.monotonic()
        group = _Group(tickets, len(chunks))
        for chunk in chunks:
            request = aml_pb2.ScreenPartiesRequest(
                parties=[
                    aml_pb2.ScreenPartyRequest(name=name, country_code=country, min_score=score)
                    for name, country, score in chunk
                ]
            )
            try:
                call = self._send(request, max(_MIN_TIMEOUT_SECONDS, timeout))
            except Exception as error:  # a closed channel refuses at once
                self._finished(group, chunk, None, error)
                continue
            call.add_done_callback(lambda done, c=chunk: self._collect(group, c, done))

    def _collect(self, group: _Group, chunk: list[Key], call: Any) -> None:
        try:
            response = call.result()
        except Exception as error:  # the call's RpcError, or its cancellation
            self._finished(group, chunk, None, error)
            return
        self._finished(group, chunk, response, None)

    def _finished(
        self,
        group: _Group,
        chunk: list[Key],
        response: aml_pb2.ScreenPartiesResponse | None,
        error: Exception | None,
    ) -> None:
        """Record one call's answers; the last call of a group answers its tickets and sends
        what queued meanwhile."""
        results: Sequence[aml_pb2.ScreenPartyResponse | None] = (
            list(response.results) if response is not None else [None] * len(chunk)
        )
        if error is None and len(results) != len(chunk):
            error = RuntimeError(f"aml answered {len(results)} of {len(chunk)} names")
        with group.lock:
            for index, key in enumerate(chunk):
                group.answers[key] = (None, error) if error is not None else (results[index], None)
            group.calls_left -= 1
            if group.calls_left:
                return
        shared = len(group.tickets) > 1
        for ticket in group.tickets:
            ticket._answer([group.answers[key] for key in ticket.keys], shared)
        now = time.monotonic()
        with self._lock:  # quotes past their deadline wait no more: not sent for
            queued = [ticket for ticket in self._queue if ticket.deadline > now]
            self._queue = []
            if queued:
                self._last_sent = self._clock()
            else:
                self._in_flight -= 1
        if queued:
            self._dispatch(queued)

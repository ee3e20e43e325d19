"""The trade screening flow, free of the wire: validate -> detect -> commit -> respond.

The caller hands in trades already read into domain values (or the error reading them found;
a unary call hands in what reads its message, and its batch reads it) and a :class:`Renderer`
that builds the response from what was screened, the way finance's quoting is handed its
encoder. A screening is acknowledged only after its alerts and its response are committed, so a
crash never loses an acknowledged alert; a request id seen before gets the stored response back
instead of new work.

The flow runs in two halves so that a stream can overlap them: :meth:`TradeScreening.prepare`
(validate, replay stored answers, detect; CPU) and :meth:`TradeScreening.finish` (commit and
respond; a disk flush).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeAlias, TypeVar

from services.aml.alert_drafts import new_alert, shadow_record
from services.aml.alert_records import Actor, Alert, RaisedAlert
from services.aml.detector import AmlDetector, ScreeningResult
from services.aml.domain import Trade
from services.aml.metrics import AmlMetrics
from services.aml.rules.history import StagedEntries
from services.aml.screening_store import ScreeningOutcome, ScreeningStore, ScreeningWrite
from services.common.errors import TradeGuardError, ValidationError
from services.common.group_commit import Gathered
from services.common.idempotency import request_id_reused

R = TypeVar("R")
S_contra = TypeVar("S_contra", contravariant=True)


@dataclass(slots=True, unsafe_hash=True)
class ScreeningRequest:
    """One trade to screen: its request id, a digest of the request body (for idempotency),
    and the trade, or the error found while reading it."""

    request_id: str
    fingerprint: str
    trade: Trade | None
    error: TradeGuardError | None = None
    # The moment the trade is screened as of (replays, back-tests); None means now.
    as_of: datetime | None = None


@dataclass(slots=True, unsafe_hash=True)
class Screened:
    """What screening one trade found, with its alerts as stored (ids known)."""

    request_id: str
    result: ScreeningResult
    alerts: tuple[Alert, ...]


class Renderer(Protocol[S_contra, R]):
    """Builds the caller's response from what a flow found, and encodes it for the store (the
    answer to a repeated request id) and decodes it back."""

    def render(self, found: S_contra) -> R: ...

    def encode(self, response: R) -> bytes: ...

    def decode(self, stored: bytes) -> R: ...


#: What a request comes to: the caller's response, or the error that answers it.
Outcome: TypeAlias = R | TradeGuardError


@dataclass(slots=True)
class _Item(Generic[R]):
    """One trade of a batch on its way through replay, detection and commit."""

    request: ScreeningRequest
    outcome: R | TradeGuardError | None = None
    write: ScreeningWrite | None = None
    rules: tuple[str, ...] = ()
    rendered: R | None = None

    def final(self) -> R | TradeGuardError:
        if self.outcome is None:
            raise RuntimeError(f"screening of {self.request.request_id!r} has no outcome")
        return self.outcome


@dataclass(slots=True)
class PreparedBatch(Generic[R]):
    """A batch validated, replayed and screened, waiting for its commit; `history` holds the
    history entries its trades add, committed with it (their keys held until then)."""

    actor: Actor
    renderer: Renderer[Screened, R]
    items: list[_Item[R]] = field(default_factory=list)
    history: list[StagedEntries] = field(default_factory=list)

    def writes(self) -> list[_Item[R]]:
        return [item for item in self.items if item.write is not None and item.outcome is None]


#: A unary batch waits for more calls while they keep arriving at least this often (a batch of
#: one trade costs the whole per-batch work: reads, model call, commit).
GATHER_SECONDS = 0.001


class TradeScreening:
    """Screens trades for a tenant and commits what they raise; one outcome per trade."""

    def __init__(self, screenings: ScreeningStore, detector: AmlDetector, metrics: AmlMetrics):
        self._screenings = screenings
        self._detector = detector
        self._metrics = metrics
        self._single: Gathered[_Single, Any] = Gathered(
            self._screen_gathered, gather_seconds=GATHER_SECONDS
        )

    def screen_one(
        self,
        read: Callable[[], ScreeningRequest],
        actor: Actor,
        renderer: Renderer[Screened, R],
    ) -> Outcome[R]:
        """One call's trade, screened together with the calls in flight beside it: concurrent
        calls make one batch (one model call, one history read, one commit), as a stream
        message does, and each call is answered once that batch is committed. `read` turns
        the call's message into its request, and the batch reads its calls' messages one after
        another (in a loop a read costs less CPU than in a thread just switched to)."""
        outcome: Outcome[R] = self._single.run((read, actor, renderer))
        return outcome

    def _screen_gathered(self, items: list[_Single]) -> list[tuple[Any, BaseException | None]]:
        """Reads the gathered calls' requests, then screens them caller by caller (alerts and
        replays are per tenant). A request that fails to read fails its own call alone."""
        outcomes: list[tuple[Any, BaseException | None]] = [(None, None)] * len(items)
        by_caller: dict[tuple[Actor, int], list[tuple[int, ScreeningRequest]]] = {}
        for index, (read, actor, renderer) in enumerate(items):
            try:
                request = read()
            except Exception as failure:  # a defect in reading: this call fails, not its batch
                outcomes[index] = (None, failure)
                continue
            by_caller.setdefault((actor, id(renderer)), []).append((index, request))
        for (actor, _), calls in by_caller.items():
            renderer = items[calls[0][0]][2]
            try:
                answers = self.screen([request for _, request in calls], actor, renderer)
            except Exception as failure:  # the store is down: this caller's calls fail alone
                answers = [failure] * len(calls)
            for (index, _), answer in zip(calls, answers, strict=True):
                outcomes[index] = (None, answer) if _raised(answer) else (answer, None)
        return outcomes

    def screen(
        self, requests: Sequence[ScreeningRequest], actor: Actor, renderer: Renderer[Screened, R]
    ) -> list[Outcome[R]]:
        """Both halves at once: the outcome of every request, in order."""
        return self.finish(self.prepare(requests, actor, renderer))

    def prepare(
        self, requests: Sequence[ScreeningRequest], actor: Actor, renderer: Renderer[Screened, R]
    ) -> PreparedBatch[R]:
        """Answer invalid and known requests, and screen the rest (one model call)."""
        batch = PreparedBatch(actor, renderer, [_Item(r, r.error) for r in requests])
        valid = [item for item in batch.items if item.outcome is None]
        try:
            self._replay_stored(valid, batch)
            self._detect([item for item in valid if item.outcome is None], batch)
        except BaseException:
            self.abandon(batch)
            raise
        return batch

    def finish(self, batch: PreparedBatch[R]) -> list[Outcome[R]]:
        """Commit the screened trades and the history entries they add in one transaction; one
        outcome per request, in order."""
        try:
            pending = batch.writes()
            if pending:
                writes = [item.write for item in pending if item.write is not None]
                outcomes = self._screenings.commit(
                    batch.actor.tenant, writes, batch.actor, batch.history
                )
                tally = _Tally()
                for item, outcome in zip(pending, outcomes, strict=True):
                    self._settle(item, outcome, batch.renderer, tally)
                tally.publish(self._metrics)
            else:
                for staged in batch.history:
                    staged.commit()
        finally:
            self.abandon(batch)
        return [item.final() for item in batch.items]

    def abandon(self, batch: PreparedBatch[R]) -> None:
        """Let go of the history entries a prepared batch handed over (after its commit, or
        instead of it when it will not be committed: its trades are then never answered), and
        of each trade's write: its render closure refers back to the item, a cycle that would
        keep the trade, its result and alerts alive until a garbage collection found them."""
        for item in batch.items:
            item.write = None
        staged, batch.history = batch.history, []
        for entries in staged:
            entries.release()

    def _replay_stored(self, items: Sequence[_Item[R]], batch: PreparedBatch[R]) -> None:
        ids = [item.request.request_id for item in items]
        stored = self._screenings.find(batch.actor.tenant, ids)
        for item in items:
            earlier = stored.get(item.request.request_id)
            if earlier is None:
                continue
            if earlier.fingerprint != item.request.fingerprint:
                item.outcome = request_id_reused(item.request.request_id)
            else:
                item.outcome = batch.renderer.decode(earlier.response)
                self._metrics.trades_screened.labels("REPLAYED").inc()

    def _detect(self, pending: Sequence[_Item[R]], batch: PreparedBatch[R]) -> None:
        """Screen the trades in one detector call (the model runs once over all of them)."""
        if not pending:
            return
        trades = [_trade_of(item) for item in pending]
        tenant = batch.actor.tenant
        results: Sequence[ScreeningResult | None]
        try:
            moments = [item.request.as_of for item in pending]
            results, batch.history = self._detector.screen_staged(trades, tenant, as_of=moments)
        except ValueError:
            # One bad trade must not sink its batch: screen them one by one to find it.
            results = [self._screen_one(item, tenant) for item in pending]
        for item, result in zip(pending, results, strict=True):
            if result is not None:
                item.rules = tuple(h.rule for h in result.hits)
                item.write = _write_for(item, result, batch.renderer)

    def _screen_one(self, item: _Item[R], tenant: str) -> ScreeningResult | None:
        try:
            return self._detector.screen(_trade_of(item), tenant, as_of=item.request.as_of)
        except ValueError as exc:
            item.outcome = ValidationError.for_field("trade", str(exc))
            return None

    def _settle(
        self,
        item: _Item[R],
        outcome: ScreeningOutcome,
        renderer: Renderer[Screened, R],
        tally: _Tally,
    ) -> None:
        if outcome.replayed and outcome.fingerprint != item.request.fingerprint:
            item.outcome = request_id_reused(item.request.request_id)
            return
        if outcome.replayed or item.rendered is None:
            item.outcome = renderer.decode(outcome.response)
        else:
            item.outcome = item.rendered
        if not outcome.replayed:
            tally.hits += item.rules
            for raised in outcome.raised:
                if raised.created:
                    tally.alerts.append((raised.alert.typology, raised.alert.severity))
        tally.trades["REPLAYED" if outcome.replayed else "SCREENED"] += 1


@dataclass(slots=True)
class _Tally:
    """A batch's metric counts, published once per label (a labelled counter's look-up costs
    more than its increment, and a batch holds up to a thousand trades). Rules hit and alerts
    raised are listed per trade and counted once (`Counter.update` per trade costs more)."""

    trades: Counter[str] = field(default_factory=Counter)
    hits: list[str] = field(default_factory=list)
    alerts: list[tuple[str, str]] = field(default_factory=list)

    def publish(self, metrics: AmlMetrics) -> None:
        for outcome, count in self.trades.items():
            metrics.trades_screened.labels(outcome).inc(count)
        for rule, count in Counter(self.hits).items():
            metrics.rule_hits.labels(rule).inc(count)
        for (typology, severity), count in Counter(self.alerts).items():
            metrics.alerts_raised.labels(typology, severity).inc(count)


def _write_for(
    item: _Item[R], result: ScreeningResult, renderer: Renderer[Screened, R]
) -> ScreeningWrite:
    request = item.request
    return ScreeningWrite(
        request_id=request.request_id,
        fingerprint=request.fingerprint,
        alerts=[new_alert(c) for c in result.alerts],
        render=_rendering(item, result, renderer),
        shadow=shadow_record(result, _trade_of(item).order.order_id),
    )


def _rendering(
    item: _Item[R], result: ScreeningResult, renderer: Renderer[Screened, R]
) -> Callable[[Sequence[RaisedAlert]], bytes]:
    """Renders the response once the stored alerts (with ids) are known, inside the commit;
    the response is kept on the item so that it need not be decoded back from the bytes."""

    def render(raised: Sequence[RaisedAlert]) -> bytes:
        screened = Screened(item.request.request_id, result, tuple(r.alert for r in raised))
        item.rendered = renderer.render(screened)
        return renderer.encode(item.rendered)

    return render


#: A unary call waiting to be screened with others: what reads its request, caller, renderer.
_Single = tuple[Callable[[], ScreeningRequest], Actor, "Renderer[Screened, Any]"]


def _raised(answer: object) -> bool:
    """An error the store raised, as opposed to an error that is a request's answer."""
    return isinstance(answer, Exception) and not isinstance(answer, TradeGuardError)


def _trade_of(item: _Item[R]) -> Trade:
    """The trade of a request that read without error (the only ones screened)."""
    trade = item.request.trade
    if trade is None:
        raise RuntimeError(f"request {item.request.request_id!r} has neither trade nor error")
    return trade

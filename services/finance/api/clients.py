"""Clients of the risk and aml services, with deadlines and one failure path.

Every call carries a deadline: the configured dependency deadline, shortened to what is left of
the caller's own. A dependency that is down, too slow or refusing us raises UnavailableError
(counted in finance_dependency_errors_total); the caller decides between UNAVAILABLE and a
configured, flagged fallback. A dependency refusing the caller's own input raises the matching
client error (see ``dependency_errors``). NOT_FOUND from risk means the enterprise is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import grpc

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services._proto.tradeguard.risk.v1 import risk_pb2, risk_pb2_grpc
from services.common import money
from services.common.client import ChannelConfig, connect
from services.common.deadlines import remaining_seconds
from services.common.errors import TradeGuardError, UnavailableError
from services.finance.api.dependency_errors import dependency_error, timed_out
from services.finance.api.health_watch import HealthWatch
from services.finance.api.screening_calls import Outcome, ScreeningCalls
from services.finance.domain import Party, PartyScreening, Pending, WatchlistHit
from services.finance.metrics import FinanceMetrics

#: Time kept back from the caller's deadline to build and send our own answer.
RESPONSE_MARGIN_SECONDS = 0.05
#: The risk service scores tenors of 1..720 days.
MAX_RISK_TENOR_DAYS = 720
#: Fields of risk's ScoreFinancing and aml's ScreenParty that carry the caller's own values,
#: named as in the caller's request.
_RISK_FIELDS = {"amount": "amount", "amount.currency_code": "amount.currency_code"}
_PARTY_FIELDS = {
    "exporter": {"name": "exporter_name"},
    "buyer": {"name": "buyer.name", "country_code": "buyer.country_code"},
}


def call_timeout(deadline_seconds: float) -> float:
    """The configured deadline, capped by the caller's time left (DeadlineExceeded if none)."""
    left = remaining_seconds() - RESPONSE_MARGIN_SECONDS
    return max(0.001, min(deadline_seconds, left))


#: Channel-wide default deadline. Every call passes its own, shorter timeout; this only backs
#: it up. (grpcio 1.85 fails calls at once when the service-config timeout is under ~2 s, so
#: the dependency deadline cannot be set there.)
CHANNEL_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class DependencyTls:
    """TLS to risk and aml: their CA, and a client certificate when they require mTLS."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None


def dependency_channel(
    target: str, token: str | None, tls: DependencyTls | None = None
) -> grpc.Channel:
    """One retry at most: a second attempt must still fit in the short dependency deadline."""
    tls = tls or DependencyTls()
    config = ChannelConfig(
        target=target,
        token=token,
        timeout_seconds=CHANNEL_TIMEOUT_SECONDS,
        max_attempts=2,
        ca_file=tls.ca_file,
        cert_file=tls.cert_file,
        key_file=tls.key_file,
    )
    return connect(config)


class _Client:
    def __init__(
        self, name: str, channel: grpc.Channel, deadline_seconds: float, metrics: FinanceMetrics
    ) -> None:
        self._name = name
        self._channel = channel
        self._deadline = deadline_seconds
        self._metrics = metrics
        self._watch = HealthWatch(
            name, channel, lambda serving: metrics.dependency_serving(name, serving)
        )

    def start(self) -> None:
        """Watch the dependency's health (which also keeps the channel's thread running)."""
        self._watch.start()

    def close(self) -> None:
        self._watch.close()
        self._channel.close()

    def _failed(self, error: Exception, fields: Mapping[str, str]) -> TradeGuardError:
        failure = dependency_error(self._name, error, fields)
        if isinstance(failure, UnavailableError):
            self._metrics.dependency_error(self._name)
        return failure


class RiskClient(_Client):
    """An exporter's probability of default over a tenor (risk ScoreFinancing, the
    POLICY_FINANCING product). Buyers are not scored here: the financing model is an
    exporter model."""

    def __init__(self, channel: grpc.Channel, deadline: float, metrics: FinanceMetrics) -> None:
        super().__init__("risk", channel, deadline, metrics)
        self._stub = risk_pb2_grpc.RiskScoringStub(channel)

    def ask_probability_of_default(
        self,
        enterprise_id: str,
        amount: Decimal,
        currency: str,
        tenor_days: int,
        *,
        request_id: str,
    ) -> Pending[float | None]:
        """Send the call now; the returned function waits for the PD over ``tenor_days``
        (clipped to 1..720), or None when risk does not know the exporter."""
        request = risk_pb2.ScoreFinancingRequest(
            request_id=request_id,
            enterprise_id=enterprise_id,
            product=risk_pb2.POLICY_FINANCING,
            amount=money.from_decimal(amount, currency),
            tenor_days=min(max(tenor_days, 1), MAX_RISK_TENOR_DAYS),
        )
        call = self._stub.ScoreFinancing.future(request, timeout=call_timeout(self._deadline))

        def result() -> float | None:
            try:
                score = call.result()
            except grpc.RpcError as error:
                if error.code() == grpc.StatusCode.NOT_FOUND:
                    return None
                raise self._failed(error, _RISK_FIELDS) from error
            return float(score.probability_of_default)

        return result


class AmlClient(_Client):
    """Watchlist screening of party names: every party of a quote in one aml ScreenParties
    call (a call costs both services far more than the matching does), shared with the quotes
    screened at the same time (see ``screening_calls``). An aml that does not know
    ScreenParties yet (during a rolling upgrade) is asked with one ScreenParty call per party,
    sent at once."""

    def __init__(self, channel: grpc.Channel, deadline: float, metrics: FinanceMetrics) -> None:
        super().__init__("aml", channel, deadline, metrics)
        self._stub = aml_pb2_grpc.AmlMonitoringStub(channel)
        self._batched = True
        self._calls = ScreeningCalls(self._send)

    def _send(self, request: aml_pb2.ScreenPartiesRequest, timeout: float) -> Any:
        return self._stub.ScreenParties.future(request, timeout=timeout)

    def ask_screening(
        self, parties: Sequence[Party], min_score: float
    ) -> Pending[list[PartyScreening]]:
        """The parties' screening sent now (or with the next call out); the returned function
        waits for their screenings, in the order given."""
        timeout = call_timeout(self._deadline)
        if not self._batched:
            return self._one_by_one(parties, min_score, timeout)
        keys = [(party.name, party.country_code, min_score) for party in parties]
        ticket = self._calls.ask(keys, timeout)

        def result() -> list[PartyScreening]:
            outcomes = ticket.wait()
            if outcomes is None:  # our own deadline passed first, as a call's would have
                failure = self._timed_out()
                return [PartyScreening(party, (), failure) for party in parties]
            return self._screenings(parties, min_score, outcomes, ticket.shared)

        return result

    def _screenings(
        self,
        parties: Sequence[Party],
        min_score: float,
        outcomes: list[Outcome],
        shared: bool,
    ) -> list[PartyScreening]:
        failures: dict[int, UnavailableError] = {}
        for _response, error in outcomes:
            if error is None or id(error) in failures:
                continue
            if _code(error) is grpc.StatusCode.UNIMPLEMENTED:
                self._batched = False
                return self._one_by_one(parties, min_score, call_timeout(self._deadline))()
            failure = self._failed(error, _batch_fields(parties))
            if not isinstance(failure, UnavailableError):
                if shared:  # maybe another quote's name: this quote's own call tells
                    return self._alone(parties, min_score)()
                raise failure from error  # the caller's input: no fallback may hide it
            failures[id(error)] = failure
        return [
            PartyScreening(party, (), failures[id(error)])
            if error is not None
            else PartyScreening(party, _hits(party, response, min_score), None)
            for party, (response, error) in zip(parties, outcomes, strict=True)
        ]

    def _alone(self, parties: Sequence[Party], min_score: float) -> Pending[list[PartyScreening]]:
        """The parties in a ScreenParties call of their own."""
        request = aml_pb2.ScreenPartiesRequest(
            parties=[_screen_request(party, min_score) for party in parties]
        )
        call = self._send(request, call_timeout(self._deadline))

        def result() -> list[PartyScreening]:
            try:
                response = call.result()
            except grpc.RpcError as error:
                outcomes: list[Outcome] = [(None, error)] * len(parties)
            else:
                outcomes = [(found, None) for found in response.results]
            return self._screenings(parties, min_score, outcomes, False)

        return result

    def _timed_out(self) -> UnavailableError:
        failure = timed_out("aml")
        self._metrics.dependency_error("aml")
        return failure

    def _one_by_one(
        self, parties: Sequence[Party], min_score: float, timeout: float
    ) -> Pending[list[PartyScreening]]:
        screen = self._stub.ScreenParty.future
        calls = [
            (party, screen(_screen_request(party, min_score), timeout=timeout)) for party in parties
        ]
        return lambda: [self._collect(party, call, min_score) for party, call in calls]

    def _collect(self, party: Party, call: Any, min_score: float) -> PartyScreening:
        try:
            response = call.result()
        except grpc.RpcError as error:
            failure = self._failed(error, _PARTY_FIELDS.get(party.role, {}))
            if not isinstance(failure, UnavailableError):
                raise failure from error  # the caller's input: no fallback may hide it
            return PartyScreening(party, (), failure)
        return PartyScreening(party, _hits(party, response, min_score), None)


def _code(error: Exception) -> grpc.StatusCode | None:
    code = getattr(error, "code", None)
    return code() if callable(code) else None


def _hits(
    party: Party, response: aml_pb2.ScreenPartyResponse | None, min_score: float
) -> tuple[WatchlistHit, ...]:
    if response is None:
        return ()
    return tuple(
        WatchlistHit(
            party=party.role,
            entry_id=m.entry_id,
            entry_name=m.name,
            list_name=aml_pb2.WatchlistKind.Name(m.list),
            score=m.score,
        )
        for m in response.matches
        if m.score >= min_score
    )


def _batch_fields(parties: Sequence[Party]) -> dict[str, str]:
    """ScreenParties' field paths (``parties[1].name``) as the caller's fields."""
    return {
        f"parties[{index}].{field}": caller
        for index, party in enumerate(parties)
        for field, caller in _PARTY_FIELDS.get(party.role, {}).items()
    }


def _screen_request(party: Party, min_score: float) -> aml_pb2.ScreenPartyRequest:
    return aml_pb2.ScreenPartyRequest(
        name=party.name, country_code=party.country_code, min_score=min_score
    )

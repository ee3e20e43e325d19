"""The responses the screening flows render, store and replay, as aml.v1 messages."""

from __future__ import annotations

from collections.abc import Sequence

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.aml.alert_drafts import hit_dict
from services.aml.alert_records import Alert
from services.aml.api.convert import SEVERITY_RANK, alert_to_proto, fill_hit
from services.aml.data_scans import ScanFindings
from services.aml.trade_screening import Outcome, Screened
from services.common.errors import TradeGuardError
from services.common.item_errors import item_error


def _most_severe(alerts: Sequence[Alert]) -> Alert | None:
    return max(alerts, key=lambda a: (SEVERITY_RANK.get(a.severity, 0), a.risk_score), default=None)


class ScreenTradeRenderer:
    """Screened trade -> ScreenTradeResponse: hits, every alert, the most severe one, shadow."""

    def render(self, found: Screened) -> aml_pb2.ScreenTradeResponse:
        result, stored = found.result, list(found.alerts)
        response = aml_pb2.ScreenTradeResponse(
            request_id=found.request_id,
            risk_score=float(result.risk_score),
            ruleset_version=result.ruleset_version,
        )
        # Hits and alerts are written in place: a message handed to its parent is copied.
        hits = response.hits
        for h in result.hits:
            fill_hit(hits.add(), hit_dict(h))
        if stored:  # most trades raise none
            response.alerts.extend(alert_to_proto(a) for a in stored)
            worst = _most_severe(stored)
            if worst is not None:
                response.alert.CopyFrom(response.alerts[stored.index(worst)])
        if result.shadow is not None:
            shadow = response.shadow.add(
                ruleset_version=result.shadow.ruleset_version,
                risk_score=float(result.shadow.risk_score),
            )
            shadow.would_alert_typologies.extend(
                sorted({c.typology for c in result.shadow.would_alert})
            )
        return response

    def encode(self, response: aml_pb2.ScreenTradeResponse) -> bytes:
        return bytes(response.SerializeToString(deterministic=True))

    def decode(self, stored: bytes) -> aml_pb2.ScreenTradeResponse:
        return aml_pb2.ScreenTradeResponse.FromString(stored)


class EncodedScreenTradeRenderer:
    """Screened trade -> the ScreenTradeResponse's bytes, as stored for replays: a unary call
    answers with them as they are (the pipeline sends bytes unchanged), so the response is
    serialised once, and a replay sends the stored bytes without decoding them."""

    def __init__(self, messages: ScreenTradeRenderer) -> None:
        self._messages = messages

    def render(self, found: Screened) -> bytes:
        return self._messages.encode(self._messages.render(found))

    def encode(self, response: bytes) -> bytes:
        return response

    def decode(self, stored: bytes) -> bytes:
        return stored


class ScanRenderer:
    """Scan findings -> ScanTradeDataResponse: structures found, and the alerts raised or matched
    (their ids and the alerts themselves, in one order)."""

    def render(self, found: ScanFindings) -> aml_pb2.ScanTradeDataResponse:
        ids, fresh = found.alert_ids()
        by_id = {r.alert.alert_id: r.alert for r in found.raised}
        ordered = sorted(ids)
        return aml_pb2.ScanTradeDataResponse(
            request_id=found.request_id,
            structures_by_typology=found.structures_by_typology(),
            alerts_raised=len(fresh),
            alerts_existing=len(ids - fresh),
            flows_scanned=found.flows_scanned,
            alert_ids=ordered,
            alerts=[alert_to_proto(by_id[i]) for i in ordered],
        )

    def encode(self, response: aml_pb2.ScanTradeDataResponse) -> bytes:
        return bytes(response.SerializeToString(deterministic=True))

    def decode(self, stored: bytes) -> aml_pb2.ScanTradeDataResponse:
        return aml_pb2.ScanTradeDataResponse.FromString(stored)


def stream_reply(
    outcomes: Sequence[Outcome[aml_pb2.ScreenTradeResponse]],
) -> aml_pb2.StreamScreenTradesResponse:
    """One stream message's answers, in request order: a response or the item's error (each
    copied into its place, not passed to a constructor, which copies through a serialisation)."""
    reply = aml_pb2.StreamScreenTradesResponse()
    results = reply.results
    for index, outcome in enumerate(outcomes):
        result = results.add(index=index)
        if isinstance(outcome, TradeGuardError):
            result.error.CopyFrom(item_error(outcome, index))
        else:
            result.response.CopyFrom(outcome)
    return reply

"""aml.v1 requests read into the domain's requests, every invalid field reported at once."""

from __future__ import annotations

import hashlib
import re

from google.protobuf.message import Message

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.aml import domain, review
from services.aml.alert_records import Actor
from services.aml.api.convert import screening_as_of, to_datetime
from services.aml.api.trade_reader import read_trade
from services.aml.api.validation import as_of_problem, require_id
from services.aml.data_scans import ScanRequest
from services.aml.network import Window
from services.aml.trade_screening import ScreeningRequest
from services.common.auth import require_principal
from services.common.errors import ValidationError
from services.common.request_bounds import bound_violations
from services.common.violations import MAX_ID_CHARS, FieldViolations

_DATASET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_COUNTRY = re.compile(r"[A-Z]{2}")


def actor() -> Actor:
    """The caller, as written into the audit log."""
    principal = require_principal()
    return Actor(principal.tenant, principal.role.value)


def fingerprint(message: Message) -> str:
    """A digest of the request body, to tell a retry from a reused request id."""
    return hashlib.sha256(message.SerializeToString(deterministic=True)).hexdigest()


def screening_request(
    request: aml_pb2.ScreenTradeRequest, *, bounds_checked: bool = False
) -> ScreeningRequest:
    """The trade to screen, or the validation error that keeps it from being screened.
    `bounds_checked`: the server's message guard has already refused a request out of bounds
    (every unary request); streamed items are checked here."""
    out_of_bounds = [] if bounds_checked else bound_violations(request)
    if out_of_bounds:  # over-long strings, unknown enums, impossible times: nothing else to read
        error = ValidationError("invalid trade", out_of_bounds, reason="FIELD_OUT_OF_BOUNDS")
        return ScreeningRequest(request.request_id[:MAX_ID_CHARS], "", None, error)
    v = FieldViolations()
    v.require_id(request.request_id, "request_id")
    v.require(request.HasField("trade"), "trade", "is required")
    trade = read_trade(request.trade, v, "trade")
    # Most requests screen as of now: `as_of` is checked and read only when it is set.
    dated = request.HasField("as_of")
    if dated and (problem := as_of_problem(request)):
        v.add("as_of", problem)
    try:
        v.raise_if_any("invalid trade")
    except ValidationError as exc:
        return ScreeningRequest(request.request_id, "", None, exc)
    as_of = screening_as_of(request) if dated else None
    return ScreeningRequest(request.request_id, fingerprint(request.trade), trade, None, as_of)


def scan_request(request: aml_pb2.ScanTradeDataRequest) -> ScanRequest:
    v = FieldViolations()
    v.require_id(request.request_id, "request_id")
    v.require(
        bool(_DATASET_NAME.match(request.dataset)) and ".." not in request.dataset,
        "dataset",
        "must be the name of a data set folder (letters, digits, '.', '_', '-')",
    )
    v.raise_if_any("invalid scan request")
    start = to_datetime(request.window_start) if request.HasField("window_start") else None
    end = to_datetime(request.window_end) if request.HasField("window_end") else None
    return ScanRequest(
        request_id=request.request_id,
        fingerprint=fingerprint(request),
        dataset=request.dataset,
        window=Window(start, end) if start or end else None,
        typologies=frozenset(request.typologies),
    )


#: Most names one ScreenParties call may carry.
MAX_PARTIES = 16


def check_party_screening(request: aml_pb2.ScreenPartyRequest) -> None:
    v = FieldViolations()
    _check_party(request, v, "")
    v.raise_if_any("invalid party screening request")


def check_parties_screening(request: aml_pb2.ScreenPartiesRequest) -> None:
    """Every name's problems at once, each at its path ``parties[i].field``."""
    v = FieldViolations()
    v.require(
        1 <= len(request.parties) <= MAX_PARTIES, "parties", f"must hold 1..{MAX_PARTIES} names"
    )
    for index, party in enumerate(request.parties[:MAX_PARTIES]):
        _check_party(party, v, f"parties[{index}].")
    v.raise_if_any("invalid party screening request")


def _check_party(request: aml_pb2.ScreenPartyRequest, v: FieldViolations, prefix: str) -> None:
    v.require(bool(request.name.strip()), f"{prefix}name", "is required")
    v.require(len(request.name) <= 512, f"{prefix}name", "must be at most 512 characters")
    v.require(0.0 <= request.min_score <= 1.0, f"{prefix}min_score", "must be within [0, 1]")


def watchlist_entry(entry: aml_pb2.WatchlistEntry) -> domain.WatchlistEntry:
    v = FieldViolations()
    v.require_id(entry.entry_id, "entry.entry_id")
    v.require(bool(entry.name.strip()), "entry.name", "is required")
    v.require(entry.list != 0, "entry.list", "is required")
    v.require(
        not entry.country_code or bool(_COUNTRY.fullmatch(entry.country_code)),
        "entry.country_code",
        "must be an ISO 3166-1 alpha-2 code",
    )
    v.raise_if_any("invalid watchlist entry")
    return domain.WatchlistEntry(
        entry_id=entry.entry_id,
        name=entry.name,
        country=entry.country_code,
        list=aml_pb2.WatchlistKind.Name(entry.list),
        aliases=tuple(a for a in entry.aliases if a.strip()),
        reason=entry.reason,
    )


def review_decision(request: aml_pb2.ReviewAlertRequest) -> review.Decision:
    require_id(request.alert_id, "alert_id")
    if request.decision == aml_pb2.REVIEW_DECISION_UNSPECIFIED:
        raise ValidationError.for_field("decision", "is required")
    return review.Decision(aml_pb2.ReviewDecision.Name(request.decision))

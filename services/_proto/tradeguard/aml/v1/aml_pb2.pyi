import datetime

from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from services._proto.tradeguard.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    LOW: _ClassVar[Severity]
    MEDIUM: _ClassVar[Severity]
    HIGH: _ClassVar[Severity]
    CRITICAL: _ClassVar[Severity]

class AlertStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_STATUS_UNSPECIFIED: _ClassVar[AlertStatus]
    NEW: _ClassVar[AlertStatus]
    IN_REVIEW: _ClassVar[AlertStatus]
    CONFIRMED: _ClassVar[AlertStatus]
    DISMISSED: _ClassVar[AlertStatus]
    ESCALATED: _ClassVar[AlertStatus]
    REPORTED: _ClassVar[AlertStatus]

class ReviewDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REVIEW_DECISION_UNSPECIFIED: _ClassVar[ReviewDecision]
    START_REVIEW: _ClassVar[ReviewDecision]
    CONFIRM: _ClassVar[ReviewDecision]
    DISMISS: _ClassVar[ReviewDecision]
    ESCALATE: _ClassVar[ReviewDecision]
    REPORT: _ClassVar[ReviewDecision]

class AlertSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_SOURCE_UNSPECIFIED: _ClassVar[AlertSource]
    SCREENING: _ClassVar[AlertSource]
    SCAN: _ClassVar[AlertSource]

class WatchlistKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WATCHLIST_KIND_UNSPECIFIED: _ClassVar[WatchlistKind]
    NEGATIVE_LIST: _ClassVar[WatchlistKind]
    SANCTIONS: _ClassVar[WatchlistKind]

class RelationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELATION_KIND_UNSPECIFIED: _ClassVar[RelationKind]
    OWNERSHIP: _ClassVar[RelationKind]
    SHARED_DIRECTOR: _ClassVar[RelationKind]
    SHARED_ADDRESS: _ClassVar[RelationKind]
    SHARED_ACCOUNT: _ClassVar[RelationKind]
SEVERITY_UNSPECIFIED: Severity
LOW: Severity
MEDIUM: Severity
HIGH: Severity
CRITICAL: Severity
ALERT_STATUS_UNSPECIFIED: AlertStatus
NEW: AlertStatus
IN_REVIEW: AlertStatus
CONFIRMED: AlertStatus
DISMISSED: AlertStatus
ESCALATED: AlertStatus
REPORTED: AlertStatus
REVIEW_DECISION_UNSPECIFIED: ReviewDecision
START_REVIEW: ReviewDecision
CONFIRM: ReviewDecision
DISMISS: ReviewDecision
ESCALATE: ReviewDecision
REPORT: ReviewDecision
ALERT_SOURCE_UNSPECIFIED: AlertSource
SCREENING: AlertSource
SCAN: AlertSource
WATCHLIST_KIND_UNSPECIFIED: WatchlistKind
NEGATIVE_LIST: WatchlistKind
SANCTIONS: WatchlistKind
RELATION_KIND_UNSPECIFIED: RelationKind
OWNERSHIP: RelationKind
SHARED_DIRECTOR: RelationKind
SHARED_ADDRESS: RelationKind
SHARED_ACCOUNT: RelationKind

class DocumentRef(_message.Message):
    __slots__ = ("document_type", "document_id")
    DOCUMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    document_type: str
    document_id: str
    def __init__(self, document_type: _Optional[str] = ..., document_id: _Optional[str] = ...) -> None: ...

class Evidence(_message.Message):
    __slots__ = ("summary", "documents", "details")
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    summary: str
    documents: _containers.RepeatedCompositeFieldContainer[DocumentRef]
    details: _struct_pb2.Struct
    def __init__(self, summary: _Optional[str] = ..., documents: _Optional[_Iterable[_Union[DocumentRef, _Mapping]]] = ..., details: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RuleHit(_message.Message):
    __slots__ = ("rule", "typology", "severity", "evidence", "score")
    RULE_FIELD_NUMBER: _ClassVar[int]
    TYPOLOGY_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    rule: str
    typology: str
    severity: Severity
    evidence: Evidence
    score: float
    def __init__(self, rule: _Optional[str] = ..., typology: _Optional[str] = ..., severity: _Optional[_Union[Severity, str]] = ..., evidence: _Optional[_Union[Evidence, _Mapping]] = ..., score: _Optional[float] = ...) -> None: ...

class Flow(_message.Message):
    __slots__ = ("from_party_id", "to_party_id", "amount", "at", "document_id")
    FROM_PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    TO_PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    from_party_id: str
    to_party_id: str
    amount: _common_pb2.Money
    at: _timestamp_pb2.Timestamp
    document_id: str
    def __init__(self, from_party_id: _Optional[str] = ..., to_party_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., document_id: _Optional[str] = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ("alert_id", "tenant", "enterprise_id", "typology", "severity", "risk_score", "status", "evidence", "created_at", "updated_at", "version", "hits", "members", "flows", "dedup_key", "source", "ruleset_version", "last_reviewer", "last_note", "allowed_decisions")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    TYPOLOGY_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    HITS_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    FLOWS_FIELD_NUMBER: _ClassVar[int]
    DEDUP_KEY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    RULESET_VERSION_FIELD_NUMBER: _ClassVar[int]
    LAST_REVIEWER_FIELD_NUMBER: _ClassVar[int]
    LAST_NOTE_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_DECISIONS_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    tenant: str
    enterprise_id: str
    typology: str
    severity: Severity
    risk_score: float
    status: AlertStatus
    evidence: Evidence
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    version: int
    hits: _containers.RepeatedCompositeFieldContainer[RuleHit]
    members: _containers.RepeatedScalarFieldContainer[str]
    flows: _containers.RepeatedCompositeFieldContainer[Flow]
    dedup_key: str
    source: AlertSource
    ruleset_version: str
    last_reviewer: str
    last_note: str
    allowed_decisions: _containers.RepeatedScalarFieldContainer[ReviewDecision]
    def __init__(self, alert_id: _Optional[str] = ..., tenant: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., typology: _Optional[str] = ..., severity: _Optional[_Union[Severity, str]] = ..., risk_score: _Optional[float] = ..., status: _Optional[_Union[AlertStatus, str]] = ..., evidence: _Optional[_Union[Evidence, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ..., hits: _Optional[_Iterable[_Union[RuleHit, _Mapping]]] = ..., members: _Optional[_Iterable[str]] = ..., flows: _Optional[_Iterable[_Union[Flow, _Mapping]]] = ..., dedup_key: _Optional[str] = ..., source: _Optional[_Union[AlertSource, str]] = ..., ruleset_version: _Optional[str] = ..., last_reviewer: _Optional[str] = ..., last_note: _Optional[str] = ..., allowed_decisions: _Optional[_Iterable[_Union[ReviewDecision, str]]] = ...) -> None: ...

class ScreenTradeRequest(_message.Message):
    __slots__ = ("request_id", "trade", "as_of")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TRADE_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    trade: _common_pb2.Trade
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., trade: _Optional[_Union[_common_pb2.Trade, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ShadowResult(_message.Message):
    __slots__ = ("ruleset_version", "risk_score", "would_alert_typologies")
    RULESET_VERSION_FIELD_NUMBER: _ClassVar[int]
    RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    WOULD_ALERT_TYPOLOGIES_FIELD_NUMBER: _ClassVar[int]
    ruleset_version: str
    risk_score: float
    would_alert_typologies: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ruleset_version: _Optional[str] = ..., risk_score: _Optional[float] = ..., would_alert_typologies: _Optional[_Iterable[str]] = ...) -> None: ...

class ScreenTradeResponse(_message.Message):
    __slots__ = ("request_id", "risk_score", "hits", "alert", "alerts", "ruleset_version", "shadow")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    HITS_FIELD_NUMBER: _ClassVar[int]
    ALERT_FIELD_NUMBER: _ClassVar[int]
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    RULESET_VERSION_FIELD_NUMBER: _ClassVar[int]
    SHADOW_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    risk_score: float
    hits: _containers.RepeatedCompositeFieldContainer[RuleHit]
    alert: Alert
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    ruleset_version: str
    shadow: _containers.RepeatedCompositeFieldContainer[ShadowResult]
    def __init__(self, request_id: _Optional[str] = ..., risk_score: _Optional[float] = ..., hits: _Optional[_Iterable[_Union[RuleHit, _Mapping]]] = ..., alert: _Optional[_Union[Alert, _Mapping]] = ..., alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ..., ruleset_version: _Optional[str] = ..., shadow: _Optional[_Iterable[_Union[ShadowResult, _Mapping]]] = ...) -> None: ...

class StreamScreenTradesRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[ScreenTradeRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[ScreenTradeRequest, _Mapping]]] = ...) -> None: ...

class ScreenTradeResult(_message.Message):
    __slots__ = ("index", "response", "error")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    index: int
    response: ScreenTradeResponse
    error: _common_pb2.ItemError
    def __init__(self, index: _Optional[int] = ..., response: _Optional[_Union[ScreenTradeResponse, _Mapping]] = ..., error: _Optional[_Union[_common_pb2.ItemError, _Mapping]] = ...) -> None: ...

class StreamScreenTradesResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ScreenTradeResult]
    def __init__(self, results: _Optional[_Iterable[_Union[ScreenTradeResult, _Mapping]]] = ...) -> None: ...

class ScanTradeDataRequest(_message.Message):
    __slots__ = ("request_id", "dataset", "window_start", "window_end", "typologies")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    TYPOLOGIES_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    dataset: str
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    typologies: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[str] = ..., dataset: _Optional[str] = ..., window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., typologies: _Optional[_Iterable[str]] = ...) -> None: ...

class ScanTradeDataResponse(_message.Message):
    __slots__ = ("request_id", "structures_by_typology", "alerts_raised", "alerts_existing", "flows_scanned", "alert_ids", "alerts")
    class StructuresByTypologyEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STRUCTURES_BY_TYPOLOGY_FIELD_NUMBER: _ClassVar[int]
    ALERTS_RAISED_FIELD_NUMBER: _ClassVar[int]
    ALERTS_EXISTING_FIELD_NUMBER: _ClassVar[int]
    FLOWS_SCANNED_FIELD_NUMBER: _ClassVar[int]
    ALERT_IDS_FIELD_NUMBER: _ClassVar[int]
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    structures_by_typology: _containers.ScalarMap[str, int]
    alerts_raised: int
    alerts_existing: int
    flows_scanned: int
    alert_ids: _containers.RepeatedScalarFieldContainer[str]
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    def __init__(self, request_id: _Optional[str] = ..., structures_by_typology: _Optional[_Mapping[str, int]] = ..., alerts_raised: _Optional[int] = ..., alerts_existing: _Optional[int] = ..., flows_scanned: _Optional[int] = ..., alert_ids: _Optional[_Iterable[str]] = ..., alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ...) -> None: ...

class ScreenPartyRequest(_message.Message):
    __slots__ = ("name", "country_code", "min_score", "lists")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    MIN_SCORE_FIELD_NUMBER: _ClassVar[int]
    LISTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    country_code: str
    min_score: float
    lists: _containers.RepeatedScalarFieldContainer[WatchlistKind]
    def __init__(self, name: _Optional[str] = ..., country_code: _Optional[str] = ..., min_score: _Optional[float] = ..., lists: _Optional[_Iterable[_Union[WatchlistKind, str]]] = ...) -> None: ...

class ScreenPartiesRequest(_message.Message):
    __slots__ = ("parties",)
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    parties: _containers.RepeatedCompositeFieldContainer[ScreenPartyRequest]
    def __init__(self, parties: _Optional[_Iterable[_Union[ScreenPartyRequest, _Mapping]]] = ...) -> None: ...

class ScreenPartiesResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ScreenPartyResponse]
    def __init__(self, results: _Optional[_Iterable[_Union[ScreenPartyResponse, _Mapping]]] = ...) -> None: ...

class PartyMatch(_message.Message):
    __slots__ = ("entry_id", "name", "list", "score", "matched_name", "country_code", "reason")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MATCHED_NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    name: str
    list: WatchlistKind
    score: float
    matched_name: str
    country_code: str
    reason: str
    def __init__(self, entry_id: _Optional[str] = ..., name: _Optional[str] = ..., list: _Optional[_Union[WatchlistKind, str]] = ..., score: _Optional[float] = ..., matched_name: _Optional[str] = ..., country_code: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ScreenPartyResponse(_message.Message):
    __slots__ = ("matches",)
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    matches: _containers.RepeatedCompositeFieldContainer[PartyMatch]
    def __init__(self, matches: _Optional[_Iterable[_Union[PartyMatch, _Mapping]]] = ...) -> None: ...

class WatchlistEntry(_message.Message):
    __slots__ = ("entry_id", "name", "aliases", "country_code", "list", "reason", "updated_at")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    name: str
    aliases: _containers.RepeatedScalarFieldContainer[str]
    country_code: str
    list: WatchlistKind
    reason: str
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, entry_id: _Optional[str] = ..., name: _Optional[str] = ..., aliases: _Optional[_Iterable[str]] = ..., country_code: _Optional[str] = ..., list: _Optional[_Union[WatchlistKind, str]] = ..., reason: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpsertWatchlistEntryRequest(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: WatchlistEntry
    def __init__(self, entry: _Optional[_Union[WatchlistEntry, _Mapping]] = ...) -> None: ...

class DeleteWatchlistEntryRequest(_message.Message):
    __slots__ = ("entry_id",)
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    def __init__(self, entry_id: _Optional[str] = ...) -> None: ...

class ListWatchlistEntriesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "list")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    list: WatchlistKind
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., list: _Optional[_Union[WatchlistKind, str]] = ...) -> None: ...

class ListWatchlistEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[WatchlistEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[WatchlistEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListAlertsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "status", "typology", "min_severity", "enterprise_id", "created_after", "created_before", "tenant", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TYPOLOGY_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AFTER_FIELD_NUMBER: _ClassVar[int]
    CREATED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    status: AlertStatus
    typology: str
    min_severity: Severity
    enterprise_id: str
    created_after: _timestamp_pb2.Timestamp
    created_before: _timestamp_pb2.Timestamp
    tenant: str
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., status: _Optional[_Union[AlertStatus, str]] = ..., typology: _Optional[str] = ..., min_severity: _Optional[_Union[Severity, str]] = ..., enterprise_id: _Optional[str] = ..., created_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tenant: _Optional[str] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListAlertsResponse(_message.Message):
    __slots__ = ("alerts", "next_page_token", "total_size")
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    next_page_token: str
    total_size: int
    def __init__(self, alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetAlertRequest(_message.Message):
    __slots__ = ("alert_id",)
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    def __init__(self, alert_id: _Optional[str] = ...) -> None: ...

class ReviewAlertRequest(_message.Message):
    __slots__ = ("alert_id", "decision", "note", "expected_version")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    decision: ReviewDecision
    note: str
    expected_version: int
    def __init__(self, alert_id: _Optional[str] = ..., decision: _Optional[_Union[ReviewDecision, str]] = ..., note: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class AlertEvent(_message.Message):
    __slots__ = ("sequence", "alert_id", "event_type", "from_status", "to_status", "actor", "note", "created_at", "prev_hash", "hash")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    FROM_STATUS_FIELD_NUMBER: _ClassVar[int]
    TO_STATUS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    PREV_HASH_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    alert_id: str
    event_type: str
    from_status: AlertStatus
    to_status: AlertStatus
    actor: str
    note: str
    created_at: _timestamp_pb2.Timestamp
    prev_hash: str
    hash: str
    def __init__(self, sequence: _Optional[int] = ..., alert_id: _Optional[str] = ..., event_type: _Optional[str] = ..., from_status: _Optional[_Union[AlertStatus, str]] = ..., to_status: _Optional[_Union[AlertStatus, str]] = ..., actor: _Optional[str] = ..., note: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., prev_hash: _Optional[str] = ..., hash: _Optional[str] = ...) -> None: ...

class ListAlertEventsRequest(_message.Message):
    __slots__ = ("alert_id", "page_size", "page_token")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    page_size: int
    page_token: str
    def __init__(self, alert_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAlertEventsResponse(_message.Message):
    __slots__ = ("events", "next_page_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[AlertEvent]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[AlertEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class Customer(_message.Message):
    __slots__ = ("enterprise_id", "name", "registered_at", "registered_capital_cny", "industry_hs2", "region", "employees", "country_code", "tenant")
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_CAPITAL_CNY_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_HS2_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    enterprise_id: str
    name: str
    registered_at: _timestamp_pb2.Timestamp
    registered_capital_cny: float
    industry_hs2: str
    region: str
    employees: int
    country_code: str
    tenant: str
    def __init__(self, enterprise_id: _Optional[str] = ..., name: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., registered_capital_cny: _Optional[float] = ..., industry_hs2: _Optional[str] = ..., region: _Optional[str] = ..., employees: _Optional[int] = ..., country_code: _Optional[str] = ..., tenant: _Optional[str] = ...) -> None: ...

class Buyer(_message.Message):
    __slots__ = ("buyer_id", "name", "country_code", "tenant")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    name: str
    country_code: str
    tenant: str
    def __init__(self, buyer_id: _Optional[str] = ..., name: _Optional[str] = ..., country_code: _Optional[str] = ..., tenant: _Optional[str] = ...) -> None: ...

class PartyRelation(_message.Message):
    __slots__ = ("party_a", "party_b", "kind", "since", "tenant")
    PARTY_A_FIELD_NUMBER: _ClassVar[int]
    PARTY_B_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    party_a: str
    party_b: str
    kind: RelationKind
    since: _timestamp_pb2.Timestamp
    tenant: str
    def __init__(self, party_a: _Optional[str] = ..., party_b: _Optional[str] = ..., kind: _Optional[_Union[RelationKind, str]] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tenant: _Optional[str] = ...) -> None: ...

class UpsertCustomerRequest(_message.Message):
    __slots__ = ("customer",)
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ...) -> None: ...

class UpsertBuyerRequest(_message.Message):
    __slots__ = ("buyer",)
    BUYER_FIELD_NUMBER: _ClassVar[int]
    buyer: Buyer
    def __init__(self, buyer: _Optional[_Union[Buyer, _Mapping]] = ...) -> None: ...

class UpsertPartyRelationRequest(_message.Message):
    __slots__ = ("relation",)
    RELATION_FIELD_NUMBER: _ClassVar[int]
    relation: PartyRelation
    def __init__(self, relation: _Optional[_Union[PartyRelation, _Mapping]] = ...) -> None: ...

class SummarizeAlertsRequest(_message.Message):
    __slots__ = ("filter",)
    FILTER_FIELD_NUMBER: _ClassVar[int]
    filter: ListAlertsRequest
    def __init__(self, filter: _Optional[_Union[ListAlertsRequest, _Mapping]] = ...) -> None: ...

class AlertCount(_message.Message):
    __slots__ = ("typology", "month", "status", "count")
    TYPOLOGY_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    typology: str
    month: str
    status: AlertStatus
    count: int
    def __init__(self, typology: _Optional[str] = ..., month: _Optional[str] = ..., status: _Optional[_Union[AlertStatus, str]] = ..., count: _Optional[int] = ...) -> None: ...

class AlertSummary(_message.Message):
    __slots__ = ("total", "count_by_status", "oldest_open_created_at", "counts")
    class CountByStatusEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    COUNT_BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    OLDEST_OPEN_CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    total: int
    count_by_status: _containers.ScalarMap[str, int]
    oldest_open_created_at: _timestamp_pb2.Timestamp
    counts: _containers.RepeatedCompositeFieldContainer[AlertCount]
    def __init__(self, total: _Optional[int] = ..., count_by_status: _Optional[_Mapping[str, int]] = ..., oldest_open_created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., counts: _Optional[_Iterable[_Union[AlertCount, _Mapping]]] = ...) -> None: ...

class VerifyAuditChainRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AuditChainProblem(_message.Message):
    __slots__ = ("sequence", "kind", "detail")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    kind: str
    detail: str
    def __init__(self, sequence: _Optional[int] = ..., kind: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class AuditChainVerification(_message.Message):
    __slots__ = ("ok", "events_checked", "head_sequence", "problems", "verified_at")
    OK_FIELD_NUMBER: _ClassVar[int]
    EVENTS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    events_checked: int
    head_sequence: int
    problems: _containers.RepeatedCompositeFieldContainer[AuditChainProblem]
    verified_at: _timestamp_pb2.Timestamp
    def __init__(self, ok: _Optional[bool] = ..., events_checked: _Optional[int] = ..., head_sequence: _Optional[int] = ..., problems: _Optional[_Iterable[_Union[AuditChainProblem, _Mapping]]] = ..., verified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

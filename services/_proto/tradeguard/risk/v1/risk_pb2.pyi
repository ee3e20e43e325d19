import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from services._proto.tradeguard.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FinancingProduct(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FINANCING_PRODUCT_UNSPECIFIED: _ClassVar[FinancingProduct]
    ORDER_FINANCING: _ClassVar[FinancingProduct]
    RECEIVABLES_FINANCING: _ClassVar[FinancingProduct]
    INVENTORY_PLEDGE: _ClassVar[FinancingProduct]
    POLICY_FINANCING: _ClassVar[FinancingProduct]

class Grade(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GRADE_UNSPECIFIED: _ClassVar[Grade]
    AAA: _ClassVar[Grade]
    AA: _ClassVar[Grade]
    A: _ClassVar[Grade]
    BBB: _ClassVar[Grade]
    BB: _ClassVar[Grade]
    B: _ClassVar[Grade]
    CCC: _ClassVar[Grade]

class Decision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_UNSPECIFIED: _ClassVar[Decision]
    APPROVE: _ClassVar[Decision]
    REFER: _ClassVar[Decision]
    DECLINE: _ClassVar[Decision]

class ModelStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_STATUS_UNSPECIFIED: _ClassVar[ModelStatus]
    CANDIDATE: _ClassVar[ModelStatus]
    SERVING: _ClassVar[ModelStatus]
    RETIRED: _ClassVar[ModelStatus]
FINANCING_PRODUCT_UNSPECIFIED: FinancingProduct
ORDER_FINANCING: FinancingProduct
RECEIVABLES_FINANCING: FinancingProduct
INVENTORY_PLEDGE: FinancingProduct
POLICY_FINANCING: FinancingProduct
GRADE_UNSPECIFIED: Grade
AAA: Grade
AA: Grade
A: Grade
BBB: Grade
BB: Grade
B: Grade
CCC: Grade
DECISION_UNSPECIFIED: Decision
APPROVE: Decision
REFER: Decision
DECLINE: Decision
MODEL_STATUS_UNSPECIFIED: ModelStatus
CANDIDATE: ModelStatus
SERVING: ModelStatus
RETIRED: ModelStatus

class ScoreFinancingRequest(_message.Message):
    __slots__ = ("request_id", "enterprise_id", "product", "amount", "tenor_days", "order_ids", "trade_record")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TENOR_DAYS_FIELD_NUMBER: _ClassVar[int]
    ORDER_IDS_FIELD_NUMBER: _ClassVar[int]
    TRADE_RECORD_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    enterprise_id: str
    product: FinancingProduct
    amount: _common_pb2.Money
    tenor_days: int
    order_ids: _containers.RepeatedScalarFieldContainer[str]
    trade_record: TradeRecord
    def __init__(self, request_id: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., product: _Optional[_Union[FinancingProduct, str]] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tenor_days: _Optional[int] = ..., order_ids: _Optional[_Iterable[str]] = ..., trade_record: _Optional[_Union[TradeRecord, _Mapping]] = ...) -> None: ...

class TradeRecord(_message.Message):
    __slots__ = ("as_of", "enterprise", "buyers", "orders", "payments", "waybills", "declarations", "financings")
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_FIELD_NUMBER: _ClassVar[int]
    BUYERS_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    WAYBILLS_FIELD_NUMBER: _ClassVar[int]
    DECLARATIONS_FIELD_NUMBER: _ClassVar[int]
    FINANCINGS_FIELD_NUMBER: _ClassVar[int]
    as_of: _timestamp_pb2.Timestamp
    enterprise: RecordEnterprise
    buyers: _containers.RepeatedCompositeFieldContainer[RecordBuyer]
    orders: _containers.RepeatedCompositeFieldContainer[RecordOrder]
    payments: _containers.RepeatedCompositeFieldContainer[RecordPayment]
    waybills: _containers.RepeatedCompositeFieldContainer[RecordWaybill]
    declarations: _containers.RepeatedCompositeFieldContainer[RecordDeclaration]
    financings: _containers.RepeatedCompositeFieldContainer[RecordFinancing]
    def __init__(self, as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., enterprise: _Optional[_Union[RecordEnterprise, _Mapping]] = ..., buyers: _Optional[_Iterable[_Union[RecordBuyer, _Mapping]]] = ..., orders: _Optional[_Iterable[_Union[RecordOrder, _Mapping]]] = ..., payments: _Optional[_Iterable[_Union[RecordPayment, _Mapping]]] = ..., waybills: _Optional[_Iterable[_Union[RecordWaybill, _Mapping]]] = ..., declarations: _Optional[_Iterable[_Union[RecordDeclaration, _Mapping]]] = ..., financings: _Optional[_Iterable[_Union[RecordFinancing, _Mapping]]] = ...) -> None: ...

class RecordEnterprise(_message.Message):
    __slots__ = ("name", "uscc", "registered_at", "region", "industry_hs2", "business_model", "registered_capital_cny", "employees", "customs_credit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_HS2_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_MODEL_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_CAPITAL_CNY_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_FIELD_NUMBER: _ClassVar[int]
    CUSTOMS_CREDIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    uscc: str
    registered_at: _timestamp_pb2.Timestamp
    region: str
    industry_hs2: str
    business_model: str
    registered_capital_cny: float
    employees: int
    customs_credit: str
    def __init__(self, name: _Optional[str] = ..., uscc: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., region: _Optional[str] = ..., industry_hs2: _Optional[str] = ..., business_model: _Optional[str] = ..., registered_capital_cny: _Optional[float] = ..., employees: _Optional[int] = ..., customs_credit: _Optional[str] = ...) -> None: ...

class RecordBuyer(_message.Message):
    __slots__ = ("buyer_id", "name", "country", "buyer_grade")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    BUYER_GRADE_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    name: str
    country: str
    buyer_grade: int
    def __init__(self, buyer_id: _Optional[str] = ..., name: _Optional[str] = ..., country: _Optional[str] = ..., buyer_grade: _Optional[int] = ...) -> None: ...

class RecordOrder(_message.Message):
    __slots__ = ("order_id", "buyer_id", "platform", "ordered_at", "hs_code", "quantity", "unit", "unit_price", "currency", "amount", "incoterm", "payment_terms", "credit_days")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    ORDERED_AT_FIELD_NUMBER: _ClassVar[int]
    HS_CODE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    INCOTERM_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_DAYS_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    buyer_id: str
    platform: str
    ordered_at: _timestamp_pb2.Timestamp
    hs_code: str
    quantity: float
    unit: str
    unit_price: float
    currency: str
    amount: float
    incoterm: str
    payment_terms: str
    credit_days: int
    def __init__(self, order_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., platform: _Optional[str] = ..., ordered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., hs_code: _Optional[str] = ..., quantity: _Optional[float] = ..., unit: _Optional[str] = ..., unit_price: _Optional[float] = ..., currency: _Optional[str] = ..., amount: _Optional[float] = ..., incoterm: _Optional[str] = ..., payment_terms: _Optional[str] = ..., credit_days: _Optional[int] = ...) -> None: ...

class RecordPayment(_message.Message):
    __slots__ = ("payment_id", "order_id", "payer_name", "payer_country", "payer_account", "paid_at", "amount", "currency", "channel")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    PAYER_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    PAYER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    order_id: str
    payer_name: str
    payer_country: str
    payer_account: str
    paid_at: _timestamp_pb2.Timestamp
    amount: float
    currency: str
    channel: str
    def __init__(self, payment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., payer_name: _Optional[str] = ..., payer_country: _Optional[str] = ..., payer_account: _Optional[str] = ..., paid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., amount: _Optional[float] = ..., currency: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class RecordWaybill(_message.Message):
    __slots__ = ("waybill_id", "order_id", "carrier", "shipped_at", "delivered_at", "origin", "destination_country", "gross_weight_kg", "packages", "status", "quantity")
    WAYBILL_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    GROSS_WEIGHT_KG_FIELD_NUMBER: _ClassVar[int]
    PACKAGES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    waybill_id: str
    order_id: str
    carrier: str
    shipped_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    origin: str
    destination_country: str
    gross_weight_kg: float
    packages: int
    status: str
    quantity: float
    def __init__(self, waybill_id: _Optional[str] = ..., order_id: _Optional[str] = ..., carrier: _Optional[str] = ..., shipped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., origin: _Optional[str] = ..., destination_country: _Optional[str] = ..., gross_weight_kg: _Optional[float] = ..., packages: _Optional[int] = ..., status: _Optional[str] = ..., quantity: _Optional[float] = ...) -> None: ...

class RecordDeclaration(_message.Message):
    __slots__ = ("declaration_id", "order_id", "declared_at", "hs_code", "declared_value", "currency", "quantity", "customs_status")
    DECLARATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    DECLARED_AT_FIELD_NUMBER: _ClassVar[int]
    HS_CODE_FIELD_NUMBER: _ClassVar[int]
    DECLARED_VALUE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMS_STATUS_FIELD_NUMBER: _ClassVar[int]
    declaration_id: str
    order_id: str
    declared_at: _timestamp_pb2.Timestamp
    hs_code: str
    declared_value: float
    currency: str
    quantity: float
    customs_status: str
    def __init__(self, declaration_id: _Optional[str] = ..., order_id: _Optional[str] = ..., declared_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., hs_code: _Optional[str] = ..., declared_value: _Optional[float] = ..., currency: _Optional[str] = ..., quantity: _Optional[float] = ..., customs_status: _Optional[str] = ...) -> None: ...

class RecordFinancing(_message.Message):
    __slots__ = ("financing_id", "product", "amount", "currency", "disbursed_at", "due_at", "repaid_at", "defaulted")
    FINANCING_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DISBURSED_AT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    REPAID_AT_FIELD_NUMBER: _ClassVar[int]
    DEFAULTED_FIELD_NUMBER: _ClassVar[int]
    financing_id: str
    product: str
    amount: float
    currency: str
    disbursed_at: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    repaid_at: _timestamp_pb2.Timestamp
    defaulted: bool
    def __init__(self, financing_id: _Optional[str] = ..., product: _Optional[str] = ..., amount: _Optional[float] = ..., currency: _Optional[str] = ..., disbursed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., repaid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., defaulted: _Optional[bool] = ...) -> None: ...

class Reason(_message.Message):
    __slots__ = ("feature", "contribution", "message", "value", "code")
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    feature: str
    contribution: float
    message: str
    value: float
    code: str
    def __init__(self, feature: _Optional[str] = ..., contribution: _Optional[float] = ..., message: _Optional[str] = ..., value: _Optional[float] = ..., code: _Optional[str] = ...) -> None: ...

class FinancingScore(_message.Message):
    __slots__ = ("request_id", "enterprise_id", "probability_of_default", "score", "grade", "decision", "recommended_limit", "reasons", "model_version", "raw_score", "base_value", "features_as_of", "policy_notes", "thin_file")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_OF_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDED_LIMIT_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    RAW_SCORE_FIELD_NUMBER: _ClassVar[int]
    BASE_VALUE_FIELD_NUMBER: _ClassVar[int]
    FEATURES_AS_OF_FIELD_NUMBER: _ClassVar[int]
    POLICY_NOTES_FIELD_NUMBER: _ClassVar[int]
    THIN_FILE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    enterprise_id: str
    probability_of_default: float
    score: float
    grade: Grade
    decision: Decision
    recommended_limit: _common_pb2.Money
    reasons: _containers.RepeatedCompositeFieldContainer[Reason]
    model_version: str
    raw_score: float
    base_value: float
    features_as_of: _timestamp_pb2.Timestamp
    policy_notes: _containers.RepeatedScalarFieldContainer[str]
    thin_file: bool
    def __init__(self, request_id: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., probability_of_default: _Optional[float] = ..., score: _Optional[float] = ..., grade: _Optional[_Union[Grade, str]] = ..., decision: _Optional[_Union[Decision, str]] = ..., recommended_limit: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reasons: _Optional[_Iterable[_Union[Reason, _Mapping]]] = ..., model_version: _Optional[str] = ..., raw_score: _Optional[float] = ..., base_value: _Optional[float] = ..., features_as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., policy_notes: _Optional[_Iterable[str]] = ..., thin_file: _Optional[bool] = ...) -> None: ...

class StreamScoreFinancingRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[ScoreFinancingRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[ScoreFinancingRequest, _Mapping]]] = ...) -> None: ...

class ScoreResult(_message.Message):
    __slots__ = ("index", "score", "error")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    index: int
    score: FinancingScore
    error: _common_pb2.ItemError
    def __init__(self, index: _Optional[int] = ..., score: _Optional[_Union[FinancingScore, _Mapping]] = ..., error: _Optional[_Union[_common_pb2.ItemError, _Mapping]] = ...) -> None: ...

class StreamScoreFinancingResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ScoreResult]
    def __init__(self, results: _Optional[_Iterable[_Union[ScoreResult, _Mapping]]] = ...) -> None: ...

class GetModelRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ScoreScaling(_message.Message):
    __slots__ = ("base_points", "base_odds", "points_to_double_odds")
    BASE_POINTS_FIELD_NUMBER: _ClassVar[int]
    BASE_ODDS_FIELD_NUMBER: _ClassVar[int]
    POINTS_TO_DOUBLE_ODDS_FIELD_NUMBER: _ClassVar[int]
    base_points: float
    base_odds: float
    points_to_double_odds: float
    def __init__(self, base_points: _Optional[float] = ..., base_odds: _Optional[float] = ..., points_to_double_odds: _Optional[float] = ...) -> None: ...

class GradeBand(_message.Message):
    __slots__ = ("grade", "min_pd", "max_pd")
    GRADE_FIELD_NUMBER: _ClassVar[int]
    MIN_PD_FIELD_NUMBER: _ClassVar[int]
    MAX_PD_FIELD_NUMBER: _ClassVar[int]
    grade: Grade
    min_pd: float
    max_pd: float
    def __init__(self, grade: _Optional[_Union[Grade, str]] = ..., min_pd: _Optional[float] = ..., max_pd: _Optional[float] = ...) -> None: ...

class FeatureInfo(_message.Message):
    __slots__ = ("name", "description", "unit", "importance", "monotone_direction")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    MONOTONE_DIRECTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    unit: str
    importance: float
    monotone_direction: int
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., unit: _Optional[str] = ..., importance: _Optional[float] = ..., monotone_direction: _Optional[int] = ...) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("version", "trained_at", "data_fingerprint", "metrics", "features", "score_scaling", "grade_bands", "calibration", "reference_tenor_days", "features_as_of", "enterprises")
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TRAINED_AT_FIELD_NUMBER: _ClassVar[int]
    DATA_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    SCORE_SCALING_FIELD_NUMBER: _ClassVar[int]
    GRADE_BANDS_FIELD_NUMBER: _ClassVar[int]
    CALIBRATION_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_TENOR_DAYS_FIELD_NUMBER: _ClassVar[int]
    FEATURES_AS_OF_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISES_FIELD_NUMBER: _ClassVar[int]
    version: str
    trained_at: _timestamp_pb2.Timestamp
    data_fingerprint: str
    metrics: _containers.ScalarMap[str, float]
    features: _containers.RepeatedCompositeFieldContainer[FeatureInfo]
    score_scaling: ScoreScaling
    grade_bands: _containers.RepeatedCompositeFieldContainer[GradeBand]
    calibration: str
    reference_tenor_days: int
    features_as_of: _timestamp_pb2.Timestamp
    enterprises: int
    def __init__(self, version: _Optional[str] = ..., trained_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., data_fingerprint: _Optional[str] = ..., metrics: _Optional[_Mapping[str, float]] = ..., features: _Optional[_Iterable[_Union[FeatureInfo, _Mapping]]] = ..., score_scaling: _Optional[_Union[ScoreScaling, _Mapping]] = ..., grade_bands: _Optional[_Iterable[_Union[GradeBand, _Mapping]]] = ..., calibration: _Optional[str] = ..., reference_tenor_days: _Optional[int] = ..., features_as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., enterprises: _Optional[int] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class RegisteredModel(_message.Message):
    __slots__ = ("version", "trained_at", "status", "gates_passed", "gate_failures")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TRAINED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    GATES_PASSED_FIELD_NUMBER: _ClassVar[int]
    GATE_FAILURES_FIELD_NUMBER: _ClassVar[int]
    version: str
    trained_at: _timestamp_pb2.Timestamp
    status: ModelStatus
    gates_passed: bool
    gate_failures: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, version: _Optional[str] = ..., trained_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[ModelStatus, str]] = ..., gates_passed: _Optional[bool] = ..., gate_failures: _Optional[_Iterable[str]] = ...) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models", "next_page_token")
    MODELS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[RegisteredModel]
    next_page_token: str
    def __init__(self, models: _Optional[_Iterable[_Union[RegisteredModel, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PromoteModelRequest(_message.Message):
    __slots__ = ("version", "approver", "reason")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    APPROVER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    version: str
    approver: str
    reason: str
    def __init__(self, version: _Optional[str] = ..., approver: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RollbackModelRequest(_message.Message):
    __slots__ = ("approver", "reason")
    APPROVER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    approver: str
    reason: str
    def __init__(self, approver: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ModelRegistryEvent(_message.Message):
    __slots__ = ("action", "version", "previous_version", "approver", "reason", "occurred_at")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_VERSION_FIELD_NUMBER: _ClassVar[int]
    APPROVER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    action: str
    version: str
    previous_version: str
    approver: str
    reason: str
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, action: _Optional[str] = ..., version: _Optional[str] = ..., previous_version: _Optional[str] = ..., approver: _Optional[str] = ..., reason: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

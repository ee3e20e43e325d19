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

class PolicyType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POLICY_TYPE_UNSPECIFIED: _ClassVar[PolicyType]
    SHORT_TERM: _ClassVar[PolicyType]
    MEDIUM_LONG_TERM: _ClassVar[PolicyType]

class BuyerCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BUYER_CATEGORY_UNSPECIFIED: _ClassVar[BuyerCategory]
    SOV_PLUS: _ClassVar[BuyerCategory]
    SOV_CC0: _ClassVar[BuyerCategory]
    CC1: _ClassVar[BuyerCategory]
    CC2: _ClassVar[BuyerCategory]
    CC3: _ClassVar[BuyerCategory]
    CC4: _ClassVar[BuyerCategory]
    CC5: _ClassVar[BuyerCategory]

class ProductQuality(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRODUCT_QUALITY_UNSPECIFIED: _ClassVar[ProductQuality]
    BELOW_STANDARD: _ClassVar[ProductQuality]
    STANDARD: _ClassVar[ProductQuality]
    ABOVE_STANDARD: _ClassVar[ProductQuality]

class QuoteOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUOTE_OUTCOME_UNSPECIFIED: _ClassVar[QuoteOutcome]
    QUOTED: _ClassVar[QuoteOutcome]
    DECLINED: _ClassVar[QuoteOutcome]

class CreditLimitDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDIT_LIMIT_DECISION_UNSPECIFIED: _ClassVar[CreditLimitDecision]
    CREDIT_LIMIT_DECISION_APPROVED: _ClassVar[CreditLimitDecision]
    CREDIT_LIMIT_DECISION_REDUCED: _ClassVar[CreditLimitDecision]
    CREDIT_LIMIT_DECISION_DECLINED: _ClassVar[CreditLimitDecision]

class CreditLimitState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDIT_LIMIT_STATE_UNSPECIFIED: _ClassVar[CreditLimitState]
    CREDIT_LIMIT_STATE_ACTIVE: _ClassVar[CreditLimitState]
    CREDIT_LIMIT_STATE_DECLINED: _ClassVar[CreditLimitState]
    CREDIT_LIMIT_STATE_CANCELLED: _ClassVar[CreditLimitState]

class PolicyState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POLICY_STATE_UNSPECIFIED: _ClassVar[PolicyState]
    POLICY_STATE_IN_FORCE: _ClassVar[PolicyState]
    POLICY_STATE_CANCELLED: _ClassVar[PolicyState]

class ClaimDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLAIM_DECISION_UNSPECIFIED: _ClassVar[ClaimDecision]
    CLAIM_DECISION_PAID: _ClassVar[ClaimDecision]
    CLAIM_DECISION_REJECTED: _ClassVar[ClaimDecision]
POLICY_TYPE_UNSPECIFIED: PolicyType
SHORT_TERM: PolicyType
MEDIUM_LONG_TERM: PolicyType
BUYER_CATEGORY_UNSPECIFIED: BuyerCategory
SOV_PLUS: BuyerCategory
SOV_CC0: BuyerCategory
CC1: BuyerCategory
CC2: BuyerCategory
CC3: BuyerCategory
CC4: BuyerCategory
CC5: BuyerCategory
PRODUCT_QUALITY_UNSPECIFIED: ProductQuality
BELOW_STANDARD: ProductQuality
STANDARD: ProductQuality
ABOVE_STANDARD: ProductQuality
QUOTE_OUTCOME_UNSPECIFIED: QuoteOutcome
QUOTED: QuoteOutcome
DECLINED: QuoteOutcome
CREDIT_LIMIT_DECISION_UNSPECIFIED: CreditLimitDecision
CREDIT_LIMIT_DECISION_APPROVED: CreditLimitDecision
CREDIT_LIMIT_DECISION_REDUCED: CreditLimitDecision
CREDIT_LIMIT_DECISION_DECLINED: CreditLimitDecision
CREDIT_LIMIT_STATE_UNSPECIFIED: CreditLimitState
CREDIT_LIMIT_STATE_ACTIVE: CreditLimitState
CREDIT_LIMIT_STATE_DECLINED: CreditLimitState
CREDIT_LIMIT_STATE_CANCELLED: CreditLimitState
POLICY_STATE_UNSPECIFIED: PolicyState
POLICY_STATE_IN_FORCE: PolicyState
POLICY_STATE_CANCELLED: PolicyState
CLAIM_DECISION_UNSPECIFIED: ClaimDecision
CLAIM_DECISION_PAID: ClaimDecision
CLAIM_DECISION_REJECTED: ClaimDecision

class Buyer(_message.Message):
    __slots__ = ("buyer_id", "name", "country_code", "grade", "buyer_rating")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    BUYER_RATING_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    name: str
    country_code: str
    grade: int
    buyer_rating: str
    def __init__(self, buyer_id: _Optional[str] = ..., name: _Optional[str] = ..., country_code: _Optional[str] = ..., grade: _Optional[int] = ..., buyer_rating: _Optional[str] = ...) -> None: ...

class QuotePremiumRequest(_message.Message):
    __slots__ = ("request_id", "policy_type", "exporter_id", "buyer", "insured_amount", "payment_terms", "credit_days", "commercial_cover", "political_cover", "country_risk_category", "disbursement_months", "repayment_years", "buyer_category", "product_quality", "local_currency_factor", "credit_enhancement_factor", "waiting_period_days", "exporter_name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    INSURED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_DAYS_FIELD_NUMBER: _ClassVar[int]
    COMMERCIAL_COVER_FIELD_NUMBER: _ClassVar[int]
    POLITICAL_COVER_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_RISK_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DISBURSEMENT_MONTHS_FIELD_NUMBER: _ClassVar[int]
    REPAYMENT_YEARS_FIELD_NUMBER: _ClassVar[int]
    BUYER_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_QUALITY_FIELD_NUMBER: _ClassVar[int]
    LOCAL_CURRENCY_FACTOR_FIELD_NUMBER: _ClassVar[int]
    CREDIT_ENHANCEMENT_FACTOR_FIELD_NUMBER: _ClassVar[int]
    WAITING_PERIOD_DAYS_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    policy_type: PolicyType
    exporter_id: str
    buyer: Buyer
    insured_amount: _common_pb2.Money
    payment_terms: _common_pb2.PaymentTerms
    credit_days: int
    commercial_cover: float
    political_cover: float
    country_risk_category: int
    disbursement_months: int
    repayment_years: float
    buyer_category: BuyerCategory
    product_quality: ProductQuality
    local_currency_factor: float
    credit_enhancement_factor: float
    waiting_period_days: int
    exporter_name: str
    def __init__(self, request_id: _Optional[str] = ..., policy_type: _Optional[_Union[PolicyType, str]] = ..., exporter_id: _Optional[str] = ..., buyer: _Optional[_Union[Buyer, _Mapping]] = ..., insured_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., payment_terms: _Optional[_Union[_common_pb2.PaymentTerms, str]] = ..., credit_days: _Optional[int] = ..., commercial_cover: _Optional[float] = ..., political_cover: _Optional[float] = ..., country_risk_category: _Optional[int] = ..., disbursement_months: _Optional[int] = ..., repayment_years: _Optional[float] = ..., buyer_category: _Optional[_Union[BuyerCategory, str]] = ..., product_quality: _Optional[_Union[ProductQuality, str]] = ..., local_currency_factor: _Optional[float] = ..., credit_enhancement_factor: _Optional[float] = ..., waiting_period_days: _Optional[int] = ..., exporter_name: _Optional[str] = ...) -> None: ...

class MinimumPremiumRate(_message.Message):
    __slots__ = ("horizon_of_risk_years", "a", "b", "c", "country_part", "buyer_part", "quality_of_product_factor", "percentage_of_cover_factor", "better_than_sovereign_factor", "term_adjustment", "local_currency_factor", "credit_enhancement_factor", "rate", "buyer_category", "country_risk_category")
    HORIZON_OF_RISK_YEARS_FIELD_NUMBER: _ClassVar[int]
    A_FIELD_NUMBER: _ClassVar[int]
    B_FIELD_NUMBER: _ClassVar[int]
    C_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_PART_FIELD_NUMBER: _ClassVar[int]
    BUYER_PART_FIELD_NUMBER: _ClassVar[int]
    QUALITY_OF_PRODUCT_FACTOR_FIELD_NUMBER: _ClassVar[int]
    PERCENTAGE_OF_COVER_FACTOR_FIELD_NUMBER: _ClassVar[int]
    BETTER_THAN_SOVEREIGN_FACTOR_FIELD_NUMBER: _ClassVar[int]
    TERM_ADJUSTMENT_FIELD_NUMBER: _ClassVar[int]
    LOCAL_CURRENCY_FACTOR_FIELD_NUMBER: _ClassVar[int]
    CREDIT_ENHANCEMENT_FACTOR_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    BUYER_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_RISK_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    horizon_of_risk_years: float
    a: float
    b: float
    c: float
    country_part: float
    buyer_part: float
    quality_of_product_factor: float
    percentage_of_cover_factor: float
    better_than_sovereign_factor: float
    term_adjustment: float
    local_currency_factor: float
    credit_enhancement_factor: float
    rate: float
    buyer_category: BuyerCategory
    country_risk_category: int
    def __init__(self, horizon_of_risk_years: _Optional[float] = ..., a: _Optional[float] = ..., b: _Optional[float] = ..., c: _Optional[float] = ..., country_part: _Optional[float] = ..., buyer_part: _Optional[float] = ..., quality_of_product_factor: _Optional[float] = ..., percentage_of_cover_factor: _Optional[float] = ..., better_than_sovereign_factor: _Optional[float] = ..., term_adjustment: _Optional[float] = ..., local_currency_factor: _Optional[float] = ..., credit_enhancement_factor: _Optional[float] = ..., rate: _Optional[float] = ..., buyer_category: _Optional[_Union[BuyerCategory, str]] = ..., country_risk_category: _Optional[int] = ...) -> None: ...

class PremiumBreakdown(_message.Message):
    __slots__ = ("buyer_default_probability", "buyer_default_probability_source", "country_risk_category", "country_event_probability", "loss_given_default", "commercial_expected_loss", "country_expected_loss", "payment_terms_factor", "waiting_period_factor", "expense_loading", "capital_loading", "technical_rate", "minimum_premium", "minimum_premium_rate", "floored_by_mpr", "market_priced", "waiting_period_days", "rate_before_minimum_premium", "floored_by_minimum_premium", "market_benchmark_rate", "market_benchmark_source", "fx_rates_as_of")
    BUYER_DEFAULT_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    BUYER_DEFAULT_PROBABILITY_SOURCE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_RISK_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_EVENT_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    LOSS_GIVEN_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    COMMERCIAL_EXPECTED_LOSS_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_EXPECTED_LOSS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_FACTOR_FIELD_NUMBER: _ClassVar[int]
    WAITING_PERIOD_FACTOR_FIELD_NUMBER: _ClassVar[int]
    EXPENSE_LOADING_FIELD_NUMBER: _ClassVar[int]
    CAPITAL_LOADING_FIELD_NUMBER: _ClassVar[int]
    TECHNICAL_RATE_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_PREMIUM_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_PREMIUM_RATE_FIELD_NUMBER: _ClassVar[int]
    FLOORED_BY_MPR_FIELD_NUMBER: _ClassVar[int]
    MARKET_PRICED_FIELD_NUMBER: _ClassVar[int]
    WAITING_PERIOD_DAYS_FIELD_NUMBER: _ClassVar[int]
    RATE_BEFORE_MINIMUM_PREMIUM_FIELD_NUMBER: _ClassVar[int]
    FLOORED_BY_MINIMUM_PREMIUM_FIELD_NUMBER: _ClassVar[int]
    MARKET_BENCHMARK_RATE_FIELD_NUMBER: _ClassVar[int]
    MARKET_BENCHMARK_SOURCE_FIELD_NUMBER: _ClassVar[int]
    FX_RATES_AS_OF_FIELD_NUMBER: _ClassVar[int]
    buyer_default_probability: float
    buyer_default_probability_source: str
    country_risk_category: int
    country_event_probability: float
    loss_given_default: float
    commercial_expected_loss: float
    country_expected_loss: float
    payment_terms_factor: float
    waiting_period_factor: float
    expense_loading: float
    capital_loading: float
    technical_rate: float
    minimum_premium: _common_pb2.Money
    minimum_premium_rate: MinimumPremiumRate
    floored_by_mpr: bool
    market_priced: bool
    waiting_period_days: int
    rate_before_minimum_premium: float
    floored_by_minimum_premium: bool
    market_benchmark_rate: float
    market_benchmark_source: str
    fx_rates_as_of: str
    def __init__(self, buyer_default_probability: _Optional[float] = ..., buyer_default_probability_source: _Optional[str] = ..., country_risk_category: _Optional[int] = ..., country_event_probability: _Optional[float] = ..., loss_given_default: _Optional[float] = ..., commercial_expected_loss: _Optional[float] = ..., country_expected_loss: _Optional[float] = ..., payment_terms_factor: _Optional[float] = ..., waiting_period_factor: _Optional[float] = ..., expense_loading: _Optional[float] = ..., capital_loading: _Optional[float] = ..., technical_rate: _Optional[float] = ..., minimum_premium: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., minimum_premium_rate: _Optional[_Union[MinimumPremiumRate, _Mapping]] = ..., floored_by_mpr: _Optional[bool] = ..., market_priced: _Optional[bool] = ..., waiting_period_days: _Optional[int] = ..., rate_before_minimum_premium: _Optional[float] = ..., floored_by_minimum_premium: _Optional[bool] = ..., market_benchmark_rate: _Optional[float] = ..., market_benchmark_source: _Optional[str] = ..., fx_rates_as_of: _Optional[str] = ...) -> None: ...

class PremiumQuote(_message.Message):
    __slots__ = ("quote_id", "request_id", "policy_type", "premium_rate", "premium", "breakdown", "minimum_premium_rate", "valid_until", "outcome", "decline_reasons", "fallbacks", "created_at", "exporter_id", "buyer", "insured_amount", "commercial_cover", "political_cover", "credit_days", "disbursement_months", "repayment_years")
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    PREMIUM_RATE_FIELD_NUMBER: _ClassVar[int]
    PREMIUM_FIELD_NUMBER: _ClassVar[int]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_PREMIUM_RATE_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DECLINE_REASONS_FIELD_NUMBER: _ClassVar[int]
    FALLBACKS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    INSURED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    COMMERCIAL_COVER_FIELD_NUMBER: _ClassVar[int]
    POLITICAL_COVER_FIELD_NUMBER: _ClassVar[int]
    CREDIT_DAYS_FIELD_NUMBER: _ClassVar[int]
    DISBURSEMENT_MONTHS_FIELD_NUMBER: _ClassVar[int]
    REPAYMENT_YEARS_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    request_id: str
    policy_type: PolicyType
    premium_rate: float
    premium: _common_pb2.Money
    breakdown: PremiumBreakdown
    minimum_premium_rate: float
    valid_until: _timestamp_pb2.Timestamp
    outcome: QuoteOutcome
    decline_reasons: _containers.RepeatedScalarFieldContainer[str]
    fallbacks: _containers.RepeatedScalarFieldContainer[str]
    created_at: _timestamp_pb2.Timestamp
    exporter_id: str
    buyer: Buyer
    insured_amount: _common_pb2.Money
    commercial_cover: float
    political_cover: float
    credit_days: int
    disbursement_months: int
    repayment_years: float
    def __init__(self, quote_id: _Optional[str] = ..., request_id: _Optional[str] = ..., policy_type: _Optional[_Union[PolicyType, str]] = ..., premium_rate: _Optional[float] = ..., premium: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., breakdown: _Optional[_Union[PremiumBreakdown, _Mapping]] = ..., minimum_premium_rate: _Optional[float] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcome: _Optional[_Union[QuoteOutcome, str]] = ..., decline_reasons: _Optional[_Iterable[str]] = ..., fallbacks: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., exporter_id: _Optional[str] = ..., buyer: _Optional[_Union[Buyer, _Mapping]] = ..., insured_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., commercial_cover: _Optional[float] = ..., political_cover: _Optional[float] = ..., credit_days: _Optional[int] = ..., disbursement_months: _Optional[int] = ..., repayment_years: _Optional[float] = ...) -> None: ...

class QuotePolicyFinancingRequest(_message.Message):
    __slots__ = ("request_id", "exporter_id", "receivable", "tenor_days", "commercial_cover", "political_cover", "premium_quote_id", "buyer", "exporter_name", "policy_number")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLE_FIELD_NUMBER: _ClassVar[int]
    TENOR_DAYS_FIELD_NUMBER: _ClassVar[int]
    COMMERCIAL_COVER_FIELD_NUMBER: _ClassVar[int]
    POLITICAL_COVER_FIELD_NUMBER: _ClassVar[int]
    PREMIUM_QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    exporter_id: str
    receivable: _common_pb2.Money
    tenor_days: int
    commercial_cover: float
    political_cover: float
    premium_quote_id: str
    buyer: Buyer
    exporter_name: str
    policy_number: str
    def __init__(self, request_id: _Optional[str] = ..., exporter_id: _Optional[str] = ..., receivable: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tenor_days: _Optional[int] = ..., commercial_cover: _Optional[float] = ..., political_cover: _Optional[float] = ..., premium_quote_id: _Optional[str] = ..., buyer: _Optional[_Union[Buyer, _Mapping]] = ..., exporter_name: _Optional[str] = ..., policy_number: _Optional[str] = ...) -> None: ...

class PolicyFinancingQuote(_message.Message):
    __slots__ = ("quote_id", "request_id", "advance_rate", "advance_amount", "interest_margin", "exporter_default_probability", "uninsured_expected_loss", "funding_spread", "capital_charge", "valid_until", "outcome", "decline_reasons", "fallbacks", "created_at", "exporter_id", "policy_number", "buyer_default_probability")
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ADVANCE_RATE_FIELD_NUMBER: _ClassVar[int]
    ADVANCE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    INTEREST_MARGIN_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_DEFAULT_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    UNINSURED_EXPECTED_LOSS_FIELD_NUMBER: _ClassVar[int]
    FUNDING_SPREAD_FIELD_NUMBER: _ClassVar[int]
    CAPITAL_CHARGE_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DECLINE_REASONS_FIELD_NUMBER: _ClassVar[int]
    FALLBACKS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BUYER_DEFAULT_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    request_id: str
    advance_rate: float
    advance_amount: _common_pb2.Money
    interest_margin: float
    exporter_default_probability: float
    uninsured_expected_loss: float
    funding_spread: float
    capital_charge: float
    valid_until: _timestamp_pb2.Timestamp
    outcome: QuoteOutcome
    decline_reasons: _containers.RepeatedScalarFieldContainer[str]
    fallbacks: _containers.RepeatedScalarFieldContainer[str]
    created_at: _timestamp_pb2.Timestamp
    exporter_id: str
    policy_number: str
    buyer_default_probability: float
    def __init__(self, quote_id: _Optional[str] = ..., request_id: _Optional[str] = ..., advance_rate: _Optional[float] = ..., advance_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., interest_margin: _Optional[float] = ..., exporter_default_probability: _Optional[float] = ..., uninsured_expected_loss: _Optional[float] = ..., funding_spread: _Optional[float] = ..., capital_charge: _Optional[float] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcome: _Optional[_Union[QuoteOutcome, str]] = ..., decline_reasons: _Optional[_Iterable[str]] = ..., fallbacks: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., exporter_id: _Optional[str] = ..., policy_number: _Optional[str] = ..., buyer_default_probability: _Optional[float] = ...) -> None: ...

class GetQuoteRequest(_message.Message):
    __slots__ = ("quote_id",)
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    def __init__(self, quote_id: _Optional[str] = ...) -> None: ...

class Quote(_message.Message):
    __slots__ = ("premium_quote", "policy_financing_quote")
    PREMIUM_QUOTE_FIELD_NUMBER: _ClassVar[int]
    POLICY_FINANCING_QUOTE_FIELD_NUMBER: _ClassVar[int]
    premium_quote: PremiumQuote
    policy_financing_quote: PolicyFinancingQuote
    def __init__(self, premium_quote: _Optional[_Union[PremiumQuote, _Mapping]] = ..., policy_financing_quote: _Optional[_Union[PolicyFinancingQuote, _Mapping]] = ...) -> None: ...

class LimitReason(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class RequestCreditLimitRequest(_message.Message):
    __slots__ = ("request_id", "exporter_id", "buyer", "amount", "payment_terms", "credit_days")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_DAYS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    exporter_id: str
    buyer: Buyer
    amount: _common_pb2.Money
    payment_terms: _common_pb2.PaymentTerms
    credit_days: int
    def __init__(self, request_id: _Optional[str] = ..., exporter_id: _Optional[str] = ..., buyer: _Optional[_Union[Buyer, _Mapping]] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., payment_terms: _Optional[_Union[_common_pb2.PaymentTerms, str]] = ..., credit_days: _Optional[int] = ...) -> None: ...

class CreditLimit(_message.Message):
    __slots__ = ("name", "version", "exporter_id", "buyer", "buyer_group", "country_risk_category", "requested_amount", "approved_amount", "decision", "state", "reasons", "buyer_default_probability", "buyer_default_probability_source", "payment_terms", "credit_days", "create_time", "update_time", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    BUYER_GROUP_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_RISK_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    APPROVED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    BUYER_DEFAULT_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    BUYER_DEFAULT_PROBABILITY_SOURCE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_DAYS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: int
    exporter_id: str
    buyer: Buyer
    buyer_group: str
    country_risk_category: int
    requested_amount: _common_pb2.Money
    approved_amount: _common_pb2.Money
    decision: CreditLimitDecision
    state: CreditLimitState
    reasons: _containers.RepeatedCompositeFieldContainer[LimitReason]
    buyer_default_probability: float
    buyer_default_probability_source: str
    payment_terms: _common_pb2.PaymentTerms
    credit_days: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    request_id: str
    def __init__(self, name: _Optional[str] = ..., version: _Optional[int] = ..., exporter_id: _Optional[str] = ..., buyer: _Optional[_Union[Buyer, _Mapping]] = ..., buyer_group: _Optional[str] = ..., country_risk_category: _Optional[int] = ..., requested_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., approved_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., decision: _Optional[_Union[CreditLimitDecision, str]] = ..., state: _Optional[_Union[CreditLimitState, str]] = ..., reasons: _Optional[_Iterable[_Union[LimitReason, _Mapping]]] = ..., buyer_default_probability: _Optional[float] = ..., buyer_default_probability_source: _Optional[str] = ..., payment_terms: _Optional[_Union[_common_pb2.PaymentTerms, str]] = ..., credit_days: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetCreditLimitRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListCreditLimitsRequest(_message.Message):
    __slots__ = ("exporter_id", "buyer_id", "page_size", "page_token")
    EXPORTER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    exporter_id: str
    buyer_id: str
    page_size: int
    page_token: str
    def __init__(self, exporter_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCreditLimitsResponse(_message.Message):
    __slots__ = ("credit_limits", "next_page_token")
    CREDIT_LIMITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    credit_limits: _containers.RepeatedCompositeFieldContainer[CreditLimit]
    next_page_token: str
    def __init__(self, credit_limits: _Optional[_Iterable[_Union[CreditLimit, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelCreditLimitRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CoveredBuyer(_message.Message):
    __slots__ = ("buyer", "credit_limit", "limit_amount", "overdue_amount", "overdue_since", "indemnity_paid", "buyer_default_probability")
    BUYER_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_SINCE_FIELD_NUMBER: _ClassVar[int]
    INDEMNITY_PAID_FIELD_NUMBER: _ClassVar[int]
    BUYER_DEFAULT_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    buyer: Buyer
    credit_limit: str
    limit_amount: _common_pb2.Money
    overdue_amount: _common_pb2.Money
    overdue_since: _timestamp_pb2.Timestamp
    indemnity_paid: _common_pb2.Money
    buyer_default_probability: float
    def __init__(self, buyer: _Optional[_Union[Buyer, _Mapping]] = ..., credit_limit: _Optional[str] = ..., limit_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., overdue_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., overdue_since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., indemnity_paid: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., buyer_default_probability: _Optional[float] = ...) -> None: ...

class PremiumInstalment(_message.Message):
    __slots__ = ("due_time", "amount")
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    due_time: _timestamp_pb2.Timestamp
    amount: _common_pb2.Money
    def __init__(self, due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Policy(_message.Message):
    __slots__ = ("policy_number", "version", "state", "insurer", "insured", "quote_id", "policy_type", "covered_buyers", "maximum_liability", "commercial_cover", "political_cover", "waiting_period_days", "credit_days", "start_time", "end_time", "premium", "premium_schedule", "loss_payee", "cancel_time", "premium_refund", "create_time", "update_time")
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    INSURER_FIELD_NUMBER: _ClassVar[int]
    INSURED_FIELD_NUMBER: _ClassVar[int]
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    COVERED_BUYERS_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_LIABILITY_FIELD_NUMBER: _ClassVar[int]
    COMMERCIAL_COVER_FIELD_NUMBER: _ClassVar[int]
    POLITICAL_COVER_FIELD_NUMBER: _ClassVar[int]
    WAITING_PERIOD_DAYS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_DAYS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PREMIUM_FIELD_NUMBER: _ClassVar[int]
    PREMIUM_SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    LOSS_PAYEE_FIELD_NUMBER: _ClassVar[int]
    CANCEL_TIME_FIELD_NUMBER: _ClassVar[int]
    PREMIUM_REFUND_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    policy_number: str
    version: int
    state: PolicyState
    insurer: str
    insured: str
    quote_id: str
    policy_type: PolicyType
    covered_buyers: _containers.RepeatedCompositeFieldContainer[CoveredBuyer]
    maximum_liability: _common_pb2.Money
    commercial_cover: float
    political_cover: float
    waiting_period_days: int
    credit_days: int
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    premium: _common_pb2.Money
    premium_schedule: _containers.RepeatedCompositeFieldContainer[PremiumInstalment]
    loss_payee: str
    cancel_time: _timestamp_pb2.Timestamp
    premium_refund: _common_pb2.Money
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, policy_number: _Optional[str] = ..., version: _Optional[int] = ..., state: _Optional[_Union[PolicyState, str]] = ..., insurer: _Optional[str] = ..., insured: _Optional[str] = ..., quote_id: _Optional[str] = ..., policy_type: _Optional[_Union[PolicyType, str]] = ..., covered_buyers: _Optional[_Iterable[_Union[CoveredBuyer, _Mapping]]] = ..., maximum_liability: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., commercial_cover: _Optional[float] = ..., political_cover: _Optional[float] = ..., waiting_period_days: _Optional[int] = ..., credit_days: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., premium: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., premium_schedule: _Optional[_Iterable[_Union[PremiumInstalment, _Mapping]]] = ..., loss_payee: _Optional[str] = ..., cancel_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., premium_refund: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BindPolicyRequest(_message.Message):
    __slots__ = ("request_id", "quote_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    quote_id: str
    def __init__(self, request_id: _Optional[str] = ..., quote_id: _Optional[str] = ...) -> None: ...

class GetPolicyRequest(_message.Message):
    __slots__ = ("policy_number",)
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    policy_number: str
    def __init__(self, policy_number: _Optional[str] = ...) -> None: ...

class AssignPolicyRequest(_message.Message):
    __slots__ = ("policy_number", "loss_payee")
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    LOSS_PAYEE_FIELD_NUMBER: _ClassVar[int]
    policy_number: str
    loss_payee: str
    def __init__(self, policy_number: _Optional[str] = ..., loss_payee: _Optional[str] = ...) -> None: ...

class ReportOverdueRequest(_message.Message):
    __slots__ = ("request_id", "policy_number", "buyer_id", "amount", "due_time")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    policy_number: str
    buyer_id: str
    amount: _common_pb2.Money
    due_time: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., policy_number: _Optional[str] = ..., buyer_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FileClaimRequest(_message.Message):
    __slots__ = ("request_id", "policy_number", "buyer_id", "loss")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    LOSS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    policy_number: str
    buyer_id: str
    loss: _common_pb2.Money
    def __init__(self, request_id: _Optional[str] = ..., policy_number: _Optional[str] = ..., buyer_id: _Optional[str] = ..., loss: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Claim(_message.Message):
    __slots__ = ("claim_id", "policy_number", "buyer_id", "decision", "indemnity", "loss", "reasons", "payee", "decide_time")
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    INDEMNITY_FIELD_NUMBER: _ClassVar[int]
    LOSS_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    PAYEE_FIELD_NUMBER: _ClassVar[int]
    DECIDE_TIME_FIELD_NUMBER: _ClassVar[int]
    claim_id: str
    policy_number: str
    buyer_id: str
    decision: ClaimDecision
    indemnity: _common_pb2.Money
    loss: _common_pb2.Money
    reasons: _containers.RepeatedScalarFieldContainer[str]
    payee: str
    decide_time: _timestamp_pb2.Timestamp
    def __init__(self, claim_id: _Optional[str] = ..., policy_number: _Optional[str] = ..., buyer_id: _Optional[str] = ..., decision: _Optional[_Union[ClaimDecision, str]] = ..., indemnity: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., loss: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reasons: _Optional[_Iterable[str]] = ..., payee: _Optional[str] = ..., decide_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CancelPolicyRequest(_message.Message):
    __slots__ = ("policy_number", "cancel_time")
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CANCEL_TIME_FIELD_NUMBER: _ClassVar[int]
    policy_number: str
    cancel_time: _timestamp_pb2.Timestamp
    def __init__(self, policy_number: _Optional[str] = ..., cancel_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListPolicyEventsRequest(_message.Message):
    __slots__ = ("policy_number", "page_size", "page_token")
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    policy_number: str
    page_size: int
    page_token: str
    def __init__(self, policy_number: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class PolicyEvent(_message.Message):
    __slots__ = ("sequence", "event", "actor", "event_time", "detail", "policy_version")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    event: str
    actor: str
    event_time: _timestamp_pb2.Timestamp
    detail: str
    policy_version: int
    def __init__(self, sequence: _Optional[int] = ..., event: _Optional[str] = ..., actor: _Optional[str] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., detail: _Optional[str] = ..., policy_version: _Optional[int] = ...) -> None: ...

class ListPolicyEventsResponse(_message.Message):
    __slots__ = ("events", "next_page_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[PolicyEvent]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[PolicyEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

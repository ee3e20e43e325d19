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
    __slots__ = ("buyer_default_probability", "buyer_default_probability_source", "country_risk_category", "country_event_probability", "loss_given_default", "commercial_expected_loss", "country_expected_loss", "payment_terms_factor", "waiting_period_factor", "expense_loading", "capital_loading", "technical_rate", "minimum_premium", "minimum_premium_rate", "floored_by_mpr", "market_priced")
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
    def __init__(self, buyer_default_probability: _Optional[float] = ..., buyer_default_probability_source: _Optional[str] = ..., country_risk_category: _Optional[int] = ..., country_event_probability: _Optional[float] = ..., loss_given_default: _Optional[float] = ..., commercial_expected_loss: _Optional[float] = ..., country_expected_loss: _Optional[float] = ..., payment_terms_factor: _Optional[float] = ..., waiting_period_factor: _Optional[float] = ..., expense_loading: _Optional[float] = ..., capital_loading: _Optional[float] = ..., technical_rate: _Optional[float] = ..., minimum_premium: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., minimum_premium_rate: _Optional[_Union[MinimumPremiumRate, _Mapping]] = ..., floored_by_mpr: _Optional[bool] = ..., market_priced: _Optional[bool] = ...) -> None: ...

class PremiumQuote(_message.Message):
    __slots__ = ("quote_id", "request_id", "policy_type", "premium_rate", "premium", "breakdown", "minimum_premium_rate", "valid_until", "outcome", "decline_reasons", "fallbacks", "created_at", "exporter_id", "buyer", "insured_amount")
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
    def __init__(self, quote_id: _Optional[str] = ..., request_id: _Optional[str] = ..., policy_type: _Optional[_Union[PolicyType, str]] = ..., premium_rate: _Optional[float] = ..., premium: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., breakdown: _Optional[_Union[PremiumBreakdown, _Mapping]] = ..., minimum_premium_rate: _Optional[float] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcome: _Optional[_Union[QuoteOutcome, str]] = ..., decline_reasons: _Optional[_Iterable[str]] = ..., fallbacks: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., exporter_id: _Optional[str] = ..., buyer: _Optional[_Union[Buyer, _Mapping]] = ..., insured_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class QuotePolicyFinancingRequest(_message.Message):
    __slots__ = ("request_id", "exporter_id", "receivable", "tenor_days", "commercial_cover", "political_cover", "premium_quote_id", "buyer", "exporter_name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLE_FIELD_NUMBER: _ClassVar[int]
    TENOR_DAYS_FIELD_NUMBER: _ClassVar[int]
    COMMERCIAL_COVER_FIELD_NUMBER: _ClassVar[int]
    POLITICAL_COVER_FIELD_NUMBER: _ClassVar[int]
    PREMIUM_QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    exporter_id: str
    receivable: _common_pb2.Money
    tenor_days: int
    commercial_cover: float
    political_cover: float
    premium_quote_id: str
    buyer: Buyer
    exporter_name: str
    def __init__(self, request_id: _Optional[str] = ..., exporter_id: _Optional[str] = ..., receivable: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tenor_days: _Optional[int] = ..., commercial_cover: _Optional[float] = ..., political_cover: _Optional[float] = ..., premium_quote_id: _Optional[str] = ..., buyer: _Optional[_Union[Buyer, _Mapping]] = ..., exporter_name: _Optional[str] = ...) -> None: ...

class PolicyFinancingQuote(_message.Message):
    __slots__ = ("quote_id", "request_id", "advance_rate", "advance_amount", "interest_margin", "exporter_default_probability", "uninsured_expected_loss", "funding_spread", "capital_charge", "valid_until", "outcome", "decline_reasons", "fallbacks", "created_at", "exporter_id")
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
    def __init__(self, quote_id: _Optional[str] = ..., request_id: _Optional[str] = ..., advance_rate: _Optional[float] = ..., advance_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., interest_margin: _Optional[float] = ..., exporter_default_probability: _Optional[float] = ..., uninsured_expected_loss: _Optional[float] = ..., funding_spread: _Optional[float] = ..., capital_charge: _Optional[float] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcome: _Optional[_Union[QuoteOutcome, str]] = ..., decline_reasons: _Optional[_Iterable[str]] = ..., fallbacks: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., exporter_id: _Optional[str] = ...) -> None: ...

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

import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentTerms(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_TERMS_UNSPECIFIED: _ClassVar[PaymentTerms]
    PREPAID: _ClassVar[PaymentTerms]
    LC: _ClassVar[PaymentTerms]
    DP: _ClassVar[PaymentTerms]
    DA: _ClassVar[PaymentTerms]
    OA: _ClassVar[PaymentTerms]

class Incoterm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INCOTERM_UNSPECIFIED: _ClassVar[Incoterm]
    EXW: _ClassVar[Incoterm]
    FCA: _ClassVar[Incoterm]
    FAS: _ClassVar[Incoterm]
    FOB: _ClassVar[Incoterm]
    CFR: _ClassVar[Incoterm]
    CIF: _ClassVar[Incoterm]
    CPT: _ClassVar[Incoterm]
    CIP: _ClassVar[Incoterm]
    DAP: _ClassVar[Incoterm]
    DPU: _ClassVar[Incoterm]
    DDP: _ClassVar[Incoterm]

class PaymentChannel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_CHANNEL_UNSPECIFIED: _ClassVar[PaymentChannel]
    BANK: _ClassVar[PaymentChannel]
    PSP: _ClassVar[PaymentChannel]

class WaybillStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WAYBILL_STATUS_UNSPECIFIED: _ClassVar[WaybillStatus]
    CREATED: _ClassVar[WaybillStatus]
    IN_TRANSIT: _ClassVar[WaybillStatus]
    DELIVERED: _ClassVar[WaybillStatus]
    RETURNED: _ClassVar[WaybillStatus]
    LOST: _ClassVar[WaybillStatus]

class CustomsStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CUSTOMS_STATUS_UNSPECIFIED: _ClassVar[CustomsStatus]
    RELEASED: _ClassVar[CustomsStatus]
    INSPECTED: _ClassVar[CustomsStatus]
    REJECTED: _ClassVar[CustomsStatus]
PAYMENT_TERMS_UNSPECIFIED: PaymentTerms
PREPAID: PaymentTerms
LC: PaymentTerms
DP: PaymentTerms
DA: PaymentTerms
OA: PaymentTerms
INCOTERM_UNSPECIFIED: Incoterm
EXW: Incoterm
FCA: Incoterm
FAS: Incoterm
FOB: Incoterm
CFR: Incoterm
CIF: Incoterm
CPT: Incoterm
CIP: Incoterm
DAP: Incoterm
DPU: Incoterm
DDP: Incoterm
PAYMENT_CHANNEL_UNSPECIFIED: PaymentChannel
BANK: PaymentChannel
PSP: PaymentChannel
WAYBILL_STATUS_UNSPECIFIED: WaybillStatus
CREATED: WaybillStatus
IN_TRANSIT: WaybillStatus
DELIVERED: WaybillStatus
RETURNED: WaybillStatus
LOST: WaybillStatus
CUSTOMS_STATUS_UNSPECIFIED: CustomsStatus
RELEASED: CustomsStatus
INSPECTED: CustomsStatus
REJECTED: CustomsStatus

class Money(_message.Message):
    __slots__ = ("currency_code", "units", "nanos")
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    NANOS_FIELD_NUMBER: _ClassVar[int]
    currency_code: str
    units: int
    nanos: int
    def __init__(self, currency_code: _Optional[str] = ..., units: _Optional[int] = ..., nanos: _Optional[int] = ...) -> None: ...

class Party(_message.Message):
    __slots__ = ("party_id", "name", "country_code")
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    party_id: str
    name: str
    country_code: str
    def __init__(self, party_id: _Optional[str] = ..., name: _Optional[str] = ..., country_code: _Optional[str] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("order_id", "enterprise_id", "buyer_id", "platform", "ordered_at", "hs_code", "quantity", "unit", "unit_price", "amount", "incoterm", "payment_terms", "credit_days")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    ORDERED_AT_FIELD_NUMBER: _ClassVar[int]
    HS_CODE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    INCOTERM_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_DAYS_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    enterprise_id: str
    buyer_id: str
    platform: str
    ordered_at: _timestamp_pb2.Timestamp
    hs_code: str
    quantity: float
    unit: str
    unit_price: Money
    amount: Money
    incoterm: Incoterm
    payment_terms: PaymentTerms
    credit_days: int
    def __init__(self, order_id: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., platform: _Optional[str] = ..., ordered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., hs_code: _Optional[str] = ..., quantity: _Optional[float] = ..., unit: _Optional[str] = ..., unit_price: _Optional[_Union[Money, _Mapping]] = ..., amount: _Optional[_Union[Money, _Mapping]] = ..., incoterm: _Optional[_Union[Incoterm, str]] = ..., payment_terms: _Optional[_Union[PaymentTerms, str]] = ..., credit_days: _Optional[int] = ...) -> None: ...

class Payment(_message.Message):
    __slots__ = ("payment_id", "order_id", "payer_name", "payer_country", "payer_account", "paid_at", "amount", "channel")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    PAYER_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    PAYER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    order_id: str
    payer_name: str
    payer_country: str
    payer_account: str
    paid_at: _timestamp_pb2.Timestamp
    amount: Money
    channel: PaymentChannel
    def __init__(self, payment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., payer_name: _Optional[str] = ..., payer_country: _Optional[str] = ..., payer_account: _Optional[str] = ..., paid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., amount: _Optional[_Union[Money, _Mapping]] = ..., channel: _Optional[_Union[PaymentChannel, str]] = ...) -> None: ...

class Waybill(_message.Message):
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
    status: WaybillStatus
    quantity: float
    def __init__(self, waybill_id: _Optional[str] = ..., order_id: _Optional[str] = ..., carrier: _Optional[str] = ..., shipped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., origin: _Optional[str] = ..., destination_country: _Optional[str] = ..., gross_weight_kg: _Optional[float] = ..., packages: _Optional[int] = ..., status: _Optional[_Union[WaybillStatus, str]] = ..., quantity: _Optional[float] = ...) -> None: ...

class Declaration(_message.Message):
    __slots__ = ("declaration_id", "order_id", "declared_at", "hs_code", "declared_value", "quantity", "customs_status")
    DECLARATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    DECLARED_AT_FIELD_NUMBER: _ClassVar[int]
    HS_CODE_FIELD_NUMBER: _ClassVar[int]
    DECLARED_VALUE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMS_STATUS_FIELD_NUMBER: _ClassVar[int]
    declaration_id: str
    order_id: str
    declared_at: _timestamp_pb2.Timestamp
    hs_code: str
    declared_value: Money
    quantity: float
    customs_status: CustomsStatus
    def __init__(self, declaration_id: _Optional[str] = ..., order_id: _Optional[str] = ..., declared_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., hs_code: _Optional[str] = ..., declared_value: _Optional[_Union[Money, _Mapping]] = ..., quantity: _Optional[float] = ..., customs_status: _Optional[_Union[CustomsStatus, str]] = ...) -> None: ...

class Trade(_message.Message):
    __slots__ = ("order", "payments", "waybills", "declaration", "exporter", "buyer", "declarations")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    WAYBILLS_FIELD_NUMBER: _ClassVar[int]
    DECLARATION_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    DECLARATIONS_FIELD_NUMBER: _ClassVar[int]
    order: Order
    payments: _containers.RepeatedCompositeFieldContainer[Payment]
    waybills: _containers.RepeatedCompositeFieldContainer[Waybill]
    declaration: Declaration
    exporter: Party
    buyer: Party
    declarations: _containers.RepeatedCompositeFieldContainer[Declaration]
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ..., payments: _Optional[_Iterable[_Union[Payment, _Mapping]]] = ..., waybills: _Optional[_Iterable[_Union[Waybill, _Mapping]]] = ..., declaration: _Optional[_Union[Declaration, _Mapping]] = ..., exporter: _Optional[_Union[Party, _Mapping]] = ..., buyer: _Optional[_Union[Party, _Mapping]] = ..., declarations: _Optional[_Iterable[_Union[Declaration, _Mapping]]] = ...) -> None: ...

class FieldViolation(_message.Message):
    __slots__ = ("field", "description")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str
    def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class ItemError(_message.Message):
    __slots__ = ("code", "message", "reason", "field_violations")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FIELD_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    reason: str
    field_violations: _containers.RepeatedCompositeFieldContainer[FieldViolation]
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ..., reason: _Optional[str] = ..., field_violations: _Optional[_Iterable[_Union[FieldViolation, _Mapping]]] = ...) -> None: ...

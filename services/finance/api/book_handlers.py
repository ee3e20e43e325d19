"""RPC handlers of the underwriting book (credit limits and policies): thin mappings onto
``CreditLimits`` and ``Policies``."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC

import grpc

from services._proto.tradeguard.finance.v1 import finance_pb2
from services.common import money
from services.common.auth import require_principal
from services.common.tokens import Role
from services.common.violations import FieldViolations
from services.finance.api import book_convert as convert
from services.finance.api.convert import fingerprint, require
from services.finance.book import Change, Claim, CreditLimit, Policy
from services.finance.credit_limits import CreditLimits
from services.finance.policy_book import Policies

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _change(method: str = "", request: object | None = None, request_id: str = "") -> Change:
    """The caller as the book records it; idempotent calls carry their request id."""
    principal = require_principal()
    if method:
        found = FieldViolations()
        require(found, "request_id", request_id)
        found.raise_if_any(f"invalid {method} request")
    return Change(
        tenant=principal.tenant,
        actor=f"{principal.tenant}/{principal.role.value}",
        request_id=request_id,
        fingerprint=fingerprint(method, request) if method else "",
        sees_all=principal.role is Role.ADMIN,
    )


def _reader_tenant() -> str | None:
    principal = require_principal()
    return None if principal.role is Role.ADMIN else principal.tenant


def _required(method: str, **fields: str) -> None:
    found = FieldViolations()
    for field, value in fields.items():
        require(found, field, value)
    found.raise_if_any(f"invalid {method} request")


def _page(request: finance_pb2.ListCreditLimitsRequest) -> tuple[int, int]:
    found = FieldViolations()
    size = request.page_size or DEFAULT_PAGE_SIZE
    if not 1 <= size <= MAX_PAGE_SIZE:
        found.add("page_size", f"must be 0..{MAX_PAGE_SIZE}")
    offset = 0
    if request.page_token:
        try:
            offset = int(base64.urlsafe_b64decode(request.page_token.encode()).decode())
        except (ValueError, binascii.Error):
            found.add("page_token", "not a token this service issued")
    found.raise_if_any("invalid ListCreditLimits request")
    return offset, size


class BookHandlers:
    """Credit limit and policy RPCs."""

    def __init__(self, limits: CreditLimits, policies: Policies) -> None:
        self._limits = limits
        self._policies = policies

    def RequestCreditLimit(
        self, request: finance_pb2.RequestCreditLimitRequest, context: grpc.ServicerContext
    ) -> finance_pb2.CreditLimit:
        change = _change("RequestCreditLimit", request, request.request_id)
        ask = convert.limit_request(request)

        def encode(limit: CreditLimit) -> bytes:
            return convert.credit_limit(limit).SerializeToString()

        return finance_pb2.CreditLimit.FromString(self._limits.request(change, ask, encode))

    def GetCreditLimit(
        self, request: finance_pb2.GetCreditLimitRequest, context: grpc.ServicerContext
    ) -> finance_pb2.CreditLimit:
        limit = self._limits.get(convert.limit_id(request.name), _reader_tenant())
        return convert.credit_limit(limit)

    def ListCreditLimits(
        self, request: finance_pb2.ListCreditLimitsRequest, context: grpc.ServicerContext
    ) -> finance_pb2.ListCreditLimitsResponse:
        offset, size = _page(request)
        limits = self._limits.list(
            _reader_tenant(), request.exporter_id, request.buyer_id, offset, size
        )
        response = finance_pb2.ListCreditLimitsResponse(
            credit_limits=[convert.credit_limit(limit) for limit in limits[:size]]
        )
        if len(limits) > size:
            response.next_page_token = base64.urlsafe_b64encode(
                str(offset + size).encode()
            ).decode()
        return response

    def CancelCreditLimit(
        self, request: finance_pb2.CancelCreditLimitRequest, context: grpc.ServicerContext
    ) -> finance_pb2.CreditLimit:
        limit = self._limits.cancel(_change(), convert.limit_id(request.name))
        return convert.credit_limit(limit)

    def BindPolicy(
        self, request: finance_pb2.BindPolicyRequest, context: grpc.ServicerContext
    ) -> finance_pb2.Policy:
        change = _change("BindPolicy", request, request.request_id)
        _required("BindPolicy", quote_id=request.quote_id)
        payload = self._policies.bind(change, request.quote_id.strip(), _encode_policy)
        return finance_pb2.Policy.FromString(payload)

    def GetPolicy(
        self, request: finance_pb2.GetPolicyRequest, context: grpc.ServicerContext
    ) -> finance_pb2.Policy:
        _required("GetPolicy", policy_number=request.policy_number)
        policy = self._policies.get(request.policy_number.strip(), _reader_tenant())
        return convert.policy_message(policy)

    def AssignPolicy(
        self, request: finance_pb2.AssignPolicyRequest, context: grpc.ServicerContext
    ) -> finance_pb2.Policy:
        _required(
            "AssignPolicy", policy_number=request.policy_number, loss_payee=request.loss_payee
        )
        number, bank = request.policy_number.strip(), request.loss_payee.strip()
        return convert.policy_message(self._policies.assign(_change(), number, bank))

    def ReportOverdue(
        self, request: finance_pb2.ReportOverdueRequest, context: grpc.ServicerContext
    ) -> finance_pb2.Policy:
        change = _change("ReportOverdue", request, request.request_id)
        _required("ReportOverdue", policy_number=request.policy_number, buyer_id=request.buyer_id)
        _present(
            "ReportOverdue",
            amount=request.HasField("amount"),
            due_time=request.HasField("due_time"),
        )
        payload = self._policies.report_overdue(
            change, request.policy_number.strip(), request.buyer_id.strip(),
            money.to_decimal(request.amount), request.amount.currency_code,
            request.due_time.ToDatetime(tzinfo=UTC), _encode_policy,
        )  # fmt: skip
        return finance_pb2.Policy.FromString(payload)

    def FileClaim(
        self, request: finance_pb2.FileClaimRequest, context: grpc.ServicerContext
    ) -> finance_pb2.Claim:
        change = _change("FileClaim", request, request.request_id)
        _required("FileClaim", policy_number=request.policy_number, buyer_id=request.buyer_id)
        _present("FileClaim", loss=request.HasField("loss"))
        payload = self._policies.file_claim(
            change, request.policy_number.strip(), request.buyer_id.strip(),
            money.to_decimal(request.loss), request.loss.currency_code, _encode_claim,
        )  # fmt: skip
        return finance_pb2.Claim.FromString(payload)

    def CancelPolicy(
        self, request: finance_pb2.CancelPolicyRequest, context: grpc.ServicerContext
    ) -> finance_pb2.Policy:
        _required("CancelPolicy", policy_number=request.policy_number)
        at = request.cancel_time.ToDatetime(tzinfo=UTC) if request.HasField("cancel_time") else None
        return convert.policy_message(
            self._policies.cancel(_change(), request.policy_number.strip(), at)
        )

    def ListPolicyEvents(
        self, request: finance_pb2.ListPolicyEventsRequest, context: grpc.ServicerContext
    ) -> finance_pb2.ListPolicyEventsResponse:
        _required("ListPolicyEvents", policy_number=request.policy_number)
        events = self._policies.events(request.policy_number.strip(), _reader_tenant())
        return finance_pb2.ListPolicyEventsResponse(
            events=[convert.event_message(e) for e in events]
        )


def _present(method: str, **fields: bool) -> None:
    found = FieldViolations()
    for field, present in fields.items():
        if not present:
            found.add(field, "required")
    found.raise_if_any(f"invalid {method} request")


def _encode_policy(policy: Policy) -> bytes:
    return convert.policy_message(policy).SerializeToString()


def _encode_claim(claim: Claim) -> bytes:
    return convert.claim_message(claim).SerializeToString()

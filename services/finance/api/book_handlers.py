"""RPC handlers of the underwriting book (credit limits and policies): thin mappings onto
``CreditLimits`` and ``Policies``."""

from __future__ import annotations

from datetime import UTC

import grpc

from services._proto.tradeguard.finance.v1 import finance_pb2
from services.common import money
from services.common.auth import require_principal
from services.common.errors import ValidationError
from services.common.page_fit import fit_page
from services.common.paging import Page, PageTokens, query_scope
from services.common.tokens import Role
from services.common.violations import FieldViolations
from services.finance.api import book_convert as convert
from services.finance.api.convert import fingerprint, require
from services.finance.book import Change, Claim, CreditLimit, Policy
from services.finance.credit_limits import CreditLimits
from services.finance.policy_book import Policies

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
#: Page tokens are MACed to refuse any the service did not issue (or issued for another query).
#: The key needs no secrecy: every list is filtered to the caller's tenant, so no position in a
#: token can show what the query itself would not.
_TOKENS = PageTokens(b"tradeguard.finance.v1 page tokens")


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


def _page_size(page_size: int, method: str) -> int:
    found = FieldViolations()
    size = page_size or DEFAULT_PAGE_SIZE
    if not 1 <= size <= MAX_PAGE_SIZE:
        found.add("page_size", f"must be 0..{MAX_PAGE_SIZE}")
    found.raise_if_any(f"invalid {method} request")
    return size


class BookHandlers:
    """Credit limit and policy RPCs."""

    def __init__(self, limits: CreditLimits, policies: Policies, page_bytes: int) -> None:
        self._limits = limits
        self._policies = policies
        self._page_bytes = page_bytes

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
        size = _page_size(request.page_size, "ListCreditLimits")
        tenant = _reader_tenant()
        scope = query_scope("credit-limits", tenant, request.exporter_id, request.buyer_id)
        offset = _TOKENS.offset(request.page_token, scope)
        limits = self._limits.list(tenant, request.exporter_id, request.buyer_id, offset, size)
        page = Page(
            limits[:size], len(limits) > size, lambda i: _TOKENS.encode([offset + i + 1], scope)
        )
        found, token = fit_page(page, convert.credit_limit, self._page_bytes)
        return finance_pb2.ListCreditLimitsResponse(credit_limits=found, next_page_token=token)

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
        size = _page_size(request.page_size, "ListPolicyEvents")
        number = request.policy_number.strip()
        scope = query_scope("policy-events", number)
        position = _TOKENS.decode(request.page_token, scope)
        after = _sequence(position)
        events = self._policies.events(number, _reader_tenant(), after, size + 1)
        page = Page(
            events[:size], len(events) > size, lambda i: _TOKENS.encode([events[i].sequence], scope)
        )
        found, token = fit_page(page, convert.event_message, self._page_bytes)
        return finance_pb2.ListPolicyEventsResponse(events=found, next_page_token=token)


def _sequence(position: list[object] | None) -> int:
    """The event sequence a page token resumes after (0: from the first event)."""
    if position is None:
        return 0
    if len(position) != 1 or type(position[0]) is not int or not 0 <= position[0] < 2**62:
        raise ValidationError.for_field("page_token", "is not a token this server issued")
    return position[0]


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

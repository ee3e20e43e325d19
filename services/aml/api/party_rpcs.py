"""UpsertCustomer, UpsertBuyer and UpsertPartyRelation: proto <-> domain and the tenant rule.

A BANK writes records of its own tenant only; REGULATOR and ADMIN write for any tenant, an empty
tenant meaning shared by all.
"""

from __future__ import annotations

from datetime import UTC, datetime

import grpc

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.aml.alert_records import Actor
from services.aml.domain import Buyer, Enterprise, Relation
from services.aml.party_registry import PartyRegistry
from services.common.auth import require_principal
from services.common.errors import FieldViolation, PermissionDenied, ValidationError

MAX_ID_CHARS = 128
MAX_NAME_CHARS = 300
ANY_TENANT_ROLES = frozenset({"REGULATOR", "ADMIN"})
RELATION_KINDS = ("OWNERSHIP", "SHARED_DIRECTOR", "SHARED_ADDRESS", "SHARED_ACCOUNT")


def _actor() -> Actor:
    principal = require_principal()
    return Actor(principal.tenant, principal.role.value)


def record_tenant(actor: Actor, requested: str) -> str:
    """The tenant a record is written under; PERMISSION_DENIED for a bank naming another."""
    if actor.role in ANY_TENANT_ROLES:
        return requested
    if requested and requested != actor.tenant:
        raise PermissionDenied("a bank writes its own customers, buyers and relations only")
    return actor.tenant


class _Checks:
    def __init__(self) -> None:
        self.items: list[FieldViolation] = []

    def text(self, value: str, field: str, limit: int = MAX_ID_CHARS) -> None:
        if not value.strip():
            self.items.append(FieldViolation(field, "is required"))
        elif len(value) > limit:
            self.items.append(FieldViolation(field, f"must be at most {limit} chars"))

    def check(self, ok: bool, field: str, description: str) -> None:
        if not ok:
            self.items.append(FieldViolation(field, description))

    def done(self, what: str) -> None:
        if self.items:
            raise ValidationError(f"invalid {what}", self.items)


def customer_from_proto(c: aml_pb2.Customer) -> Enterprise:
    v = _Checks()
    v.text(c.enterprise_id, "customer.enterprise_id")
    v.text(c.name, "customer.name", MAX_NAME_CHARS)
    v.check(c.HasField("registered_at"), "customer.registered_at", "is required")
    v.check(c.registered_capital_cny >= 0, "customer.registered_capital_cny", "is negative")
    v.check(c.employees >= 0, "customer.employees", "is negative")
    v.check(len(c.industry_hs2) in (0, 2), "customer.industry_hs2", "must be 2 digits")
    v.done("customer")
    return Enterprise(
        enterprise_id=c.enterprise_id,
        name=c.name,
        registered_at=c.registered_at.ToDatetime(tzinfo=UTC),
        registered_capital_cny=c.registered_capital_cny,
        industry_hs2=c.industry_hs2,
        region=c.region,
        employees=c.employees,
    )


def buyer_from_proto(b: aml_pb2.Buyer) -> Buyer:
    v = _Checks()
    v.text(b.buyer_id, "buyer.buyer_id")
    v.text(b.name, "buyer.name", MAX_NAME_CHARS)
    v.check(len(b.country_code) == 2, "buyer.country_code", "must be ISO 3166-1 alpha-2")
    v.done("buyer")
    return Buyer(b.buyer_id, b.name, b.country_code.upper())


def relation_from_proto(r: aml_pb2.PartyRelation) -> tuple[Relation, datetime | None]:
    v = _Checks()
    v.text(r.party_a, "relation.party_a", MAX_NAME_CHARS)
    v.text(r.party_b, "relation.party_b", MAX_NAME_CHARS)
    v.check(r.party_a != r.party_b, "relation.party_b", "must differ from party_a")
    kind = aml_pb2.RelationKind.Name(r.kind) if r.kind in aml_pb2.RelationKind.values() else ""
    v.check(kind in RELATION_KINDS, "relation.kind", "is required")
    v.done("relation")
    since = r.since.ToDatetime(tzinfo=UTC) if r.HasField("since") else None
    return Relation(r.party_a, r.party_b, kind), since


class PartyRpcs:
    """The party upsert handlers; mixed into the servicer, which sets `_parties`."""

    _parties: PartyRegistry

    def UpsertCustomer(
        self, request: aml_pb2.UpsertCustomerRequest, context: grpc.ServicerContext
    ) -> aml_pb2.Customer:
        actor = _actor()
        customer = customer_from_proto(request.customer)
        tenant = record_tenant(actor, request.customer.tenant)
        self._parties.upsert_customer(tenant, customer, actor)
        answer = aml_pb2.Customer()
        answer.CopyFrom(request.customer)
        answer.tenant = tenant
        return answer

    def UpsertBuyer(
        self, request: aml_pb2.UpsertBuyerRequest, context: grpc.ServicerContext
    ) -> aml_pb2.Buyer:
        actor = _actor()
        buyer = buyer_from_proto(request.buyer)
        tenant = record_tenant(actor, request.buyer.tenant)
        self._parties.upsert_buyer(tenant, buyer, actor)
        return aml_pb2.Buyer(
            buyer_id=buyer.buyer_id, name=buyer.name, country_code=buyer.country, tenant=tenant
        )

    def UpsertPartyRelation(
        self, request: aml_pb2.UpsertPartyRelationRequest, context: grpc.ServicerContext
    ) -> aml_pb2.PartyRelation:
        actor = _actor()
        relation, since = relation_from_proto(request.relation)
        tenant = record_tenant(actor, request.relation.tenant)
        self._parties.upsert_relation(tenant, relation, since, actor)
        answer = aml_pb2.PartyRelation()
        answer.CopyFrom(request.relation)
        answer.tenant = tenant
        return answer

"""Customers, buyers and party relations upserted through the API, per tenant, kept in the alert
store's database so every replica screens against the same parties. Every change is an audit
event in the alerts' hash chain."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.aml.alert_records import Actor, actor_event
from services.aml.audit import EventDraft
from services.aml.domain import Buyer, Enterprise, Relation
from services.aml.migrations.schema import parties, party_relations
from services.aml.parties import TenantParties
from services.aml.persistence import guard, to_datetime, to_micros
from services.aml.store import AlertStore

_P, _R = parties.c, party_relations.c
CUSTOMER, BUYER = "CUSTOMER", "BUYER"


def customer_body(e: Enterprise) -> dict[str, Any]:
    return {
        "name": e.name,
        "registered_at": to_micros(e.registered_at),
        "registered_capital_cny": e.registered_capital_cny,
        "industry_hs2": e.industry_hs2,
        "region": e.region,
        "employees": e.employees,
    }


def _customer(party_id: str, body: Mapping[str, Any]) -> Enterprise:
    return Enterprise(
        enterprise_id=party_id,
        name=body["name"],
        registered_at=to_datetime(int(body["registered_at"])),
        registered_capital_cny=float(body["registered_capital_cny"]),
        industry_hs2=body["industry_hs2"],
        region=body["region"],
        employees=int(body["employees"]),
    )


def _buyer(party_id: str, body: Mapping[str, Any]) -> Buyer:
    return Buyer(party_id, body["name"], body["country"])


def _event(event_type: str, tenant: str, actor: Actor, payload: dict[str, Any]) -> EventDraft:
    return actor_event(event_type, actor, {"tenant": tenant, **payload})


class PartyStore:
    """Upsert parties and relations; read them all back for the detector."""

    def __init__(self, store: AlertStore) -> None:
        self._store = store

    def upsert_customer(self, tenant: str, customer: Enterprise, actor: Actor) -> None:
        self._upsert(tenant, CUSTOMER, customer.enterprise_id, customer_body(customer), actor)

    def upsert_buyer(self, tenant: str, buyer: Buyer, actor: Actor) -> None:
        body = {"name": buyer.name, "country": buyer.country}
        self._upsert(tenant, BUYER, buyer.buyer_id, body, actor)

    def _upsert(
        self, tenant: str, kind: str, party_id: str, body: dict[str, Any], actor: Actor
    ) -> None:
        text = json.dumps(body, sort_keys=True, ensure_ascii=False)
        key = (_P.tenant == tenant) & (_P.kind == kind) & (_P.party_id == party_id)
        with self._store.writing() as (connection, chain):
            values = {"body": text, "updated_at": chain.now_us}
            updated = connection.execute(
                parties.update().where(key).values(version=_P.version + 1, **values)
            ).rowcount
            if not updated:
                row = {"tenant": tenant, "kind": kind, "party_id": party_id, "version": 1}
                connection.execute(parties.insert().values(**row, **values))
            payload = {"kind": kind, "party_id": party_id, **body}
            chain.append(_event(f"{kind}_UPSERTED", tenant, actor, payload))

    def upsert_relation(
        self, tenant: str, relation: Relation, since: datetime | None, actor: Actor
    ) -> None:
        key = (
            (_R.tenant == tenant)
            & (_R.party_a == relation.party_a)
            & (_R.party_b == relation.party_b)
            & (_R.kind == relation.relation)
        )
        stamp_since = to_micros(since) if since else None
        with self._store.writing() as (connection, chain):
            values = {"since": stamp_since, "updated_at": chain.now_us}
            if not connection.execute(
                party_relations.update().where(key).values(**values)
            ).rowcount:
                ids = {"party_a": relation.party_a, "party_b": relation.party_b}
                row = {"tenant": tenant, "kind": relation.relation, **ids, **values}
                connection.execute(party_relations.insert().values(**row))
            payload = {"kind": relation.relation, **relation_ids(relation), "since": stamp_since}
            chain.append(_event("RELATION_UPSERTED", tenant, actor, payload))

    def fingerprint(self) -> tuple[int, int, int]:
        """(party rows, relation rows, newest change): cheap to poll across replicas."""
        newest = sa.func.coalesce(sa.func.max(_P.updated_at), 0)
        newest_rel = sa.func.coalesce(sa.func.max(_R.updated_at), 0)
        with guard(), self._store.reader.connect() as connection:
            count, top = connection.execute(sa.select(sa.func.count(), newest)).one()
            rels, top_rel = connection.execute(sa.select(sa.func.count(), newest_rel)).one()
        return int(count), int(rels), max(int(top), int(top_rel))

    def load(self) -> TenantParties:
        """Every stored party and relation, grouped by tenant."""
        with guard(), self._store.reader.connect() as connection:
            rows = connection.execute(sa.select(parties)).mappings().all()
            links = connection.execute(sa.select(party_relations)).mappings().all()
        customers = [
            (r["tenant"], _customer(r["party_id"], json.loads(r["body"])))
            for r in rows
            if r["kind"] == CUSTOMER
        ]
        buyers = [
            (r["tenant"], _buyer(r["party_id"], json.loads(r["body"])))
            for r in rows
            if r["kind"] == BUYER
        ]
        relations = [(r["tenant"], Relation(r["party_a"], r["party_b"], r["kind"])) for r in links]
        return TenantParties.of(customers, buyers, relations)


def relation_ids(relation: Relation) -> dict[str, str]:
    return {"party_a": relation.party_a, "party_b": relation.party_b}

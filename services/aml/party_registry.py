"""The parties screening resolves orders against: writes go to the store, and the detector is
handed the new view at once (other replicas reload it when the store's fingerprint changes)."""

from __future__ import annotations

from datetime import datetime

from services.aml.alert_records import Actor
from services.aml.detector import AmlDetector
from services.aml.domain import Buyer, Enterprise, Relation
from services.aml.party_store import PartyStore


class PartyRegistry:
    """Upsert customers, buyers and relations for a tenant, keeping the detector in step."""

    def __init__(self, store: PartyStore, detector: AmlDetector) -> None:
        self._store = store
        self._detector = detector

    def reload(self) -> None:
        self._detector.set_parties(self._store.load())

    def fingerprint(self) -> tuple[int, int, int]:
        return self._store.fingerprint()

    def upsert_customer(self, tenant: str, customer: Enterprise, actor: Actor) -> None:
        self._store.upsert_customer(tenant, customer, actor)
        self.reload()

    def upsert_buyer(self, tenant: str, buyer: Buyer, actor: Actor) -> None:
        self._store.upsert_buyer(tenant, buyer, actor)
        self.reload()

    def upsert_relation(
        self, tenant: str, relation: Relation, since: datetime | None, actor: Actor
    ) -> None:
        self._store.upsert_relation(tenant, relation, since, actor)
        self.reload()

"""Parties the screening resolves orders against, per tenant: a bank's customers (exporters), the
buyers it knows and the links between parties, on top of the reference data loaded at start.

Records of tenant "" are shared by every tenant (loaded by a regulator or an administrator); a
bank's own records are seen by its screenings alone and override shared ones with the same id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from services.aml.domain import Buyer, Enterprise, ReferenceData, Relation

SHARED = ""


@dataclass(frozen=True, slots=True)
class TenantParties:
    """Customers, buyers and relations by tenant."""

    enterprises: dict[str, dict[str, Enterprise]] = field(default_factory=dict)
    buyers: dict[str, dict[str, Buyer]] = field(default_factory=dict)
    relations: dict[str, tuple[Relation, ...]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        enterprises: Iterable[tuple[str, Enterprise]],
        buyers: Iterable[tuple[str, Buyer]],
        relations: Iterable[tuple[str, Relation]],
    ) -> TenantParties:
        parties = cls()
        for tenant, e in enterprises:
            parties.enterprises.setdefault(tenant, {})[e.enterprise_id] = e
        for tenant, b in buyers:
            parties.buyers.setdefault(tenant, {})[b.buyer_id] = b
        linked: dict[str, list[Relation]] = {}
        for tenant, r in relations:
            linked.setdefault(tenant, []).append(r)
        parties.relations.update({t: tuple(rs) for t, rs in linked.items()})
        return parties

    def reference_for(self, base: ReferenceData, tenant: str) -> ReferenceData:
        """The base reference data with the shared and then the tenant's own records on top."""
        scopes = [SHARED] if tenant == SHARED else [SHARED, tenant]
        enterprises = dict(base.enterprises)
        buyers = dict(base.buyers)
        relations = list(base.relations)
        for scope in scopes:
            enterprises.update(self.enterprises.get(scope, {}))
            buyers.update(self.buyers.get(scope, {}))
            relations.extend(self.relations.get(scope, ()))
        return replace(base, enterprises=enterprises, buyers=buyers, relations=tuple(relations))

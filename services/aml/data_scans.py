"""Network scans of a data set folder, free of the wire: find -> commit -> respond.

A scan raises one alert per network structure (deduplicated like any alert) and stores its
response under the request id, so a scan sent again is answered from the store.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from services.aml import review
from services.aml.alert_drafts import new_alert
from services.aml.alert_records import Actor, RaisedAlert
from services.aml.detector import AmlDetector
from services.aml.metrics import AmlMetrics
from services.aml.network import Window
from services.aml.screening_store import ScreeningStore, ScreeningWrite
from services.aml.trade_screening import Renderer
from services.aml.typologies import AlertCandidate
from services.common.errors import NotFoundError, PermissionDenied
from services.common.idempotency import check_same_body

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """A scan of the data set folder `dataset` (a name under the service's data root)."""

    request_id: str
    fingerprint: str
    dataset: str
    window: Window | None = None
    typologies: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ScanFindings:
    """What a scan found and what its commit stored."""

    request_id: str
    candidates: tuple[AlertCandidate, ...]
    flows_scanned: int
    raised: tuple[RaisedAlert, ...]

    def structures_by_typology(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for candidate in self.candidates:
            counted[candidate.typology] = counted.get(candidate.typology, 0) + 1
        return counted

    def alert_ids(self) -> tuple[set[str], set[str]]:
        """(every alert id the scan maps to, the ids this scan created)."""
        ids = {r.alert.alert_id for r in self.raised}
        return ids, {r.alert.alert_id for r in self.raised if r.created}


#: A tenant name that is safe as one folder name under the data root.
_TENANT_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class DataScans:
    """Scans data set folders under `data_root` for a caller and commits their alerts."""

    def __init__(
        self,
        screenings: ScreeningStore,
        detector: AmlDetector,
        metrics: AmlMetrics,
        data_root: Path,
    ) -> None:
        self._screenings = screenings
        self._detector = detector
        self._metrics = metrics
        self._data_root = data_root

    def _dataset_folder(self, name: str, actor: Actor) -> Path:
        """The data set's folder: a regulator's under the data root, a bank's under its own
        tenant's folder there (``<data_root>/<tenant>/<name>``), so a bank never scans another
        tenant's data. One that is, or holds, a symbolic link is refused, since a link could lead
        the scan to files outside the data root."""
        if actor.role in review.ALL_TENANTS_ROLES:
            path = self._data_root / name
        elif _TENANT_FOLDER.fullmatch(actor.tenant):
            path = self._data_root / actor.tenant / name
        else:
            raise NotFoundError(f"data set {name!r} not found")
        if path.is_symlink() or (path.is_dir() and any(p.is_symlink() for p in path.rglob("*"))):
            raise PermissionDenied(
                f"data set {name!r} holds symbolic links; they are not followed",
                reason="SYMLINK_REFUSED",
            )
        if not path.is_dir():
            raise NotFoundError(f"data set {name!r} not found")
        return path

    def scan(self, request: ScanRequest, actor: Actor, renderer: Renderer[ScanFindings, R]) -> R:
        """The scan's response: replayed when the request id was seen, else scanned now."""
        path = self._dataset_folder(request.dataset, actor)
        # Regulators scan across tenants; a bank's scan raises alerts in its own name.
        tenant = "" if actor.role in review.ALL_TENANTS_ROLES else actor.tenant
        found = self._screenings.find(tenant, [request.request_id])
        earlier = found.get(request.request_id)
        if earlier is not None:
            return _replayed(request, earlier.fingerprint, earlier.response, renderer)
        report = self._detector.scan_report(path, request.window, tenant)
        wanted = request.typologies
        kept = tuple(c for c in report.candidates if not wanted or c.typology in wanted)

        def render(raised: Sequence[RaisedAlert]) -> bytes:
            findings = ScanFindings(request.request_id, kept, report.flows_scanned, tuple(raised))
            return renderer.encode(renderer.render(findings))

        write = ScreeningWrite(
            request.request_id, request.fingerprint, [new_alert(c) for c in kept], render
        )
        [outcome] = self._screenings.commit(tenant, [write], actor)
        if not outcome.replayed:
            for raised in outcome.raised:
                if raised.created:
                    self._metrics.alerts_raised.labels(
                        raised.alert.typology, raised.alert.severity
                    ).inc()
        return _replayed(request, outcome.fingerprint, outcome.response, renderer)


def _replayed(
    request: ScanRequest, fingerprint: str, response: bytes, renderer: Renderer[ScanFindings, R]
) -> R:
    check_same_body(request.request_id, fingerprint, request.fingerprint)
    return renderer.decode(response)

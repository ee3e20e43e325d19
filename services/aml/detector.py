"""The detection facade the AML service calls: per-trade screening, network scans, party screening.

Contract (stable; the servicer codes against it)
------------------------------------------------
``AmlDetector.load(model_dir, reference, *, ruleset=None, shadow=None) -> AmlDetector``
    ``model_dir``: a bundle written by ``tradeguard train aml`` (``None`` -> rules only, risk
    score from the rules); ``reference``: :class:`services.aml.domain.ReferenceData` (enterprises,
    buyers, watchlist, relations, USD rates), see :func:`load_reference` to read it from a data
    directory. ``ruleset`` defaults to the one saved in the bundle (or the built-in default);
    ``shadow`` is an optional second :class:`services.aml.ruleset.RuleSet` scored beside it.

``detector.screen(trade, principal_tenant, *, as_of=None) -> ScreeningResult``
``detector.screen_many(trades, principal_tenant, *, as_of=None) -> list[ScreeningResult]``
    (same, one model call for the batch - use it for stream messages carrying several trades;
    ``as_of`` defaults to now and decides e.g. whether "never shipped within 30 days" holds)
    ``trade``: :class:`services.aml.domain.Trade`. Thread-safe. Never raises for odd documents
    (missing waybills etc. are findings, not errors); raises ``ValueError`` only for a trade
    without an order id. Re-screening the same trade gives the same dedup keys and does not
    double-count its payments in the window state.
    ``ScreeningResult(risk_score: float in [0, 1], hits: tuple[Hit, ...],
    alerts: tuple[AlertCandidate, ...], shadow: ShadowResult | None, ruleset_version: str,
    model_version: str)``.
    ``Hit(rule: str, typology: str, severity: Severity, score: float in [0, 1],
    evidence: Evidence(summary, documents: tuple[DocRef(document_type, document_id)], details:
    dict))`` - ``Evidence.to_dict()`` is JSON-serialisable: the documents and the numbers that
    disagree.
    ``AlertCandidate(dedup_key: str, typology: str, severity: Severity, risk_score: float,
    enterprise_id: str, tenant: str, source: "SCREENING" | "SCAN", ruleset_version: str,
    evidence: dict (JSON), hits: tuple[Hit, ...], members: tuple[str, ...],
    flows: tuple[dict, ...] (Flow.to_dict: from_party_id, to_party_id, amount, currency, at,
    document_id), order_ids: tuple[str, ...])``.
    ``dedup_key`` is a SHA-256 hex of (source, tenant, typology, sorted subject document ids):
    store it under a unique constraint. Laundering alerts never block a trade: there is no
    "decision" field on purpose.
    ``ShadowResult(ruleset_version, risk_score, hits, would_alert: tuple[AlertCandidate, ...],
    added: tuple[str, ...], removed: tuple[str, ...])`` - the shadow ruleset's would-be alerts and
    the dedup keys it adds / drops compared with the live one; record it, never alert on it.

``detector.scan(dataset, window=None, tenant="") -> list[AlertCandidate]``
    ``dataset``: a ``services.tradedata.loading.TradeDataset`` or a directory path; ``window``: a
    :class:`services.aml.network.Window` (start, end) or ``None`` for all data. One candidate per
    structure (circular trading, fan-in, fan-out, gather-scatter, rapid pass-through) listing its
    members and flows; source ``"SCAN"``; dedup key over typology + sorted member ids + order ids.

``detector.scan_report(dataset, window=None, tenant="") -> ScanReport``
    The same scan with its size: ``ScanReport(candidates: list[AlertCandidate],
    flows_scanned: int)`` - the money flows (payments and order flows) in the window searched.

``detector.screen_party(name, country="", entries=None, *, limit=10) -> list[Match]``
    Fuzzy screening (normalisation, anyascii transliteration, token order, Jaro-Winkler) of one
    name against ``entries`` (default: the detector's current watchlist).
    ``Match(entry_id, name, list, score: float in [0, 1], matched_name)`` best first, only those
    at or above the ruleset's screening threshold.

``detector.set_watchlist(entries)`` replaces the watchlist atomically (after Upsert/Delete).
``detector.ruleset_version`` / ``detector.model_version`` / ``detector.shadow_version``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.aml import network
from services.aml.domain import ReferenceData, Trade, WatchlistEntry
from services.aml.model import BUNDLE_FILE, AmlModel
from services.aml.parties import TenantParties
from services.aml.reference import load_reference
from services.aml.rules.base import Hit, Severity
from services.aml.rules.behaviour import VOLUME, batch_since, volume_read, window_keys
from services.aml.rules.context import TradeContext
from services.aml.rules.engine import RuleEngine
from services.aml.rules.features import trade_features
from services.aml.rules.history import StagedEntries, WindowStore, commit_alone
from services.aml.rules.parties import prime_watchlist
from services.aml.rules.price_lines import line_keys
from services.aml.rules.pricing import MarketReference, pricing_note
from services.aml.rules.specs import RULE_NAMES
from services.aml.ruleset import RuleSet
from services.aml.screening import Match, NameIndex
from services.aml.typologies import (
    SCREENING,
    AlertCandidate,
    alerting,
    blended_risk,
    dedup_key,
    evidence_of,
    score_typologies,
    severity_of,
)

__all__ = [
    "AlertCandidate",
    "AmlDetector",
    "Hit",
    "Match",
    "ScanReport",
    "ScreeningResult",
    "Severity",
    "ShadowResult",
    "load_reference",
]


@dataclass(slots=True, unsafe_hash=True)
class ShadowResult:
    """What a shadow rule set would have done with the trade; recorded, never alerted."""

    ruleset_version: str
    risk_score: float
    hits: tuple[Hit, ...]
    would_alert: tuple[AlertCandidate, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(slots=True, unsafe_hash=True)
class ScreeningResult:
    """The outcome of screening one trade."""

    risk_score: float
    hits: tuple[Hit, ...]
    alerts: tuple[AlertCandidate, ...]
    shadow: ShadowResult | None
    ruleset_version: str
    model_version: str


@dataclass(frozen=True, slots=True)
class ScanReport:
    """A network scan's alert candidates and how many money flows it searched."""

    candidates: list[AlertCandidate]
    flows_scanned: int


@dataclass(slots=True, unsafe_hash=True)
class _Scored:
    risk: float
    hits: tuple[Hit, ...]
    alerts: tuple[AlertCandidate, ...]


class AmlDetector:
    """Per-trade screening, network scans and party screening over one live rule set (and an
    optional shadow one), with the model bundle when one is given."""

    def __init__(
        self,
        rules: RuleSet,
        reference: ReferenceData,
        market: MarketReference,
        model: AmlModel | None = None,
        shadow: RuleSet | None = None,
        windows: WindowStore | None = None,
    ) -> None:
        self._reference = reference
        self._market = market
        self._model = model
        self._names = NameIndex(reference.watchlist)
        self._parties = TenantParties()
        self._live = RuleEngine.build(rules, reference, market, self._names, windows)
        self._shadow = (
            RuleEngine.build(shadow, reference, market, self._names, windows) if shadow else None
        )
        self._tenant_engines: dict[tuple[bool, str], RuleEngine] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls,
        model_dir: Path | None,
        reference: ReferenceData,
        *,
        ruleset: RuleSet | None = None,
        shadow: RuleSet | None = None,
        market: MarketReference | None = None,
        windows: WindowStore | None = None,
    ) -> AmlDetector:
        """Load a bundle written by ``tradeguard train aml``; ``None`` runs the rules alone.
        ``windows`` holds the behaviour rules' history (default: in this process)."""
        model = None
        if model_dir is not None and (Path(model_dir) / BUNDLE_FILE).exists():
            model = AmlModel.load(Path(model_dir))
        rules = ruleset or (model.ruleset if model else RuleSet())
        ref_market = market or (model.market if model else MarketReference(3, 20))
        return cls(rules, reference, ref_market, model, shadow, windows)

    @property
    def ruleset_version(self) -> str:
        return self._live.rules.version

    @property
    def shadow_rules(self) -> RuleSet | None:
        return self._shadow.rules if self._shadow else None

    @property
    def shadow_version(self) -> str:
        return self._shadow.rules.version if self._shadow else ""

    @property
    def model_version(self) -> str:
        return self._model.version if self._model else ""

    @property
    def rules(self) -> RuleSet:
        return self._live.rules

    def set_watchlist(self, entries: Iterable[WatchlistEntry]) -> None:
        """Replace the watchlist used by trade and party screening."""
        names = NameIndex(entries)
        with self._lock:
            self._names = names
            self._live.names = names
            if self._shadow:
                self._shadow.names = names
            self._tenant_engines = {}

    def set_parties(self, parties: TenantParties) -> None:
        """Replace the customers, buyers and relations upserted per tenant."""
        with self._lock:
            self._parties = parties
            self._tenant_engines = {}

    def _engine(self, shadow: bool, tenant: str) -> RuleEngine:
        """The rule engine over the tenant's view of the parties (windows and loops shared,
        their keys scoped by tenant)."""
        base = self._shadow if shadow else self._live
        assert base is not None
        with self._lock:
            engine = self._tenant_engines.get((shadow, tenant))
            if engine is None:
                reference = self._parties.reference_for(self._reference, tenant)
                engine = base.with_reference(reference)
                self._tenant_engines[(shadow, tenant)] = engine
            return engine

    def screen(
        self, trade: Trade, principal_tenant: str, *, as_of: datetime | None = None
    ) -> ScreeningResult:
        """Screen one trade: hits, blended risk, alert candidates, and the shadow outcome."""
        return self.screen_many([trade], principal_tenant, as_of=as_of)[0]

    def screen_many(
        self,
        trades: Sequence[Trade],
        principal_tenant: str,
        *,
        as_of: datetime | Sequence[datetime | None] | None = None,
    ) -> list[ScreeningResult]:
        """Screen several trades in order; the model runs once over all of them. `as_of` is one
        moment for all, or one per trade (None: now). The history entries the trades add are
        durable when it returns."""
        results, staged = self.screen_staged(trades, principal_tenant, as_of=as_of)
        for entries in staged:
            commit_alone(entries)
        return results

    def screen_staged(
        self,
        trades: Sequence[Trade],
        principal_tenant: str,
        *,
        as_of: datetime | Sequence[datetime | None] | None = None,
    ) -> tuple[list[ScreeningResult], list[StagedEntries]]:
        """:meth:`screen_many`, handing back the history entries the trades add, not yet
        durable and holding their keys: the caller writes them in the transaction that commits
        what the trades raised, then releases them (see :class:`StagedEntries`)."""
        now = datetime.now(UTC)
        moments = as_of if isinstance(as_of, Sequence) else [as_of] * len(trades)
        when = [m or now for m in moments]
        for trade in trades:
            if not trade.order.order_id:
                raise ValueError("trade.order.order_id is required")
        live, staged = self._score(
            self._engine(False, principal_tenant), trades, principal_tenant, when
        )
        shadow: list[_Scored | None] = [None] * len(trades)
        if self._shadow:
            try:
                engine = self._engine(True, principal_tenant)
                scored, more = self._score(engine, trades, principal_tenant, when)
            except BaseException:
                commit_alone(staged)
                raise
            shadow = list(scored)
            return self._results(live, shadow), [staged, more]
        return self._results(live, shadow), [staged]

    def _results(self, live: list[_Scored], shadow: list[_Scored | None]) -> list[ScreeningResult]:
        return [self._result(lv, sh) for lv, sh in zip(live, shadow, strict=True)]

    def _result(self, live: _Scored, shadow: _Scored | None) -> ScreeningResult:
        return ScreeningResult(
            live.risk,
            live.hits,
            live.alerts,
            self._shadow_of(live, shadow),
            self.ruleset_version,
            self.model_version,
        )

    def _shadow_of(self, live: _Scored, shadow: _Scored | None) -> ShadowResult | None:
        if shadow is None:
            return None
        live_keys = {a.dedup_key for a in live.alerts}
        keys = {a.dedup_key for a in shadow.alerts}
        return ShadowResult(
            self.shadow_version,
            shadow.risk,
            shadow.hits,
            shadow.alerts,
            tuple(sorted(keys - live_keys)),
            tuple(sorted(live_keys - keys)),
        )

    def use_windows(self, live: WindowStore, shadow: WindowStore | None = None) -> None:
        """Keep the behaviour rules' history in these stores (e.g. the shared database)."""
        with self._lock:
            self._live.windows = live
            if self._shadow is not None and shadow is not None:
                self._shadow.windows = shadow
            self._tenant_engines = {}

    def _score(
        self, engine: RuleEngine, trades: Sequence[Trade], tenant: str, when: Sequence[datetime]
    ) -> tuple[list[_Scored], StagedEntries]:
        """The trades scored, and the history entries they add (staged, keys held)."""
        keys = [engine.keys(t, tenant) for t in trades]
        # Resolved once: the keys below and the rules read the same figures of each trade.
        contexts = [engine.resolve(t, w) for t, w in zip(trades, when, strict=True)]
        prime_watchlist(contexts, engine.names, engine.rules)
        wanted: set[tuple[str, str]] = set()
        writes: set[tuple[str, str]] = set()
        for t, k, ctx in zip(trades, keys, contexts, strict=True):
            touched = window_keys(t, k, True)
            touched |= line_keys(ctx, k, engine.market)
            writes |= touched
            # The exporter's volume is read only where a rule or the model needs it.
            if self._model is not None or volume_read(t, engine.reference, engine.rules):
                wanted |= touched
            else:
                wanted |= {w for w in touched if w[0] != VOLUME}
        engine.windows.prefetch(wanted, batch_since(trades, engine.rules), writes)
        try:
            evaluated = [
                (ctx, engine.evaluate_resolved(ctx, k))
                for ctx, k in zip(contexts, keys, strict=True)
            ]
            probs = self._probabilities(engine, evaluated, tenant)
            scored = [
                self._scored(engine, ctx, hits, p, tenant)
                for (ctx, hits), p in zip(evaluated, probs, strict=True)
            ]
        except BaseException:
            commit_alone(engine.windows.flush())
            raise
        return scored, engine.windows.flush()

    def _probabilities(
        self, engine: RuleEngine, evaluated: list[tuple[TradeContext, list[Hit]]], tenant: str
    ) -> list[dict[str, float]]:
        model = self._model
        if model is None or not evaluated:
            return [{} for _ in evaluated]
        rows = [
            trade_features(
                ctx,
                engine.windows,
                engine.keys(ctx.trade, tenant),
                engine.market,
                engine.names,
                hits,
                RULE_NAMES,
            )
            for ctx, hits in evaluated
        ]
        probs = model.predict(model.matrix(rows))
        return [{t: float(p[i]) for t, p in probs.items()} for i in range(len(rows))]

    def _scored(
        self,
        engine: RuleEngine,
        ctx: TradeContext,
        hits: list[Hit],
        probs: dict[str, float],
        tenant: str,
    ) -> _Scored:
        if not hits and not probs:  # most trades: nothing fired and no model
            return _Scored(0.0, (), ())
        rules = engine.rules
        by_typology = score_typologies(hits, rules)
        alerts, top = [], 0.0
        for typology in sorted(set(by_typology) | set(probs)):
            ts = by_typology.get(typology)
            rule_score = ts.score if ts else 0.0
            risk = blended_risk(rule_score, probs.get(typology), rules)
            top = max(top, risk)
            if alerting(typology, rule_score, risk, typology in probs, rules):
                alerts.append(
                    self._candidate(
                        ctx,
                        typology,
                        risk,
                        ts.hits if ts else (),
                        tenant,
                        rules,
                        probs.get(typology),
                    )
                )
        return _Scored(round(top, 6), tuple(hits), tuple(alerts))

    def _candidate(
        self,
        ctx: TradeContext,
        typology: str,
        risk: float,
        hits: tuple[Hit, ...],
        tenant: str,
        rules: RuleSet,
        probability: float | None,
    ) -> AlertCandidate:
        order = ctx.trade.order
        order_ids = {order.order_id}
        flows: list[dict[str, Any]] = []
        for h in hits:
            order_ids.update(h.evidence.details.get("order_ids", ()))
            flows.extend(h.evidence.details.get("flows", ()))
        extra = {
            "model_probability": probability,
            "order_id": order.order_id,
            "pricing": pricing_note(ctx, self._market),
        }
        return AlertCandidate(
            dedup_key=dedup_key(SCREENING, tenant, typology, [order.order_id]),
            typology=typology,
            severity=severity_of(hits, risk),
            risk_score=round(risk, 6),
            enterprise_id=order.enterprise_id,
            tenant=tenant,
            source=SCREENING,
            ruleset_version=rules.version,
            evidence=evidence_of(hits, extra),
            hits=hits,
            members=(order.enterprise_id, order.buyer_id),
            flows=tuple(flows),
            order_ids=tuple(sorted(order_ids)),
        )

    def scan(
        self, dataset: Any, window: network.Window | None = None, tenant: str = ""
    ) -> list[AlertCandidate]:
        """Network typologies over a data set (``TradeDataset`` or directory)."""
        return self.scan_report(dataset, window, tenant).candidates

    def scan_report(
        self, dataset: Any, window: network.Window | None = None, tenant: str = ""
    ) -> ScanReport:
        """:meth:`scan` with the number of money flows searched."""
        if isinstance(dataset, str | Path):
            from services.tradedata.loading import load_dataset

            dataset = load_dataset(Path(dataset))
        usd = dict(self._reference.usd_rates)
        structures, flows = network.scan_counted(dataset, self.rules, usd, window)
        candidates = [network.to_candidate(s, tenant, self.rules.version) for s in structures]
        return ScanReport(candidates, flows)

    def screen_party(
        self,
        name: str,
        country: str = "",
        entries: Iterable[WatchlistEntry] | None = None,
        *,
        limit: int = 10,
        min_score: float | None = None,
    ) -> list[Match]:
        """Fuzzy-screen one name against ``entries`` or the current watchlist."""
        index = NameIndex(entries) if entries is not None else self._names
        cfg = self.rules.screening
        threshold = cfg.threshold if min_score is None or min_score <= 0 else min_score
        return index.search(
            name,
            country,
            threshold=threshold,
            limit=limit,
            country_must_match=cfg.country_must_match,
        )

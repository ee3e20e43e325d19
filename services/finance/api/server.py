"""Wires the credit insurance service: quote store (migrated on open) and its periodic purge,
risk and aml clients, servicer, server."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry

from services._proto.tradeguard.finance.v1 import finance_pb2_grpc
from services.common import serving
from services.common.auth import MethodRoles
from services.common.paging import page_bytes
from services.common.server import ManagedServer, ServiceRegistration, build_server
from services.common.tokens import Role, TokenStore
from services.finance.api.book_convert import quote_terms
from services.finance.api.clients import (
    AmlClient,
    DependencyTls,
    RiskClient,
    dependency_channel,
)
from services.finance.api.servicer import CreditInsuranceServicer
from services.finance.appetite import Appetite, Capacity
from services.finance.book_store import BookStore
from services.finance.buyer_groups import BuyerGroups
from services.finance.credit_limits import CreditLimits, Underwriting
from services.finance.fx_rates import FxSource
from services.finance.metrics import FinanceMetrics
from services.finance.model import BuyerModel, BuyerModelBundle
from services.finance.policy_book import Policies
from services.finance.purge import QuotePurger
from services.finance.quoting import Quoting, QuotingPolicy
from services.finance.settings import FinanceSettings
from services.finance.store import QuoteStore

_LOG = logging.getLogger("services.finance")
SERVICE_NAME = "tradeguard.finance.v1.CreditInsurance"
#: The settings class ``tradeguard serve finance`` builds from env and flags.
Settings = FinanceSettings
_INSURER = frozenset({Role.INSURER, Role.ADMIN})
_INSURER_OR_BANK = frozenset({Role.INSURER, Role.BANK, Role.ADMIN})
METHOD_ROLES: MethodRoles = {
    f"/{SERVICE_NAME}/QuotePremium": _INSURER,
    f"/{SERVICE_NAME}/QuotePolicyFinancing": frozenset({Role.BANK, Role.ADMIN}),
    f"/{SERVICE_NAME}/GetQuote": _INSURER_OR_BANK,
    **{
        f"/{SERVICE_NAME}/{method}": _INSURER
        for method in (
            "RequestCreditLimit",
            "GetCreditLimit",
            "ListCreditLimits",
            "CancelCreditLimit",
            "BindPolicy",
            "AssignPolicy",
            "ReportOverdue",
            "FileClaim",
            "CancelPolicy",
        )
    },  # fmt: skip
    f"/{SERVICE_NAME}/GetPolicy": _INSURER_OR_BANK,
    f"/{SERVICE_NAME}/ListPolicyEvents": _INSURER_OR_BANK,
}


@dataclass
class FinanceService:
    """A wired finance service: the gRPC server, the store and its purge, dependency clients."""

    settings: FinanceSettings
    server: ManagedServer
    quoting: Quoting
    store: QuoteStore
    risk: RiskClient
    aml: AmlClient
    purger: QuotePurger

    def start(self, *, metrics: bool = True) -> FinanceService:
        """Serve, purge expired quotes every ``purge_interval_seconds``, and watch the
        dependencies' health."""
        self.server.start(metrics=metrics)
        self.purger.start()
        self.risk.start()
        self.aml.start()
        return self

    def stop(self, grace: float | None = None) -> None:
        """Drain the server, stop the purge, then close the dependency channels and the store."""
        self.server.stop(grace)
        self.purger.stop()
        self.risk.close()
        self.aml.close()
        self.store.close()


def quoting_policy(settings: FinanceSettings) -> QuotingPolicy:
    return QuotingPolicy(
        risk_fallback=settings.risk_fallback,
        fallback_exporter_pd=settings.fallback_exporter_pd,
        aml_fallback=settings.aml_fallback,
        screen_parties=settings.screen_parties,
        screening_min_score=settings.screening_min_score,
        quote_validity=timedelta(seconds=settings.quote_validity_seconds),
        financing_validity=timedelta(seconds=settings.financing_validity_seconds),
    )


def underwriting(settings: FinanceSettings) -> Underwriting:
    """Appetite, capacities, buyer groups and FX rates from the settings."""
    appetite = Appetite(
        max_buyer_annual_pd=settings.max_buyer_annual_pd,
        max_short_term_rate=settings.max_short_term_rate,
        max_medium_long_rate=settings.max_medium_long_rate,
        min_limit_usd=settings.min_limit_usd,
        max_amount_usd=settings.max_amount_usd,
    )
    capacity = Capacity(
        buyer_by_grade=settings.buyer_capacity_usd,
        group_multiple=settings.group_capacity_multiple,
        country_by_category=settings.country_capacity_usd,
    )
    return Underwriting(
        appetite=appetite,
        capacity=capacity,
        groups=BuyerGroups.load(settings.relations_file),
        fx=FxSource(settings.fx_rates_file, on_error=_fx_error),
        buyer_model=_buyer_model(settings.buyer_model_dir),
    )


def _buyer_model(folder: Path | None) -> BuyerModel | None:
    return BuyerModel(BuyerModelBundle.load(folder)) if folder is not None else None


def _fx_error(error: Exception) -> None:
    _LOG.warning("FX rates file not reloaded, keeping the rates loaded before: %s", error)


def _secret(value: object) -> str | None:
    return value.get_secret_value() if value is not None else None  # type: ignore[attr-defined]


def build(
    settings: FinanceSettings,
    registry: CollectorRegistry | None = None,
    tokens: TokenStore | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FinanceService:
    """Open the store and the dependency channels (lazily connected), then wire the server."""
    registry = registry if registry is not None else CollectorRegistry()
    now = clock or _utc_now
    metrics = FinanceMetrics(registry)
    deadline = settings.dependency_deadline_seconds
    tls = DependencyTls(
        settings.dependency_ca_file, settings.dependency_cert_file, settings.dependency_key_file
    )
    risk_channel = dependency_channel(settings.risk_target, _secret(settings.risk_token), tls)
    aml_channel = dependency_channel(settings.aml_target, _secret(settings.aml_token), tls)
    risk = RiskClient(risk_channel, deadline, metrics)
    aml = AmlClient(aml_channel, deadline, metrics)
    # One SQLite connection per call handled at once, and the purge's and a policy write's.
    store = QuoteStore.open(settings.db_url, settings.max_concurrent_rpcs + 2)
    book = BookStore(store.engine)
    policies = Policies(book, store, quote_terms, now)
    uw = underwriting(settings)
    quoting = Quoting(
        store, risk, aml, metrics, quoting_policy(settings), clock=now, policies=policies,
        buyers=uw.buyer_model, appetite=uw.appetite, fx=uw.fx,
    )  # fmt: skip
    limits = CreditLimits(book, uw, metrics, now)
    metrics.watch_exposure(limits.exposure)
    purger = QuotePurger(store, settings.purge_interval_seconds, now)
    servicer = CreditInsuranceServicer(
        quoting, limits, policies, page_bytes(settings.max_message_bytes)
    )
    registration = ServiceRegistration(
        add=lambda server: finance_pb2_grpc.add_CreditInsuranceServicer_to_server(servicer, server),
        names=(SERVICE_NAME,),
    )
    server = build_server(settings, [registration], METHOD_ROLES, registry, tokens=tokens)
    return FinanceService(settings, server, quoting, store, risk, aml, purger)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def serve(settings: FinanceSettings) -> int:
    """Run until SIGTERM/SIGINT, then drain; returns the exit code."""
    return serving.serve(settings, build)


def main(argv: Sequence[str] | None = None) -> int:
    return serving.main(argv, FinanceSettings, build, __doc__)


if __name__ == "__main__":
    sys.exit(main())

"""All three services and a real Prometheus on loopback: traffic in, series and values out.

Prometheus scrapes the services every second and evaluates k8s/prometheus/rules.yml; the test
drives known traffic and compares what Prometheus stored with what the clients saw.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import grpc
import polars as pl
import pytest

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc
from services._proto.tradeguard.risk.v1 import risk_pb2, risk_pb2_grpc
from services.aml.api.trade_messages import load_trades
from services.common.money import from_float as money

if TYPE_CHECKING:
    from tests.e2e.conftest import Stack

# Setup trains the models once per session; the machine may be shared and slow.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

T = TypeVar("T")
SERVICES = ("risk", "aml", "finance")
SPREAD_SCORES = 30
SHIFTED_SCORES = 80
INVALID_SCORES = 4
UNKNOWN_SCORES = 3
SCREENED_TRADES = 400
TRADE_BATCH = 100
QUOTES = 3
INVALID_QUOTES = 1
# The one alerting threshold of risk drift in rules.yml; traffic focused on two exporters is
# far beyond it.
PSI_ALERT_THRESHOLD = 0.25


@dataclass(frozen=True)
class Traffic:
    """What the clients saw, and what Prometheus held for risk before finance called it."""

    risk_codes: Counter[str]
    risk_in_prometheus: dict[str, float]
    aml_codes: Counter[str]
    alert_ids: frozenset[str]
    screened: int
    finance_codes: Counter[str]
    quote_outcomes: Counter[str]


def _score(enterprise_id: str, tenor_days: int = 90) -> risk_pb2.ScoreFinancingRequest:
    return risk_pb2.ScoreFinancingRequest(
        request_id=str(uuid.uuid4()),
        enterprise_id=enterprise_id,
        product=risk_pb2.ORDER_FINANCING,
        amount=money(50_000, "USD"),
        tenor_days=tenor_days,
    )


def _call(codes: Counter[str], rpc: Callable[[T], object], request: T) -> None:
    """Make one call and count its outcome by status code, as the server should."""
    try:
        rpc(request)
        codes["OK"] += 1
    except grpc.RpcError as error:
        codes[error.code().name] += 1


def _drive_risk(stack: Stack) -> Counter[str]:
    """Spread traffic, bad requests, unknown exporters, then a batch focused on two exporters
    (the drift PSI must see). One warm-up call is scraped first so the OK series exists
    before the bulk and its rate (the recording rules) is above zero."""
    ids = sorted(pl.read_parquet(stack.paths.features)["enterprise_id"].to_list())
    codes: Counter[str] = Counter()
    with stack.channel("risk", "bank") as channel:
        score = risk_pb2_grpc.RiskScoringStub(channel).ScoreFinancing
        _call(codes, score, _score(ids[0]))
        stack.prometheus.wait_for_scrape(("risk",))
        for enterprise in ids[1:SPREAD_SCORES]:
            _call(codes, score, _score(enterprise))
        for enterprise in ids[:INVALID_SCORES]:
            _call(codes, score, _score(enterprise, tenor_days=0))
        for n in range(UNKNOWN_SCORES):
            _call(codes, score, _score(f"NO-SUCH-EXPORTER-{n}"))
        for n in range(SHIFTED_SCORES):
            _call(codes, score, _score(ids[-1 - n % 2]))
    return codes


def _trade_batches(trades: list[common_pb2.Trade]) -> Iterator[aml_pb2.StreamScreenTradesRequest]:
    for start in range(0, len(trades), TRADE_BATCH):
        yield aml_pb2.StreamScreenTradesRequest(
            requests=[
                aml_pb2.ScreenTradeRequest(request_id=f"e2e-{t.order.order_id}", trade=t)
                for t in trades[start : start + TRADE_BATCH]
            ]
        )


def _drive_aml(stack: Stack) -> tuple[Counter[str], frozenset[str], int]:
    """One bidi stream over the first trades of the data set; the distinct alerts it reported
    are the alerts it raised (the store starts empty)."""
    trades = load_trades(stack.paths.data, limit=SCREENED_TRADES)
    codes: Counter[str] = Counter()
    alert_ids: set[str] = set()
    screened = 0
    with stack.channel("aml", "bank", timeout=300) as channel:
        stub = aml_pb2_grpc.AmlMonitoringStub(channel)

        def stream(trades: list[common_pb2.Trade]) -> None:
            nonlocal screened
            for response in stub.StreamScreenTrades(_trade_batches(trades)):
                for result in response.results:
                    assert not result.HasField("error"), result.error
                    screened += 1
                    alert_ids.update(a.alert_id for a in result.response.alerts)

        _call(codes, stream, trades)
    return codes, frozenset(alert_ids), screened


def _quote(stack: Stack, exporter_id: str, insured: int) -> finance_pb2.QuotePremiumRequest:
    data = stack.paths.data
    exporter = pl.read_parquet(data / "enterprises.parquet").filter(
        pl.col("enterprise_id") == exporter_id
    )
    buyer_id = (
        pl.read_parquet(data / "orders.parquet")
        .filter(pl.col("enterprise_id") == exporter_id)["buyer_id"]
        .sort()[0]
    )
    buyer = pl.read_parquet(data / "buyers.parquet").filter(pl.col("buyer_id") == buyer_id)
    return finance_pb2.QuotePremiumRequest(
        request_id=str(uuid.uuid4()),
        policy_type=finance_pb2.SHORT_TERM,
        exporter_id=exporter_id,
        exporter_name=exporter["name"][0],
        buyer=finance_pb2.Buyer(
            buyer_id=buyer_id,
            name=buyer["name"][0],
            country_code=buyer["country"][0],
            grade=int(buyer["buyer_grade"][0] or 5),
        ),
        insured_amount=money(insured, "USD"),
        payment_terms=common_pb2.OA,
        credit_days=90,
        commercial_cover=0.9,
        political_cover=0.95,
    )


def _drive_finance(stack: Stack) -> tuple[Counter[str], Counter[str]]:
    exporters = sorted(pl.read_parquet(stack.paths.features)["enterprise_id"].to_list())
    codes: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    with stack.channel("finance", "insurer") as channel:
        stub = finance_pb2_grpc.CreditInsuranceStub(channel)

        def quote(request: finance_pb2.QuotePremiumRequest) -> None:
            reply = stub.QuotePremium(request)
            outcomes[finance_pb2.QuoteOutcome.Name(reply.outcome)] += 1

        for n in range(QUOTES):
            _call(codes, quote, _quote(stack, exporters[n], 100_000 * (n + 1)))
        for _ in range(INVALID_QUOTES):
            bad = _quote(stack, exporters[0], 100_000)
            bad.commercial_cover = 1.5
            _call(codes, stub.QuotePremium, bad)
    return codes, outcomes


@pytest.fixture(scope="module")
def traffic(stack: Stack) -> Traffic:
    """Risk first, its counts read back before finance (which calls risk) adds to them."""
    risk_codes = _drive_risk(stack)
    stack.prometheus.wait_for_scrape(("risk",))
    risk_seen = stack.prometheus.values(
        'sum by (grpc_code) (grpc_server_handled_total{job="risk",grpc_method="ScoreFinancing"})',
        "grpc_code",
    )
    aml_codes, alert_ids, screened = _drive_aml(stack)
    finance_codes, outcomes = _drive_finance(stack)
    stack.prometheus.wait_for_scrape(SERVICES)
    return Traffic(risk_codes, risk_seen, aml_codes, alert_ids, screened, finance_codes, outcomes)


def test_risk_calls_counted_by_code(traffic: Traffic) -> None:
    assert traffic.risk_codes == Counter(
        OK=SPREAD_SCORES + SHIFTED_SCORES,
        INVALID_ARGUMENT=INVALID_SCORES,
        NOT_FOUND=UNKNOWN_SCORES,
    )
    assert traffic.risk_in_prometheus == {
        code: float(count) for code, count in traffic.risk_codes.items()
    }


def test_aml_stream_and_finance_calls_counted_by_code(stack: Stack, traffic: Traffic) -> None:
    aml = stack.prometheus.values(
        'sum by (grpc_code) (grpc_server_handled_total{job="aml",'
        'grpc_method="StreamScreenTrades"})',
        "grpc_code",
    )
    finance = stack.prometheus.values(
        'sum by (grpc_code) (grpc_server_handled_total{job="finance",grpc_method="QuotePremium"})',
        "grpc_code",
    )
    assert traffic.aml_codes == Counter(OK=1)
    assert aml == {"OK": 1.0}
    assert traffic.finance_codes == Counter(OK=QUOTES, INVALID_ARGUMENT=INVALID_QUOTES)
    assert finance == {code: float(n) for code, n in traffic.finance_codes.items()}


def test_drift_gauge_shows_the_shifted_traffic(stack: Stack, traffic: Traffic) -> None:
    rows = stack.prometheus.wait_for('risk_feature_psi{job="risk"}', "risk_feature_psi")
    psi = {row["metric"]["feature"]: float(row["value"][1]) for row in rows}
    assert len(psi) > 1
    assert all(value >= 0 for value in psi.values())
    assert max(psi.values()) > PSI_ALERT_THRESHOLD


def test_the_served_population_is_at_parity_and_its_drift_alert_quiet(
    stack: Stack, traffic: Traffic
) -> None:
    """A healthy deployment (the demo's data, its promoted model): the whole served table sits
    within the line on every feature and on the score, whatever the test traffic did."""
    rows = stack.prometheus.wait_for('risk_population_psi{job="risk"}', "risk_population_psi")
    served = {row["metric"]["model_version"] for row in rows}
    assert len(served) == 1 and len(rows) > 10
    assert max(float(row["value"][1]) for row in rows) <= PSI_ALERT_THRESHOLD
    score = stack.prometheus.query('risk_score_psi{job="risk"}')
    assert score and float(score[0]["value"][1]) <= PSI_ALERT_THRESHOLD
    rule = next(r for r in stack.prometheus.rules() if r.get("name") == "RiskPopulationDrift")
    assert rule["health"] != "err"
    # The alert's own expression is empty, so it can be neither pending nor firing.
    assert not stack.prometheus.query(rule["query"])
    assert not stack.prometheus.query('ALERTS{alertname="RiskPopulationDrift"}')
    # Now minus the served table's as-of: known (0 means unknown) and never negative, even when
    # the generated extract runs past today (its table is then as of today).
    age = stack.prometheus.query('risk_feature_table_age_seconds{job="risk"}')
    assert age and float(age[0]["value"][1]) > 0.0


def test_alert_counter_matches_the_alerts_reported(stack: Stack, traffic: Traffic) -> None:
    assert traffic.screened == SCREENED_TRADES
    assert traffic.alert_ids, "the screened trades raised no alert; the check would be empty"
    raised = stack.prometheus.query('sum(aml_alerts_raised_total{job="aml"})')
    assert float(raised[0]["value"][1]) == len(traffic.alert_ids)


def test_quote_counter_by_outcome(stack: Stack, traffic: Traffic) -> None:
    quotes = stack.prometheus.values(
        'sum by (outcome) (finance_quotes_total{job="finance",policy_type="SHORT_TERM"})',
        "outcome",
    )
    assert sum(traffic.quote_outcomes.values()) == QUOTES
    assert {k: v for k, v in quotes.items() if v} == {
        outcome: float(n) for outcome, n in traffic.quote_outcomes.items()
    }


def test_recording_rules_evaluated(stack: Stack, traffic: Traffic) -> None:
    api = stack.prometheus
    record = "job:grpc_server_handled:rate5m"
    api.wait_for(f"count({record}) == {len(SERVICES)}", f"{record} for every job")
    rising = api.wait_for(f'{record}{{job="risk"}} > 0', f"{record} above zero for risk")
    assert float(rising[0]["value"][1]) > 0
    assert {row["metric"]["job"] for row in api.query(record)} == set(SERVICES)
    rules = api.rules()
    assert record in {rule["name"] for rule in rules}
    failing = {rule["name"]: rule.get("lastError") for rule in rules if rule["health"] == "err"}
    assert not failing

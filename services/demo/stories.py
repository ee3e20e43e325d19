"""What the demo shows: a bank's financing score, an insurer's quote, a regulator's review."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc
from services._proto.tradeguard.risk.v1 import risk_pb2, risk_pb2_grpc
from services.aml.api.trade_messages import load_trades
from services.common.client import ChannelConfig, connect
from services.common.money import from_float as money
from services.finance.api.cli import format_premium_quote
from services.risk.api.cli import format_score

#: Trades the bank replays to the aml service in the demo, and how many per stream message.
SCREENED_TRADES = 1500
BATCH = 100


def _banner(title: str) -> None:
    print(f"\n{'-' * 78}\n{title}\n{'-' * 78}", flush=True)


def _request_id() -> str:
    return str(uuid.uuid4())


def bank_scores_financing(target: str, token: str, data_dir: Path) -> str:
    """A bank asks for a 90-day order financing of USD 100,000 for its busiest exporter."""
    busiest = (
        pl.scan_parquet(data_dir / "orders.parquet")
        .group_by("enterprise_id")
        .len()
        .sort("len", "enterprise_id", descending=[True, False])
        .head(1)
        .collect()["enterprise_id"][0]
    )
    request = risk_pb2.ScoreFinancingRequest(
        request_id=_request_id(),
        enterprise_id=busiest,
        product=risk_pb2.ORDER_FINANCING,
        amount=money(100_000, "USD"),
        tenor_days=90,
    )
    with connect(ChannelConfig(target, token=token, timeout_seconds=10)) as channel:
        score = risk_pb2_grpc.RiskScoringStub(channel).ScoreFinancing(request)
    _banner(f"BANK  ScoreFinancing: {busiest}, ORDER_FINANCING USD 100,000 for 90 days")
    print(format_score(score))
    return str(busiest)


def insurer_quotes_premium(target: str, token: str, data_dir: Path, exporter_id: str) -> None:
    """An insurer quotes open-account cover on the exporter's largest foreign buyer."""
    buyer_id = (
        pl.scan_parquet(data_dir / "orders.parquet")
        .filter(pl.col("enterprise_id") == exporter_id)
        .group_by("buyer_id")
        .agg(pl.col("amount").sum())
        .sort("amount", "buyer_id", descending=[True, False])
        .head(1)
        .collect()["buyer_id"][0]
    )
    buyer = pl.read_parquet(data_dir / "buyers.parquet").filter(pl.col("buyer_id") == buyer_id)
    exporter = pl.read_parquet(data_dir / "enterprises.parquet").filter(
        pl.col("enterprise_id") == exporter_id
    )
    request = finance_pb2.QuotePremiumRequest(
        request_id=_request_id(),
        policy_type=finance_pb2.SHORT_TERM,
        exporter_id=exporter_id,
        exporter_name=exporter["name"][0],
        buyer=finance_pb2.Buyer(
            buyer_id=buyer_id,
            name=buyer["name"][0],
            country_code=buyer["country"][0],
            grade=int(buyer["buyer_grade"][0] or 5),
        ),
        insured_amount=money(250_000, "USD"),
        payment_terms=common_pb2.OA,
        credit_days=90,
        commercial_cover=0.9,
        political_cover=0.95,
    )
    with connect(ChannelConfig(target, token=token, timeout_seconds=15)) as channel:
        quote = finance_pb2_grpc.CreditInsuranceStub(channel).QuotePremium(request)
    _banner(
        f"INSURER  QuotePremium: USD 250,000 open account 90 days, buyer {buyer['name'][0]} "
        f"({buyer['country'][0]}), cover 90 % / 95 %"
    )
    print(format_premium_quote(quote))


def _batches(trades: list[common_pb2.Trade]) -> Iterator[aml_pb2.StreamScreenTradesRequest]:
    for start in range(0, len(trades), BATCH):
        yield aml_pb2.StreamScreenTradesRequest(
            requests=[
                aml_pb2.ScreenTradeRequest(request_id=f"demo-{t.order.order_id}", trade=t)
                for t in trades[start : start + BATCH]
            ]
        )


def bank_screens_trades(target: str, token: str, data_dir: Path) -> None:
    """The bank streams its exporters' trades through AML screening."""
    trades = load_trades(data_dir, limit=SCREENED_TRADES)
    hits = alerted = errors = 0
    with connect(ChannelConfig(target, token=token, timeout_seconds=300)) as channel:
        stub = aml_pb2_grpc.AmlMonitoringStub(channel)
        for response in stub.StreamScreenTrades(_batches(trades)):
            for result in response.results:
                if result.HasField("error"):
                    errors += 1
                    continue
                hits += len(result.response.hits) > 0
                alerted += len(result.response.alerts) > 0
    _banner(
        f"BANK  StreamScreenTrades: {len(trades)} trades (order + payments + waybills + "
        "declaration)"
    )
    print(f"trades with rule hits {hits}, trades alerted {alerted}, item errors {errors}")


def regulator_reviews(target: str, token: str) -> None:
    """The regulator lists new alerts, takes the riskiest into review and escalates it."""
    with connect(ChannelConfig(target, token=token, timeout_seconds=30)) as channel:
        stub = aml_pb2_grpc.AmlMonitoringStub(channel)
        page = stub.ListAlerts(aml_pb2.ListAlertsRequest(page_size=10, status=aml_pb2.NEW))
        _banner("REGULATOR  ListAlerts: newest NEW alerts")
        for alert in page.alerts:
            print(
                f"{alert.alert_id:<38} {alert.typology:<22} "
                f"{aml_pb2.Severity.Name(alert.severity):<8} risk {alert.risk_score:.2f} "
                f"tenant {alert.tenant or '-'}  {alert.evidence.summary[:60]}"
            )
        if not page.alerts:
            print("no new alerts")
            return
        alert = max(page.alerts, key=lambda a: a.risk_score)
        taken = stub.ReviewAlert(
            aml_pb2.ReviewAlertRequest(
                alert_id=alert.alert_id,
                decision=aml_pb2.START_REVIEW,
                note="taken into review",
                expected_version=alert.version,
            )
        )
        done = stub.ReviewAlert(
            aml_pb2.ReviewAlertRequest(
                alert_id=alert.alert_id,
                decision=aml_pb2.ESCALATE,
                note="documents disagree; escalated to a senior analyst",
                expected_version=taken.version,
            )
        )
        events = stub.ListAlertEvents(aml_pb2.ListAlertEventsRequest(alert_id=alert.alert_id))
    _banner(f"REGULATOR  ReviewAlert {alert.alert_id}: {alert.typology}")
    print(f"status now {aml_pb2.AlertStatus.Name(done.status)} (version {done.version})")
    for event in events.events:
        print(
            f"  #{event.sequence} {event.event_type:<10} "
            f"{aml_pb2.AlertStatus.Name(event.to_status):<10} by {event.actor:<28} "
            f"hash {event.hash[:16]}…"
        )


def regulator_scans(target: str, token: str, dataset: str) -> None:
    """The regulator runs the network typologies over the whole data set."""
    with connect(ChannelConfig(target, token=token, timeout_seconds=300)) as channel:
        stub = aml_pb2_grpc.AmlMonitoringStub(channel)
        result = stub.ScanTradeData(
            aml_pb2.ScanTradeDataRequest(request_id=_request_id(), dataset=dataset)
        )
    _banner(f"REGULATOR  ScanTradeData over '{dataset}': {result.flows_scanned:,} flows")
    for typology, count in sorted(result.structures_by_typology.items()):
        print(f"  {typology:<22} {count} structures")
    print(f"alerts raised {result.alerts_raised}, already known {result.alerts_existing}")

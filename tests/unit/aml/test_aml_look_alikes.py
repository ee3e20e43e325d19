"""The generator's honest look-alikes meet the rules that should clear them, on both paths."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from services.aml.batch import trade_frame
from services.aml.reference import load_reference
from services.aml.rules.engine import RuleEngine
from services.aml.rules.pricing import MarketReference
from services.aml.ruleset import RuleSet
from services.aml.screening import NameIndex
from services.aml.trade_rows import iter_trades
from services.aml.training.train import data_end
from services.tradedata.loading import load_dataset


def _parent_paid(data_dir: Path) -> list[str]:
    """Orders of the honest data whose payment a buyer's registered parent made."""
    data = load_dataset(data_dir)
    labels = pl.read_parquet(data_dir / "labels" / "trade_labels.parquet")["order_id"]
    parents = data.relations.filter(pl.col("relation") == "OWNERSHIP").select(
        buyer_id="party_a", parent="party_b"
    )
    buyers = data.buyers.select(parent="buyer_id", parent_name="name")
    paid = (
        data.payments.join(data.orders.select("order_id", "buyer_id"), on="order_id")
        .join(parents, on="buyer_id")
        .join(buyers, on="parent")
        .filter(pl.col("payer_account").str.starts_with("PA"))
        .filter(~pl.col("order_id").is_in(labels.implode()))
        .collect()
    )
    return sorted(set(paid["order_id"].to_list()))


def test_parents_paying_for_their_buyers_are_not_third_parties(
    generated: tuple[Path, Path],
) -> None:
    orders = _parent_paid(generated[0])
    assert len(orders) >= 20  # the look-alike is there to be cleared
    data = load_dataset(generated[0])
    reference = load_reference(data)
    rules, usd = RuleSet(), dict(reference.usd_rates)
    market = MarketReference.fit(data.orders, data.waybills, usd)
    names = NameIndex(reference.watchlist)
    as_of = data_end(data)
    batch = trade_frame(data, rules, market, names, usd, as_of, relations=data.relations)
    mine = batch.filter(pl.col("order_id").is_in(orders))
    assert mine.height == len(orders)
    assert mine["rule_third_party_payer"].sum() == 0
    # Only a bank under documentary terms or a platform may pay beside the parent (explained,
    # though not the buyer's own party).
    others = (
        data.payments.filter(pl.col("order_id").is_in(orders))
        .filter(~pl.col("payer_account").str.contains("^(PA|AC)"))
        .select("order_id")
        .collect()["order_id"]
    )
    assert mine.filter(~pl.col("order_id").is_in(others.implode()))["payer_unrelated"].sum() == 0
    engine = RuleEngine.build(rules, reference, market, names)
    wanted = set(orders)
    for trades in iter_trades(data):
        for trade in trades:
            if trade.order.order_id in wanted:
                _, hits = engine.evaluate(trade, as_of)
                assert "third_party_payer" not in {h.rule for h in hits}, trade.order.order_id

"""Training of the AML model bundle from generated (labelled) trade data.

Features come from the batch rules (:mod:`services.aml.batch`); labels from the generator's
``labels/trade_labels.parquet`` (read here only, never by the service). One binary LightGBM per
trade typology with enough examples (see :data:`RULE_ONLY` for those left to the rules).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from services.aml.batch import FEATURE_COLUMNS, trade_frame
from services.aml.model import AmlModel
from services.aml.reference import load_reference
from services.aml.rules.pricing import MarketReference
from services.aml.rules.specs import RULE_SPECS
from services.aml.ruleset import (
    NEGATIVE_LIST_PARTY,
    PHANTOM_SHIPMENT,
    RAPID_PASS_THROUGH,
    SHELL_EXPORTER,
    STRUCTURING,
    THIRD_PARTY_PAYER,
    TRADE_TYPOLOGIES,
    RuleSet,
)
from services.aml.screening import NameIndex

log = logging.getLogger("services.aml")

# No single feature may carry more than this share of a typology booster's gain.
MAX_GAIN_SHARE = 0.5

# Rule-only typologies. Pass-through is a structure: a handful of orders per data set, too few
# to learn from. A shell exporter is a party, not a trade: a data set holds a few distinct
# shells, and a model memorises their registry facts (e.g. capital alone) instead of the
# young + thin + sudden-volume pattern the rule states. The other four are one fact each, which
# the rule states in full once its look-alikes are explained (a listed name's score at the
# screening threshold; the days a paid order has gone without documents; unexplained payments
# just under the threshold; a payer that is neither the buyer, its relation, its platform nor
# its bank under documentary terms): a model there relearns the rule's own signal, and a
# listed party is moreover a few distinct names whose countries it memorises. Hold-outs at the
# training rates of look-alikes and at twice them score the same with and without those models;
# the prices and the three documents, whose evidence is graded, keep theirs.
RULE_ONLY = frozenset(
    {
        RAPID_PASS_THROUGH,
        SHELL_EXPORTER,
        NEGATIVE_LIST_PARTY,
        PHANTOM_SHIPMENT,
        STRUCTURING,
        THIRD_PARTY_PAYER,
    }
)


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """What to train on and how."""

    data_dir: Path
    out_dir: Path
    rules: RuleSet = field(default_factory=RuleSet)
    seed: int = 7
    num_threads: int = 2
    max_rounds: int = 150
    min_positives: int = 30
    validation_share: float = 0.2


def data_end(data: Any) -> datetime:
    """The moment the extract was taken: the latest timestamp in any document table."""
    stamps = [
        data.orders.select(pl.col("ordered_at").max()),
        data.payments.select(pl.col("paid_at").max()),
        data.waybills.select(pl.col("shipped_at").max()),
        data.declarations.select(pl.col("declared_at").max()),
    ]
    values = [s.collect().item() for s in stamps]
    found: datetime = max(v for v in values if v is not None)
    return found


def labelled_frame(
    data: Any, data_dir: Path, rules: RuleSet, market: MarketReference
) -> pl.DataFrame:
    """Batch features of every order plus one 0/1 label column per trade typology."""
    reference = load_reference(data)
    frame = trade_frame(
        data,
        rules,
        market,
        NameIndex(reference.watchlist),
        reference.usd_rates,
        data_end(data),
        relations=data.relations,
    )
    labels = pl.read_parquet(data_dir / "labels" / "trade_labels.parquet")
    for typology in TRADE_TYPOLOGIES:
        ids = labels.filter(pl.col("typology") == typology)["order_id"].implode()
        frame = frame.with_columns(
            pl.col("order_id").is_in(ids).cast(pl.Int8).alias(f"y_{typology}")
        )
    return frame


def _params(cfg: TrainConfig) -> dict[str, Any]:
    return {
        "objective": "binary",
        "learning_rate": 0.08,
        "num_leaves": 15,
        "min_data_in_leaf": 20,
        "feature_fraction": 0.5,
        "feature_fraction_bynode": 0.5,
        "extra_trees": True,
        "lambda_l2": 1.0,
        "num_threads": cfg.num_threads,
        "seed": cfg.seed,
        "deterministic": True,
        "verbosity": -1,
    }


def _own_rule_columns(typology: str) -> list[int]:
    own = {f"rule_{spec.name}" for spec in RULE_SPECS if spec.typology == typology}
    return [i for i, name in enumerate(FEATURE_COLUMNS) if name in own]


def fit_typology(frame: pl.DataFrame, typology: str, cfg: TrainConfig) -> lgb.Booster:
    """One booster, early-stopped on a random fifth of the orders.

    Not a temporal cut: documents still in flight at the extract's end (no waybill yet, no
    payment yet) exist only in its last weeks, and a model that never saw them would call every
    recent order a phantom shipment. Hold-out evaluation stays temporal (a later period)."""
    rng = np.random.default_rng(cfg.seed)
    valid_rows = rng.random(frame.height) < cfg.validation_share
    x = frame.select(FEATURE_COLUMNS).to_numpy()
    # The typology's own rules alert on their own; its model learns from the evidence beneath
    # them (a constant column is never split on, so the booster cannot echo the rule).
    for i in _own_rule_columns(typology):
        x[:, i] = 0.0
    y = frame[f"y_{typology}"].to_numpy()
    names = list(FEATURE_COLUMNS)
    train = lgb.Dataset(x[~valid_rows], y[~valid_rows], feature_name=names, free_raw_data=False)
    valid = lgb.Dataset(x[valid_rows], y[valid_rows], reference=train)
    booster = lgb.train(
        _params(cfg),
        train,
        num_boost_round=cfg.max_rounds,
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(20, verbose=False, min_delta=1e-5)],
    )
    return booster


def train(cfg: TrainConfig) -> AmlModel:
    """Fit the market reference and the per-typology boosters; return the bundle (unsaved)."""
    from services.tradedata.loading import load_dataset

    data = load_dataset(cfg.data_dir)
    reference = load_reference(data)
    pc = cfg.rules.pricing
    market = MarketReference.fit(
        data.orders,
        data.waybills,
        dict(reference.usd_rates),
        period_months=pc.period_months,
        min_samples=pc.min_samples,
    )
    frame = labelled_frame(data, cfg.data_dir, cfg.rules, market).sort("ordered_at", "order_id")
    boosters = {}
    for typology in TRADE_TYPOLOGIES:
        positives = int(frame[f"y_{typology}"].sum())
        if typology in RULE_ONLY or positives < cfg.min_positives:
            log.info("typology_rule_only", extra={"typology": typology, "positives": positives})
            continue
        boosters[typology] = fit_typology(frame, typology, cfg)
    now = datetime.now(UTC)
    version = f"aml-{now:%Y%m%d%H%M%S}-{cfg.rules.fingerprint()[:8]}"
    counts = {t: int(frame[f"y_{t}"].sum()) for t in TRADE_TYPOLOGIES}
    metrics = {"train_orders": frame.height, "train_positives": counts}
    return AmlModel(version, now.isoformat(), FEATURE_COLUMNS, boosters, market, cfg.rules, metrics)


def holdout_as_of(data: Any) -> datetime:
    """Screening time for a replayed hold-out: just after its extract was taken."""
    return data_end(data) + timedelta(seconds=1)


def gain_shares(model: AmlModel) -> dict[str, dict[str, float]]:
    """Each typology booster's share of total gain per feature, largest first."""
    out: dict[str, dict[str, float]] = {}
    for typology, booster in model.boosters.items():
        gain = booster.feature_importance("gain").astype(float)
        total = float(gain.sum()) or 1.0
        order = np.argsort(gain)[::-1]
        out[typology] = {
            model.feature_names[i]: round(float(gain[i]) / total, 4) for i in order if gain[i] > 0
        }
    return out


def feature_importance(model: AmlModel, top: int = 5) -> dict[str, list[str]]:
    """The most used features (by gain) of each typology's booster, for the report."""
    return {t: list(shares)[:top] for t, shares in gain_shares(model).items()}


def dominant_features(model: AmlModel, limit: float = MAX_GAIN_SHARE) -> dict[str, str]:
    """Typologies whose booster leans on one feature for more than `limit` of its gain: a sign
    it wins on an artefact of the data rather than on what the typology is."""
    return {
        t: next(iter(shares))
        for t, shares in gain_shares(model).items()
        if shares and next(iter(shares.values())) > limit
    }

"""Synthetic cross-border e-commerce trade data with injected typologies and ground truth.

``generate(config, out)`` writes every contract table to ``out`` and the ground truth to
``out/labels/`` (which services never read). Everything is vectorised with numpy/polars and
deterministic for ``config.seed``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from ..schemas import TABLES
from . import assemble, lookalikes
from .buyer_health import buyer_health
from .buyer_health import labels_frame as buyer_labels_frame
from .config import (
    STRUCTURE_TYPOLOGIES,
    TRADE_TYPOLOGIES,
    GeneratorConfig,
    LookAlikeRates,
    TypologyRates,
)
from .documents import make_payments, make_waybills
from .financings import make_financings
from .health import latent_health
from .orders import make_orders
from .parents import register_parents
from .parties import make_buyers, make_enterprises
from .structures import inject_structures
from .timebase import Timebase
from .trade_typologies import inject_trade_typologies

TABLE_NAMES = tuple(TABLES)

__all__ = [
    "STRUCTURE_TYPOLOGIES",
    "TRADE_TYPOLOGIES",
    "GeneratedData",
    "GeneratorConfig",
    "LookAlikeRates",
    "TypologyRates",
    "generate",
    "generate_tables",
    "write",
]


@dataclass(frozen=True, slots=True)
class GeneratedData:
    """Labels and row counts of one generation run, plus the tables when kept in memory
    (``generate_tables``); ``generate`` writes each table as soon as it exists instead."""

    tables: dict[str, pl.DataFrame]
    trade_labels: pl.DataFrame
    structure_labels: pl.DataFrame
    party_labels: pl.DataFrame
    metadata: dict[str, Any]
    #: Each buyer's default time, null when it has not defaulted.
    buyer_labels: pl.DataFrame

    @property
    def rows_by_table(self) -> dict[str, int]:
        rows: dict[str, int] = self.metadata["rows"]
        return rows

    @property
    def orders(self) -> int:
        return self.rows_by_table["orders"]

    @property
    def rows(self) -> int:
        return sum(self.rows_by_table.values())


Sink = Callable[[str, pl.DataFrame], None]


def _build(cfg: GeneratorConfig, sink: Sink) -> GeneratedData:
    """Generate every table, handing each to ``sink`` as soon as it is complete so large runs
    never hold all tables at once."""
    tb = Timebase.build(cfg.start, cfg.months)
    ent = make_enterprises(cfg, tb)
    buyers = make_buyers(cfg, ent)
    z = latent_health(cfg, ent.quality)
    book = make_orders(cfg, tb, ent, buyers, z)
    injected = inject_trade_typologies(cfg, tb, book, ent, buyers)
    structures, relations = inject_structures(cfg, tb, book, ent, buyers, z)
    assemble.sort_by_time(book, structures)
    # Buyer health is drawn before the parents join the buyers table: they never buy.
    health = buyer_health(cfg, tb, buyers.grade)
    parent_of, parent_links = register_parents(cfg.seed, buyers, cfg.look_alikes.parent_payers, tb)
    rows: dict[str, int] = {}

    def put(name: str, frame: pl.DataFrame) -> None:
        rows[name] = frame.height
        sink(name, frame)

    put("enterprises", ent.frame)
    put("buyers", buyers.frame())
    waybills, declarations = make_waybills(cfg, tb, book, ent, buyers)
    orders, declarations = lookalikes.national_lines(
        cfg.seed, assemble.orders_frame(book), declarations, cfg.look_alikes.national_tariff_lines
    )
    put("orders", orders)
    put("waybills", waybills)
    put("declarations", declarations)
    payments = make_payments(cfg, tb, book, ent, buyers, injected.payers, health, parent_of)
    party_labels = assemble.party_labels(ent, injected.listed_buyers, injected.payers, payments)
    put("payments", payments)
    del payments
    put("financings", make_financings(cfg, tb, ent, z))
    put("watchlist", injected.watchlist.frame)
    put("relations", assemble.relations_frame([*relations, *parent_links]))
    metadata: dict[str, Any] = {
        "config": cfg.as_json(),
        "extract_end": assemble.extract_end(tb),
        "reporting_threshold_usd": cfg.reporting_threshold_usd,
        "rows": {name: rows[name] for name in TABLE_NAMES},
    }
    return GeneratedData(
        {},
        assemble.trade_labels(book, ent, structures),
        assemble.structure_labels(book, structures),
        party_labels,
        metadata,
        buyer_labels_frame(health),
    )


def generate_tables(cfg: GeneratorConfig) -> GeneratedData:
    """Generate a data set in memory (tables in contract order)."""
    kept: dict[str, pl.DataFrame] = {}
    data = _build(cfg, kept.__setitem__)
    return replace(data, tables={name: kept[name] for name in TABLE_NAMES})


def _write_table(frame: pl.DataFrame, path: Path, file_format: str) -> None:
    if file_format == "parquet":
        frame.write_parquet(path.with_suffix(".parquet"), compression="zstd")
        return
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    flat = frame.with_columns(pl.col(n).list.join("|") for n in lists)
    flat.write_csv(path.with_suffix(".csv"))


def _write_labels(data: GeneratedData, root: Path) -> None:
    labels = root / "labels"
    labels.mkdir(parents=True, exist_ok=True)
    data.trade_labels.write_parquet(labels / "trade_labels.parquet")
    data.structure_labels.write_parquet(labels / "structure_labels.parquet")
    data.party_labels.write_parquet(labels / "party_labels.parquet")
    data.buyer_labels.write_parquet(labels / "buyer_defaults.parquet")
    text = json.dumps(data.metadata, indent=2, sort_keys=True) + "\n"
    (labels / "config.json").write_text(text)


def write(data: GeneratedData, out: str | Path, file_format: str = "parquet") -> Path:
    """Write in-memory tables to ``out/<table>.<fmt>`` and labels to ``out/labels/``."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    for name, frame in data.tables.items():
        _write_table(frame, root / name, file_format)
    _write_labels(data, root)
    return root


def generate(cfg: GeneratorConfig, out: str | Path) -> GeneratedData:
    """Generate a data set for ``cfg`` and write it under ``out``, one table at a time (the
    returned ``tables`` is empty; read the files or use ``generate_tables`` for memory)."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    data = _build(cfg, lambda name, frame: _write_table(frame, root / name, cfg.file_format))
    _write_labels(data, root)
    return data

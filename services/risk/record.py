"""An applicant's own trade record, turned into model features by the pipeline that builds the
served feature table (`services.tradedata.features.compute_features`): one code path, so a
record and the table give the same features for the same documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from services.common.errors import FieldViolation, ValidationError
from services.tradedata.errors import DataValidationError, Problem
from services.tradedata.features import compute_features
from services.tradedata.features.windows import LOOKBACK_DAYS
from services.tradedata.loading import TradeDataset, dataset_from_frames
from services.tradedata.schemas import TABLES

MAX_DOCUMENTS = 5000
"""Most documents (orders, payments, waybills, declarations, financings, buyers) one record may
carry: 24 months of a busy exporter, and a bound on the work one call can ask for."""
MAX_VIOLATIONS = 50
"""Field violations named in one answer; the rest are counted (the status must fit a header)."""
RECORD_FIELD = "trade_record"
ENTERPRISE = "enterprises"
DOCUMENT_TABLES = ("buyers", "orders", "payments", "waybills", "declarations", "financings")
LOOKBACK = timedelta(days=LOOKBACK_DAYS)


@dataclass(frozen=True)
class TradeRecord:
    """Rows per contract table (`enterprises` holds the applicant's one row); documents strictly
    before `as_of` count."""

    enterprise_id: str
    as_of: datetime
    tables: Mapping[str, Sequence[Mapping[str, Any]]]

    @property
    def documents(self) -> int:
        return sum(len(self.tables.get(name, ())) for name in DOCUMENT_TABLES)

    def history(self) -> tuple[int, float]:
        """Orders before as-of, and the days from the first of them to as-of."""
        dates = [
            row["ordered_at"]
            for row in self.tables.get("orders", ())
            if row["ordered_at"] is not None and row["ordered_at"] < self.as_of
        ]
        days = (self.as_of - min(dates)).total_seconds() / 86_400 if dates else 0.0
        return len(dates), days


def check_size(record: TradeRecord) -> None:
    if record.documents > MAX_DOCUMENTS:
        raise ValidationError.for_field(
            RECORD_FIELD, f"must hold at most {MAX_DOCUMENTS} documents, got {record.documents}"
        )


def record_features(record: TradeRecord) -> pl.DataFrame:
    """One feature row for the record's enterprise at its as-of; ValidationError naming every
    document field that breaks the trade-data contract."""
    check_size(record)
    frames = {
        name: pl.DataFrame(list(record.tables.get(name, ())), schema=table.schema)
        for name, table in TABLES.items()
    }
    try:
        dataset = dataset_from_frames(frames)
    except DataValidationError as error:
        violations = [_violation(problem) for problem in error.problems[:MAX_VIOLATIONS]]
        if len(error.problems) > MAX_VIOLATIONS:
            more = len(error.problems) - MAX_VIOLATIONS
            violations.append(FieldViolation(RECORD_FIELD, f"and {more} more problems"))
        raise ValidationError("invalid trade record", violations) from error
    return compute_features(dataset, record.as_of).collect()


def _violation(problem: Problem) -> FieldViolation:
    if problem.table == ENTERPRISE:
        where = f"{RECORD_FIELD}.enterprise"
    elif problem.row is None:
        where = f"{RECORD_FIELD}.{problem.table}"
    else:
        where = f"{RECORD_FIELD}.{problem.table}[{problem.row}]"
    field = where if problem.column is None else f"{where}.{problem.column}"
    return FieldViolation(field, problem.message)


def extract_record(dataset: TradeDataset, enterprise_id: str, as_of: datetime) -> TradeRecord:
    """The record an applicant holds in `dataset`: its profile, the orders of the look-back with
    their documents and buyers, and its financings before `as_of`."""
    c = pl.col
    orders = dataset.orders.filter(
        (c("enterprise_id") == enterprise_id)
        & (c("ordered_at") < as_of)
        & (c("ordered_at") >= as_of - LOOKBACK)
    ).collect()
    ids = orders["order_id"].implode()
    mine = c("enterprise_id") == enterprise_id
    frames = {
        ENTERPRISE: dataset.enterprises.filter(mine),
        "buyers": dataset.buyers.filter(c("buyer_id").is_in(orders["buyer_id"].implode())),
        "orders": orders.lazy(),
        "payments": dataset.payments.filter(c("order_id").is_in(ids)),
        "waybills": dataset.waybills.filter(c("order_id").is_in(ids)),
        "declarations": dataset.declarations.filter(c("order_id").is_in(ids)),
        "financings": dataset.financings.filter(mine & (c("disbursed_at") < as_of)),
    }
    tables = {name: frame.collect().to_dicts() for name, frame in frames.items()}
    return TradeRecord(enterprise_id, as_of, tables)

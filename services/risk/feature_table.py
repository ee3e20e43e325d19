"""The per-enterprise feature table the service scores from (one Parquet file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from services.tradedata.features.table_file import read_as_of

ENTERPRISE_ID = "enterprise_id"
AS_OF = "as_of"


class FeatureTableError(Exception):
    """The feature table is missing or does not have the columns the model needs."""


@dataclass(frozen=True)
class FeatureTable:
    frame: pl.DataFrame
    as_of: str
    source: str


def latest_table_path(path: Path) -> Path:
    """`path` itself if it is a file, else the newest `*.parquet` file in that folder."""
    target = Path(path)
    if target.is_file():
        return target
    # The latest as-of wins (written in the file's metadata); the newest file breaks ties and
    # stands in for tables written without one.
    files = sorted(target.glob("*.parquet"), key=lambda p: (_as_of(p), p.stat().st_mtime, p.name))
    if not files:
        raise FeatureTableError(f"no feature table (*.parquet) at {target}")
    return files[-1]


def read_feature_table(path: Path) -> FeatureTable:
    file = latest_table_path(path)
    try:
        frame = pl.read_parquet(file)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise FeatureTableError(f"cannot read feature table {file}: {exc}") from exc
    return from_frame(frame, str(file), _file_date(file))


def from_frame(frame: pl.DataFrame, source: str, default_as_of: str = "") -> FeatureTable:
    if ENTERPRISE_ID not in frame.columns:
        raise FeatureTableError(f"feature table {source} has no {ENTERPRISE_ID} column")
    if frame.get_column(ENTERPRISE_ID).is_duplicated().any():
        raise FeatureTableError(f"feature table {source} repeats an {ENTERPRISE_ID}")
    as_of = default_as_of
    if AS_OF in frame.columns and len(frame):
        latest = frame.get_column(AS_OF).max()
        as_of = latest.isoformat() if isinstance(latest, date | datetime) else str(latest)
    return FeatureTable(frame, as_of, source)


def _as_of(file: Path) -> str:
    try:
        return read_as_of(file)
    except (OSError, pl.exceptions.PolarsError):
        return ""


def _file_date(file: Path) -> str:
    return datetime.fromtimestamp(file.stat().st_mtime, tz=UTC).date().isoformat()

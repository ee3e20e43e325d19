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


def read_feature_table(path: Path, now: datetime | None = None) -> FeatureTable:
    """The served table at ``path``; refused while its as-of lies after ``now`` (the clock)."""
    file = latest_table_path(path)
    try:
        frame = pl.read_parquet(file)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise FeatureTableError(f"cannot read feature table {file}: {exc}") from exc
    table = from_frame(frame, str(file), _file_date(file))
    _not_ahead_of(table, now or datetime.now(UTC))
    return table


def as_of_moment(text: str) -> datetime | None:
    """An as-of as an aware moment (a bare date is its midnight UTC); None when unparseable."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _not_ahead_of(table: FeatureTable, now: datetime) -> None:
    """Features describe what was known before their as-of, so an as-of after the clock is a
    wrong clock or a wrong features job: serving it would score on a claimed future and report
    a negative table age. It is refused (the previous snapshot keeps serving) until the clock
    reaches it."""
    moment = as_of_moment(table.as_of)
    if moment is not None and moment > now:
        raise FeatureTableError(
            f"feature table {table.source} is as of {table.as_of}, after the current time "
            f"{now.isoformat(timespec='seconds')}; it is served once that time has come"
        )


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

"""Loading a trade data set from a directory: ``DIR/<table>.parquet`` (default),
``DIR/<table>/*.parquet``, ``DIR/<table>.csv`` or ``DIR/<table>/*.csv``.

``load_dataset`` validates the whole contract before returning anything: either every table is
valid and comes back as a lazy frame in the contract dtypes, or ``DataValidationError`` lists
every problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .coercion import coerce
from .schemas import TABLES
from .validation import DatasetValidator


@dataclass(frozen=True, slots=True)
class TradeDataset:
    """Validated trade tables as lazy frames in the contract dtypes (see ``schemas``)."""

    enterprises: pl.LazyFrame
    buyers: pl.LazyFrame
    orders: pl.LazyFrame
    payments: pl.LazyFrame
    waybills: pl.LazyFrame
    declarations: pl.LazyFrame
    financings: pl.LazyFrame
    watchlist: pl.LazyFrame
    relations: pl.LazyFrame

    def table(self, name: str) -> pl.LazyFrame:
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}")
        frame: pl.LazyFrame = getattr(self, name)
        return frame


def _scan_parquet(path: Path) -> pl.LazyFrame:
    return pl.scan_parquet(path)


def _scan_csv(path: Path) -> pl.LazyFrame:
    # Everything as text: coercion to the contract dtypes is the validator's job, so a bad cell
    # becomes a located problem instead of a parse failure for the whole file.
    return pl.scan_csv(path, infer_schema=False, raise_if_empty=False)


def scan_table(directory: Path, name: str) -> pl.LazyFrame | None:
    """Raw (unvalidated) scan of one table, or ``None`` when no file holds it."""
    for suffix, scan in ((".parquet", _scan_parquet), (".csv", _scan_csv)):
        single = directory / f"{name}{suffix}"
        if single.is_file():
            return scan(single)
        folder = directory / name
        if folder.is_dir() and any(folder.glob(f"*{suffix}")):
            return scan(folder / f"*{suffix}")
    return None


def _coerce(frame: pl.LazyFrame, name: str) -> pl.LazyFrame:
    """Contract dtypes without the checks (trusted input, e.g. freshly generated files)."""
    table = TABLES[name]
    source = frame.collect_schema()
    return frame.select(
        coerce(c.name, source[c.name], c.dtype).alias(c.name) for c in table.columns
    )


def dataset_from_frames(
    frames: Mapping[str, pl.LazyFrame | pl.DataFrame | None], *, validate: bool = True
) -> TradeDataset:
    """Build a data set from in-memory or lazy frames, validated like files are."""
    raw = {name: None if f is None else f.lazy() for name, f in frames.items()}
    if validate:
        DatasetValidator().validate(raw)
    # Fresh plans without the validator's row index, so later queries scan in parallel.
    tables = {name: _coerce(frame, name) for name, frame in raw.items() if frame is not None}
    for name, table in TABLES.items():
        tables.setdefault(name, pl.LazyFrame(schema=table.schema))
    return TradeDataset(**tables)


def load_dataset(directory: str | Path, *, validate: bool = True) -> TradeDataset:
    """Scan and validate every contract table under ``directory``.

    Raises ``DataValidationError`` (carrying every problem) if any table is missing or breaks
    the contract; ``FileNotFoundError`` if the directory does not exist.
    """
    root = Path(directory)
    if not root.is_dir():
        raise FileNotFoundError(f"trade data directory not found: {root}")
    return dataset_from_frames({name: scan_table(root, name) for name in TABLES}, validate=validate)

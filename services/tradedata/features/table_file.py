"""Writing a feature table the way a serving process can trust: atomically, with its as-of.

The file appears under its final name only once complete (written beside it, then renamed), so
a service watching the folder never reads half a table; the as-of is stored in the Parquet
key-value metadata, so the service can pick the table with the latest as-of without reading
any rows.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import polars as pl

AS_OF_KEY = "tradeguard.as_of"


def table_as_of(frame: pl.DataFrame) -> str:
    """The latest as-of in the table (ISO 8601), or an empty string when it has none."""
    if "as_of" not in frame.columns or frame.is_empty():
        return ""
    latest = frame.get_column("as_of").max()
    return latest.isoformat() if isinstance(latest, date) else str(latest)


def write_feature_table(frame: pl.DataFrame, out: Path) -> None:
    """Write ``frame`` to ``out`` atomically, its as-of in the file's metadata."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=".staging-", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        frame.write_parquet(staging, metadata={AS_OF_KEY: table_as_of(frame)})
        os.replace(staging, target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def read_as_of(path: Path) -> str:
    """The as-of stored in a table's metadata (empty when the file has none)."""
    return pl.read_parquet_metadata(path).get(AS_OF_KEY, "")

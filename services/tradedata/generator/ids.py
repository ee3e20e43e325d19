"""Zero-padded identifiers built in bulk (``E000042``, ``O000000123``)."""

from __future__ import annotations

import numpy as np
import polars as pl


def make_ids(prefix: str, index: np.ndarray | int, width: int) -> pl.Series:
    """``prefix`` + zero-padded ``index`` (or ``range(index)`` when an int is given)."""
    values = np.arange(index) if isinstance(index, int) else index
    digits = pl.Series(values.astype(np.int64)).cast(pl.String).str.zfill(width)
    return (prefix + digits).alias("id")

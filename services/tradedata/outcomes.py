"""What a financing's outcome columns mean, shared by the generator, features and labels.

``defaulted`` is set once a default is recognised: ``DEFAULT_RECOGNISED_DAYS`` after the due
date unpaid. Until then an unpaid financing is open (``repaid_at`` null, not defaulted). An
outcome is therefore known at ``due_at + DEFAULT_RECOGNISED_DAYS``: earlier, a financing is
still open and carries no label.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

DEFAULT_RECOGNISED_DAYS = 30


def recognised_by(as_of: pl.Expr | datetime) -> pl.Expr:
    """The outcome of a financing is known before ``as_of``."""
    moment = as_of if isinstance(as_of, pl.Expr) else pl.lit(as_of)
    return pl.col("due_at") + pl.duration(days=DEFAULT_RECOGNISED_DAYS) <= moment


def written_off_by(as_of: pl.Expr) -> pl.Expr:
    """Defaulted and recognised as such before ``as_of``."""
    recognised = pl.col("due_at") + pl.duration(days=DEFAULT_RECOGNISED_DAYS)
    return pl.col("defaulted").fill_null(False) & (recognised < as_of)


def observed_default() -> pl.Expr:
    """The label of a financing whose outcome is known: flagged, or never repaid."""
    return pl.col("defaulted").fill_null(False) | pl.col("repaid_at").is_null()

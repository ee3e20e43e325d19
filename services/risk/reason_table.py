"""The reason catalog compiled for one model's features: model reasons for a batch of rows in
one pass.

`reason_codes.model_reasons` says what the reasons of one row are; this computes the same
(codes in the order their features first appear, totals summed in feature order, the first
strongest feature leading, ties kept in code order) for every row of a batch in compiled code,
and keeps each code's wording ready, so a batch costs no per-feature Python work.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

from services.risk.domain import Reason
from services.risk.features import FeatureSpec
from services.risk.reason_codes import MAX_MODEL_REASONS, ReasonCode, code_for


class ReasonTable:
    """Immutable; built once per model and shared by every snapshot serving it."""

    def __init__(self, specs: Sequence[FeatureSpec], limit: int = MAX_MODEL_REASONS) -> None:
        codes: dict[str, int] = {}
        catalog: list[ReasonCode] = []
        code_of = []
        for spec in specs:
            rc = code_for(spec)
            if rc.code not in codes:
                codes[rc.code] = len(catalog)
                catalog.append(rc)
            code_of.append(codes[rc.code])
        self.limit = limit
        self.codes = tuple(catalog)
        self.feature_names = tuple(spec.name for spec in specs)
        self._code_of = np.asarray(code_of, dtype=np.int64)
        for layout in ("C", "F"):  # compile before serving (row blocks come in both layouts)
            self.top(np.zeros((2, len(specs) + 1), order=layout))

    def top(self, contributions: np.ndarray) -> TopReasons:
        """The model reasons of every row of `contributions` (rows x features, more columns
        ignored)."""
        n = contributions.shape[0]
        codes = np.full((n, self.limit), -1, dtype=np.int64)
        totals = np.zeros((n, self.limit))
        leaders = np.zeros((n, self.limit), dtype=np.int64)
        _top_codes(contributions, self._code_of, len(self.codes), codes, totals, leaders)
        return TopReasons(self, codes, totals, leaders)


class TopReasons:
    """Row i's model reasons: codes[i, k] (-1 past the last), their totals and leading
    features."""

    __slots__ = ("table", "codes", "totals", "leaders")

    def __init__(
        self, table: ReasonTable, codes: np.ndarray, totals: np.ndarray, leaders: np.ndarray
    ) -> None:
        self.table = table
        self.codes = codes
        self.totals = totals
        self.leaders = leaders

    def row(self, i: int) -> list[tuple[ReasonCode, str, float]]:
        """(code, leading feature, summed contribution) of row i, strongest first."""
        table = self.table
        found = []
        for code, total, leader in zip(
            self.codes[i].tolist(), self.totals[i].tolist(), self.leaders[i].tolist(), strict=True
        ):
            if code < 0:
                break
            found.append((table.codes[code], table.feature_names[leader], total))
        return found

    def reasons(self, i: int) -> tuple[Reason, ...]:
        return tuple(
            Reason(feature=name, contribution=total, message=rc.sentence, value=None, code=rc.code)
            for rc, name, total in self.row(i)
        )


@njit(cache=True, nogil=True)  # type: ignore[misc]
def _top_codes(
    contributions: np.ndarray,
    code_of: np.ndarray,
    n_codes: int,
    codes: np.ndarray,
    totals: np.ndarray,
    leaders: np.ndarray,
) -> None:
    limit = codes.shape[1]
    total = np.empty(n_codes)
    leader = np.empty(n_codes, np.int64)
    taken = np.empty(n_codes, np.bool_)
    for r in range(contributions.shape[0]):
        total[:] = 0.0
        leader[:] = -1
        taken[:] = False
        for j in range(code_of.shape[0]):
            c = code_of[j]
            value = contributions[r, j]
            total[c] += value
            if leader[c] < 0 or value > contributions[r, leader[c]]:
                leader[c] = j
        for k in range(limit):
            best = -1
            for c in range(n_codes):
                if not taken[c] and total[c] > 0.0 and (best < 0 or total[c] > total[best]):
                    best = c
            if best < 0:
                break
            taken[best] = True
            codes[r, k] = best
            totals[r, k] = total[best]
            leaders[r, k] = leader[best]

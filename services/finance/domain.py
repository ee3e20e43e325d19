"""Domain types of the credit insurance service that cross its edges: the parties screened, what
screening found, and what the quoting workflow needs from the risk and aml services.

The workflow depends on the two protocols here; ``services.finance.api.clients`` implements
them over gRPC, so no domain module knows the wire.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from services.common.errors import UnavailableError

_T = TypeVar("_T")


@dataclass(frozen=True)
class Party:
    """A party to screen; ``role`` ("exporter", "buyer") names it in decline reasons."""

    role: str
    name: str
    country_code: str


@dataclass(frozen=True)
class WatchlistHit:
    """A watchlist entry a party's name matched."""

    party: str
    entry_id: str
    entry_name: str
    list_name: str
    score: float

    def reason(self) -> str:
        return (
            f"{self.party} matches {self.list_name} entry {self.entry_id} "
            f"{self.entry_name!r} (score {self.score:.2f})"
        )


@dataclass(frozen=True)
class PartyScreening:
    """One party's screening: its hits (best first), or why it could not be screened."""

    party: Party
    hits: tuple[WatchlistHit, ...]
    error: UnavailableError | None


#: A call already sent: calling it waits for the result (or raises UnavailableError). Sending
#: every dependency call first and waiting after lets them run at the same time.
Pending = Callable[[], _T]


class PdSource(Protocol):
    """Probability of default of a known exporter over a tenor, for financing against its
    insured receivables; None when it is unknown."""

    def ask_probability_of_default(
        self, enterprise_id: str, amount: Decimal, currency: str, tenor_days: int,
        *, request_id: str,
    ) -> Pending[float | None]: ...  # fmt: skip


class Screener(Protocol):
    """Watchlist screening of several parties at once, in the order given."""

    def ask_screening(
        self, parties: Sequence[Party], min_score: float
    ) -> Pending[list[PartyScreening]]: ...


class BuyerPdModel(Protocol):
    """Annual probability of default of a buyer from its payment record; None when the buyer
    has no record to score."""

    def annual_pd(self, buyer_id: str) -> float | None: ...

    @property
    def version(self) -> str: ...

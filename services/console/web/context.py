"""What every page handler needs: settings, sessions, the AML gateway, the trade data."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from starlette.requests import Request
from starlette.templating import Jinja2Templates

from services.common.tokens import TokenStore
from services.console import statistics
from services.console.api.clients import AmlGateway
from services.console.documents import DocumentLibrary
from services.console.sessions import COOKIE_NAME, Session, SessionStore
from services.console.settings import ConsoleSettings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _age(moment: datetime | None) -> str:
    """How long ago, in the largest unit that says it (for "oldest open alert")."""
    if moment is None:
        return "—"
    seconds = max((datetime.now(UTC) - moment).total_seconds(), 0)
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "under a minute"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def plain(value: object) -> str:
    """A figure from evidence in words: thousands separators, lists joined, yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 1000 else f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_words(k)}: {plain(v)}" for k, v in value.items())
    return str(value)


def _words(name: object) -> str:
    return str(name).replace("_", " ").lower()


def evidence_items(details: dict[str, object]) -> list[tuple[str, str]]:
    """Evidence figures as (label, words), one nested level flattened into the list."""
    items: list[tuple[str, str]] = []
    for key, value in details.items():
        if isinstance(value, dict):
            items += [(_words(k), plain(v)) for k, v in value.items()]
        else:
            items.append((_words(key), plain(value)))
    return items


def templates() -> Jinja2Templates:
    env = Jinja2Templates(directory=str(TEMPLATES))
    env.env.filters["age"] = _age
    env.env.filters["when"] = _when
    env.env.filters["words"] = _words
    env.env.filters["evidence"] = evidence_items
    return env


@dataclass
class Console:
    """The running console's shared parts."""

    settings: ConsoleSettings
    sessions: SessionStore
    gateway: AmlGateway
    tokens: TokenStore
    templates: Jinja2Templates
    library: DocumentLibrary | None
    _trade_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, settings: ConsoleSettings) -> Console:
        sessions = SessionStore(
            settings.session_idle_minutes * 60, settings.session_max_hours * 3600
        )
        gateway = AmlGateway(
            settings.aml_target, settings.rpc_timeout_seconds, settings.tls_ca_file
        )
        library = DocumentLibrary(settings.data_dir) if settings.data_dir else None
        return cls(
            settings, sessions, gateway, TokenStore(settings.tokens_file), templates(), library
        )

    def session(self, request: Request) -> Session | None:
        return self.sessions.get(request.cookies.get(COOKIE_NAME))

    def trade_tables(self) -> list[statistics.Table]:
        """Trade-data figures; the data folder is a snapshot, so they are computed once."""
        if self.settings.data_dir is None:
            return []
        with self._trade_lock:
            return _trade_tables(self.settings.data_dir)


@functools.cache
def _trade_tables(root: Path) -> list[statistics.Table]:
    return statistics.trade_tables(root)

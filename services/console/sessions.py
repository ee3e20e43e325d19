"""Server-side sign-in sessions: the browser holds only a random id in an HttpOnly cookie.

The bearer token a user signed in with stays on the server, in memory; a restart signs
everyone out, which is the safe failure for a console that holds credentials. Every session,
signed in or not, carries its own CSRF token; signing in replaces the session (new id, new
CSRF token) so an id planted before sign-in is worth nothing after it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from services.common.tokens import Principal

COOKIE_NAME = "tradeguard_console_session"
#: Sessions kept at most; the least recently used go first (bounds memory against floods).
MAX_SESSIONS = 10_000


@dataclass
class Session:
    """One browser's session; `principal` and `token` are set once signed in."""

    session_id: str
    csrf_token: str
    created_at: float
    last_seen: float
    principal: Principal | None = None
    token: str = ""
    #: Page tokens already seen per queue query, so page N can be opened directly.
    page_tokens: dict[str, list[str]] = field(default_factory=dict)
    #: Messages for the next page shown (kind, text), e.g. the outcome of a review.
    flashes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def signed_in(self) -> bool:
        return self.principal is not None

    def check_csrf(self, submitted: str) -> bool:
        """Whether a submitted form carries this session's CSRF token (constant-time)."""
        return secrets.compare_digest(submitted.encode(), self.csrf_token.encode())


class SessionStore:
    """Sessions by id with idle and absolute expiry; safe to use from several threads."""

    def __init__(
        self,
        idle_seconds: float,
        max_age_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._idle = idle_seconds
        self._max_age = max_age_seconds
        self._clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def new(self, principal: Principal | None = None, token: str = "") -> Session:
        """A fresh session with a new id and CSRF token."""
        now = self._clock()
        session = Session(
            session_id=secrets.token_urlsafe(32),
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen=now,
            principal=principal,
            token=token,
        )
        with self._lock:
            self._sessions[session.session_id] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id (touched), or None when unknown or expired."""
        if not session_id:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if self._expired(session, now):
                del self._sessions[session_id]
                return None
            session.last_seen = now
            self._sessions.move_to_end(session_id)
            return session

    def end(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.last_seen > self._idle or now - session.created_at > self._max_age

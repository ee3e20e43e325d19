"""Server-side sessions: random ids, CSRF tokens, idle and absolute expiry, a bounded store."""

from __future__ import annotations

import pytest

from services.common.tokens import Principal, Role
from services.console import sessions
from services.console.sessions import SessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sessions_expire_when_idle_and_at_their_maximum_age() -> None:
    clock = Clock()
    store = SessionStore(idle_seconds=60, max_age_seconds=300, clock=clock)
    session = store.new(Principal("regulator-1", Role.REGULATOR), "token")
    for _ in range(5):
        clock.now += 50
        assert store.get(session.session_id) is session
    clock.now += 51
    assert store.get(session.session_id) is None
    idle = store.new()
    clock.now += 61
    assert store.get(idle.session_id) is None


def test_each_session_has_its_own_unguessable_ids_and_csrf_check() -> None:
    store = SessionStore(60, 300)
    one, two = store.new(), store.new()
    assert len({one.session_id, two.session_id, one.csrf_token, two.csrf_token}) == 4
    assert len(one.session_id) >= 40
    assert one.check_csrf(one.csrf_token) and not one.check_csrf(two.csrf_token)
    assert not one.check_csrf("")
    store.end(one.session_id)
    assert store.get(one.session_id) is None and store.get("") is None


def test_the_store_keeps_a_bounded_number_of_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sessions, "MAX_SESSIONS", 3)
    store = SessionStore(60, 300)
    first = store.new()
    kept = [store.new() for _ in range(3)]
    assert store.get(first.session_id) is None
    assert all(store.get(s.session_id) is s for s in kept)

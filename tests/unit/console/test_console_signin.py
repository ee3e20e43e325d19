"""Where sign-in may send the browser next: only back into the console."""

from __future__ import annotations

import pytest

from services.console.web.signin import _safe_next


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/alerts?status=NEW", "/alerts?status=NEW"),
        ("/alerts/abc", "/alerts/abc"),
        ("https://evil.example/", "/alerts"),
        ("//evil.example/", "/alerts"),
        ("/\\evil.example", "/alerts"),
        ("", "/alerts"),
    ],
)
def test_only_paths_on_the_console_are_followed(target: str, expected: str) -> None:
    assert _safe_next(target) == expected

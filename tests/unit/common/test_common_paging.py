"""Page tokens refuse anything the server did not issue for the same query, even a token whose
MAC holds (finance and risk MAC with a key that is no secret); pages fit their byte budget."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.common.errors import ValidationError
from services.common.page_fit import ITEM_OVERHEAD, clip, fit_page
from services.common.paging import Page, PageTokens, page_bytes, query_scope

KEY = b"a key anyone may know"
SCOPE = query_scope("limits", "tenant-1")


def _position(position: str) -> bytes:
    """A token body holding ``position`` (JSON text) for this test's query."""
    return ('{"p": ' + position + ', "s": "' + SCOPE + '"}').encode()


def _signed(raw: bytes) -> str:
    """A token with a valid MAC around whatever ``raw`` holds, as a forger with the key makes."""
    mac = hmac.new(KEY, raw, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac + raw).decode().rstrip("=")


def test_a_token_round_trips_for_its_own_query_only() -> None:
    tokens = PageTokens(KEY)
    token = tokens.encode([40], SCOPE)
    assert tokens.decode(token, SCOPE) == [40] and tokens.offset(token, SCOPE) == 40
    with pytest.raises(ValidationError, match="different query"):
        tokens.decode(token, query_scope("limits", "tenant-2"))
    assert tokens.offset("", SCOPE) == 0


@pytest.mark.parametrize(
    "token",
    [
        "!!!",
        "eyJ4IjoxfQ",
        _signed(b"[" * 100_000 + b"]" * 100_000),
        _signed(b'"just a string"'),
        _signed(b"not json"),
        _signed(b'{"p": 5, "s": "x"}'),
        _signed(_position("[1]")[:-3]),
        _signed(_position(f"[{2**80}]")),
        _signed(_position("[-1]")),
        _signed(_position("[1.5]")),
        _signed(_position("[true]")),
        _signed(_position("[]")),
    ],
)
def test_a_forged_or_damaged_token_is_invalid_argument(token: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PageTokens(KEY).offset(token, SCOPE)
    assert [v.field for v in caught.value.field_violations] == ["page_token"]


def _page(count: int, more: bool = False) -> Page[str]:
    return Page([f"a-{i}" for i in range(count)], more, lambda i: f"after-{i}")


def _alert(alert_id: str, note: int) -> aml_pb2.Alert:
    return aml_pb2.Alert(alert_id=alert_id, last_note="n" * note)


def test_a_page_keeps_what_fits_and_resumes_after_it() -> None:
    size = _alert("a-0", 1000).ByteSize() + ITEM_OVERHEAD
    alerts, token = fit_page(_page(5), lambda a: _alert(a, 1000), 3 * size)
    assert [a.alert_id for a in alerts] == ["a-0", "a-1", "a-2"] and token == "after-2"
    alerts, token = fit_page(_page(3, more=True), lambda a: _alert(a, 1000), 3 * size)
    assert len(alerts) == 3 and token == "after-2"
    alerts, token = fit_page(_page(3), lambda a: _alert(a, 1000), 3 * size)
    assert len(alerts) == 3 and token == ""


def test_an_item_too_large_alone_is_clipped_to_fit_and_says_so() -> None:
    alerts, token = fit_page(_page(2), lambda a: _alert(a, 100_000), 4096)
    assert [a.alert_id for a in alerts] == ["a-0"] and token == "after-0"
    assert alerts[0].ByteSize() <= 4096
    assert alerts[0].last_note.endswith(" characters clipped]")
    clipped = int(alerts[0].last_note.split("[")[1].split()[0])
    assert clipped + alerts[0].last_note.index("…") == 100_000


def test_clipping_shortens_lists_maps_and_nested_texts() -> None:
    alert = aml_pb2.Alert(alert_id="a", members=["m" * 5000] * 1000)
    alert.evidence.details.update({"k" * 3000: "v" * 200_000, "list": ["x" * 10_000] * 300})
    assert clip(alert, 8192) <= 8192
    assert alert.alert_id == "a" and len(alert.members) < 1000


def test_page_bytes_stay_inside_the_message_limit() -> None:
    assert page_bytes(4 * 1024 * 1024) == 1024 * 1024
    for limit in (1024, 4096, 64 * 1024, 1024 * 1024):
        assert 0 < page_bytes(limit) <= limit // 2 or page_bytes(limit) <= limit - 16 * 1024

"""The hashed tokens file: issue, list, revoke, reload, and nothing secret on disk."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from services.common.tokens import Principal, Role, TokenStore, hash_token


def test_issue_stores_only_the_hash_with_private_mode(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    token, record = store.issue("bank-a", Role.BANK, label="ops")
    raw = (tmp_path / "tokens.json").read_text()
    assert token not in raw
    assert json.loads(raw)["tokens"][0]["sha256"] == hash_token(token)
    assert stat.S_IMODE((tmp_path / "tokens.json").stat().st_mode) == 0o600
    assert store.authenticate(token) == Principal("bank-a", Role.BANK, record.token_id)


def test_unknown_token_and_missing_file_authenticate_nobody(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "absent.json")
    assert store.authenticate("anything") is None
    assert store.list() == []


def test_revoke_marks_record_and_refuses_token(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    token, record = store.issue("ins-a", Role.INSURER)
    other, _ = store.issue("reg-a", Role.REGULATOR)
    assert store.revoke(record.token_id).revoked
    assert store.authenticate(token) is None
    assert store.authenticate(other) is not None
    assert [r.revoked for r in store.list()] == [True, False]


def test_revoke_unknown_id_raises_key_error(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    with pytest.raises(KeyError):
        store.revoke("tok_missing")


def test_reader_picks_up_changes_made_by_another_store(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    reader, writer = TokenStore(path), TokenStore(path)
    assert reader.authenticate("x") is None
    token, record = writer.issue("bank-b", Role.BANK)
    assert reader.authenticate(token) is not None
    writer.revoke(record.token_id)
    assert reader.authenticate(token) is None


def test_corrupt_file_keeps_last_good_tokens(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store = TokenStore(path)
    token, _ = store.issue("bank-c", Role.BANK)
    assert store.authenticate(token) is not None
    path.write_text("{not json")
    assert store.authenticate(token) is not None


def test_empty_tenant_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        TokenStore(tmp_path / "t.json").issue("  ", Role.ADMIN)


def test_issued_tokens_never_look_like_a_command_line_flag(tmp_path) -> None:
    from services.common.auth import Role
    from services.common.tokens import TOKEN_PREFIX, TokenStore

    store = TokenStore(tmp_path / "tokens.json")
    tokens = [store.issue("bank-1", Role.BANK)[0] for _ in range(50)]
    assert all(token.startswith(TOKEN_PREFIX) for token in tokens)
    assert all(store.authenticate(token) is not None for token in tokens)

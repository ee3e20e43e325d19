"""The tradeguard command line: tokens commands and the module registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services import cli
from services.common.tokens import Role, TokenStore


def test_tokens_issue_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tokens.json"
    assert (
        cli.main(["tokens", "issue", "--tenant", "bank-z", "--role", "bank", "--file", str(path)])
        == 0
    )
    token = capsys.readouterr().out.strip()
    principal = TokenStore(path).authenticate(token)
    assert principal is not None and principal.role is Role.BANK
    assert cli.main(["tokens", "list", "--json", "--file", str(path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert token not in json.dumps(rows)
    assert cli.main(["tokens", "revoke", rows[0]["token_id"], "--file", str(path)]) == 0
    assert TokenStore(path).authenticate(token) is None
    assert cli.main(["tokens", "revoke", "tok_nope", "--file", str(path)]) == 1


def test_tokens_file_defaults_to_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "env-tokens.json"
    monkeypatch.setenv("TRADEGUARD_TOKENS_FILE", str(path))
    assert cli.main(["tokens", "issue", "--tenant", "reg", "--role", "REGULATOR"]) == 0
    assert TokenStore(path).authenticate(capsys.readouterr().out.strip()) is not None


def test_unknown_role_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        cli.main(
            ["tokens", "issue", "--tenant", "x", "--role", "KING", "--file", str(tmp_path / "t")]
        )


def test_registry_skips_absent_modules_but_not_broken_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parser = cli.build_parser(("services.common.tokens_cli", "services.nonexistent.cli"))
    assert parser.parse_args(["tokens", "list"]).command == "tokens"
    package = tmp_path / "tg_broken_room"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text("import tg_dependency_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    # A module that exists but cannot import its dependency must surface, not vanish.
    with pytest.raises(ModuleNotFoundError):
        cli.build_parser(("tg_broken_room.cli",))


def test_known_command_imports_only_its_module() -> None:
    assert cli._modules_for(["tokens", "list"]) == ("services.common.tokens_cli",)
    assert cli._modules_for(["serve", "risk"]) == ()
    assert cli._modules_for(["--help"]) == cli.COMMAND_MODULES
    assert cli._modules_for(["somethingnew"]) == cli.COMMAND_MODULES

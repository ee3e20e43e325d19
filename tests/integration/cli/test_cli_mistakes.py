"""Every command answers a mistake with one `error:` line on stderr and exit code 2 (1 for a
failed call to a service), never a traceback: the values people mistype, missing or unusable
folders, a service that is down, a closed pipe."""

from __future__ import annotations

import fcntl
import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services.cli import main
from services.common.auth import Role
from services.common.tokens import TokenStore

PREMIUM = (
    "quote premium --exporter-id E1 --exporter-name Ningbo --buyer-name Acme "
    "--buyer-country BR --grade 5 --currency USD --credit-days 90"
).split()
SCORE = "score --enterprise E000001 --currency USD --tenor 90 --product ORDER_FINANCING".split()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `tradeguard ARGV` through the real entry point."""
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error_line(err: str, expected: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert expected in lines[0], lines[0]
    assert "Traceback" not in err


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def mistakes(tmp: Path, empty: Path) -> list[tuple[list[str], str]]:
    """(argv, what the error line says) for mistakes that never reach a service."""
    missing = str(tmp / "missing")
    return [
        ([*SCORE, "--amount", "1e5x"], "'1e5x' is not an amount"),
        ([*SCORE, "--amount", "-5"], "must be more than 0"),
        ([*SCORE, "--amount", "100000", "--currency", "XYZ"], "'XYZ' is not a currency"),
        ([*SCORE[:-2], "--amount", "1", "--product", "LOAN"], "invalid choice: 'LOAN'"),
        ([*SCORE[:-6], "--amount", "1", "--tenor", "0", *SCORE[-2:]], "must be 1 or more"),
        ([*PREMIUM, "--terms", "OA", "--amount", "100k"], "'100k' is not an amount"),
        ([*PREMIUM, "--amount", "100000"], "--terms is required for SHORT_TERM"),
        (
            [*PREMIUM, "--terms", "OA", "--amount", "1", "--buyer-country", "ZZ"],
            "'ZZ' is not an ISO 3166-1 alpha-2 country code",
        ),
        (
            [*PREMIUM, "--terms", "OA", "--amount", "1", "--commercial-cover", "1.5"],
            "write a fraction (0.9) or a percentage (90%)",
        ),
        (["quote", "mpr", "--country-category", "9"], "invalid choice: 9"),
        (["features", "--data", str(empty), "--as-of", "yesterday", "--out", "x"], "not a date"),
        (["features", "--data", missing, "--as-of", "2024-01-01", "--out", "x"], "not found"),
        (["aml", "scan", "--data", missing], "trade data directory not found"),
        (["aml", "scan", "--data", str(empty)], "problem(s) in the trade data"),
        (["train", "risk", "--data", missing, "--out", str(tmp / "m")], "not found"),
        (["train", "aml", "--data", str(empty), "--out", str(tmp / "m")], "problem(s)"),
        (["generate", "--enterprises", "40", "--months", "6", "--out", str(tmp / "g")], "more"),
        (["generate", "--enterprises", "ten", "--out", str(tmp / "g")], "not a whole number"),
        (["data", "validate", missing], "not found"),
        (["aml", "verify-audit", "--db-url", f"sqlite:///{tmp / 'no.db'}"], "no alert store"),
        (["aml", "alerts", "list", "--page-size", "0"], "must be 1 or more"),
        (["aml", "alerts", "review", "A1", "--decision", "CONFIRM"], "--expected-version"),
        (["demo", "--workdir", str(tmp / "d"), "--grpc-ports", "1,2"], "takes three ports"),
        (["serve", "risk", "--port", "notaport"], "port"),
        (["tokens", "issue", "--tenant", "t", "--role", "KING"], "invalid choice: 'KING'"),
    ]


def test_mistakes_get_one_error_line_and_exit_code_2(
    tmp_path: Path, empty_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, expected in mistakes(tmp_path, empty_dir):
        code, out, err = run(argv, capsys)
        assert code == 2, (argv, out, err)
        assert_one_error_line(err, expected)
    assert not (tmp_path / "no.db").exists(), "verify-audit must not create an empty store"


@pytest.mark.parametrize(
    "argv",
    [
        [*SCORE, "--amount", "100,000.50"],
        [*PREMIUM, "--terms", "OA", "--amount", "100000", "--commercial-cover", "90%"],
        ["quote", "get", "Q-1"],
        ["aml", "alerts", "list"],
        ["aml", "alerts", "show", "A-1"],
    ],
)
def test_a_service_that_is_down_is_one_error_line_and_exit_code_1(
    argv: list[str], free_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*argv, "--target", f"127.0.0.1:{free_port}", "--timeout", "3"], capsys)
    assert code == 1 and out == "", (out, err)
    assert_one_error_line(err, f"UNAVAILABLE: no answer from 127.0.0.1:{free_port}")


def test_revoking_an_unknown_token_fails_with_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["tokens", "revoke", "tok_nope", "--file", str(tmp_path / "t.json")], capsys)
    assert code == 1
    assert_one_error_line(err, "no token with id tok_nope")


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", *SCORE, "--amount", "1e5x"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert_one_error_line(result.stderr, "'1e5x' is not an amount")


@pytest.fixture
def many_tokens(tmp_path: Path) -> Path:
    """A tokens file whose listing is far larger than a pipe's buffer."""
    path = tmp_path / "tokens.json"
    TokenStore(path).issue("bank-1", Role.BANK, "first")
    document = json.loads(path.read_text())
    first = document["tokens"][0]
    document["tokens"] = [{**first, "token_id": f"tok_{i:06d}"} for i in range(5000)]
    path.write_text(json.dumps(document))
    return path


def test_a_reader_that_goes_away_ends_the_command_quietly(many_tokens: Path) -> None:
    """`tradeguard tokens list | head -1`: no BrokenPipeError, no traceback."""
    command = [sys.executable, "-m", "services.cli", "tokens", "list", "--file", str(many_tokens)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b"TOKEN_ID")
        process.stdout.close()
        code = process.wait(timeout=60)
        assert process.stderr.read() == b""
    assert code == 141  # what a shell reports for SIGPIPE, as `yes | head -1` does


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_demo_names_the_port_that_is_taken(
    tmp_path: Path,
    busy_port: int,
    free_port_factory: Callable[[], int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    grpc = f"{free_port_factory()},{busy_port},{free_port_factory()}"
    metrics = ",".join(str(free_port_factory()) for _ in range(3))
    argv = ["demo", "--workdir", str(tmp_path), "--grpc-ports", grpc, "--metrics-ports", metrics]
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert_one_error_line(err, f"port {busy_port} (aml gRPC) is already in use")
    assert "TRADEGUARD_AML_PORT" in err


def test_demo_honours_the_port_variables(
    tmp_path: Path,
    busy_port: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("RISK", "AML", "FINANCE"):
        monkeypatch.setenv(f"TRADEGUARD_{name}_PORT", str(_unused_port()))
        monkeypatch.setenv(f"TRADEGUARD_{name}_METRICS_PORT", str(_unused_port()))
    monkeypatch.setenv("TRADEGUARD_FINANCE_METRICS_PORT", str(busy_port))
    code, _, err = run(["demo", "--workdir", str(tmp_path)], capsys)
    assert code == 2
    assert_one_error_line(err, f"port {busy_port} (finance metrics) is already in use")


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_second_demo_on_the_same_folder_stops_before_touching_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (tmp_path / "demo.lock").open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code, _, err = run(["demo", "--workdir", str(tmp_path)], capsys)
    assert code == 2
    assert_one_error_line(err, f"another demo is running in {tmp_path}")
    assert not (tmp_path / "tokens.json").exists()

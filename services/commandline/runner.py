"""One place that turns what can go wrong in a command into one `error:` line and an exit code
(see ``errors`` for the codes). A traceback is shown only with ``TRADEGUARD_DEBUG=1``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

from services.commandline.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CommandError,
)


def rpc_error_line(error: Any, target: str | None = None) -> str:
    """`CODE: details` of a failed call, its field violations, and where it was sent."""
    code = error.code().name if error.code() is not None else "UNKNOWN"
    details = (error.details() or "").strip()
    if code in {"UNAVAILABLE", "DEADLINE_EXCEEDED"} and target:
        details = f"no answer from {target}; is the service running? ({details})"
    violations = field_violations(error)
    if violations:
        details = f"{details}: " + "; ".join(f"{f}: {d}" for f, d in violations)
    return f"{code}: {details}"


def field_violations(error: Any) -> list[tuple[str, str]]:
    """The BadRequest field violations in the call's rich status, if any."""
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    try:
        status = rpc_status.from_call(error)
    except (ValueError, AttributeError):
        return []
    found: list[tuple[str, str]] = []
    for detail in status.details if status is not None else ():
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            found += [(v.field, v.description) for v in bad.field_violations]
    return found


def _known_failures() -> tuple[type[BaseException], ...]:
    """Errors whose message says enough on its own: data that breaks the contract, a domain
    error, a setting the service cannot start with, a file that is missing or unreadable."""
    from pydantic import ValidationError as SettingsError

    from services.common.errors import TradeGuardError
    from services.common.settings import ConfigurationError
    from services.tradedata.errors import DataValidationError

    return (DataValidationError, TradeGuardError, SettingsError, ConfigurationError, OSError)


def run_command(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one command's function; every failure becomes one line on stderr."""
    import grpc

    try:
        return int(func(args))
    except CommandError as exc:
        return _fail(exc.message, exc.exit_code)
    except grpc.RpcError as exc:
        return _fail(rpc_error_line(exc, getattr(args, "target", None)), EXIT_FAILED)
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except _known_failures() as exc:
        return _fail(_describe(exc), EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        if os.environ.get("TRADEGUARD_DEBUG"):
            raise
        message = f"unexpected {type(exc).__name__}: {exc} (TRADEGUARD_DEBUG=1 shows where)"
        return _fail(message, EXIT_FAILED)


def _describe(exc: BaseException) -> str:
    """The failure in words: which setting, file, data problem or field is at fault."""
    settings_errors = getattr(exc, "errors", None)
    if callable(settings_errors) and hasattr(exc, "title"):
        return _settings_problems(settings_errors())
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    problems = getattr(exc, "problems", None)
    if problems:
        return (
            f"{len(problems)} problem(s) in the trade data, the first: {problems[0]} "
            "(`tradeguard data validate DIR` lists them all)"
        )
    violations = getattr(exc, "field_violations", None) or []
    text = str(getattr(exc, "message", None) or exc)
    if violations:
        text += ": " + "; ".join(f"{v.field}: {v.description}" for v in violations)
    return text


def _settings_problems(errors: list[Any]) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']} (got {e.get('input')!r})" for e in errors
    )


def _fail(message: str, code: int) -> int:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _quiet_broken_pipe()
    one_line = " ".join(message.split())
    print(f"error: {one_line}", file=sys.stderr, flush=True)
    return code


def _quiet_broken_pipe() -> int:
    """The reader went away (`| head`): stop without a word, as other Unix tools do. Python
    would otherwise complain again when it flushes stdout at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE

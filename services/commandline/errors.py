"""The error a command raises for a mistake the user can fix, and the exit codes.

Exit codes: 0 done, 1 the remote call failed or the check found a problem, 2 the command could
not run as typed (bad value, missing file, unusable data), 130 interrupted. ``runner`` turns
every failure into one `error:` line.
"""

from __future__ import annotations

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
#: What a shell reports for a process ended by SIGPIPE (`... | head`).
EXIT_BROKEN_PIPE = 128 + 13


class CommandError(Exception):
    """A mistake the user can fix; its message is the whole error line."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

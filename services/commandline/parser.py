"""An argparse parser whose mistakes are one line, `error: ...`, with exit code 2."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

EXIT_USAGE = 2


class CommandParser(argparse.ArgumentParser):
    """argparse prints the usage block before its error; a person typing a command wants the
    one line saying what is wrong and where the help is. Sub-parsers inherit this class."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message} (see `{self.prog} --help`)\n")
        sys.exit(EXIT_USAGE)


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each flag's default after its help, and nothing for flags without a default."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default in (None, False, "", [], argparse.SUPPRESS) or action.required:
            return text
        return super()._get_help_string(action) or text

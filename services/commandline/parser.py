"""An argparse parser whose mistakes are one line, `error: ...`, with exit code 2, and whose
help marks required flags and shows defaults."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

EXIT_USAGE = 2


class HelpFormatter(argparse.HelpFormatter):
    """Each flag's help ends with `(required)` or its default, so `--help` says what the parser
    will insist on and what it assumes."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.required and action.option_strings:
            return f"{text} (required)"
        if action.default in (None, False, "", [], argparse.SUPPRESS) or not action.option_strings:
            return text
        if "%(default)" in text:
            return text
        return f"{text} (default: %(default)s)"


class CommandParser(argparse.ArgumentParser):
    """argparse prints the usage block before its error; a person typing a command wants the
    one line saying what is wrong and where the help is. Sub-parsers inherit this class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message} (see `{self.prog} --help`)\n")
        sys.exit(EXIT_USAGE)

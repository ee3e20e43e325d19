"""`--help` of every command: every flag explains itself, required ones say so, and the text
renders (a stray `%` in a help string would break it)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from services.cli import build_parser, serve_parser


def commands(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from commands(sub)


def test_every_flag_of_every_command_has_help() -> None:
    parsers = [*commands(build_parser()), *(serve_parser(n) for n in ("risk", "aml", "finance"))]
    assert len(parsers) > 20
    for parser in parsers:
        text = parser.format_help()
        for action in parser._actions:
            if action.option_strings and action.help != argparse.SUPPRESS:
                assert action.help, f"{parser.prog} {action.option_strings[0]} has no help"
            if action.required and action.option_strings:
                assert "(required)" in text, f"{parser.prog}: {action.option_strings[0]}"


def test_covers_are_documented_as_fractions_or_percentages() -> None:
    (quote,) = [p for p in commands(build_parser()) if p.prog == "tradeguard quote premium"]
    text = " ".join(quote.format_help().split())
    assert "share of a commercial loss covered, a fraction or a percentage: 0.9 or 90%" in text


def test_every_command_but_the_long_running_ones_prints_json_on_request() -> None:
    long_running = {"tradeguard serve", "tradeguard demo"}
    for parser in commands(build_parser()):
        leaf = not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
        if leaf and parser.prog not in long_running:
            flags = {flag for action in parser._actions for flag in action.option_strings}
            assert "--json" in flags, f"{parser.prog} has no --json"

"""`python -m services.aml [--flags]`: run the AML service (flags override TRADEGUARD_AML_*)."""

from __future__ import annotations

import argparse
import sys

from services.aml.api.server import Settings, serve
from services.common.settings import add_settings_arguments, settings_from_args


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.aml", description=__doc__)
    add_settings_arguments(parser, Settings)
    return serve(settings_from_args(Settings, parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())

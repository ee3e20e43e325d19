"""`python -m services.console [--flags]`: run the web console (flags override
TRADEGUARD_CONSOLE_*)."""

from __future__ import annotations

import sys

from services.cli import serve_one

if __name__ == "__main__":
    sys.exit(serve_one("console", sys.argv[1:]))

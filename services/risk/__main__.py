"""`python -m services.risk`: start the risk scoring service."""

import sys

from services.risk.api.server import main

sys.exit(main())

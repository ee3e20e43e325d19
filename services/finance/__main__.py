"""``python -m services.finance``: run the credit insurance service."""

import sys

from services.finance.api.server import main

sys.exit(main())

"""`python -m services.aml [--flags]`: run the AML service (flags override TRADEGUARD_AML_*)."""

import sys

from services.aml.api.server import main

sys.exit(main())

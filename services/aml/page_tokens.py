"""Page sizes of the AML lists (AIP-158); pages and their MACed tokens are the shared ones of
``services.common.paging``, keyed from the audit key."""

from __future__ import annotations

from services.common import paging

MAX_PAGE_SIZE = 500


def page_size_or_default(page_size: int) -> int:
    """0 means the default (50), more than 500 is coerced, negative is invalid."""
    return paging.page_size_or_default(page_size, MAX_PAGE_SIZE)

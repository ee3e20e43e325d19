"""Integer codes the generator stores per order for injected typologies."""

from __future__ import annotations

from enum import IntEnum

CLEAN = 0
THREE_DOC_MISMATCH = 1
PHANTOM = 2
OVER_INVOICING = 3
UNDER_INVOICING = 4
THIRD_PARTY_PAYER = 5
STRUCTURING = 6
NEGATIVE_LIST_PARTY = 7

TRADE_CODES = {
    "THREE_DOC_MISMATCH": THREE_DOC_MISMATCH,
    "PHANTOM_SHIPMENT": PHANTOM,
    "OVER_INVOICING": OVER_INVOICING,
    "UNDER_INVOICING": UNDER_INVOICING,
    "THIRD_PARTY_PAYER": THIRD_PARTY_PAYER,
    "STRUCTURING": STRUCTURING,
    "NEGATIVE_LIST_PARTY": NEGATIVE_LIST_PARTY,
}


class Mismatch(IntEnum):
    """Which document disagrees in a three-document mismatch (order ``subtype``)."""

    QUANTITY = 1
    HS_CODE = 2
    DESTINATION = 3
    VALUE = 4
    WEIGHT = 5

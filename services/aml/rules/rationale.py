"""What each rule answers to an analyst: the FATF-Egmont indicator it implements, the legitimate
business that produces the same signal, and how the rule tells the two apart.

The rule table in :mod:`services.aml.rules.specs` names one of these per rule, :data:`SCAN_RULES`
one per structure of the network scan, and ``tradeguard aml rules`` prints them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.aml.ruleset import (
    CIRCULAR_TRADING,
    FAN_IN,
    FAN_OUT,
    GATHER_SCATTER,
    RAPID_PASS_THROUGH,
)


@dataclass(frozen=True, slots=True)
class Rationale:
    """Indicator (ids of the FATF-Egmont 2021 list), look-alike, and what separates them."""

    indicator: str
    look_alike: str
    told_apart: str


AMOUNT = Rationale(
    "D1 inconsistent contract, invoice and customs values",
    "Orders shipped in lots, each declaration covering its share; customs values lodged in CNY; "
    "an FOB customs value under a CIF or DDP price; a rejected declaration lodged again.",
    "Each lot's declared value is compared in USD with the order's price for the quantity it "
    "declares, never one lot with the whole order; under carriage terms the declared value may "
    "fall the freight share short; declarations customs rejected are set aside; only a gap "
    "beyond the tolerance fires.",
)
CURRENCY = Rationale(
    "D1 inconsistent currencies across documents",
    "Customs values lodged in the exporter's own currency.",
    "Declarations in the order's currency or a configured local currency pass (their value is "
    "still reconciled); payments or declarations in a third currency fire.",
)
QUANTITY = Rationale(
    "D1/D2 quantities inconsistent across documents",
    "Partial shipments still under way; more-or-less clauses of a few percent; a rejected "
    "declaration lodged again.",
    "Declared lots that customs did not reject are summed against the order: more than ordered "
    "fires at once; a shortfall only after the expected completion date and only when more was "
    "paid than declared.",
)
HS_CODE = Rationale(
    "D1 goods described differently on contract and declaration",
    "10-digit national tariff lines of the ordered 6-digit subheading; a declaration customs "
    "rejected for its code and lodged again.",
    "Codes of the declarations that stand are compared on their leading digits (6 by default); "
    "another chapter weighs more.",
)
DESTINATION = Rationale(
    "D1/T3 goods routed away from the buyer",
    "Delivery to a buyer's warehouse or fulfilment centre in a neighbouring country.",
    "Fires on a waybill destination outside the buyer's country; the analyst checks ship-to "
    "evidence, and the rule weighs one of several inconsistencies of its typology.",
)
DATES = Rationale(
    "D1 documents dated out of order",
    "Stock goods shipped on the day of the order; time zones.",
    "Documents may predate the order by a configured slack; delivery before shipment fires.",
)
NO_CONTRACT = Rationale(
    "A9 payments with no contract behind them",
    "Freight or insurance paid with the goods; an overpayment later refunded.",
    "Fires only when the order's payments exceed its amount by more than the tolerance.",
)
PHANTOM = Rationale(
    "D5 goods paid for but never shipped",
    "A T/T deposit before production; the balance paid just before shipment; LC paid after it.",
    "The clock starts when the order is paid for (its settled share), or, for a deposit alone, "
    "after the longest production time; a waybill and a declaration (lodged, even if customs "
    "rejected it: the goods were presented) must exist by then.",
)
THIRD_PARTY = Rationale(
    "A2 unexplained third-party payments",
    "Marketplaces and PSPs settling under their own name; a parent or affiliate paying; the "
    "buyer's name abbreviated or transliterated by its bank; the issuing or collecting bank "
    "paying under a letter of credit or a documentary collection.",
    "The payer is matched with the buyer and its related parties using the watchlist's name "
    "normalisation; configured settlement parties of the payment's channel are accepted, and a "
    "bank only when the order's payment terms are documentary (LC, D/P, D/A).",
)
JURISDICTION = Rationale(
    "S2 high-risk jurisdiction of a party, bank or route",
    "Licensed trade with listed countries.",
    "Scored and shown, never alerted alone; it adds weight to a third-party payer.",
)
INDUSTRY = Rationale(
    "T1/S6 trade outside the line of business",
    "Trading companies and diversified groups.",
    "Adds a little weight to the shell-exporter typology; never alerts alone.",
)
WEIGHT = Rationale(
    "D2 weight inconsistent with the goods",
    "Heavy packaging; lots whose waybills carry no quantity.",
    "Kilograms per unit over the lots that report a quantity (else the declared quantity), "
    "against the most precise HS-level norm; a tolerance on the log ratio.",
)
OVER_PRICE = Rationale(
    "D3 over-invoicing against the market price",
    "Premium models and ranges an exporter sells at that price to all its buyers; a national "
    "tariff line worth more than its subheading.",
    "A robust z-score and a minimum price ratio against the most precise reference (10, 8, "
    "then 6 digits), measured in the order's unit; an exporter's established range (enough "
    "earlier orders of the goods this far above the market, priced like this one) explains it; "
    "the evidence names the code and level that priced the trade and the range it was held to.",
)
UNDER_PRICE = Rationale(
    "D3 under-invoicing against the market price",
    "Volume discounts, clearance sales, an exporter's economy range of seconds or refurbished "
    "goods, prices quoted in another currency.",
    "As for over-invoicing, in USD at reference rates, below the reference and off the "
    "exporter's own economy range.",
)
WATCHLIST = Rationale(
    "N1 sanctioned or negative-list party",
    "Firms sharing ordinary words (Golden, Trading, Pacific) with a listed name.",
    "The exporter, the buyer, every payer and every carrier are screened; names are "
    "transliterated, trade abbreviations expanded, legal forms dropped and tokens sorted; every "
    "token must find a close match in the listed name, not only shared words.",
)
STRUCTURING_WHY = Rationale(
    "A5 structuring below reporting thresholds",
    "Instalments of a large order from the buyer's own account; platform settlements; a "
    "letter of credit drawn lot by lot, its bank paying each drawing.",
    "Counted per payer (name and country, whatever its accounts) and per buyer (whoever pays) "
    "within any one window that holds the payment, so a payment screened late still completes "
    "the pattern; the buyer's instalments of an order above the threshold, spaced as a "
    "schedule, settlement parties and banks paying under documentary terms are not counted.",
)
PASS_THROUGH = Rationale(
    "A7 rapid pass-through; many small in, one large out",
    "A distributor paying its supplier out of its sales, keeping a margin and stock for weeks.",
    "Sums into and out of one related group within days must match within a few percent, "
    "money in first; intra-group payments are left out.",
)
SHELL = Rationale(
    "S5/T4 new entity with volume beyond its capacity",
    "Small honest sellers starting out; new, well-capitalised subsidiaries; young factories "
    "registered with little capital but a real workforce.",
    "Only young, thinly capitalised firms with few staff; recent volume must exceed the larger "
    "of a floor and a multiple of the registered capital.",
)
LOOP = Rationale(
    "A6/S7 round-tripping among related parties",
    "Intra-group supply chains; yearly restocking between affiliates.",
    "The loop must close within the window with amounts within the tolerance, among economic "
    "entities or among firms sharing directors or addresses; hubs are not expanded.",
)

# The network scan's structures (ScanTradeData), by typology.
SCAN_LOOP = Rationale(
    "A6/S7 round-tripping among related parties",
    "Intra-group supply chains; yearly restocking between affiliates.",
    "Cycles among economic entities and among firms sharing directors or addresses, amounts "
    "within the tolerance of each other and within the window; hubs are not searched.",
)
SCAN_FAN_IN = Rationale(
    "A7 many small in (fan-in)",
    "Trade-fair buyers' first orders; a marketplace seller's consumers; sample orders; regular "
    "customers reordering together.",
    "Counts one-off payers first seen after the scan's warm-up, near the burst's median amount, "
    "within the window, for a minimum total; orders a platform settled are left out.",
)
SCAN_FAN_OUT = Rationale(
    "A7 one out to many (fan-out)",
    "A retailer restocking from regular suppliers; a sourcing drive; a group's distributor "
    "buying from the group's factories; sample purchases.",
    "Counts first orders between the payer and each payee after the warm-up, near the burst's "
    "median amount, within the window, for a minimum total; flows inside one economic entity "
    "are not flows.",
)
SCAN_GATHER_SCATTER = Rationale(
    "A7 fan-in then fan-out through one party",
    "Trading houses buying from and selling to established partners; sourcing hubs.",
    "A fan-in and a fan-out (as above) of one economic entity, or of firms sharing a director "
    "or an address, the scatter starting once the gathering began and within the window after.",
)
SCAN_PASS_THROUGH = Rationale(
    "A7 rapid pass-through chains",
    "A distributor paying its supplier out of its sales, keeping a margin and stock for weeks.",
    "Money into a group paid on within days for about the same amount, hop after hop; large "
    "hubs are not links of a chain and loops are reported as circular trading.",
)


@dataclass(frozen=True, slots=True)
class ScanRule:
    """A structure the network scan looks for, named as a rule so an analyst reads it beside
    the per-trade ones."""

    name: str
    typology: str
    why: Rationale


SCAN_RULES: tuple[ScanRule, ...] = (
    ScanRule("scan_cycle", CIRCULAR_TRADING, SCAN_LOOP),
    ScanRule("scan_fan_in", FAN_IN, SCAN_FAN_IN),
    ScanRule("scan_fan_out", FAN_OUT, SCAN_FAN_OUT),
    ScanRule("scan_gather_scatter", GATHER_SCATTER, SCAN_GATHER_SCATTER),
    ScanRule("scan_pass_through", RAPID_PASS_THROUGH, SCAN_PASS_THROUGH),
)

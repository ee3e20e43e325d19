"""Who paid: the buyer itself, a party related to it, a platform settling for it, or the buyer's
bank under documentary terms (A2)."""

from __future__ import annotations

from services.aml.domain import Party, Payment, ReferenceData
from services.aml.names import best_similarity, name_similarity, name_words, normalise_name
from services.aml.rules.context import TradeContext
from services.aml.ruleset import PayerConfig


def payer_is_buyer(
    payer_name: str,
    payer_account: str,
    buyer: Party,
    reference: ReferenceData,
    threshold: float,
) -> bool:
    """The payer is the buyer as written another way, or a party a relation links to it (a
    parent, an affiliate, a shared account), matched with the watchlist's name normalisation."""
    if buyer.name and name_similarity(payer_name, buyer.name) >= threshold:
        return True
    linked = reference.related_names(buyer.party_id)
    if payer_account and payer_account in linked:
        return True
    return best_similarity(payer_name, linked) >= threshold


def is_buyer(ctx: TradeContext, p: Payment) -> bool:
    threshold = ctx.rules.payer.name_similarity
    return payer_is_buyer(p.payer_name, p.payer_account, ctx.buyer, ctx.reference, threshold)


def is_settlement_party(channel: str, payer_name: str, parties: dict[str, tuple[str, ...]]) -> bool:
    """The payer is a marketplace or payment platform that remits for others on this channel:
    every word of one configured settlement party appears in the payer's name."""
    words = name_words(payer_name)
    for party in parties.get(channel, ()):
        if name_words(party) <= words:
            return True
    return False


def is_bank_name(payer_name: str, words: tuple[str, ...]) -> bool:
    """A bank's name: a word of the normalised name is, or ends in, one of `words`."""
    for token in normalise_name(payer_name).split():
        if token.endswith(words):  # any of them
            return True
    return False


def is_settling_bank(payment_terms: str, payer_name: str, cfg: PayerConfig) -> bool:
    """Under a letter of credit or a documentary collection the buyer's bank pays the exporter:
    the order's terms are documentary and the payer is a bank."""
    return payment_terms in cfg.bank_settled_terms and is_bank_name(payer_name, cfg.bank_words)


def settles_for_buyer(ctx: TradeContext, p: Payment) -> bool:
    """A platform on the payment's channel, or the bank under the order's documentary terms."""
    cfg = ctx.rules.payer
    return is_settlement_party(p.channel, p.payer_name, cfg.settlement_parties) or (
        is_settling_bank(ctx.trade.order.payment_terms, p.payer_name, cfg)
    )


def is_explained(ctx: TradeContext, p: Payment) -> bool:
    """A payer the order's documents account for: the buyer, its relations, its platform, or
    its bank under documentary terms."""
    return is_buyer(ctx, p) or settles_for_buyer(ctx, p)

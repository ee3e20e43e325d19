"""The policy workflow: bind a quote, assign a loss payee, report overdues, decide claims,
cancel; each change one transaction with its audit event.

Who sees a policy: the insurer that issued it and the bank it names as loss payee (reads, and
financing against it); anyone else gets NOT_FOUND, as if it did not exist. Only the insurer
changes it. ``tenant=None`` is an administrator, who sees and changes every policy.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from services.common.errors import AlreadyExists, FailedPrecondition, NotFoundError
from services.finance import policies
from services.finance.book import BookEvent, Change, Claim, LimitState, Policy
from services.finance.book_store import BookStore, BookWrite
from services.finance.policies import QuoteTerms
from services.finance.store import QuoteStore

_T = TypeVar("_T")


def _not_found(number: str) -> NotFoundError:
    return NotFoundError(f"policy {number!r} not found", reason="POLICY_NOT_FOUND")


def visible_to(policy: Policy, tenant: str | None) -> bool:
    return tenant is None or tenant in (policy.insurer, policy.loss_payee)


class Policies:
    """Policies bound from premium quotes, and every change to them."""

    def __init__(
        self,
        book: BookStore,
        quotes: QuoteStore,
        read_quote: Callable[[bytes], QuoteTerms],
        clock: Callable[[], datetime],
    ) -> None:
        self._book = book
        self._quotes = quotes
        self._read_quote = read_quote
        self._clock = clock

    def bind(self, change: Change, quote_id: str, encode: Callable[[Policy], bytes]) -> bytes:
        """A new policy from the caller's live, accepted quote and its exporter's limit."""
        stored = self._book.replay(change.tenant, change.request_id, change.fingerprint)
        if stored is not None:
            return stored
        now = self._clock()
        quote = self._quotes.get(quote_id, change.tenant, now)
        if quote.kind != "premium":
            raise NotFoundError(f"premium quote {quote_id!r} not found", reason="QUOTE_NOT_FOUND")
        terms = self._read_quote(quote.payload)
        with self._book.write(change, now) as tx:
            bound = tx.policy_for_quote(quote_id)
            if bound is not None:
                raise AlreadyExists(
                    f"quote {quote_id!r} is bound as policy {bound}", reason="QUOTE_ALREADY_BOUND"
                )
            limit = tx.limit_for(terms.exporter_id, terms.buyer.buyer_id)
            if limit is None or limit.state is not LimitState.ACTIVE:
                raise FailedPrecondition(
                    f"exporter {terms.exporter_id!r} has no credit limit on buyer "
                    f"{terms.buyer.buyer_id!r}: request one first",
                    reason="NO_CREDIT_LIMIT",
                )
            number = f"TGP-{now.year}-{uuid.uuid4().hex[:10].upper()}"
            policy = policies.bind(number, change.tenant, terms, limit, now)
            tx.put_policy(policy, "BOUND", json.dumps({"quote_id": quote_id, "limit": limit.name}))
            response = encode(policy)
            tx.remember(response)
        return response

    def get(self, number: str, tenant: str | None) -> Policy:
        policy = self._book.policy(number)
        if policy is None or not visible_to(policy, tenant):
            raise _not_found(number)
        return policy

    def financed_by(self, number: str, tenant: str) -> Policy:
        """The policy, for the bank named as its loss payee only."""
        policy = self._book.policy(number)
        if policy is None or not policy.loss_payee or policy.loss_payee != tenant:
            raise _not_found(number)
        return policy

    def events(self, number: str, tenant: str | None, after: int, limit: int) -> list[BookEvent]:
        """Up to ``limit`` changes of the policy after sequence ``after``, oldest first."""
        self.get(number, tenant)
        return self._book.events(number, after, limit)

    def assign(self, change: Change, number: str, bank: str) -> Policy:
        def apply(policy: Policy, now: datetime, tx: BookWrite) -> Policy:
            assigned = policies.assign(policy, bank, now)
            tx.put_policy(assigned, "ASSIGNED", json.dumps({"loss_payee": bank}))
            return assigned

        return self._change(change, number, apply)

    def cancel(self, change: Change, number: str, at: datetime | None) -> Policy:
        def apply(policy: Policy, now: datetime, tx: BookWrite) -> Policy:
            cancelled = policies.cancel(policy, at or now, now)
            detail = {"cancel_time": cancelled.cancel_time, "refund": cancelled.premium_refund}
            tx.put_policy(cancelled, "CANCELLED", json.dumps(detail, default=str))
            return cancelled

        return self._change(change, number, apply)

    def report_overdue(
        self, change: Change, number: str, buyer_id: str, amount: Decimal, currency: str,
        due: datetime, encode: Callable[[Policy], bytes],
    ) -> bytes:  # fmt: skip
        stored = self._book.replay(change.tenant, change.request_id, change.fingerprint)
        if stored is not None:
            return stored

        def apply(policy: Policy, now: datetime, tx: BookWrite) -> bytes:
            updated = policies.report_overdue(policy, buyer_id, amount, currency, due, now)
            detail = {"buyer_id": buyer_id, "amount": str(amount), "due_time": due.isoformat()}
            tx.put_policy(updated, "OVERDUE_REPORTED", json.dumps(detail))
            response = encode(updated)
            tx.remember(response)
            return response

        return self._change(change, number, apply)

    def file_claim(
        self, change: Change, number: str, buyer_id: str, loss: Decimal, currency: str,
        encode: Callable[[Claim], bytes],
    ) -> bytes:  # fmt: skip
        stored = self._book.replay(change.tenant, change.request_id, change.fingerprint)
        if stored is not None:
            return stored

        def apply(policy: Policy, now: datetime, tx: BookWrite) -> bytes:
            claim_id = uuid.uuid4().hex
            updated, claim = policies.decide_claim(policy, buyer_id, loss, currency, claim_id, now)
            detail = {
                "claim_id": claim_id, "buyer_id": buyer_id, "loss": str(loss),
                "indemnity": str(claim.indemnity), "payee": claim.payee,
                "reasons": list(claim.reasons),
            }  # fmt: skip
            tx.put_policy(updated, f"CLAIM_{claim.decision.value}", json.dumps(detail))
            response = encode(claim)
            tx.remember(response)
            return response

        return self._change(change, number, apply)

    def _change(
        self, change: Change, number: str, apply: Callable[[Policy, datetime, BookWrite], _T]
    ) -> _T:
        """Run ``apply`` on the insurer's own policy inside one write transaction."""
        now = self._clock()
        with self._book.write(change, now) as tx:
            policy = tx.policy(number)
            if policy is None or not (change.sees_all or policy.insurer == change.tenant):
                raise _not_found(number)
            return apply(policy, now, tx)

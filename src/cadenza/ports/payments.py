"""The payment provider (cards, charges, its signed events), the card on file, events handled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cadenza.domain.subscriptions import PaymentMethod


@dataclass(frozen=True)
class CardDetails:
    number: str
    exp_month: int
    exp_year: int
    cvc: str


@dataclass(frozen=True)
class AttachedCard:
    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    fingerprint: str  # the same card always gives the same fingerprint


@dataclass(frozen=True)
class Charge:
    id: str
    status: str  # "succeeded", "declined" or "requires_confirmation"
    decline_code: str | None = None
    confirm_url: str | None = None


@dataclass(frozen=True)
class PaymentEvent:
    """A provider's webhook, verified: what happened to which charge."""

    id: str
    kind: str  # "charge.succeeded" or "charge.failed"
    charge_id: str
    reference: str  # what we asked the charge for: our invoice's number


class PaymentProvider(Protocol):
    name: str

    def attach(self, card: CardDetails) -> AttachedCard:
        """Check a card and keep it; raise PaymentDeclined when the card is refused."""
        ...

    def charge(
        self, token: str, cents: int, currency: str, *, idempotency_key: str, reference: str
    ) -> Charge:
        """Charge once per idempotency key: the same key returns the same charge."""
        ...

    def find(self, idempotency_key: str) -> Charge | None:
        """The charge made under this key, if the provider ever received it."""
        ...

    def cancel(self, charge_id: str) -> str:
        """Withdraw a charge still waiting for the payer's confirmation. Returns its final
        status: "canceled", or "succeeded"/"declined" when it was settled first."""
        ...

    def verify_event(self, body: bytes, signature: str) -> PaymentEvent:
        """Check a webhook's signature and freshness; raise Unauthorized if it fails."""
        ...

    def pending(self, charge_id: str) -> tuple[int, str, str]:
        """A charge waiting for the payer's confirmation on this server's page (a charge's
        `confirm_url`): its cents, currency and reference. A provider that confirms on its own
        pages raises NotFound (`charge_not_pending`)."""
        ...

    def confirm(self, charge_id: str, *, approve: bool) -> tuple[bytes, str]:
        """The payer's answer on that page: the provider's event about it, as (webhook body,
        signature), to apply as its webhook would be."""
        ...


class PaymentMethodRepository(Protocol):
    """A listener's card on file, and the cards that have had their free trial."""

    def add_payment_method(
        self, user_id: int, provider: str, card: AttachedCard, now: datetime
    ) -> PaymentMethod: ...

    def payment_method(self, user_id: int) -> PaymentMethod | None: ...

    def remove_payment_method(self, user_id: int, now: datetime) -> None: ...

    def claim_trial(self, user_id: int, fingerprint: str, now: datetime) -> bool: ...


class PaymentEventLog(Protocol):
    """The payment provider's events already handled, so a replayed one changes nothing."""

    def event_seen(self, provider: str, event_id: str) -> bool: ...

    def record_event(
        self, provider: str, event_id: str, kind: str, outcome: str, now: datetime
    ) -> bool: ...

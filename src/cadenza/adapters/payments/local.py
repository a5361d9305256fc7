"""The embedded payment provider: test cards that succeed, decline or need confirmation.

It stands in for a card processor so that a self-hosted server bills with no outside service: it
keeps its cards and charges in its own tables, charges once per idempotency key, and signs the
webhooks it sends when a listener confirms (or refuses) a charge, as a real provider does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cadenza.adapters.db.models_billing import LocalCardRow, LocalChargeRow
from cadenza.domain.errors import InvalidRequest, NotFound, PaymentDeclined, Unauthorized
from cadenza.ports.clock import Clock
from cadenza.ports.payments import AttachedCard, CardDetails, Charge, PaymentEvent

SIGNATURE_TOLERANCE_S = 300


@dataclass(frozen=True)
class LocalCard:
    number: str
    brand: str
    behaviour: str  # succeeds, declined, charge_declined, insufficient_funds, confirm, expired
    says: str


TEST_CARDS = {
    card.number: card
    for card in (
        LocalCard("4242424242424242", "visa", "succeeds", "every charge succeeds"),
        LocalCard("5555555555554444", "mastercard", "succeeds", "every charge succeeds"),
        LocalCard("4000000000000002", "visa", "declined", "refused when added"),
        LocalCard("4000000000000069", "visa", "expired", "refused when added: expired"),
        LocalCard("4000000000000341", "visa", "charge_declined", "added, but charges decline"),
        LocalCard("4000000000009995", "visa", "insufficient_funds", "charges decline: no funds"),
        LocalCard("4000002500003155", "visa", "confirm", "each charge needs confirmation"),
    )
}


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in number]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


class LocalPaymentProvider:
    name = "local"

    def __init__(
        self,
        sessions: sessionmaker[Session],
        secret: bytes,
        clock: Clock,
        public_url: str,
    ) -> None:
        self._sessions = sessions
        self._secret = secret
        self._clock = clock
        self._public_url = public_url.rstrip("/")

    # -- cards ---------------------------------------------------------------------------
    def attach(self, card: CardDetails) -> AttachedCard:
        number = card.number.replace(" ", "").replace("-", "")
        if not (12 <= len(number) <= 19 and number.isdigit() and luhn_valid(number)):
            raise InvalidRequest("that is not a card number", code="invalid_card_number")
        known = TEST_CARDS.get(number)
        if known is None:
            cards = ", ".join(f"{c.number} ({c.says})" for c in TEST_CARDS.values())
            raise PaymentDeclined(
                f"the local payment provider takes test cards only: {cards}",
                code="card_not_accepted",
            )
        now = self._clock.now()
        if (card.exp_year, card.exp_month) < (now.year, now.month) or known.behaviour == "expired":
            raise PaymentDeclined("the card has expired", code="expired_card")
        if known.behaviour == "declined":
            raise PaymentDeclined("the card was declined", code="card_declined")
        token = f"card_{secrets.token_urlsafe(18)}"
        with self._sessions() as session:
            session.add(LocalCardRow(token=token, behaviour=known.behaviour, created_at=now))
            session.commit()
        fingerprint = hmac.new(self._secret, b"card:" + number.encode(), hashlib.sha256)
        return AttachedCard(
            token=token,
            brand=known.brand,
            last4=number[-4:],
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            fingerprint=fingerprint.hexdigest()[:32],
        )

    # -- charges -------------------------------------------------------------------------
    def charge(
        self, token: str, cents: int, currency: str, *, idempotency_key: str, reference: str
    ) -> Charge:
        with self._sessions() as session:
            existing = self._by_key(session, idempotency_key)
            if existing is not None:
                return self._charge(existing)
            card = session.get(LocalCardRow, token)
            if card is None:
                raise PaymentDeclined("the card is not on file", code="card_not_on_file")
            status, code = {
                "succeeds": ("succeeded", None),
                "charge_declined": ("declined", "card_declined"),
                "insufficient_funds": ("declined", "insufficient_funds"),
                "confirm": ("requires_confirmation", None),
            }[card.behaviour]
            if cents == 0:
                status, code = "succeeded", None
            row = LocalChargeRow(
                id=f"ch_{secrets.token_urlsafe(18)}",
                idempotency_key=idempotency_key,
                token=token,
                cents=cents,
                currency=currency,
                reference=reference,
                status=status,
                decline_code=code,
                created_at=self._clock.now(),
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError:  # the same key at the same instant: one charge, both see it
                session.rollback()
                found = self._by_key(session, idempotency_key)
                assert found is not None
                return self._charge(found)
            return self._charge(row)

    def find(self, idempotency_key: str) -> Charge | None:
        with self._sessions() as session:
            row = self._by_key(session, idempotency_key)
            return self._charge(row) if row is not None else None

    def pending(self, charge_id: str) -> tuple[int, str, str]:
        """A charge waiting for confirmation: its amount, currency and reference."""
        with self._sessions() as session:
            row = session.get(LocalChargeRow, charge_id)
            if row is None or row.status != "requires_confirmation":
                raise NotFound("no charge waits for confirmation here", code="charge_not_pending")
            return row.cents, row.currency, row.reference

    def confirm(self, charge_id: str, *, approve: bool) -> tuple[bytes, str]:
        """The listener approves (or refuses) a charge: the webhook to deliver, signed."""
        outcome = "succeeded" if approve else "declined"
        if not self._settle(charge_id, outcome, None if approve else "authentication_failed"):
            raise NotFound("no charge waits for confirmation here", code="charge_not_pending")
        with self._sessions() as session:
            row = session.get(LocalChargeRow, charge_id)
            assert row is not None
            kind = "charge.succeeded" if approve else "charge.failed"
            return self.event(kind, row.id, row.reference)

    def cancel(self, charge_id: str) -> str:
        """Withdraw a charge still waiting for confirmation; returns the charge's final status
        ("canceled", or "succeeded" when the listener confirmed it first)."""
        self._settle(charge_id, "canceled", None)
        with self._sessions() as session:
            row = session.get(LocalChargeRow, charge_id)
            return row.status if row is not None else "canceled"

    def _settle(self, charge_id: str, status: str, code: str | None) -> bool:
        """Move a pending charge on, once: confirm and cancel racing cannot both win."""
        with self._sessions() as session:
            done = session.execute(
                update(LocalChargeRow)
                .where(
                    LocalChargeRow.id == charge_id,
                    LocalChargeRow.status == "requires_confirmation",
                )
                .values(status=status, decline_code=code)
            )
            session.commit()
            return getattr(done, "rowcount", 0) == 1

    # -- webhooks ------------------------------------------------------------------------
    def event(self, kind: str, charge_id: str, reference: str) -> tuple[bytes, str]:
        body = json.dumps(
            {
                "id": f"evt_{secrets.token_urlsafe(18)}",
                "type": kind,
                "data": {"charge": charge_id, "reference": reference},
                "created": int(self._clock.now().timestamp()),
            }
        ).encode()
        return body, self.sign(body)

    def sign(self, body: bytes, at: int | None = None) -> str:
        stamp = at if at is not None else int(self._clock.now().timestamp())
        mac = hmac.new(self._secret, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={stamp},v1={mac}"

    def verify_event(self, body: bytes, signature: str) -> PaymentEvent:
        parts = dict(p.split("=", 1) for p in signature.split(",") if "=" in p)
        try:
            stamp = int(parts.get("t", ""))
        except ValueError:
            stamp = 0
        expected = self.sign(body, stamp)
        fresh = abs(self._clock.now().timestamp() - stamp) <= SIGNATURE_TOLERANCE_S
        if not (fresh and hmac.compare_digest(expected.encode(), signature.encode())):
            raise Unauthorized("webhook signature does not verify", code="bad_signature")
        try:
            raw = json.loads(body)
            data = raw["data"]
            return PaymentEvent(
                id=str(raw["id"]),
                kind=str(raw["type"]),
                charge_id=str(data["charge"]),
                reference=str(data["reference"]),
            )
        except (ValueError, KeyError, TypeError):
            raise InvalidRequest("webhook body is not an event", code="bad_event") from None

    def confirm_url(self, charge_id: str) -> str:
        return f"{self._public_url}/payments/local/confirm/{charge_id}"

    def _charge(self, row: LocalChargeRow) -> Charge:
        return Charge(
            id=row.id,
            status=row.status,
            decline_code=row.decline_code,
            confirm_url=self.confirm_url(row.id) if row.status == "requires_confirmation" else None,
        )

    @staticmethod
    def _by_key(session: Session, key: str) -> LocalChargeRow | None:
        return session.scalar(select(LocalChargeRow).where(LocalChargeRow.idempotency_key == key))

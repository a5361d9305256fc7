"""Subscriptions: plan, period, status and the renewals that are due."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.plans import Period, Plan
from cadenza.domain.subscriptions import Status, Subscription


class SubscriptionRepository(Protocol):
    """Subscriptions: plan, period, status and the renewals that are due."""

    def add_subscription(
        self,
        *,
        payer_id: int,
        plan: Plan,
        period: Period,
        status: Status,
        start: datetime,
        end: datetime,
        currency: str,
        price_cents: int,
        payment_method_id: int | None,
        complimentary: bool = False,
    ) -> int: ...

    def get(self, subscription_id: int) -> Subscription | None: ...

    def lock_subscription(self, subscription_id: int) -> Subscription | None: ...

    def update_subscription(self, subscription_id: int, **values: object) -> None: ...

    def payment_token(self, subscription_id: int) -> tuple[str, str] | None: ...

    def due(self, now: datetime, limit: int = 500) -> list[Subscription]: ...

    def home_address(self, subscription_id: int) -> str | None: ...

"""Money and plan safety under races, crashes and odd sequences (found by a second reader)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cadenza.adapters.db.models_billing import LocalChargeRow
from cadenza.bootstrap import App
from cadenza.domain.errors import Conflict
from cadenza.domain.plans import Plan
from cadenza.domain.subscriptions import InvoiceStatus
from tests.e2e.conftest import LISTENER_PASSWORD, sign_in
from tests.e2e.test_plans import (
    DECLINES_CHARGES,
    GOOD,
    NEEDS_CONFIRMATION,
    add_card,
    my_plan,
    period_end,
    subscribe,
)


class LaterClock:
    def __init__(self, minutes: float) -> None:
        self.minutes = minutes

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(minutes=self.minutes)


def charges(app: App, reference: str | None = None) -> int:
    with app.db_sessions() as session:
        query = select(func.count()).select_from(LocalChargeRow)
        if reference is not None:
            query = query.where(LocalChargeRow.reference == reference)
        return int(session.scalar(query) or 0)


def invoices(client: TestClient, who: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get("/api/v1/me/invoices", headers=who).json()
    return found


def test_two_billing_runs_at_once_charge_a_renewal_once(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    subscribe(client, ada, "premium_individual")
    due = period_end(my_plan(client, ada)) + timedelta(minutes=1)
    slow_charge = app.payments.charge

    def charge_slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)  # the provider takes its time, as real ones do
        return slow_charge(*args, **kwargs)

    app.payments.charge = charge_slowly  # type: ignore[method-assign]
    runs = [threading.Thread(target=app.billing.run, args=(due,)) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    paid = invoices(client, ada)
    assert [(i["status"], i["amount_cents"]) for i in paid] == [("paid", 999)]
    assert charges(app, paid[0]["number"]) == 1


def test_a_crash_after_charging_is_settled_without_charging_again(
    client: TestClient, app: App
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    subscribe(client, ada, "premium_individual")
    due = period_end(my_plan(client, ada)) + timedelta(minutes=1)

    def crash(*_: Any) -> None:
        raise RuntimeError("the server died after the provider answered")

    app.charging._apply = crash  # type: ignore[method-assign]
    app.billing.run(due)  # charged at the provider, the answer never recorded
    del app.charging._apply
    assert [i["status"] for i in invoices(client, ada)] == ["open"]
    assert app.billing.run(due + timedelta(minutes=1)).settled == 0  # it may still be running
    app.charging.clock = LaterClock(minutes=6)  # the crashed attempt's lease runs out
    report = app.billing.run(due + timedelta(minutes=7))
    assert report.settled == 1
    paid = invoices(client, ada)
    assert [i["status"] for i in paid] == ["paid"]
    assert charges(app, paid[0]["number"]) == 1
    assert my_plan(client, ada)["subscription"]["status"] == "active"


def test_canceling_while_past_due_stops_the_retries(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada, DECLINES_CHARGES)
    subscribe(client, ada, "premium_individual")
    end = period_end(my_plan(client, ada))
    app.billing.run(end + timedelta(minutes=1))
    add_card(client, ada, GOOD)
    client.post("/api/v1/me/subscription/cancel", headers=ada)
    report = app.billing.run(end + timedelta(days=1, minutes=1))
    assert report.canceled == 1 and report.renewed == 0
    assert my_plan(client, ada)["plan"] == "free"
    assert [i["status"] for i in invoices(client, ada)] == ["void"]


def test_a_newer_upgrade_withdraws_one_still_waiting_for_confirmation(
    client: TestClient, app: App
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    subscribe(client, ada, "plus")
    add_card(client, ada, NEEDS_CONFIRMATION)
    family = client.patch("/api/v1/me/subscription", json={"plan": "premium_family"}, headers=ada)
    family_confirm = family.json()["confirm_url"].removeprefix(app.settings.public_url)
    duo = client.patch("/api/v1/me/subscription", json={"plan": "premium_duo"}, headers=ada)
    duo_confirm = duo.json()["confirm_url"].removeprefix(app.settings.public_url)
    assert client.post(family_confirm, data={"approve": "true"}).status_code == 404
    assert client.post(duo_confirm, data={"approve": "true"}).status_code == 200
    assert my_plan(client, ada)["plan"] == "premium_duo"
    upgrades = [i for i in invoices(client, ada) if i["kind"] == "upgrade"]
    assert sorted((i["plan"], i["status"]) for i in upgrades) == [
        ("premium_duo", "paid"),
        ("premium_family", "void"),
    ]


def test_only_a_paid_up_plan_changes_and_granted_plans_stay_as_granted(
    client: TestClient, app: App
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada, NEEDS_CONFIRMATION)
    subscribe(client, ada, "plus")  # waits for confirmation
    early = client.patch("/api/v1/me/subscription", json={"plan": "premium_family"}, headers=ada)
    assert early.status_code == 409 and early.json()["error"]["code"] == "plan_not_changeable"
    gift = sign_in(client, app, "gift@example.org", plan=Plan.PLUS)
    changed = client.patch(
        "/api/v1/me/subscription", json={"plan": "premium_family", "period": "month"}, headers=gift
    )
    assert changed.status_code == 409
    assert client.post("/api/v1/me/subscription/cancel", headers=gift).status_code == 409
    assert my_plan(client, gift)["plan"] == "plus"


def test_a_switch_to_yearly_billing_happens_at_the_renewal(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    subscribe(client, ada, "premium_individual")
    app.billing.run(period_end(my_plan(client, ada)) + timedelta(minutes=1))  # trial over
    yearly = client.patch(
        "/api/v1/me/subscription",
        json={"plan": "premium_individual", "period": "year"},
        headers=ada,
    )
    assert yearly.status_code == 200
    end = period_end(my_plan(client, ada))
    app.billing.run(end + timedelta(minutes=1))
    plan = my_plan(client, ada)
    assert plan["subscription"]["period"] == "year" and plan["subscription"]["price_cents"] == 9999
    assert period_end(plan) > end + timedelta(days=364)
    assert invoices(client, ada)[0]["amount_cents"] == 9999


def test_places_in_a_shared_plan(client: TestClient, app: App) -> None:
    manager = sign_in(client, app, "manager@example.org")
    add_card(client, manager)
    subscribe(client, manager, "premium_duo")
    # An invitation sent to an address is for that address.
    sent = client.post(
        "/api/v1/me/plan/invites", json={"email": "partner@example.org"}, headers=manager
    ).json()
    stranger = sign_in(client, app, "stranger@example.org")
    taken = client.post(
        "/api/v1/plan-invites/accept", json={"token": sent["token"]}, headers=stranger
    )
    assert taken.status_code == 403 and taken.json()["error"]["code"] == "invite_for_someone_else"
    partner = sign_in(client, app, "partner@example.org")
    client.post("/api/v1/plan-invites/accept", json={"token": sent["token"]}, headers=partner)
    # The partner deletes the account: the place is free again.
    client.post("/api/v1/me/delete", json={"password": LISTENER_PASSWORD}, headers=partner)
    assert client.post("/api/v1/me/plan/invites", json={}, headers=manager).status_code == 201
    # After the trial, a downgrade to one place waits for the period's end, and no one new
    # joins meanwhile.
    app.billing.run(period_end(my_plan(client, manager)) + timedelta(minutes=1))
    client.patch("/api/v1/me/subscription", json={"plan": "premium_individual"}, headers=manager)
    full = client.post("/api/v1/me/plan/invites", json={}, headers=manager)
    assert full.status_code == 409 and full.json()["error"]["code"] == "plan_full"


def test_too_many_open_invitations_are_refused(client: TestClient, app: App) -> None:
    manager = sign_in(client, app, "manager@example.org")
    add_card(client, manager)
    subscribe(client, manager, "premium_duo")
    answers = [
        client.post("/api/v1/me/plan/invites", json={}, headers=manager).status_code
        for _ in range(11)
    ]
    assert answers == [201] * 10 + [409]
    assert charges(app) == 0  # a trial: nothing charged at all


def subscription_id(app: App, account_id: int) -> int:
    with app.uow() as uow:
        membership = uow.members.membership(account_id)
    assert membership is not None
    return membership.subscription_id


def test_a_plan_set_by_hand_waits_for_a_renewal_being_charged(client: TestClient, app: App) -> None:
    """The operator sets a plan while the trial's first renewal is at the provider: nothing
    changes (voiding the invoice then would take the money and give nothing), and the renewal
    is applied once it is answered."""
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    subscribe(client, ada, "premium_individual")
    assert my_plan(client, ada)["subscription"]["status"] == "trialing"
    due = period_end(my_plan(client, ada)) + timedelta(minutes=1)
    at_the_provider, answer = threading.Event(), threading.Event()
    charge = app.payments.charge

    def charge_slowly(*args: Any, **kwargs: Any) -> Any:
        at_the_provider.set()
        answer.wait(30)
        return charge(*args, **kwargs)

    app.payments.charge = charge_slowly  # type: ignore[method-assign]
    run = threading.Thread(target=app.billing.run, args=(due,))
    run.start()
    try:
        assert at_the_provider.wait(30)
        ada_id = client.get("/api/v1/me", headers=ada).json()["id"]
        with pytest.raises(Conflict) as refused:
            app.plan_grants.set_plan(None, ada_id, Plan.FREE, end_paid=True)
        assert refused.value.code == "plan_paid"
        # The ending's own change is conditional too (a claim between its read and its write).
        with app.uow() as uow:
            (charging,) = uow.invoices.open_invoices(subscription_id(app, ada_id))
            assert not uow.invoices.mark_invoice(
                charging.id,
                InvoiceStatus.VOID,
                only_from=InvoiceStatus.OPEN,
                not_charging_at=datetime.now(UTC),
            )
    finally:
        answer.set()
        run.join()
    paid = invoices(client, ada)
    assert [(i["status"], i["amount_cents"]) for i in paid] == [("paid", 999)]
    assert charges(app, paid[0]["number"]) == 1
    now = my_plan(client, ada)
    assert now["plan"] == "premium_individual" and now["subscription"]["status"] == "active"

"""Plans through HTTP: offers, the trial, renewals, declines, confirmations, webhooks, changes."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import mail_to, sign_in

GOOD = "4242424242424242"
DECLINES_CHARGES = "4000000000000341"
NEEDS_CONFIRMATION = "4000002500003155"


def add_card(client: TestClient, headers: dict[str, str], number: str = GOOD) -> Any:
    card = {"number": number, "exp_month": 12, "exp_year": 2099, "cvc": "123"}
    return client.put("/api/v1/me/payment-method", json=card, headers=headers)


def my_plan(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    answer = client.get("/api/v1/me/plan", headers=headers)
    assert answer.status_code == 200
    plan: dict[str, Any] = answer.json()
    return plan


def subscribe(client: TestClient, headers: dict[str, str], plan: str, **extra: str) -> Any:
    return client.post("/api/v1/me/subscription", json={"plan": plan, **extra}, headers=headers)


def period_end(plan: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(plan["subscription"]["period_end"])


def test_every_plan_is_offered_with_its_price_and_features(client: TestClient) -> None:
    offers = client.get("/api/v1/plans").json()
    monthly = {o["plan"]: o for o in offers if o["period"] == "month"}
    assert {p: o["price_cents"] for p, o in monthly.items()} == {
        "free": 0,
        "plus": 99,
        "premium_individual": 999,
        "premium_duo": 1299,
        "premium_family": 1599,
        "premium_student": 499,
    }
    assert all(o["currency"] == "EUR" for o in offers)
    yearly = [o for o in offers if o["period"] == "year"]
    assert [(o["plan"], o["price_cents"]) for o in yearly] == [("premium_individual", 9999)]
    free, plus = monthly["free"]["features"], monthly["plus"]["features"]
    assert (free["ads"], free["on_demand"], free["skips_per_hour"]) == (True, False, 6)
    assert (plus["ads"], plus["on_demand"], plus["skips_per_hour"]) == (True, True, None)
    assert free["qualities"] == ["low", "normal", "high"] and free["offline_devices"] == 0
    family = monthly["premium_family"]["features"]
    assert (family["accounts"], family["max_quality"], family["group_mix"]) == (
        6,
        "lossless",
        "Family Mix",
    )
    assert monthly["premium_duo"]["features"]["accounts"] == 2


def test_a_free_trial_month_once_per_person_and_per_card(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    assert my_plan(client, ada)["plan"] == "free"
    assert subscribe(client, ada, "premium_individual").json()["error"]["code"] == (
        "payment_method_required"
    )
    assert add_card(client, ada).json()["last4"] == "4242"
    started = subscribe(client, ada, "premium_individual")
    assert started.status_code == 201
    assert started.json()["subscription"]["status"] == "trialing"
    plan = my_plan(client, ada)
    assert plan["plan"] == "premium_individual" and plan["features"]["max_quality"] == "lossless"
    assert client.get("/api/v1/me/invoices", headers=ada).json() == []  # the trial is free
    again = subscribe(client, ada, "premium_family")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_subscribed"

    # Someone else with the same card pays from the first day.
    bob = sign_in(client, app, "bob@example.org")
    add_card(client, bob)
    paid = subscribe(client, bob, "premium_individual")
    assert paid.status_code == 201 and paid.json()["subscription"]["status"] == "active"
    invoices = client.get("/api/v1/me/invoices", headers=bob).json()
    assert [(i["amount_cents"], i["status"]) for i in invoices] == [(999, "paid")]


def test_the_trial_converts_and_renews_monthly_once_per_period(
    client: TestClient, app: App
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    subscribe(client, ada, "premium_individual")
    trial_end = period_end(my_plan(client, ada))
    report = app.billing.run(trial_end + timedelta(minutes=1))
    assert report.trials_converted == 1
    again = app.billing.run(trial_end + timedelta(minutes=2))
    assert again.trials_converted == again.renewed == 0  # a second run charges nothing
    plan = my_plan(client, ada)
    assert plan["subscription"]["status"] == "active"
    assert period_end(plan) > trial_end + timedelta(days=27)
    invoices = client.get("/api/v1/me/invoices", headers=ada).json()
    assert [(i["amount_cents"], i["status"], i["kind"]) for i in invoices] == [
        (999, "paid", "renewal")
    ]
    document = client.get(f"/api/v1/me/invoices/{invoices[0]['id']}/document", headers=ada)
    assert document.status_code == 200
    assert invoices[0]["number"] in document.text and "9.99 EUR" in document.text
    assert "attachment" in document.headers["content-disposition"]
    # Nobody else reads it.
    bob = sign_in(client, app, "bob@example.org")
    other = client.get(f"/api/v1/me/invoices/{invoices[0]['id']}/document", headers=bob)
    assert other.status_code == 404


def test_a_declined_renewal_warns_retries_and_a_new_card_saves_the_plan(
    client: TestClient, app: App
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada, DECLINES_CHARGES)
    subscribe(client, ada, "premium_individual")
    end = period_end(my_plan(client, ada))
    assert app.billing.run(end + timedelta(minutes=1)).declined == 1
    plan = my_plan(client, ada)
    assert plan["subscription"]["status"] == "past_due"
    assert plan["plan"] == "premium_individual"  # kept while the retries run
    assert "declined" in plan["warning"]
    warnings = [m for m in mail_to(app, "ada@example.org")]
    assert warnings[-1]["Subject"] == "We could not take your payment"
    add_card(client, ada, GOOD)
    assert app.billing.run(end + timedelta(days=1, minutes=1)).renewed == 1
    plan = my_plan(client, ada)
    assert plan["subscription"]["status"] == "active" and plan["warning"] is None
    assert period_end(plan) > end + timedelta(days=27)
    paid = [
        i for i in client.get("/api/v1/me/invoices", headers=ada).json() if i["status"] == "paid"
    ]
    assert len(paid) == 1


def test_unpaid_past_the_retries_goes_back_to_free(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada, DECLINES_CHARGES)
    subscribe(client, ada, "premium_individual")
    end = period_end(my_plan(client, ada))
    for days in (0, 1, 3, 7):
        app.billing.run(end + timedelta(days=days, minutes=1))
    plan = my_plan(client, ada)
    assert plan["plan"] == "free" and plan["subscription"] is None
    invoices = client.get("/api/v1/me/invoices", headers=ada).json()
    assert [i["status"] for i in invoices] == ["failed"]
    assert invoices[0]["amount_cents"] == 999


def test_a_card_declined_on_the_first_payment_leaves_no_plan(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    assert add_card(client, ada, "4000000000000002").json()["error"]["code"] == "card_declined"
    add_card(client, ada, DECLINES_CHARGES)
    refused = subscribe(client, ada, "plus")
    assert refused.status_code == 402 and refused.json()["error"]["code"] == "card_declined"
    assert my_plan(client, ada)["plan"] == "free"
    add_card(client, ada, GOOD)
    assert subscribe(client, ada, "plus").json()["subscription"]["status"] == "active"
    assert my_plan(client, ada)["plan"] == "plus"


def test_a_payment_the_bank_must_confirm_and_its_webhooks_count_once(
    client: TestClient, app: App
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada, NEEDS_CONFIRMATION)
    started = subscribe(client, ada, "plus").json()
    assert started["subscription"]["status"] == "incomplete"
    assert my_plan(client, ada)["plan"] == "free"  # nothing until the bank says yes
    confirm_path = started["confirm_url"].removeprefix(app.settings.public_url)
    assert "Confirm 0.99 EUR" in client.get(confirm_path).text
    assert "confirmed" in client.post(confirm_path, data={"approve": "true"}).text
    assert my_plan(client, ada)["plan"] == "plus"
    assert client.post(confirm_path, data={"approve": "true"}).status_code == 404

    invoice = client.get("/api/v1/me/invoices", headers=ada).json()[0]
    with app.uow() as uow:
        found = uow.invoices.invoice(invoice["id"])
    assert found is not None and found.charge_id is not None
    body, signature = app.payments.event("charge.succeeded", found.charge_id, found.number)
    hook = {"Cadenza-Signature": signature}
    assert client.post("/api/v1/payments/webhook", content=body, headers=hook).json() == {
        "outcome": "already_settled"
    }
    assert client.post("/api/v1/payments/webhook", content=body, headers=hook).json() == {
        "outcome": "duplicate"
    }
    late, late_signature = app.payments.event("charge.failed", found.charge_id, found.number)
    outcome = client.post(
        "/api/v1/payments/webhook", content=late, headers={"Cadenza-Signature": late_signature}
    )
    assert outcome.json() == {"outcome": "already_settled"}  # a late failure undoes nothing
    forged = client.post(
        "/api/v1/payments/webhook", content=body, headers={"Cadenza-Signature": "t=1,v1=00"}
    )
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "bad_signature"
    plan = my_plan(client, ada)
    assert plan["plan"] == "plus" and plan["subscription"]["status"] == "active"
    assert len(client.get("/api/v1/me/invoices", headers=ada).json()) == 1


def test_upgrades_are_immediate_and_prorated_downgrades_wait(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    subscribe(client, ada, "plus")
    upgraded = client.patch("/api/v1/me/subscription", json={"plan": "premium_family"}, headers=ada)
    assert upgraded.status_code == 200
    assert my_plan(client, ada)["plan"] == "premium_family"
    invoices = client.get("/api/v1/me/invoices", headers=ada).json()
    upgrade = next(i for i in invoices if i["kind"] == "upgrade")
    # Almost the whole month is left: about 15.99 - 0.99.
    assert 1490 <= upgrade["amount_cents"] <= 1500 and upgrade["status"] == "paid"

    down = client.patch("/api/v1/me/subscription", json={"plan": "plus"}, headers=ada).json()
    assert down["subscription"]["next_plan"] == "plus"
    assert my_plan(client, ada)["plan"] == "premium_family"  # until the period ends
    end = period_end(my_plan(client, ada))
    app.billing.run(end + timedelta(minutes=1))
    plan = my_plan(client, ada)
    assert plan["plan"] == "plus" and plan["subscription"]["price_cents"] == 99
    renewal = client.get("/api/v1/me/invoices", headers=ada).json()[0]
    assert (renewal["kind"], renewal["amount_cents"], renewal["plan"]) == ("renewal", 99, "plus")


def test_canceling_keeps_the_plan_to_the_period_end_then_free(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    subscribe(client, ada, "premium_individual")
    canceled = client.post("/api/v1/me/subscription/cancel", headers=ada).json()
    assert canceled["cancel_at_period_end"] is True and canceled["renews"] is False
    assert my_plan(client, ada)["plan"] == "premium_individual"
    end = period_end(my_plan(client, ada))
    assert app.billing.run(end + timedelta(minutes=1)).canceled == 1
    assert my_plan(client, ada)["plan"] == "free"
    assert client.get("/api/v1/me/invoices", headers=ada).json() == []  # never charged


def test_the_annual_option_only_where_the_market_has_one(client: TestClient, app: App) -> None:
    gbp = {"currency": "GBP", "month": {"premium_individual": 1199, "plus": 99}}
    app.settings.plan_prices = json.dumps({"GB": gbp})
    gb = {o["plan"]: o for o in client.get("/api/v1/plans?country=GB").json()}
    assert gb["premium_individual"]["price_cents"] == 1199 and gb["plus"]["currency"] == "GBP"
    assert all(o["period"] == "month" for o in gb.values())
    ada = sign_in(client, app, "ada@example.org")  # country US: the default market
    add_card(client, ada)
    yearly = subscribe(client, ada, "premium_individual", period="year").json()
    assert yearly["subscription"]["period"] == "year"


def test_two_subscribes_at_once_make_one_subscription(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    answers: list[int] = []

    def go() -> None:
        answers.append(subscribe(client, ada, "plus").status_code)

    threads = [threading.Thread(target=go) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 409, 409]
    assert len(client.get("/api/v1/me/invoices", headers=ada).json()) == 1


def test_free_and_plus_stream_up_to_high_and_premium_gets_lossless(
    client: TestClient, app: App, published: int
) -> None:
    track = client.get(f"/api/v1/releases/{published}").json()["tracks"][0]["id"]
    url = f"/api/v1/tracks/{track}/stream"
    assert client.get(url).status_code == 401
    free = sign_in(client, app, "free@example.org")
    assert client.get(f"{url}?quality=high", headers=free).status_code == 200
    refused = client.get(f"{url}?quality=very_high", headers=free)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "quality_not_in_plan"
    premium = sign_in(client, app, "premium@example.org", Plan.PREMIUM_INDIVIDUAL)
    assert client.get(f"{url}?quality=lossless", headers=premium).status_code == 200


def test_a_confirmation_too_late_takes_no_money(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada, NEEDS_CONFIRMATION)
    started = subscribe(client, ada, "plus").json()
    confirm_path = started["confirm_url"].removeprefix(app.settings.public_url)
    later = datetime.fromisoformat(started["subscription"]["period_start"]) + timedelta(days=2)
    assert app.billing.run(later).expired == 1
    assert client.post(confirm_path, data={"approve": "true"}).status_code == 404
    assert my_plan(client, ada)["plan"] == "free"
    assert [i["status"] for i in client.get("/api/v1/me/invoices", headers=ada).json()] == ["void"]


def test_a_manager_who_deletes_the_account_leaves_members_on_free(
    client: TestClient, app: App
) -> None:
    manager = sign_in(client, app, "manager@example.org")
    add_card(client, manager)
    subscribe(client, manager, "premium_duo")
    token = client.post("/api/v1/me/plan/invites", json={}, headers=manager).json()["token"]
    partner = sign_in(client, app, "partner@example.org")
    joined = client.post("/api/v1/plan-invites/accept", json={"token": token}, headers=partner)
    assert joined.status_code == 200
    assert my_plan(client, partner)["plan"] == "premium_duo"
    gone = client.post(
        "/api/v1/me/delete",
        json={"password": "a long and unusual listening phrase"},
        headers=manager,
    )
    assert gone.status_code in (200, 204)
    plan = my_plan(client, partner)
    assert plan["plan"] == "free" and plan["subscription"] is None

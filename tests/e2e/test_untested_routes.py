"""Routes no other test reached: resuming a canceled plan, removing the card, and a device's
single download (removed, or granted again)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.test_offline import DEVICES, add, code, register
from tests.e2e.test_plans import add_card, my_plan, period_end, subscribe

RESUME = "/api/v1/me/subscription/resume"


def test_a_canceled_plan_resumed_renews_at_the_period_end(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    assert code(client.post(RESUME, headers=ada)) == "no_subscription"  # Free has none
    add_card(client, ada)
    subscribe(client, ada, "premium_individual")
    canceled = client.post("/api/v1/me/subscription/cancel", headers=ada).json()
    assert (canceled["cancel_at_period_end"], canceled["renews"]) == (True, False)
    resumed = client.post(RESUME, headers=ada)
    assert resumed.status_code == 200
    assert (resumed.json()["cancel_at_period_end"], resumed.json()["renews"]) == (False, True)
    assert my_plan(client, ada)["subscription"]["renews"] is True

    end = period_end(my_plan(client, ada))
    ran = app.billing.run(end + timedelta(minutes=1))
    assert (ran.canceled, ran.trials_converted) == (0, 1)  # renewed, not ended
    assert my_plan(client, ada)["plan"] == "premium_individual"
    (charged,) = client.get("/api/v1/me/invoices", headers=ada).json()
    assert charged["amount_cents"] == 999 and charged["plan"] == "premium_individual"


def test_a_plan_that_has_ended_is_not_resumed(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    subscribe(client, ada, "premium_individual")
    client.post("/api/v1/me/subscription/cancel", headers=ada)
    end = period_end(my_plan(client, ada))
    assert app.billing.run(end + timedelta(minutes=1)).canceled == 1
    late = client.post(RESUME, headers=ada)
    assert late.status_code == 404 and code(late) == "no_subscription"  # back on Free
    assert my_plan(client, ada)["plan"] == "free"


def test_the_card_is_removed_only_once_no_plan_renews_with_it(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    subscribe(client, ada, "premium_individual")
    in_use = client.delete("/api/v1/me/payment-method", headers=ada)
    assert in_use.status_code == 409 and code(in_use) == "payment_method_in_use"
    assert my_plan(client, ada)["payment_method"]["last4"] == "4242"

    client.post("/api/v1/me/subscription/cancel", headers=ada)
    removed = client.delete("/api/v1/me/payment-method", headers=ada)
    assert removed.status_code == 204
    assert my_plan(client, ada)["payment_method"] is None
    assert my_plan(client, ada)["plan"] == "premium_individual"  # paid up to the period's end
    # Renewing again needs a card to renew with.
    no_card = client.post(RESUME, headers=ada)
    assert no_card.status_code == 422 and code(no_card) == "payment_method_required"
    assert my_plan(client, ada)["subscription"]["renews"] is False
    add_card(client, ada, "5555555555554444")  # a new card: the plan renews with it
    assert client.post(RESUME, headers=ada).json()["renews"] is True
    assert my_plan(client, ada)["payment_method"]["last4"] == "4444"

    bob = sign_in(client, app, "bob@example.org")  # never had a card: nothing to remove
    assert client.delete("/api/v1/me/payment-method", headers=bob).status_code == 204


def test_one_download_removed_from_a_device_and_another_granted_again(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    device = register(client, premium).json()["id"]
    grants = add(client, premium, device, release_id=published).json()["grants"]
    first, second, third = (g["track_id"] for g in grants)

    again = client.post(f"{DEVICES}/{device}/downloads/{second}/grant", headers=premium)
    assert again.status_code == 200
    assert (again.json()["track_id"], again.json()["quality"]) == (second, grants[1]["quality"])
    fetched = client.get(again.json()["url"])
    assert fetched.status_code == 200 and fetched.content == client.get(grants[1]["url"]).content

    removed = client.delete(f"{DEVICES}/{device}/downloads/{first}", headers=premium)
    assert removed.status_code == 204
    kept = client.get(f"{DEVICES}/{device}/downloads", headers=premium).json()["items"]
    assert [d["track_id"] for d in kept] == [second, third]
    assert client.get(f"{DEVICES}", headers=premium).json()[0]["tracks"] == 2
    # The removed track's old grant no longer downloads, and no new grant is given for it.
    assert client.get(grants[0]["url"]).status_code in (403, 404)
    gone = client.post(f"{DEVICES}/{device}/downloads/{first}/grant", headers=premium)
    assert gone.status_code == 404 and code(gone) == "download_not_found"
    twice = client.delete(f"{DEVICES}/{device}/downloads/{first}", headers=premium)
    assert twice.status_code == 404 and code(twice) == "download_not_found"

    # Another listener's device is not theirs to empty or to download from.
    bob = sign_in(client, app, "bob@example.org", Plan.PREMIUM_INDIVIDUAL)
    theirs = client.delete(f"{DEVICES}/{device}/downloads/{second}", headers=bob)
    assert theirs.status_code == 404
    assert (
        client.post(f"{DEVICES}/{device}/downloads/{second}/grant", headers=bob).status_code == 404
    )
    assert [
        d["track_id"]
        for d in client.get(f"{DEVICES}/{device}/downloads", headers=premium).json()["items"]
    ] == [second, third]

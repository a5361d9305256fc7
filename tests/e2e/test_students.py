"""Premium Student through HTTP: verification by an admin, 12 months at a time, 4 years at most."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.subscriptions import StudentStatus, student_problem
from tests.e2e.conftest import sign_in
from tests.e2e.test_plans import add_card, my_plan, subscribe


def admin(client: TestClient, app: App) -> dict[str, str]:
    headers = sign_in(client, app, "admin@example.org")
    account_id = client.get("/api/v1/me", headers=headers).json()["id"]
    with app.uow() as uow:
        uow.accounts.set_roles(account_id, [Role.LISTENER.value, Role.ADMIN.value])
        uow.commit()
    return headers


def test_student_plan_needs_an_approved_status_that_lasts_a_year(
    client: TestClient, app: App
) -> None:
    sam = sign_in(client, app, "sam@example.org")
    add_card(client, sam)
    refused = subscribe(client, sam, "premium_student")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "student_verification_required"
    asked = client.post("/api/v1/me/student", json={"school": "Conservatoire"}, headers=sam)
    assert asked.status_code == 202 and asked.json()["status"] == "pending"
    assert subscribe(client, sam, "premium_student").status_code == 403  # not yet approved

    # Only admins see the queue and decide.
    assert client.get("/api/v1/admin/students", headers=sam).status_code == 403
    boss = admin(client, app)
    pending = client.get("/api/v1/admin/students", headers=boss).json()
    assert [(p["school"], p["status"]) for p in pending] == [("Conservatoire", "pending")]
    approved = client.post(f"/api/v1/admin/students/{pending[0]['id']}/approve", headers=boss)
    assert approved.json()["status"] == "approved"
    valid_until = datetime.fromisoformat(approved.json()["valid_until"])
    assert timedelta(days=364) < valid_until - datetime.now(UTC) <= timedelta(days=365)

    assert subscribe(client, sam, "premium_student").json()["subscription"]["status"] == "trialing"
    assert my_plan(client, sam)["plan"] == "premium_student"
    # A year on, with the status not renewed, the plan ends at its next renewal.
    app.billing.run(datetime.now(UTC) + timedelta(days=32))
    assert my_plan(client, sam)["subscription"]["price_cents"] == 499
    report = app.billing.run(valid_until + timedelta(days=31))
    assert report.expired == 1
    assert my_plan(client, sam)["plan"] == "free"


def test_a_rejected_request_can_be_made_again(client: TestClient, app: App) -> None:
    sam = sign_in(client, app, "sam@example.org")
    first = client.post("/api/v1/me/student", json={"school": "Nowhere"}, headers=sam).json()
    twice = client.post("/api/v1/me/student", json={"school": "Nowhere"}, headers=sam)
    assert twice.status_code == 409
    boss = admin(client, app)
    rejected = client.post(f"/api/v1/admin/students/{first['id']}/reject", headers=boss)
    assert rejected.json()["status"] == "rejected"
    assert client.get("/api/v1/me/student", headers=sam).json()["status"] == "rejected"
    again = client.post("/api/v1/me/student", json={"school": "A real school"}, headers=sam)
    assert again.status_code == 202


def test_student_status_lasts_four_years_at_most() -> None:
    now = datetime(2030, 9, 1, tzinfo=UTC)

    def status(first_years_ago: float) -> StudentStatus:
        return StudentStatus(
            id=1,
            user_id=1,
            school="s",
            status="approved",
            requested_at=now,
            valid_until=now + timedelta(days=200),
            first_approved_at=now - timedelta(days=365 * first_years_ago),
        )

    assert student_problem(status(3.5), now) is None
    problem = student_problem(status(4.1), now)
    assert problem is not None and problem[0] == "student_limit_reached"

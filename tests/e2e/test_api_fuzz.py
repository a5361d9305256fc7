"""Schemathesis over the auth and account endpoints: no input makes the server answer 5xx.

Every operation under /api/v1/auth/ and /api/v1/me gets generated valid and invalid requests
(schemathesis' explicit, coverage and fuzzing phases), most of them with a live access token of a
real account so the /me handlers run past authentication. Answers must not be server errors, must
use a documented status or a 4xx with our JSON error body (FastAPI's 422 body counts too), and a
documented answer must match its schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from cadenza.adapters.mail import read_outbox
from cadenza.api.app import create_app
from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.services.sessions import LoginAttempt

# Generated raw bodies go through the test client's legacy `data=` path.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EMAIL = "quaver@example.org"
PASSWORD = "a long fuzzing passphrase 31"
DEVICE = "schemathesis-device"
PATHS = r"^/api/v1/(auth/|me($|/)|admin/)"


class Listener:
    """A logged-in account; logs in again (same device, no e-mail code) if a case ended it."""

    def __init__(self, app: App, client: TestClient) -> None:
        self.app = app
        app.accounts.create(EMAIL, PASSWORD, roles=[Role.LISTENER])
        form = {"email": EMAIL, "password": PASSWORD, "device_id": DEVICE, "device_name": DEVICE}
        first = client.post("/api/v1/auth/token", json=form)
        assert first.status_code == 401, first.text
        assert first.json()["error"]["code"] == "email_code_required"
        app.outgoing_mail.deliver_due()
        text = read_outbox(app.settings.data_dir / "outbox")[-1].get_body(("plain",))
        assert text is not None
        code = re.search(r"enter this code: (\d{6})", str(text.get_content()))
        assert code is not None
        second = client.post("/api/v1/auth/token", json=form | {"email_code": code.group(1)})
        assert second.status_code == 200, second.text
        self.token: str = second.json()["access_token"]

    def bearer(self) -> str:
        try:
            self.app.sessions.authenticate(self.token)
        except Exception:  # the session was ended (logout, log out everywhere): a new one
            pair = self.app.sessions.login(
                # Not through HTTP: the generated failed logins slow down the test client's address.
                LoginAttempt(EMAIL, PASSWORD, DEVICE, DEVICE, ip="192.0.2.10")
            )
            self.token = pair.access_token
        return f"Bearer {self.token}"


@pytest.fixture
def fuzz_client(app: App) -> Iterator[TestClient]:
    # Server exceptions become 500 answers, which the checks report with the request.
    with TestClient(create_app(app), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def listener(app: App, fuzz_client: TestClient) -> Listener:
    return Listener(app, fuzz_client)


def documented_or_client_error(response: Any, case: Any) -> None:
    documented = set(case.operation.definition.raw.get("responses", {}))
    status = response.status_code
    if str(status) in documented:
        return
    assert 400 <= status < 500, f"undocumented status {status}: {response.text[:500]}"
    body = response.json()
    if "detail" in body:  # FastAPI's own answers: 422 invalid fields, 400 unparsable JSON
        assert (status, type(body["detail"])) in {(422, list), (400, str)}, body
    else:
        assert set(body["error"]) == {"code", "message", "file"}, body


# Each case of these hashes a password (argon2) or ends the session, so logs in again: fewer.
SLOW = {
    "POST /api/v1/auth/logout": 6,
    "DELETE /api/v1/me/sessions": 6,
    "POST /api/v1/me/delete": 6,
    "POST /api/v1/me/two-factor/disable": 6,
    "PUT /api/v1/me/password": 6,
}

FUZZ = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same cases every run: no flaky failures
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the failure shows its curl command
)


def test_auth_and_account_endpoints_never_fail(
    app: App, fuzz_client: TestClient, listener: Listener
) -> None:
    openapi = fuzz_client.get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(openapi).include(path_regex=PATHS)
    results: list[Any] = list(schema.get_all_operations())
    # File uploads are left out: the test client cannot encode the generated non-file values
    # of a multipart body (its own error, before any request); their refusals are tested apart.
    operations = sorted((r.ok() for r in results if not uploads(r.ok())), key=label)
    assert len(operations) >= 15, [op.label for op in operations]

    def send(case: Any, with_token: int) -> None:
        headers = {"Authorization": listener.bearer()} if with_token else None
        send_case(fuzz_client, case, headers)

    failures = fuzz_each(operations, send)
    assert not failures, "\n\n".join(failures)


def send_case(client: TestClient, case: Any, headers: dict[str, str] | None) -> None:
    """Send a generated case (with `headers`, when given) and check the answer."""
    if headers and case.headers:  # the generated authorization header gives way to the token
        for name in [k for k in case.headers if k.lower() == "authorization"]:
            del case.headers[name]
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    kwargs.pop("cookies", None)  # none are in the schema; starlette deprecates per request
    response = client.request(**kwargs)
    case.validate_response(
        response, checks=[not_a_server_error, response_schema_conformance], headers=headers
    )
    documented_or_client_error(response, case)


def fuzz_each(operations: list[Any], send: Callable[[Any, int], None]) -> list[str]:
    """Every operation's generated cases through `send`; a report per failing operation."""
    failures = []
    for operation in operations:
        # Nothing to make invalid but the authorization header (sent valid or generated anyway).
        negative = operation.body or any(
            p.location != "header" for p in operation.iter_parameters()
        )
        for mode in GenerationMode if negative else [GenerationMode.POSITIVE]:
            # Three cases in four carry a live access token, the rest the generated header.
            examples = SLOW.get(operation.label, FUZZ.max_examples)
            test = settings(FUZZ, max_examples=examples)(
                given(operation.as_strategy(mode), st.integers(0, 3))(send)
            )
            try:
                test()
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a group
                notes = "\n".join(getattr(exc, "__notes__", []))
                failures.append(f"{operation.label} ({mode.value}): {exc!s}\n{notes}"[:3000])
    return failures


def uploads(operation: Any) -> bool:
    return any(b.media_type == "multipart/form-data" for b in operation.body)


def label(operation: Any) -> str:
    return str(operation.label)

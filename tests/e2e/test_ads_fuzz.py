"""Schemathesis over the advertiser, ad audio and ad-revenue endpoints: no input makes the server
answer 5xx, and every answer is documented or a 4xx with our JSON error body."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from cadenza.api.app import create_app
from cadenza.bootstrap import App
from tests.e2e.ad_helpers import PASSWORD, create_campaign, creative, sign_in
from tests.e2e.test_api_fuzz import FUZZ, documented_or_client_error, label

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PATHS = r"^/api/v1/(advertiser/|ads/|admin/ad-revenue)"
UPLOAD = "POST /api/v1/advertiser/campaigns"


@pytest.fixture
def fuzz_client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app), raise_server_exceptions=False) as client:
        yield client


def test_ads_endpoints_never_fail(app: App, fuzz_client: TestClient, tmp_path: Path) -> None:
    from cadenza.domain.accounts import Role

    app.accounts.create(
        "ads@fizzy.example", PASSWORD, roles=[Role.ADVERTISER, Role.ADMIN], plan="free"
    )
    headers = sign_in(fuzz_client, app, "ads@fizzy.example")
    assert create_campaign(fuzz_client, headers, creative(tmp_path)).status_code == 201
    openapi = fuzz_client.get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(openapi).include(path_regex=PATHS)
    # The multipart upload is left out: the test client cannot replay its streamed body into a
    # failure report; test_ad_campaigns sends it every kind of bad input instead.
    operations = sorted(
        (r.ok() for r in schema.get_all_operations() if r.ok().label != UPLOAD), key=label
    )
    assert len(operations) == 7, [op.label for op in operations]

    def send(case: Any, with_token: int) -> None:
        sent = headers if with_token else None
        if sent and case.headers:
            for name in [k for k in case.headers if k.lower() == "authorization"]:
                del case.headers[name]
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=sent)
        kwargs.pop("cookies", None)
        response = fuzz_client.request(**kwargs)
        case.validate_response(
            response, checks=[not_a_server_error, response_schema_conformance], headers=sent
        )
        documented_or_client_error(response, case)

    failures = []
    for operation in operations:
        negative = operation.body or any(
            p.location != "header" for p in operation.iter_parameters()
        )
        for mode in GenerationMode if negative else [GenerationMode.POSITIVE]:
            test = FUZZ(given(operation.as_strategy(mode), st.integers(0, 3))(send))
            try:
                test()
            except (Exception, BaseExceptionGroup) as exc:
                notes = "\n".join(getattr(exc, "__notes__", []))
                failures.append(f"{operation.label} ({mode.value}): {exc!s}\n{notes}"[:3000])
    assert not failures, "\n\n".join(failures)

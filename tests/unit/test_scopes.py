"""The rules of OAuth apps that need no server: scopes, redirect URIs, typed device codes."""

from __future__ import annotations

import pytest

from cadenza.domain.scopes import (
    SCOPES,
    normalise_user_code,
    parse_scopes,
    redirect_uri_problem,
    unknown_scopes,
)


def test_scopes_are_spotifys_names_kept_in_order_without_repeats() -> None:
    assert {"user-read-private", "playlist-modify-private", "streaming"} <= set(SCOPES)
    asked = "streaming user-read-private streaming be-admin"
    assert parse_scopes(asked) == ["streaming", "user-read-private"]
    assert unknown_scopes(asked) == ["be-admin"]
    assert parse_scopes(None) == []


@pytest.mark.parametrize(
    "uri",
    [
        "https://app.example.com/callback",
        "http://127.0.0.1:8888/callback",
        "http://localhost/cb",
        "com.example.player:/oauth",
    ],
)
def test_redirect_uris_that_can_be_registered(uri: str) -> None:
    assert redirect_uri_problem(uri) is None


@pytest.mark.parametrize(
    "uri",
    [
        "http://app.example.com/callback",  # plain http off this machine
        "https://app.example.com/cb#fragment",
        "javascript:alert(1)",
        "data:text/html,hi",
        "https://app.example.com/a b",
        "",
        "https://" + "a" * 600 + ".example",
    ],
)
def test_redirect_uris_that_cannot(uri: str) -> None:
    assert redirect_uri_problem(uri) is not None


def test_a_device_code_is_read_as_typed() -> None:
    assert normalise_user_code("bcdf-ghjk") == normalise_user_code(" BCDF GHJK ") == "BCDFGHJK"

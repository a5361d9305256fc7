"""Peer-assisted delivery, the server's side: signed chunk manifests, the tracker's lists
(nearest first, expiring, opt-out, reported peers avoided) and what they never reveal."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from cadenza.api.app import create_app
from cadenza.bootstrap import App
from cadenza.client.chunks import BadManifest, BadToken, Verifier
from cadenza.domain.peers import CHUNK_SIZE, ChunkManifest, PeerToken, unb64
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.grants import ask_grant

BLOB_A = "a" * 64
BLOB_B = "b" * 64


class ShiftedClock:
    def __init__(self) -> None:
        self.ahead = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@pytest.fixture
def clock(app: App, monkeypatch: pytest.MonkeyPatch) -> ShiftedClock:
    shifted = ShiftedClock()
    monkeypatch.setattr(app.clock, "now", shifted.now)
    return shifted


@pytest.fixture
def at() -> Iterator[Any]:
    """`at(ip)`: a client whose requests come from that address."""
    made: list[TestClient] = []

    def client_at(app: App, ip: str) -> TestClient:
        test_client = TestClient(create_app(app), client=(ip, 50000))
        made.append(test_client)
        return test_client

    yield client_at
    for c in made:
        c.close()


def first_track(client: TestClient, release_id: int) -> int:
    track_id: int = client.get(f"/api/v1/releases/{release_id}").json()["tracks"][0]["id"]
    return track_id


def grant_url(client: TestClient, who: dict[str, str], track_id: int) -> str:
    answer = ask_grant(client, who, track_id)
    assert answer.status_code == 200, answer.text
    url: str = answer.json()["url"]
    return url


def manifest_url(url: str) -> str:
    parts = urlsplit(url)
    return f"/api/v1/peers/manifests/{parts.path.rsplit('/', 1)[-1]}?{parts.query}"


def verifier(client: TestClient) -> Verifier:
    key = client.get("/api/v1/peers/key")
    assert key.status_code == 200
    return Verifier(unb64(key.json()["public_key"]))


def test_a_manifest_is_signed_and_names_every_chunk_of_the_file(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    url = grant_url(client, premium, first_track(client, published))
    audio = client.get(url).content
    answer = client.get(manifest_url(url))
    assert answer.status_code == 200, answer.text
    blob = urlsplit(url).path.rsplit("/", 1)[-1].split(".")[0]
    manifest = verifier(client).manifest(answer.json(), blob)
    assert manifest.size == len(audio) and manifest.chunk_size == CHUNK_SIZE
    assert list(manifest.hashes) == [
        hashlib.sha256(audio[i : i + CHUNK_SIZE]).hexdigest()
        for i in range(0, len(audio), CHUNK_SIZE)
    ]
    # One changed hash, or a manifest signed by anyone else, is refused by the client.
    tampered = answer.json() | {"hashes": ["0" * 64, *answer.json()["hashes"][1:]]}
    with pytest.raises(BadManifest):
        verifier(client).manifest(tampered, blob)
    forged = ChunkManifest.from_json(tampered)
    other = Ed25519PrivateKey.generate().sign(forged.signed_bytes())
    with pytest.raises(BadManifest):
        verifier(client).manifest(tampered | {"signature": _b64(other)}, blob)
    with pytest.raises(BadManifest):  # the right manifest, offered for another file
        verifier(client).manifest(answer.json(), BLOB_A)
    # The key stays in the data dir, readable by its owner only.
    key_file = app.settings.data_dir / "peer-signing.key"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_a_manifest_needs_a_valid_grant(
    client: TestClient, clock: ShiftedClock, published: int, premium: dict[str, str]
) -> None:
    url = grant_url(client, premium, first_track(client, published))
    forged = manifest_url(url).replace("sig=", "sig=x")
    assert client.get(forged).json()["error"]["code"] == "stream_not_found"
    no_grant = manifest_url(url).split("?")[0]
    assert client.get(no_grant).status_code == 404
    clock.ahead = timedelta(minutes=2)
    late = client.get(manifest_url(url))
    assert late.status_code == 403 and late.json()["error"]["code"] == "grant_expired"


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def announce(c: TestClient, who: dict[str, str], port: int, *blobs: str, **extra: Any) -> Any:
    answer = c.post(
        "/api/v1/peers/announce", json={"port": port, "blobs": list(blobs), **extra}, headers=who
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def lookup(c: TestClient, who: dict[str, str], url: str, **extra: Any) -> dict[str, Any]:
    answer = c.post("/api/v1/peers/lookup", json={"url": url, **extra}, headers=who)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def blob_of(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1].split(".")[0]


def test_the_tracker_lists_live_holders_nearest_first_and_forgets_silent_ones(
    client: TestClient,
    app: App,
    at: Any,
    clock: ShiftedClock,
    published: int,
    premium: dict[str, str],
) -> None:
    track = first_track(client, published)
    url = grant_url(client, premium, track)
    blob = blob_of(url)
    far = at(app, "203.0.113.9")
    near = at(app, "198.51.100.20")
    north = at(app, "192.0.2.77")
    for c, name, port in ((far, "far", 7001), (near, "near", 7002), (north, "north", 7003)):
        who = sign_in(c, app, f"{name}@example.org", Plan.PREMIUM_INDIVIDUAL)
        region = "north" if name == "north" else None
        assert announce(c, who, port, blob, BLOB_B, region=region)["blobs"] == 2
    me = at(app, "198.51.100.7")  # the same /24 as `near`
    found = lookup(me, premium, url)
    assert found["peers"][0] == "198.51.100.20:7002"
    assert set(found["peers"]) == {"198.51.100.20:7002", "203.0.113.9:7001", "192.0.2.77:7003"}
    assert lookup(me, premium, url, region="north")["peers"][0] == "192.0.2.77:7003"
    # A listener's own announcements are never listed back to them.
    announce(me, premium, 7009, blob)
    assert "198.51.100.7:7009" not in lookup(me, premium, url)["peers"]
    # Peers that stop announcing drop out once their announcement's two minutes are up.
    clock.ahead = timedelta(seconds=121)
    assert lookup(me, premium, grant_url(client, premium, track))["peers"] == []


def test_opting_out_withdraws_a_peer_from_every_list(
    client: TestClient, app: App, at: Any, published: int, premium: dict[str, str]
) -> None:
    url = grant_url(client, premium, first_track(client, published))
    other = at(app, "203.0.113.5")
    who = sign_in(other, app, "sharer@example.org", Plan.PREMIUM_INDIVIDUAL)
    announce(other, who, 7100, blob_of(url))
    assert lookup(client, premium, url)["peers"] == ["203.0.113.5:7100"]
    assert announce(other, who, 7100, share=False)["blobs"] == 0
    assert lookup(client, premium, url)["peers"] == []


def test_peer_delivery_off_on_the_server(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    app.peer_delivery.rules = type(app.peer_delivery.rules)(enabled=False)
    url = grant_url(client, premium, first_track(client, published))
    for answer in (
        client.get("/api/v1/peers/key"),
        client.get(manifest_url(url)),
        client.post("/api/v1/peers/lookup", json={"url": url}, headers=premium),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "peer_delivery_off"


def test_a_lookup_reveals_no_listener_and_its_token_names_only_the_file(
    client: TestClient, app: App, at: Any, published: int, premium: dict[str, str]
) -> None:
    url = grant_url(client, premium, first_track(client, published))
    other = at(app, "203.0.113.8")
    sharer = sign_in(other, app, "quiet.sharer@example.org", Plan.PREMIUM_INDIVIDUAL)
    announce(other, sharer, 7200, blob_of(url))
    answer = client.post("/api/v1/peers/lookup", json={"url": url}, headers=premium)
    found = answer.json()
    assert set(found) == {"blob", "peers", "token", "token_expires"}
    assert found["peers"] == ["203.0.113.8:7200"]
    text = answer.text
    for identity in ("quiet.sharer", "premium@", "example.org", "Bearer"):
        assert identity not in text
    claims, _ = PeerToken.parse(found["token"])
    assert claims.blob == blob_of(url)
    payload = unb64(found["token"].split(".")[0]).decode()
    assert payload.split(".")[:2] == [claims.blob, str(claims.expires)]  # blob, expiry, nonce
    assert verifier(client).token(found["token"], datetime.now(UTC).timestamp()) == claims
    # Someone else's grant is not a way to ask who holds a file.
    answer = other.post("/api/v1/peers/lookup", json={"url": url}, headers=sharer)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "not_your_grant"


def test_peer_tokens_are_checked_offline(
    client: TestClient, published: int, premium: dict[str, str]
) -> None:
    url = grant_url(client, premium, first_track(client, published))
    token = lookup(client, premium, url)["token"]
    check = verifier(client)
    claims = check.token(token, datetime.now(UTC).timestamp())
    with pytest.raises(BadToken):  # expired
        check.token(token, claims.expires + 1)
    other_key = Ed25519PrivateKey.generate()
    forged = PeerToken(BLOB_A, claims.expires, claims.nonce)
    with pytest.raises(BadToken):  # signed by someone else
        check.token(forged.encode(other_key.sign(forged.signed_bytes())), 0)
    _, signature = PeerToken.parse(token)
    with pytest.raises(BadToken):  # the server's signature moved onto another file
        check.token(forged.encode(signature), 0)
    with pytest.raises(BadToken):
        check.token("not.a-token", 0)


def test_reported_peers_are_avoided(
    client: TestClient, app: App, at: Any, published: int, premium: dict[str, str]
) -> None:
    url = grant_url(client, premium, first_track(client, published))
    blob = blob_of(url)
    bad = at(app, "203.0.113.66")
    good = at(app, "203.0.113.67")
    announce(bad, sign_in(bad, app, "bad@example.org", Plan.PREMIUM_INDIVIDUAL), 7300, blob)
    announce(good, sign_in(good, app, "good@example.org", Plan.PREMIUM_INDIVIDUAL), 7301, blob)
    answer = client.post(
        "/api/v1/peers/reports", json={"address": "203.0.113.66:7300"}, headers=premium
    )
    assert answer.status_code == 204
    assert lookup(client, premium, url)["peers"] == ["203.0.113.67:7301"]
    # Others still get it, until several listeners have reported it.
    others = []
    for n in range(3):
        who = sign_in(client, app, f"listener{n}@example.org", Plan.PREMIUM_INDIVIDUAL)
        others.append((who, grant_url(client, who, first_track(client, published))))
    assert "203.0.113.66:7300" in lookup(client, *others[0])["peers"]
    for who, _ in others[:2]:
        client.post("/api/v1/peers/reports", json={"address": "203.0.113.66:7300"}, headers=who)
    assert lookup(client, *others[2])["peers"] == ["203.0.113.67:7301"]
    bad_address = client.post("/api/v1/peers/reports", json={"address": "nowhere"}, headers=premium)
    assert bad_address.status_code == 422


def test_announcements_are_limited(client: TestClient, premium: dict[str, str]) -> None:
    too_many = {"port": 7400, "blobs": [f"{n:064x}" for n in range(1001)]}
    answer = client.post("/api/v1/peers/announce", json=too_many, headers=premium)
    assert answer.status_code == 422
    not_hex = {"port": 7400, "blobs": ["../../etc/passwd"]}
    assert client.post("/api/v1/peers/announce", json=not_hex, headers=premium).status_code == 422
    assert client.post("/api/v1/peers/announce", json={"port": 7400}).status_code == 401
    assert json.loads(
        client.post("/api/v1/peers/announce", json={"port": 0}, headers=premium).text
    )["error"]

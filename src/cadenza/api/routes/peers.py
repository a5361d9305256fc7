"""Peer-assisted delivery: a track file's signed chunk manifest, and the tracker (announce what
a client caches, look up peers holding a file, report a peer that sent bad chunks).

A manifest and a peer list are given for the file a stream grant names, as its audio is; the
peer list names addresses only, and the peer token names the file, never the listener."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field

from cadenza.api.deps import ClientIp, CurrentSession, PeerDeliveryDep
from cadenza.api.request_body import RequestBody
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.peers import MAX_BLOBS_PER_ANNOUNCE, MAX_PEERS_LISTED
from cadenza.services.stream_grants import AUDIO_PATH

router = APIRouter(prefix="/api/v1/peers", tags=["peers"])

GrantUrl = Annotated[str, Field(min_length=1, max_length=512, pattern=r"^/api/v1/audio/")]
Region = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")]


class PublicKeyOut(BaseModel):
    public_key: str = Field(description="Ed25519, raw 32 bytes, base64url")
    algorithm: str = "Ed25519"


class ManifestOut(BaseModel):
    blob: str
    size: int
    chunk_size: int
    hashes: list[str] = Field(description="SHA-256 (hex) of each chunk, in order")
    signature: str = Field(description="Ed25519 over the manifest's signed bytes, base64url")


class AnnounceIn(RequestBody):
    port: int = Field(ge=1, le=65535, description="where this client serves chunks")
    blobs: list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = Field(
        default_factory=list, max_length=MAX_BLOBS_PER_ANNOUNCE
    )
    replace: bool = Field(False, description="these are all the files held (else: added)")
    share: bool = Field(True, description="false: opt out, withdrawn from every peer list")
    region: Region | None = None


class AnnounceOut(BaseModel):
    blobs: int
    ttl_s: float


class LookupIn(RequestBody):
    url: GrantUrl = Field(description="the stream grant's URL, as the server gave it")
    region: Region | None = None


class LookupOut(BaseModel):
    blob: str
    peers: list[str] = Field(max_length=MAX_PEERS_LISTED, description="host:port, nearest first")
    token: str = Field(description="show it to the peers: Authorization: Peer <token>")
    token_expires: int


class ReportIn(RequestBody):
    address: str = Field(min_length=3, max_length=64)


def _host(ip: str | None) -> str:
    if ip is None:
        raise InvalidRequest("the client's address is unknown", code="no_client_address")
    return ip


@router.get("/key")
def public_key(peers: PeerDeliveryDep) -> PublicKeyOut:
    """The key that signs chunk manifests and peer tokens: fetch once and keep."""
    return PublicKeyOut(public_key=peers.public_key())


@router.get("/manifests/{name}")
def manifest(
    peers: PeerDeliveryDep,
    response: Response,
    name: Annotated[str, Path(max_length=80, pattern=r"^[0-9a-f]{64}\.[a-z0-9]{1,8}$")],
    play: Annotated[str | None, Query(max_length=100)] = None,
    expires: Annotated[str | None, Query(max_length=20)] = None,
    sig: Annotated[str | None, Query(max_length=64)] = None,
) -> ManifestOut:
    """The signed chunk manifest of `/api/v1/audio/{name}`, with that URL's grant query."""
    query = f"play={play or ''}&expires={expires or ''}&sig={sig or ''}"
    found = peers.manifest(f"{AUDIO_PATH}{name}?{query}")
    response.headers["Cache-Control"] = "private, max-age=86400"  # the bytes never change
    return ManifestOut(
        blob=found.blob,
        size=found.size,
        chunk_size=found.chunk_size,
        hashes=list(found.hashes),
        signature=found.signature,
    )


@router.post("/announce")
def announce(
    body: AnnounceIn, session: CurrentSession, peers: PeerDeliveryDep, ip: ClientIp
) -> AnnounceOut:
    """This client (at the address the server sees, on `port`) holds these files."""
    done = peers.announce(
        session.account_id,
        _host(ip),
        body.port,
        body.region,
        body.blobs,
        replace=body.replace,
        share=body.share,
    )
    return AnnounceOut(blobs=done.blobs, ttl_s=done.ttl_s)


@router.post("/lookup")
def lookup(
    body: LookupIn, session: CurrentSession, peers: PeerDeliveryDep, ip: ClientIp
) -> LookupOut:
    """Peers holding the file of this stream grant, nearest first, and a token for them."""
    found = peers.lookup(session.account_id, body.url, _host(ip), body.region)
    return LookupOut(
        blob=found.blob, peers=found.peers, token=found.token, token_expires=found.token_expires
    )


@router.post("/reports", status_code=status.HTTP_204_NO_CONTENT)
def report(body: ReportIn, session: CurrentSession, peers: PeerDeliveryDep) -> Response:
    """A peer sent a chunk that did not match the signed manifest: avoid it."""
    peers.report(session.account_id, body.address)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

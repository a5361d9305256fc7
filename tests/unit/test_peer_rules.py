"""The tracker's choice of peers and the manifest's chunk check, as pure rules."""

from __future__ import annotations

import hashlib
import random

import pytest

from cadenza.domain.peers import ChunkManifest, PeerSeen, chunk_hashes, nearest, same_network


def test_peers_in_the_listeners_network_come_first_in_ipv4_and_ipv6() -> None:
    holders = [
        PeerSeen("203.0.113.5", 1, None),
        PeerSeen("2001:db8:1:2::7", 2, None),
        PeerSeen("198.51.100.9", 3, None),
        PeerSeen("2001:db9::1", 4, None),
    ]
    for seed in range(20):  # whatever the shuffle
        rng = random.Random(seed)
        assert nearest(holders, "198.51.100.200", None, rng)[0].port == 3
        assert nearest(holders, "2001:db8:1:ffff::1", None, rng)[0].port == 2
        assert nearest(holders, "198.51.100.200", None, rng, limit=2)[0].port == 3
    assert same_network("10.0.0.1", "10.0.0.254") and not same_network("10.0.0.1", "10.0.1.1")
    assert not same_network("10.0.0.1", "::ffff:10.0.0.1") and not same_network("x", "10.0.0.1")
    assert PeerSeen("2001:db8::1", 9, None).address == "[2001:db8::1]:9"


def test_a_chunk_is_accepted_only_with_its_exact_bytes() -> None:
    data = bytes(range(256)) * 1000
    manifest = ChunkManifest("a" * 64, len(data), 65536, chunk_hashes(data, 65536))
    assert len(manifest.hashes) == 4 and manifest.span(3) == (196608, len(data))
    last = data[196608:]
    assert manifest.holds(3, last)
    assert not manifest.holds(3, last[:-1] + b"\0")  # one byte changed
    assert not manifest.holds(3, last + b"\0")  # one byte more
    assert not manifest.holds(2, last)  # another chunk's bytes
    assert manifest.index_of(hashlib.sha256(last).hexdigest()) == 3
    with pytest.raises(ValueError, match="not a chunk manifest"):  # not the whole file
        ChunkManifest.from_json(manifest.to_json() | {"size": len(data) * 2})

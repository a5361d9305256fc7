"""deploy/local-cluster.sh: `up` brings two nodes, nginx, PostgreSQL, Redis, NATS and the S3
server up on loopback; a listener's play through nginx reaches the audio (a grant, then a
ranged GET of the stored bytes: nginx checks the grant and fills its cache from a node, which
reads the S3 server); the cached audio plays on with both nodes gone, a forged grant does not;
`down` stops every process it started and drops its database. Not a database test: it runs once a suite,
on a fresh database of its own on 127.0.0.1:5432 (as test_database_replica starts its own
pair)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

from tests.e2e.cluster import alive, cluster, script, seed, state


def test_up_play_through_nginx_then_down(tmp_path: Path) -> None:
    folder = tmp_path / "cluster"
    with cluster(folder) as found:
        status = script("status", str(folder))
        assert status.returncode == 0 and "DOWN" not in status.stdout, status.stdout
        assert found["url"] in status.stdout
        pids = [svc["pid"] for svc in found["services"].values()]
        assert len(pids) == 6 and all(alive(pid) for pid in pids)

        (listener,) = seed(folder, 1, seconds=2.0)
        auth = {"Authorization": f"Bearer {listener.token}"}
        with httpx.Client(base_url=found["url"], timeout=30) as web:
            played = web.put(
                "/api/v1/me/player/play",
                json={"track_ids": [listener.track_id], "quality": "very_high"},
                headers=auth,
            )
            assert played.status_code == 200, played.text
            url = played.json()["stream"]["url"]
            # Two ranges, as a player asks: nginx may send each to either node.
            for _ in range(2):
                got = web.get(url, headers={"Range": "bytes=0-3"}, follow_redirects=True)
                assert got.status_code == 206, got.text
                assert got.content == b"OggS"  # the very high quality is Opus in Ogg

            # nginx checks the grant and keeps the audio it fetched: with both nodes gone the
            # listener's track plays on, and a forged signature gets nothing.
            for node in ("node1", "node2"):
                os.kill(found["services"][node]["pid"], signal.SIGKILL)
            got = web.get(url, headers={"Range": "bytes=4-7"})
            assert got.status_code == 206, got.text
            assert got.headers["content-range"].startswith("bytes 4-7/")
            forged = url.replace("sig=", "sig=x")
            assert web.get(forged, headers={"Range": "bytes=0-3"}).status_code == 404
            assert web.put("/api/v1/me/player/play", headers=auth).status_code == 502

    assert not (folder / "cluster.json").exists()
    assert not any(alive(pid) for pid in pids)
    assert "no cluster" in state_or_none(folder)


def state_or_none(folder: Path) -> str:
    if (folder / "cluster.json").exists():
        return str(state(folder))
    return script("status", str(folder)).stdout

"""Live audio rooms through the API and the room's socket: a host opens or schedules a room
(followers get a notice, the Live shelf lists it), the stage's audio reaches listeners (and
only the stage's), hands, the stage and mutes obey the host and moderators alone, a removed
and blocked listener is cut off and cannot come back, reports reach the admins, and an ended
room keeps its recording for whoever could join."""

from __future__ import annotations

import io
import struct
import wave
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from cadenza.bootstrap import App
from tests.e2e.conftest import sign_in
from tests.e2e.test_social import me

FRAME = 480  # 20 ms at 24 kHz


def loud(amplitude: int = 9000) -> bytes:
    """20 ms of a square wave, as a speaker's page sends it."""
    return b"".join(
        struct.pack("<h", amplitude if (n // 24) % 2 else -amplitude) for n in range(FRAME)
    )


def open_room(client: TestClient, host: dict[str, str], **extra: Any) -> dict[str, Any]:
    made = client.post(
        "/api/v1/rooms", headers=host, json={"title": "Late night jazz talk", **extra}
    )
    assert made.status_code == 201, made.text
    room: dict[str, Any] = made.json()
    return room


def join(client: TestClient, who: dict[str, str], room_id: int) -> WebSocketTestSession:
    ticket = client.post(f"/api/v1/rooms/{room_id}/ticket", headers=who)
    assert ticket.status_code == 200, ticket.text
    return client.websocket_connect(ticket.json()["socket_url"])


def peak(packet: bytes) -> int:
    kind, _ = struct.unpack(">BI", packet[:5])
    assert kind == 1
    samples = struct.unpack(f"<{(len(packet) - 5) // 2}h", packet[5:])
    return max(abs(s) for s in samples)


def heard(socket: WebSocketTestSession, packets: int) -> list[int]:
    """The peaks of the next `packets` audio packets (events in between are skipped)."""
    peaks: list[int] = []
    while len(peaks) < packets:
        message = socket.receive()
        if message.get("bytes") is not None:
            peaks.append(peak(message["bytes"]))
    return peaks


def event(socket: WebSocketTestSession, kind: str, limit: int = 400) -> dict[str, Any]:
    """The next JSON event of this kind (audio in between is skipped)."""
    import json

    for _ in range(limit):
        message = socket.receive()
        if message["type"] == "websocket.close":
            raise AssertionError(f"closed ({message.get('code')}) before {kind}")
        if message.get("text"):
            found = json.loads(message["text"])
            if found["event"] == kind:
                data: dict[str, Any] = found["data"]
                return data
    raise AssertionError(f"no {kind} event")


def state_where(socket: WebSocketTestSession, test: Any) -> dict[str, Any]:
    for _ in range(40):
        state = event(socket, "state")
        if test(state):
            return state
    raise AssertionError("the room never got there")


def becomes(socket: WebSocketTestSession, **expected: object) -> dict[str, Any]:
    """The `you` event that says this connection is now as expected (earlier ones skipped)."""
    for _ in range(10):
        found = event(socket, "you")
        if all(found[k] == v for k, v in expected.items()):
            return found
    raise AssertionError(f"never {expected}")


def make_admin(app: App, account_id: int) -> None:
    with app.uow() as uow:
        uow.accounts.set_roles(account_id, ["listener", "admin"])
        uow.commit()


def test_a_room_opened_or_scheduled_reaches_followers_and_the_live_shelf(
    client: TestClient, app: App
) -> None:
    host = sign_in(client, app, "host@example.org")
    fan = sign_in(client, app, "fan@example.org")
    stranger = sign_in(client, app, "stranger@example.org")
    assert (
        client.put(f"/api/v1/me/following/listeners/{me(client, host)}", headers=fan).status_code
        < 300
    )
    room = open_room(client, host, topics=["Jazz", "jazz", " vinyl "])
    assert room["state"] == "live" and room["topics"] == ["jazz", "vinyl"]
    later = datetime.now(UTC) + timedelta(days=2)
    soon = open_room(client, host, title="Sunday listening", starts_at=later.isoformat())
    assert soon["state"] == "scheduled"

    notices = client.get("/api/v1/rooms/notices", headers=fan).json()
    assert [(n["room_id"], n["state"]) for n in notices] == [
        (soon["id"], "scheduled"),
        (room["id"], "live"),
    ]
    assert client.get("/api/v1/rooms/notices", headers=stranger).json() == []
    shelf = client.get("/api/v1/rooms", headers=stranger).json()
    assert [r["id"] for r in shelf["live"]] == [room["id"]]
    assert [r["id"] for r in shelf["upcoming"]] == [soon["id"]]

    # A scheduled room opens when its host says, not before.
    refused = client.post(f"/api/v1/rooms/{soon['id']}/ticket", headers=fan)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "room_not_started"
    not_host = client.post(f"/api/v1/rooms/{soon['id']}/start", headers=fan)
    assert not_host.status_code == 403
    started = client.post(f"/api/v1/rooms/{soon['id']}/start", headers=host).json()
    assert started["state"] == "live"

    for body, code in (
        ({"title": "  "}, "room_title_required"),
        ({"title": "x" * 121}, "room_title_long"),
        ({"title": "t", "topics": ["a", "b", "c", "d", "e", "f"]}, "room_topics_many"),
        ({"title": "t", "starts_at": (later + timedelta(days=40)).isoformat()}, "room_too_far"),
    ):
        answer = client.post("/api/v1/rooms", headers=host, json=body)
        assert answer.status_code == 422 and answer.json()["error"]["code"] == code, answer.text


def test_listeners_hear_the_stage_and_only_the_stage(client: TestClient, app: App) -> None:
    host = sign_in(client, app, "host@example.org")
    ear = sign_in(client, app, "ear@example.org")
    room = open_room(client, host)
    with join(client, host, room["id"]) as host_socket, join(client, ear, room["id"]) as ear_socket:
        assert event(ear_socket, "you")["role"] == "listener"
        for _ in range(10):
            ear_socket.send_bytes(loud())  # a listener's frames are never heard
        assert max(heard(ear_socket, 10)) == 0
        for _ in range(8):
            host_socket.send_bytes(loud())
        assert until_heard(ear_socket, loud_at=8000)  # the host's voice, as sent
        assert max(heard(host_socket, 30)) == 0  # the host never hears themselves, late
        stage = state_where(ear_socket, lambda s: s["listener_count"] == 1)["stage"]
        assert [p["role"] for p in stage] == ["host"]


def test_hands_stage_and_mutes_answer_to_the_host_and_moderators(
    client: TestClient, app: App
) -> None:
    host = sign_in(client, app, "host@example.org")
    ada = sign_in(client, app, "ada@example.org")
    bo = sign_in(client, app, "bo@example.org")
    ada_id, bo_id, host_id = me(client, ada), me(client, bo), me(client, host)
    room_id = open_room(client, host)["id"]
    base = f"/api/v1/rooms/{room_id}"
    with (
        join(client, host, room_id) as host_socket,
        join(client, ada, room_id) as ada_socket,
        join(client, bo, room_id) as bo_socket,
    ):
        assert client.post(f"{base}/hand", headers=ada, json={"up": True}).status_code == 204
        state = state_where(host_socket, lambda s: s["hands"])
        assert [p["id"] for p in state["hands"]] == [ada_id]
        # A listener moderates nothing.
        for path in (f"people/{ada_id}/stage", f"people/{host_id}/mute", f"people/{ada_id}/remove"):
            refused = client.post(f"{base}/{path}", headers=bo, json={})
            assert refused.status_code == 403, path
            assert refused.json()["error"]["code"] == "room_moderators_only"
        # The host brings Ada on stage; she speaks and Bo hears her.
        assert client.post(f"{base}/people/{ada_id}/stage", headers=host).status_code == 204
        becomes(ada_socket, role="speaker")
        for _ in range(8):
            ada_socket.send_bytes(loud(7000))
        assert until_heard(bo_socket, loud_at=6000)
        # Bo as a moderator mutes her, but cannot touch the host.
        named = client.post(f"{base}/people/{bo_id}/moderator", headers=host, json={})
        assert named.status_code == 204
        assert (
            client.post(f"{base}/people/{bo_id}/moderator", headers=ada, json={}).status_code == 403
        )
        assert client.post(f"{base}/people/{ada_id}/mute", headers=bo).status_code == 204
        becomes(ada_socket, muted=True)
        heard(bo_socket, 12)  # what she said before is played out
        for _ in range(8):
            ada_socket.send_bytes(loud(7000))
        assert max(heard(bo_socket, 15)) == 0
        refused = client.post(f"{base}/people/{host_id}/remove", headers=bo, json={})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "room_target_forbidden"
        # Back to the audience: her frames are not heard even unmuted.
        assert client.post(f"{base}/people/{ada_id}/audience", headers=bo).status_code == 204
        becomes(ada_socket, role="listener", on_stage=False)
        unmute = client.post(f"{base}/mute", headers=ada, json={"muted": False})
        assert unmute.status_code == 409
        for _ in range(8):
            ada_socket.send_bytes(loud(7000))
        assert max(heard(bo_socket, 15)) == 0
        reacted = client.post(f"{base}/reactions", headers=bo, json={"kind": "heart"})
        assert reacted.status_code == 204
        assert state_where(host_socket, lambda s: s["reactions"])["reactions"] == {"heart": 1}
        unknown = client.post(f"{base}/reactions", headers=bo, json={"kind": "<script>"})
        assert unknown.status_code == 422


def test_a_removed_listener_is_cut_off_and_a_blocked_one_cannot_rejoin(
    client: TestClient, app: App
) -> None:
    host = sign_in(client, app, "host@example.org")
    ada = sign_in(client, app, "ada@example.org")
    ada_id = me(client, ada)
    room_id = open_room(client, host)["id"]
    base = f"/api/v1/rooms/{room_id}"
    with join(client, host, room_id) as host_socket:
        with join(client, ada, room_id) as ada_socket:
            event(ada_socket, "you")
            answer = client.post(f"{base}/people/{ada_id}/remove", headers=host, json={})
            assert answer.status_code == 204
            assert event(ada_socket, "removed") == {"blocked": False}
        with join(client, ada, room_id) as ada_socket:  # removed, not blocked: she may return
            event(ada_socket, "you")
            answer = client.post(
                f"{base}/people/{ada_id}/remove", headers=host, json={"block": True}
            )
            assert answer.status_code == 204
            assert event(ada_socket, "removed") == {"blocked": True}
        refused = client.post(f"{base}/ticket", headers=ada)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "room_blocked"
        assert state_where(host_socket, lambda s: s["listener_count"] == 0)


def test_reports_reach_the_admins_who_end_rooms_and_the_recording_stays(
    client: TestClient, app: App
) -> None:
    host = sign_in(client, app, "host@example.org")
    ada = sign_in(client, app, "ada@example.org")
    admin = sign_in(client, app, "admin@example.org")
    pest = sign_in(client, app, "pest@example.org")
    make_admin(app, me(client, admin))
    host_id, pest_id = me(client, host), me(client, pest)
    room_id = open_room(client, host)["id"]
    base = f"/api/v1/rooms/{room_id}"
    assert (
        client.post(
            f"{base}/people/{pest_id}/remove", headers=host, json={"block": True}
        ).status_code
        == 204
    )
    made = client.post(f"{base}/reports", headers=ada, json={"reason": "hate speech"})
    assert made.status_code == 201
    made = client.post(
        f"{base}/reports", headers=ada, json={"user_id": host_id, "reason": "shouting"}
    )
    assert made.status_code == 201
    empty = client.post(f"{base}/reports", headers=ada, json={"reason": "  "})
    assert empty.status_code == 422
    assert client.get("/api/v1/rooms/reports", headers=ada).status_code == 403
    reports = client.get("/api/v1/rooms/reports", headers=admin).json()
    assert [(r["subject"], r["reason"]) for r in reports] == [
        ({"id": host_id, "name": "host"}, "shouting"),
        (None, "hate speech"),
    ]
    with join(client, host, room_id) as host_socket, join(client, ada, room_id) as ada_socket:
        event(ada_socket, "you")
        for _ in range(30):
            host_socket.send_bytes(loud())
        assert until_heard(ada_socket, loud_at=1)
        heard(ada_socket, 20)  # and the room goes on for 0.8 s more, recorded
        assert client.post(f"{base}/end", headers=ada).status_code == 403
        ended = client.post(f"{base}/end", headers=admin)
        assert ended.status_code == 200 and ended.json()["state"] == "ended"
        event(ada_socket, "ended")
    refused = client.post(f"{base}/ticket", headers=ada)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "room_ended"
    found = client.get(base, headers=ada).json()
    assert found["recording_url"] == f"{base}/recording" and found["recording_seconds"] > 0.3
    record = client.get(found["recording_url"], headers=ada)
    assert record.status_code == 200 and record.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(record.content)) as played:
        frames = played.readframes(played.getnframes())
    assert max(abs(s) for (s,) in struct.iter_unpack("<h", frames)) >= 8000  # the host, heard
    assert client.get(found["recording_url"], headers=pest).status_code == 403


def quick_listener(app: App, n: int) -> dict[str, str]:
    """A signed-in listener without the login's password hashing (many are needed here)."""
    from datetime import date

    from cadenza.services.access_tokens import new_secret_token, token_hash

    now = datetime.now(UTC)
    expires = now + timedelta(hours=1)
    with app.uow() as uow:
        account_id = uow.accounts.add(
            f"crowd{n}@example.org", "not-a-password-hash", f"crowd {n}", "US", date(1990, 1, 1)
        )
        assert account_id is not None
        uow.accounts.set_roles(account_id, ["listener"])
        uow.accounts.mark_verified(account_id, now)
        device = uow.sessions.save_device(
            account_id, token_hash(new_secret_token()), "t", "US", now
        )
        creds = uow.accounts.credentials(account_id)
        assert creds is not None
        session_id = uow.sessions.start_session(
            account_id, device, token_hash(new_secret_token()), now, expires, creds.version
        )
        uow.commit()
    token = app.sessions.tokens.issue(account_id, session_id, expires)
    return {"Authorization": f"Bearer {token}"}


def test_the_stage_holds_ten_speakers(client: TestClient, app: App) -> None:
    host = sign_in(client, app, "host@example.org")
    room_id = open_room(client, host)["id"]
    crowd = [quick_listener(app, n) for n in range(10)]
    with ExitStack() as inside:
        inside.enter_context(join(client, host, room_id))
        for who in crowd:
            event(inside.enter_context(join(client, who, room_id)), "you")
        ids = [me(client, who) for who in crowd]
        for user_id in ids[:9]:
            answer = client.post(f"/api/v1/rooms/{room_id}/people/{user_id}/stage", headers=host)
            assert answer.status_code == 204, answer.text
        full = client.post(f"/api/v1/rooms/{room_id}/people/{ids[9]}/stage", headers=host)
        assert full.status_code == 409 and full.json()["error"]["code"] == "room_stage_full"
        room = client.get(f"/api/v1/rooms/{room_id}", headers=host).json()
        assert len(room["stage"]) == 10 and room["listener_count"] == 1


def opus_packets(socket: WebSocketTestSession, packets: int) -> dict[int, bytes]:
    """The next `packets` audio packets of an Opus listener, by sequence number."""
    found: dict[int, bytes] = {}
    while len(found) < packets:
        message = socket.receive()
        data = message.get("bytes")
        if data is not None:
            kind, seq = struct.unpack(">BI", data[:5])
            assert kind == 2, "an Opus listener got PCM"
            at = 5
            while at < len(data):  # each packet after its length
                (size,) = struct.unpack(">H", data[at : at + 2])
                found[seq] = data[at + 2 : at + 2 + size]
                seq, at = seq + 1, at + 2 + size
    return found


def until_heard(
    socket: WebSocketTestSession, opus: bool = False, loud_at: int = 6000, limit: int = 250
) -> dict[int, bytes]:
    """Packets until the stage is heard as loud as `loud_at` (what the test client queued before
    comes first: on a slow database that is more than a second), by
    sequence number; Opus packets as they came, PCM as 40 ms of samples."""
    found: dict[int, bytes] = {}
    while len(found) < limit:
        if opus:
            found |= opus_packets(socket, 10)
            if decoded_peak(found) >= loud_at:
                return found
        else:
            message = socket.receive()
            data = message.get("bytes")
            if data is not None:
                found[struct.unpack(">BI", data[:5])[1]] = data[5:]
                if peak(data) >= loud_at:
                    return found
    raise AssertionError("the stage was never heard")


def decoded_peak(packets: dict[int, bytes]) -> int:
    """The loudest sample of these packets, decoded in order as a page's AudioDecoder would."""
    import av
    import numpy as np

    decoder = av.CodecContext.create("libopus", "r")
    assert isinstance(decoder, av.AudioCodecContext)
    decoder.open()
    peaks = [0]
    for seq in sorted(packets):
        for frame in decoder.decode(av.Packet(packets[seq])):
            peaks.append(int(np.abs(frame.to_ndarray()).max()))
    return max(peaks)


def test_opus_listeners_hear_the_stage_in_a_tenth_of_the_bytes(
    client: TestClient, app: App
) -> None:
    host = sign_in(client, app, "host@example.org")
    ada = sign_in(client, app, "ada@example.org")
    bo = sign_in(client, app, "bo@example.org")
    old = sign_in(client, app, "old@example.org")
    room_id = open_room(client, host)["id"]

    def join_as(who: dict[str, str], codec: str) -> WebSocketTestSession:
        ticket = client.post(f"/api/v1/rooms/{room_id}/ticket", headers=who).json()
        return client.websocket_connect(f"{ticket['socket_url']}&codec={codec}")

    with (
        join(client, host, room_id) as host_socket,
        join_as(ada, "opus") as ada_socket,
        join_as(bo, "opus") as bo_socket,
        join_as(old, "pcm") as old_socket,
    ):
        assert event(ada_socket, "you")["codec"] == "opus"
        assert event(old_socket, "you")["codec"] == "pcm"
        quiet = opus_packets(ada_socket, 5)
        assert decoded_peak(quiet) < 100  # nobody spoke yet: silence
        for _ in range(25):  # half a second of the host's voice
            host_socket.send_bytes(loud())
        ada_heard = until_heard(ada_socket, opus=True)  # the host's voice, through Opus
        bo_heard = until_heard(bo_socket, opus=True)
        both = set(ada_heard) & set(bo_heard)
        assert both and all(ada_heard[s] == bo_heard[s] for s in both)  # encoded once for all
        sizes = [len(p) for p in ada_heard.values()]
        assert max(sizes) * 5 < 1920  # 40 ms of PCM is 1,920 bytes
        assert until_heard(old_socket, loud_at=8000)  # a page without WebCodecs still hears PCM
        refused = client.post(f"/api/v1/rooms/{room_id}/ticket", headers=old).json()
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect(f"{refused['socket_url']}&codec=mp3") as bad,
        ):
            bad.receive()


def opus_voice(seconds: float, frame_ms: int = 20, amplitude: int = 9000) -> list[bytes]:
    """A speaker's voice as a browser's AudioEncoder sends it: raw Opus packets, 48 kHz mono,
    about 32 kbit/s, `frame_ms` each (a 440 Hz tone, made with PyAV's libopus)."""
    import av
    import numpy as np

    rate, step = 48_000, 48 * frame_ms
    encoder = av.CodecContext.create("libopus", "w")
    assert isinstance(encoder, av.AudioCodecContext)
    encoder.sample_rate, encoder.format, encoder.layout = rate, "s16", "mono"
    encoder.bit_rate = 32_000
    encoder.options = {"application": "voip", "frame_duration": str(frame_ms)}
    encoder.open()
    n = int(rate * seconds) // step * step
    tone = (np.sin(2 * np.pi * 440 * np.arange(n) / rate) * amplitude).astype("<i2")
    packets = []
    for start in range(0, n, step):
        frame = av.AudioFrame.from_ndarray(
            tone[start : start + step].reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate, frame.pts = rate, start
        packets += [bytes(p) for p in encoder.encode(frame)]
    return packets


@pytest.mark.parametrize("frame_ms", [20, 40])
def test_a_speaker_sending_opus_is_decoded_and_heard(
    client: TestClient, app: App, frame_ms: int
) -> None:
    host = sign_in(client, app, "host@example.org")
    guest = sign_in(client, app, "guest@example.org")
    ear = sign_in(client, app, "ear@example.org")
    room_id = open_room(client, host)["id"]

    def join_sending(who: dict[str, str], send: str) -> WebSocketTestSession:
        ticket = client.post(f"/api/v1/rooms/{room_id}/ticket", headers=who).json()
        return client.websocket_connect(f"{ticket['socket_url']}&send={send}")

    voice = opus_voice(1.0, frame_ms)
    assert max(len(p) for p in voice) * 5 < FRAME * 2 * frame_ms // 20  # a fifth of PCM or less
    with (
        join_sending(host, "opus") as host_socket,
        join(client, ear, room_id) as ear_socket,
        join_sending(guest, "opus") as guest_socket,
    ):
        assert event(host_socket, "you")["send"] == "opus"
        assert event(ear_socket, "you")["send"] == "pcm"  # asked for nothing: PCM as before
        assert event(guest_socket, "you")["role"] == "listener"
        for packet in voice[:10]:
            guest_socket.send_bytes(packet)  # not on stage: never decoded, never heard
        assert max(heard(ear_socket, 10)) == 0
        host_socket.send_bytes(b"\xff" * 40)  # not Opus: dropped, nothing breaks
        for packet in voice:
            host_socket.send_bytes(packet)
        assert until_heard(ear_socket, loud_at=6000)  # the host's Opus, decoded and mixed
        assert max(heard(host_socket, 30)) == 0  # the host still never hears themselves

"""Downloads for offline listening, under the same licence as the web app's (Premium: 10,000
tracks on each of 5 devices, a check-in at least every 30 days): each file sealed (AES-GCM)
as it arrives, played only while the licence holds, deleted when a check-in says so."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cadenza.client.api import CadenzaClient, Json
from cadenza.client.audio_source import AudioGrant, AudioSource, Renew
from cadenza.client.audio_stream import AudioStream
from cadenza.client.errors import CadenzaClientError
from cadenza.client.vault import Vault, write_atomically


class LicenceExpired(CadenzaClientError):
    def __init__(self) -> None:
        super().__init__(
            "offline_licence_expired",
            "Downloads play again after this device checks in online (every 30 days).",
        )


@dataclass(frozen=True)
class Downloaded:
    track_id: int
    quality: str
    media_type: str


class OfflineLibrary:
    """One download device's files, under `folder`."""

    def __init__(self, client: CadenzaClient, folder: Path, vault: Vault) -> None:
        self.client = client
        self.folder = folder
        self.vault = vault
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def _licence_file(self) -> Path:
        return self.folder / "licence.json"

    def licence(self) -> Json:
        try:
            return json.loads(self._licence_file.read_text())
        except FileNotFoundError:
            return None

    async def register(self, name: str) -> int:
        """This installation as a download device (403 `premium_required` below Premium,
        `offline_limit_reached` past the plan's devices); kept for later launches."""
        kept = self.licence()
        if kept is not None:
            return int(kept["device_id"])
        device = await self.client.call("POST", "/api/v1/me/offline/devices", json={"name": name})
        self._keep_licence(device["id"], device["licence_expires_at"])
        return int(device["id"])

    async def download(
        self,
        *,
        release_id: int | None = None,
        track_ids: list[int] | None = None,
        quality: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Downloaded]:
        device = self._device()
        body = {"release_id": release_id, "track_ids": track_ids or [], "quality": quality}
        added = await self.client.call(
            "POST", f"/api/v1/me/offline/devices/{device}/downloads", json=body
        )
        self._keep_licence(device, added["device"]["licence_expires_at"])
        done = []
        for number, grant in enumerate(added["grants"], start=1):
            data = await self.client.get_bytes(grant["url"])
            kept = Downloaded(int(grant["track_id"]), grant["quality"], grant["media_type"])
            write_atomically(self._file(kept.track_id), self.vault.seal(data, _label(kept)))
            write_atomically(self._meta(kept.track_id), json.dumps(kept.__dict__).encode())
            done.append(kept)
            if progress is not None:
                progress(number, len(added["grants"]))
        return done

    async def check_in(self) -> Json:
        """Renews the licence for 30 days; deletes what the server says this device may no
        longer keep (everything when the plan ended)."""
        device = self._device()
        answer = await self.client.call("POST", f"/api/v1/me/offline/devices/{device}/check-in")
        gone = [int(d["track_id"]) for d in answer["delete"]]
        if answer["delete_all"] or answer["licence_expires_at"] is None:
            gone = [d.track_id for d in self.downloads()]
        for track_id in gone:
            self._file(track_id).unlink(missing_ok=True)
            self._meta(track_id).unlink(missing_ok=True)
        self._keep_licence(device, answer["licence_expires_at"])
        return answer

    def downloads(self) -> list[Downloaded]:
        found = []
        for meta in sorted(self.folder.glob("*.json")):
            if meta.name != "licence.json":
                found.append(Downloaded(**json.loads(meta.read_text())))
        return found

    def audio(self, track_id: int) -> bytes | None:
        """The track's audio if it is downloaded and the licence holds (LicenceExpired)."""
        try:
            kept = Downloaded(**json.loads(self._meta(track_id).read_text()))
        except FileNotFoundError:
            return None
        licence = self.licence()
        expires = licence and licence.get("expires_at")
        if not expires or datetime.fromisoformat(expires) <= datetime.now(UTC):
            raise LicenceExpired
        return self.vault.open(self._file(track_id).read_bytes(), _label(kept))

    def file_of(self, track_id: int) -> Path:
        return self._file(track_id)

    def _device(self) -> int:
        licence = self.licence()
        if licence is None:
            raise CadenzaClientError("offline_device_missing", "register this device first")
        return int(licence["device_id"])

    def _keep_licence(self, device_id: int, expires_at: str | None) -> None:
        licence = {"device_id": device_id, "expires_at": expires_at}
        write_atomically(self._licence_file, json.dumps(licence).encode())

    def _file(self, track_id: int) -> Path:
        return self.folder / f"{track_id}.sealed"

    def _meta(self, track_id: int) -> Path:
        return self.folder / f"{track_id}.json"


def _label(kept: Downloaded) -> str:
    return f"download:{kept.track_id}:{kept.quality}"


class DownloadedAudio:
    """Downloads in front of another source: a downloaded track plays from the disk."""

    def __init__(self, library: OfflineLibrary, origin: AudioSource) -> None:
        self.library = library
        self.origin = origin

    async def open(self, grant: AudioGrant, renew: Renew | None = None) -> AudioStream:
        kept = self.library.audio(grant.track_id)
        if kept is not None:
            return AudioStream.whole(kept)
        return await self.origin.open(grant, renew)

"""`cadenza play`: the terminal player, a Cadenza device on the listener's account (imported
only when the command runs, so `cadenza --help` stays fast)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from cadenza.cli_console import err
from cadenza.client.api import CadenzaClient, Tokens
from cadenza.client.audio_out import open_sink
from cadenza.client.audio_source import CachedAudio, ServerAudio
from cadenza.client.cache import DiskCache
from cadenza.client.chunks import ChunkCache
from cadenza.client.device import PlayingDevice
from cadenza.client.errors import CadenzaClientError, SecondFactorRequired
from cadenza.client.journal import EventJournal
from cadenza.client.offline import DownloadedAudio, OfflineLibrary
from cadenza.client.peer_audio import PeerAudio
from cadenza.client.vault import Vault, write_atomically


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cadenza-player"


class Profile:
    """What the player keeps between launches: its login device id, its refresh token (mode
    0600), its key, its cache, its journal and its downloads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)  # the owner's only, even where it was made before
        self.vault = Vault.at(folder / "key")
        self.journal = EventJournal(folder / "journal.jsonl")

    def _read(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads((self.folder / "profile.json").read_text())
            return data
        except FileNotFoundError:
            return {}

    def get(self, name: str) -> Any:
        return self._read().get(name)

    def keep(self, **values: Any) -> None:
        data = self._read() | values
        path = self.folder / "profile.json"
        write_atomically(path, json.dumps(data).encode())  # mode 0600

    def login_device_id(self) -> str:
        found = self.get("login_device_id")
        if not found:
            found = secrets.token_hex(16)
            self.keep(login_device_id=found)
        return str(found)


async def sign_in(client: CadenzaClient, profile: Profile, server: str, email: str | None) -> None:
    kept = profile.get("sessions") or {}

    def keep(address: str) -> Callable[[Tokens], None]:
        def kept_tokens(tokens: Tokens) -> None:
            sessions = profile.get("sessions") or {}
            profile.keep(
                sessions=sessions | {server: {"email": address, "refresh": tokens.refresh}}
            )

        return kept_tokens

    if server in kept and (email is None or kept[server]["email"] == email):
        client.on_tokens = keep(kept[server]["email"])
        try:
            await client.resume_session(kept[server]["refresh"])
            return
        except CadenzaClientError as exc:
            if exc.code == "offline":
                raise
    email = email or typer.prompt("E-mail")
    client.on_tokens = keep(email)
    password = os.environ.get("CADENZA_PASSWORD") or typer.prompt("Password", hide_input=True)
    codes: dict[str, str] = {}
    while True:
        try:
            await client.login(email, password, **codes)
            break
        except SecondFactorRequired as exc:
            if exc.code == "totp_required":
                codes["totp"] = typer.prompt("Authenticator (or recovery) code")
            else:
                codes["email_code"] = typer.prompt("The code we e-mailed you")


async def download(library: OfflineLibrary, release: int, quality: str | None, name: str) -> None:
    """Keep a release on this device for offline listening (Premium), with a progress bar."""
    from rich.progress import Progress

    try:
        await library.register(name)
        with Progress(console=err.console) as bar:
            task = bar.add_task(f"Downloading release {release}", total=None)
            kept = await library.download(
                release_id=release,
                quality=quality,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except CadenzaClientError as exc:
        err.print(f"[red]{exc.message}[/] ({exc.code})")
        raise typer.Exit(1) from None
    err.print(f"[green]{len(kept)} songs kept for offline listening (sealed).[/]")


def run_play(
    server: str,
    email: str | None,
    output: str | None,
    release: int | None,
    tracks: list[int],
    quality: str | None,
    cache_mb: int | None,
    data_dir: Path | None,
    name: str,
    download_release: int | None = None,
    peers: bool = True,
    upload_kb_s: int = 0,
    max_uploads: int = 4,
    peer_port: int = 0,
) -> None:
    profile = Profile(data_dir or default_data_dir())
    sink, why = open_sink(output)
    if why:
        err.print(f"[yellow]{why}[/]")
    start: dict[str, Any] | None = None
    if release:
        start = {"context": {"kind": "release", "id": release}}
    elif tracks:
        start = {"track_ids": tracks}

    async def main() -> None:
        client = CadenzaClient(server, device_id=profile.login_device_id(), device_name=name)
        downloads = OfflineLibrary(client, profile.folder / "downloads", profile.vault)
        offline: tuple[list[int], int] | None = None
        try:
            await sign_in(client, profile, server, email)
        except CadenzaClientError as exc:
            licence = downloads.licence()
            if exc.code != "offline" or licence is None or not downloads.downloads():
                await client.aclose()
                err.print(f"[red]{exc.message}[/] ({exc.code})")
                raise typer.Exit(1) from None
            err.print("[yellow]The server is out of reach: playing your downloads.[/]")
            wanted = [d.track_id for d in downloads.downloads()]
            offline = ([t for t in tracks if t in wanted] or wanted, int(licence["device_id"]))
        if download_release is not None and offline is None:
            await download(downloads, download_release, quality, name)
        limit = cache_mb * 1000**2 if cache_mb else None
        cache = DiskCache(profile.folder / "cache", profile.vault, limit)
        # Earlier versions kept peers' chunks unsealed here: no plain audio stays on disk.
        shutil.rmtree(profile.folder / "peer-chunks", ignore_errors=True)
        origin: CachedAudio | PeerAudio = CachedAudio(cache, ServerAudio(client))
        peer_audio: PeerAudio | None = None
        if peers and offline is None:
            # Other listeners' clients send most of a new track; the server the rest. The
            # chunks are kept once, sealed, and served from there to other listeners.
            chunks = ChunkCache(profile.folder / "chunks", limit or cache.limit, profile.vault)
            peer_audio = PeerAudio(
                client,
                chunks,
                origin,  # peer delivery off on the server: the server alone, sealed cache
                max_uploads=max_uploads,
                upload_bytes_per_s=upload_kb_s * 1000,
                port=peer_port,
            )
            await peer_audio.start()
            origin = peer_audio
        source = DownloadedAudio(downloads, origin)
        device = PlayingDevice(
            client,
            source,
            sink,
            profile.journal,
            name=name,
            device_id=profile.get("device_id"),
            quality=quality,
        )
        if peer_audio is not None:
            peer_audio.upcoming = device.upcoming_grant  # the next song, 30 s before the end
        from cadenza.client.terminal_app import PlayerScreen  # Textual: only for the screen

        try:
            await PlayerScreen(device, start, offline).run_async()
        finally:
            if device.device_id:
                profile.keep(device_id=device.device_id)
            if peer_audio is not None:
                await peer_audio.close()  # off the tracker's lists, the peer server stopped
            await client.aclose()

    asyncio.run(main())

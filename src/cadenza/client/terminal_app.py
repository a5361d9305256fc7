"""The terminal player's screen (Textual): what plays, a progress bar, what comes next, and the
usual keys. Everything it does goes through PlayingDevice, as a remote command would."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, ProgressBar, Static

from cadenza.client.device import PlayingDevice

SEEK_MS = 10_000
VOLUME_STEP = 10


class PlayerScreen(App[None]):
    TITLE = "Cadenza"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "play_pause", "Play/pause"),
        Binding("n", "next", "Next"),
        Binding("p", "previous", "Previous"),
        Binding("left", "seek(-1)", "-10 s"),
        Binding("right", "seek(1)", "+10 s"),
        Binding("plus,equals_sign", "volume(1)", "Vol +"),
        Binding("minus", "volume(-1)", "Vol -"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        device: PlayingDevice,
        start: dict[str, Any] | None = None,
        offline: tuple[list[int], int] | None = None,
    ) -> None:
        """`offline`: no server, play these downloads (track ids, the download device)."""
        super().__init__()
        self.device = device
        self.start_with = start
        self.offline = offline
        self.titles: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Starting...", id="now")
        yield ProgressBar(total=100, show_eta=False, id="progress")
        yield Static("", id="status")
        yield Static("", id="queue")
        yield Footer()

    async def on_mount(self) -> None:
        self.device.changed.append(self._soon)
        if self.offline is not None:
            self.sub_title = f"offline: downloads only · {self.device.sink.name}"
            await self.device.play_offline(*self.offline)
        else:
            await self.device.start()
            self.sub_title = f"{self.device.name} · {self.device.sink.name}"
            if self.start_with:
                await self.device.play(**self.start_with)
        self.set_interval(0.5, self.redraw)

    def _soon(self) -> None:
        self.call_later(self.redraw)

    async def on_unmount(self) -> None:
        await self.device.stop()

    async def redraw(self) -> None:
        state = self.device.state or {}
        track = self.device.track_id or state.get("track_id")
        now = await self._title(track) if track else "Nothing playing here"
        mark = "▶" if self.device.playing else "⏸"
        self.query_one("#now", Static).update(f"{mark} {now}")
        duration = _duration(state)
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(1, duration), progress=min(self.device.position_ms, duration))
        here = self.offline is not None or state.get("device") == self.device.device_id
        where = "here" if here else "another device"
        status = f"{_clock(self.device.position_ms)} / {_clock(duration)} · "
        status += f"volume {state.get('volume', 100)}% · playing on {where}"
        if self.device.buffering:
            status += "\nWaiting for the music to arrive: the connection is too slow."
        elif self.device.stalled:
            status += " · the sound stopped to wait for the network"
        if self.device.deck is not None and self.device.deck.error:
            status += "\nThis song could not be decoded: press n for the next one."
        elif self.device.notice:
            status += f"\n{self.device.notice}"
        self.query_one("#status", Static).update(status)
        coming = [await self._title(t) for t in (state.get("up_next") or [])[:8]]
        self.query_one("#queue", Static).update(
            "Next up:\n" + "\n".join(f"  {t}" for t in coming) if coming else ""
        )

    async def _title(self, track_id: int) -> str:
        if track_id not in self.titles:
            try:
                found = await self.device.client.track(track_id)
                artists = ", ".join(a["name"] for a in found.get("artists", []))
                self.titles[track_id] = (
                    f"{found['title']} — {artists}" if artists else found["title"]
                )
            except Exception:  # offline, or gone: the id will do
                return f"Track {track_id}"
        return self.titles[track_id]

    async def action_play_pause(self) -> None:
        await self.device.toggle()

    async def action_next(self) -> None:
        await self.device.next()

    async def action_previous(self) -> None:
        await self.device.previous()

    async def action_seek(self, direction: int) -> None:
        await self.device.seek_by(direction * SEEK_MS)

    async def action_volume(self, direction: int) -> None:
        await self.device.change_volume(direction * VOLUME_STEP)


def _duration(state: dict[str, Any]) -> int:
    stream = state.get("stream") or {}
    return int(stream.get("duration_ms") or 0)


def _clock(ms: int) -> str:
    seconds = max(0, ms) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"

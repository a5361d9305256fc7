"""Remote control: every change of the player reaches every device of the listener as a `state`
event; a command one device sends another arrives as a `command` event addressed to it; moving
playback pauses the device that played (one plays per account); a speaker group gets one start
instant, said on each member's own clock."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cadenza.domain.devices import (
    Command,
    PlayerEvent,
    group_key,
    group_lead_ms,
    group_of,
    group_reporter,
    group_starts,
)
from cadenza.domain.errors import CadenzaError, InvalidRequest
from cadenza.domain.events import PlayerChanged
from cadenza.ports.clock import Clock
from cadenza.ports.devices import PlayerEvents
from cadenza.services.devices import DeviceRegistry
from cadenza.services.player import Player, PlayerView

LEAVE_GRACE_S = 10.0  # a page reloads or reconnects its feed well within this


@dataclass(frozen=True)
class CommandSent:
    """The `data` of a command event: what to do, who asked, and its particulars."""

    command: Command
    from_device: str | None
    fields: dict[str, object] = field(default_factory=dict)


class RemoteControl:
    def __init__(
        self, clock: Clock, player: Player, devices: DeviceRegistry, events: PlayerEvents
    ) -> None:
        self.clock, self.player, self.devices, self.events = clock, player, devices, events
        self._lock = threading.Lock()
        self._group_started: dict[int, datetime | None] = {}

    # -- push ------------------------------------------------------------------------------
    def player_changed(self, event: PlayerChanged) -> None:
        """`PlayerChanged`: the devices hear of it."""
        assert isinstance(event.view, PlayerView)  # the player's own view, made once
        self.state_changed(event.account_id, event.view)

    def state_changed(self, account_id: int, view: PlayerView) -> None:
        """The player changed: everyone hears the new state; a playing group is (re)started."""
        self.events.publish(account_id, PlayerEvent("state", view))
        group_id = group_of(view.state.device)
        if group_id is None or not view.state.playing:
            return
        with self._lock:  # volume or repeat keep `updated_at`: no restart for those
            if self._group_started.get(account_id) == view.state.updated_at:
                return
            self._group_started[account_id] = view.state.updated_at
        self._start_group(account_id, group_id, view)

    def _start_group(self, account_id: int, group_id: int, view: PlayerView) -> None:
        try:
            members = self.devices.members(account_id, group_id)
        except CadenzaError:  # the group was removed meanwhile
            return
        now = self.clock.now()
        lead = group_lead_ms([m.clock_rtt_ms for m in members])
        server_start = now.timestamp() * 1000 + lead
        position = view.state.progress_at(now + timedelta(milliseconds=lead))
        reporter = group_reporter([m.id for m in members], self.events.connected(account_id))
        for start in group_starts(members, server_start):
            fields: dict[str, object] = {
                "group_id": group_id,
                "reporter": reporter,
                "track_id": view.state.current,
                "position_ms": position,
                "start_at": round(start.start_at_ms, 1),
                "server_start_at": round(server_start, 1),
            }
            self._send(account_id, start.device_id, Command.PLAY, None, fields)

    # -- presence ------------------------------------------------------------------------
    def device_left(self, account_id: int, device_id: str) -> None:
        """A feed of the device closed. When none is left open, the device leaves the list at
        once, and the player stops playing there unless it is back within LEAVE_GRACE_S (a
        reloaded page, a dropped connection): a closed page is never shown as playing."""
        if not self.devices.left(account_id, device_id):
            return
        self.devices.changed(account_id)
        if self.player.state(account_id).device == device_id:
            timer = threading.Timer(LEAVE_GRACE_S, self._stop_if_gone, (account_id, device_id))
            timer.daemon = True
            timer.start()

    def _stop_if_gone(self, account_id: int, device_id: str) -> None:
        try:
            if device_id in self.events.connected(account_id):
                return
            state = self.player.state(account_id)
            if state.device == device_id and state.playing:
                self.player.pause(account_id)
        except CadenzaError:  # the account or the device went away meanwhile
            pass

    # -- commands --------------------------------------------------------------------------
    def command(
        self,
        account_id: int,
        target: str,
        command: Command,
        *,
        from_device: str | None = None,
        position_ms: int | None = None,
        percent: int | None = None,
        play: bool = True,
    ) -> PlayerView:
        """Do what one device asks of another (entitlements apply) and tell the target."""
        self.devices.device(account_id, target)  # 404 for a device not the listener's
        if from_device is not None:
            self.devices.device(account_id, from_device)
        if command in (Command.TRANSFER, Command.PLAY):
            return self.transfer(
                account_id,
                target,
                None,
                play=play or command is Command.PLAY,
                from_device=from_device,
            )
        fields: dict[str, object] = {}
        if command is Command.PAUSE:
            view = self.player.pause(account_id)
        elif command is Command.RESUME:
            view = self.player.resume(account_id)
        elif command is Command.NEXT:
            view = self.player.next(account_id)
        elif command is Command.PREVIOUS:
            view = self.player.previous(account_id)
        elif command is Command.SEEK:
            if position_ms is None:
                raise InvalidRequest("seek needs position_ms", code="position_required")
            view = self.player.seek(account_id, position_ms)
            fields["position_ms"] = position_ms
        else:  # volume: the device's own, and the player's when it is the one playing
            if percent is None:
                raise InvalidRequest("volume needs percent", code="percent_required")
            self.devices.set_volume(account_id, target, percent)
            fields["percent"] = percent
            if self.player.state(account_id).device == target:
                view = self.player.volume(account_id, percent)
            else:
                view = self.player.view(account_id)
        self._send(account_id, target, command, from_device, fields)
        return view

    def transfer(
        self,
        account_id: int,
        device_id: str | None,
        group_id: int | None,
        *,
        play: bool,
        from_device: str | None = None,
    ) -> PlayerView:
        """Move playback to a device or a speaker group; whatever played before is paused."""
        if (device_id is None) == (group_id is None):
            raise InvalidRequest("give a device_id or a group_id", code="device_required")
        if group_id is not None:
            members = {d.id for d in self.devices.members(account_id, group_id)}
            key = group_key(group_id)
        else:
            assert device_id is not None
            key = self.devices.device(account_id, device_id).id
            members = {key}
        before = self.player.state(account_id).device
        view = self.player.transfer(account_id, key, play)
        for previous in self._devices_of(account_id, before) - members:
            self._send(account_id, previous, Command.PAUSE, from_device, {"transferred_to": key})
        if group_id is None:
            fields: dict[str, object] = {
                "play": play,
                "track_id": view.state.current,
                "position_ms": view.state.progress_at(self.clock.now()),
            }
            self._send(account_id, key, Command.TRANSFER, from_device, fields)
        self.devices.changed(account_id)
        return view

    def _devices_of(self, account_id: int, key: str | None) -> set[str]:
        """The registered devices a player `device` value stands for."""
        if key is None:
            return set()
        group_id = group_of(key)
        try:
            if group_id is not None:
                return {d.id for d in self.devices.members(account_id, group_id)}
            return {self.devices.device(account_id, key).id}
        except CadenzaError:  # a device name from before registration, or one forgotten
            return set()

    def _send(
        self,
        account_id: int,
        target: str,
        command: Command,
        from_device: str | None,
        fields: dict[str, object],
    ) -> None:
        sent = CommandSent(command, from_device, fields)
        self.events.publish(account_id, PlayerEvent("command", sent, target=target))

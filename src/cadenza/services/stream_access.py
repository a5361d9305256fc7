"""Who may stream what, where: the one check behind both stream routes (a stream grant, and
`GET /tracks/{id}/stream` with the access token).

One person, one stream: an account plays on one device at a time (Free, Plus, Individual,
Student alike; each Duo or Family member has an account, so a stream, of their own). The
device is the player's: starting playback on another device moves the player there, and the
device that played is then refused its next grant (`device_not_active`). A speaker group plays
as one stream: each of its devices gets grants. A device gets grants only through the session
that registered it, and a forgotten device gets none.
"""

from __future__ import annotations

from dataclasses import replace

from cadenza.domain.audio import Quality
from cadenza.domain.devices import PlaybackDevice, group_of
from cadenza.domain.entitlements import Listener
from cadenza.domain.errors import CadenzaError, Conflict, Forbidden
from cadenza.services.devices import DeviceRegistry
from cadenza.services.player import Player, PlayerView
from cadenza.services.rip_watch import RipWatch
from cadenza.services.stream_grants import StreamGrant, StreamGrants


class StreamAccess:
    def __init__(
        self,
        grants: StreamGrants,
        player: Player,
        devices: DeviceRegistry,
        rip_watch: RipWatch,
    ) -> None:
        self.grants, self.player, self.devices, self.rip_watch = grants, player, devices, rip_watch

    def grant(
        self,
        account_id: int,
        session_id: int,
        device_id: str,
        track_id: int,
        quality: Quality | None,
    ) -> StreamGrant:
        """A one-minute grant for this device, if it is the session's own, plays the account's
        stream (or nothing plays yet: then it does), and the plan, the ads and the track allow."""
        device = self._own_device(account_id, session_id, device_id)
        self._require_active(account_id, device)
        return self.grants.grant(account_id, track_id, quality, device=device_id)

    def direct(
        self,
        account_id: int,
        session_id: int,
        track_id: int,
        quality: Quality | None,
        device_id: str | None,
        who: Listener | None = None,
    ) -> StreamGrant:
        """The same rules for a request with the access token, checked on every request: with
        a device, as for a grant; without one, refused while the account plays on a device of
        another session. `who`: the listener, where the caller has just read them."""
        self.rip_watch.admit(account_id)  # 429 stream_throttled when outrun
        if device_id is not None:
            self._require_active(account_id, self._own_device(account_id, session_id, device_id))
        else:
            playing = self._devices_of(account_id, self.player.state(account_id).device)
            if playing and all(d.session_id != session_id for d in playing):
                raise self._elsewhere(playing[0])
        return self.grants.grant(account_id, track_id, quality, who, device=device_id)

    def for_device(self, account_id: int, view: PlayerView, device_id: str | None) -> PlayerView:
        """A player state as one device hears it: no grant where another registered device or
        a speaker group plays (a group's members ask for their own). A player labelled with a
        bare name (a client that never registered) is no registered device's."""
        key = view.state.device
        if view.grant is None or key == device_id:
            return view
        if group_of(key) is None and not self._devices_of(account_id, key):
            return view
        return replace(view, grant=None)

    def heard_by(
        self, account_id: int, session_id: int, view: PlayerView, device_id: str | None
    ) -> PlayerView:
        """A player state as the asking device hears it, in the answer to `GET /me/player` or a
        command: the grant only where the device the request names (`X-Cadenza-Device`) is its
        session's own and the one that plays. A request that names no device gets a grant only
        while no registered device or speaker group plays (a client that never registered)."""
        if view.grant is None:
            return view
        if device_id is not None and view.state.device == device_id:
            playing = self._devices_of(account_id, device_id)
            if any(d.session_id != session_id for d in playing):
                return replace(view, grant=None)  # another session's device: not this one
            return view  # this session's device, or a bare name (a client that never registered)
        return self.for_device(account_id, view, device_id)

    # -- the rules -------------------------------------------------------------------------
    def _own_device(self, account_id: int, session_id: int, device_id: str) -> PlaybackDevice:
        device = self.devices.device(account_id, device_id)  # 404 device_not_found once forgotten
        if device.session_id != session_id:
            raise Forbidden(
                "this device was registered by another session; register this one "
                "(POST /api/v1/me/devices)",
                code="device_not_yours",
            )
        return device

    def _require_active(self, account_id: int, device: PlaybackDevice) -> None:
        active = self.player.claim(account_id, device.id)
        if active == device.id:
            return
        playing = self._devices_of(account_id, active)
        if any(d.id == device.id for d in playing) and group_of(active) is not None:
            return
        raise self._elsewhere(playing[0] if playing else None)

    def _devices_of(self, account_id: int, key: str | None) -> list[PlaybackDevice]:
        """The registered devices a player's `device` stands for (none for a bare name)."""
        if key is None:
            return []
        group_id = group_of(key)
        try:
            if group_id is not None:
                return self.devices.members(account_id, group_id)
            return [self.devices.device(account_id, key)]
        except CadenzaError:  # a name from before registration, or a device since forgotten
            return []

    @staticmethod
    def _elsewhere(device: PlaybackDevice | None) -> Conflict:
        where = f"on {device.name}" if device is not None else "on another device"
        return Conflict(
            f"your account is playing {where}; start playback here to play on this device",
            code="device_not_active",
        )

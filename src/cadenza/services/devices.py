"""The listener's devices and speaker groups: register, list, rename, forget, clock offsets.
Every device and group is looked up within the asking account: another's is simply not found."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from cadenza.domain.devices import (
    LEFT_KEPT_FOR,
    MAX_DEVICES,
    MAX_GROUPS,
    DeviceType,
    PlaybackDevice,
    PlayerEvent,
    SpeakerGroup,
    distinct_name,
    group_of,
)
from cadenza.domain.errors import Conflict, InvalidRequest, NotFound
from cadenza.ports.clock import Clock
from cadenza.ports.devices import PlayerEvents
from cadenza.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DeviceStatus:
    device: PlaybackDevice
    is_active: bool  # the player plays (or is paused) here, or on a group it belongs to
    online: bool  # its stream is open, or it was seen in the last two minutes


class DeviceRegistry:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        events: PlayerEvents,
        active_device: Callable[[int], str | None],
    ) -> None:
        self.uow, self.clock, self.events, self.active_device = uow, clock, events, active_device
        # One lock per account (striped): a feed that closes and one that opens for the same
        # device (a reloaded page) must not interleave their "left" and "seen", and a device
        # list is published in the order it was read, so no device ever ends on an older list.
        self._locks = tuple(threading.RLock() for _ in range(64))

    @contextmanager
    def _account(self, account_id: int) -> Iterator[None]:
        with self._locks[account_id % len(self._locks)]:
            yield

    # -- devices ---------------------------------------------------------------------------
    def register(
        self,
        account_id: int,
        session_id: int,
        name: str,
        type: DeviceType,
        supports_volume: bool,
        device_id: str | None = None,
    ) -> tuple[PlaybackDevice, bool]:
        """The device this session plays on. A reloaded page gives back the id it had (or, without
        one, the same name from the same session no page holds open) and gets the same device;
        another page gets its own, named apart ("... 2"). True when it is new."""
        now = self.clock.now()
        connected = self.events.connected(account_id)
        with self.uow() as uow:
            uow.devices.forget_left(account_id, now - LEFT_KEPT_FOR)
            known = uow.devices.get(account_id, device_id) if device_id else None
            if known is None or known.session_id != session_id:
                known = uow.devices.by_session_name(account_id, session_id, name)
                known = known if known is not None and known.id not in connected else None
            if known is not None:
                uow.devices.seen(account_id, known.id, now)
                uow.commit()
                return replace(known, last_seen_at=now, left_at=None), False
            if uow.devices.count(account_id) >= MAX_DEVICES:
                raise Conflict(
                    f"an account has at most {MAX_DEVICES} devices; forget one you no longer use",
                    code="too_many_devices",
                )
            taken = {
                d.name for d in uow.devices.of_account(account_id) if d.listed(d.id in connected)
            }
            name = distinct_name(name, taken)
            device = uow.devices.add(account_id, session_id, name, type, supports_volume, now)
            uow.commit()
        self.changed(account_id)
        return device, True

    def device(self, account_id: int, device_id: str) -> PlaybackDevice:
        with self.uow() as uow:
            found = uow.devices.get(account_id, device_id)
        if found is None:
            raise NotFound("no such device of yours", code="device_not_found")
        return found

    def statuses(self, account_id: int) -> list[DeviceStatus]:
        now = self.clock.now()
        active_key = self.active_device(account_id)
        group_id = group_of(active_key)
        with self.uow() as uow:
            devices = uow.devices.of_account(account_id)
            group = uow.devices.group(account_id, group_id) if group_id is not None else None
        active = set(group.device_ids) if group is not None else {active_key}
        connected = self.events.connected(account_id)
        return [
            DeviceStatus(d, d.id in active, d.online(now, d.id in connected))
            for d in devices
            if d.listed(d.id in connected)
        ]

    def rename(self, account_id: int, device_id: str, name: str) -> PlaybackDevice:
        return self._update(account_id, device_id, lambda d: replace(d, name=name))

    def set_volume(self, account_id: int, device_id: str, percent: int) -> PlaybackDevice:
        device = self.device(account_id, device_id)
        if not device.supports_volume:
            raise Conflict(f"{device.name} has no volume control", code="volume_not_supported")
        return self._update(account_id, device_id, lambda d: replace(d, volume=percent))

    def set_clock(
        self, account_id: int, device_id: str, offset_ms: float, rtt_ms: float
    ) -> PlaybackDevice:
        """What the device measured against the server's clock (see `clock`)."""
        return self._update(
            account_id,
            device_id,
            lambda d: replace(d, clock_offset_ms=offset_ms, clock_rtt_ms=rtt_ms),
            announce=False,
        )

    def forget(self, account_id: int, device_id: str) -> None:
        with self.uow() as uow:
            if not uow.devices.forget(account_id, device_id):
                raise NotFound("no such device of yours", code="device_not_found")
            uow.commit()
        self.events.disconnect(account_id, device_id)
        self.changed(account_id)

    def seen(self, account_id: int, device_id: str) -> None:
        with self._account(account_id), self.uow() as uow:
            uow.devices.seen(account_id, device_id, self.clock.now())
            uow.commit()

    def left(self, account_id: int, device_id: str) -> bool:
        """A feed of the device closed. True when it has none open any more: a web page then
        leaves the list (until it comes back: a reload); a speaker or an app that lost its
        connection stays listed, offline after a while."""
        with self._account(account_id), self.uow() as uow:
            if device_id in self.events.connected(account_id):
                return False
            device = uow.devices.get(account_id, device_id)
            if device is not None and device.type is DeviceType.WEB:
                uow.devices.left(account_id, device_id, self.clock.now())
            else:
                uow.devices.seen(account_id, device_id, self.clock.now())
            uow.commit()
        return True

    def changed(self, account_id: int) -> None:
        """Tell every device of the account that the device list changed."""
        with self._account(account_id):
            self.events.publish(account_id, PlayerEvent("devices", self.statuses(account_id)))

    def _update(
        self,
        account_id: int,
        device_id: str,
        change: Callable[[PlaybackDevice], PlaybackDevice],
        *,
        announce: bool = True,
    ) -> PlaybackDevice:
        now = self.clock.now()
        with self.uow() as uow:
            found = uow.devices.get(account_id, device_id)
            if found is None:
                raise NotFound("no such device of yours", code="device_not_found")
            changed = replace(change(found), last_seen_at=now)
            uow.devices.update(changed)
            uow.commit()
        if announce:
            self.changed(account_id)
        return changed

    # -- speaker groups --------------------------------------------------------------------
    def create_group(self, account_id: int, name: str, device_ids: list[str]) -> SpeakerGroup:
        with self.uow() as uow:
            if uow.devices.group_count(account_id) >= MAX_GROUPS:
                raise Conflict(
                    f"an account has at most {MAX_GROUPS} speaker groups",
                    code="too_many_speaker_groups",
                )
            self._check_group(uow, account_id, name, device_ids, None)
            group = uow.devices.add_group(account_id, name, device_ids)
            uow.commit()
            return group

    def group(self, account_id: int, group_id: int) -> SpeakerGroup:
        with self.uow() as uow:
            found = uow.devices.group(account_id, group_id)
        if found is None:
            raise NotFound("no such speaker group of yours", code="speaker_group_not_found")
        return found

    def groups(self, account_id: int) -> list[SpeakerGroup]:
        with self.uow() as uow:
            return uow.devices.groups(account_id)

    def change_group(
        self, account_id: int, group_id: int, name: str | None, device_ids: list[str] | None
    ) -> SpeakerGroup:
        with self.uow() as uow:
            if uow.devices.group(account_id, group_id) is None:
                raise NotFound("no such speaker group of yours", code="speaker_group_not_found")
            self._check_group(uow, account_id, name, device_ids, group_id)
            group = uow.devices.change_group(account_id, group_id, name, device_ids)
            uow.commit()
        assert group is not None
        return group

    def remove_group(self, account_id: int, group_id: int) -> None:
        with self.uow() as uow:
            if not uow.devices.remove_group(account_id, group_id):
                raise NotFound("no such speaker group of yours", code="speaker_group_not_found")
            uow.commit()

    def members(self, account_id: int, group_id: int) -> list[PlaybackDevice]:
        group = self.group(account_id, group_id)
        with self.uow() as uow:
            found = [uow.devices.get(account_id, d) for d in group.device_ids]
        return [d for d in found if d is not None]

    @staticmethod
    def _check_group(
        uow: UnitOfWork,
        account_id: int,
        name: str | None,
        device_ids: list[str] | None,
        group_id: int | None,
    ) -> None:
        if name is not None and any(
            g.name == name and g.id != group_id for g in uow.devices.groups(account_id)
        ):
            raise Conflict(f"you already have a group named {name!r}", code="speaker_group_exists")
        if device_ids is None:
            return
        if len(set(device_ids)) < 2:
            raise InvalidRequest(
                "a speaker group holds at least two devices", code="speaker_group_too_small"
            )
        for device_id in device_ids:
            if uow.devices.get(account_id, device_id) is None:
                raise NotFound(f"no such device of yours: {device_id}", code="device_not_found")

"""Offline downloads as the listener handles them: download devices, the tracks kept on each,
download grants, and the check-in that renews a device's 30-day licence.

A device's downloads belong to the plan they were made on. Every use (listing, adding, a
grant, a fetch, a check-in) first settles that: when the account's plan has no downloads any
more, or the subscription they came with has ended, the licences are revoked (no grant, no
fetch), and the next check-in tells the device to delete everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from cadenza.domain.audio import Quality
from cadenza.domain.catalog import TrackView, Viewer
from cadenza.domain.entitlements import Entitlements, Listener, Listening, require
from cadenza.domain.errors import DeviceSwapLimit, Forbidden, InvalidRequest, NotFound
from cadenza.domain.offline import (
    DEVICE_SWAP_WINDOW,
    DEVICE_SWAPS,
    CheckIn,
    DeleteReason,
    Download,
    DownloadDevice,
    best_file,
    licence_expiry,
    next_registration_at,
    plan_ended,
)
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.download_grants import DownloadGrant, DownloadGrants

LOOKUP_CHUNK = 500  # tracks per catalog query at check-in


@dataclass(frozen=True)
class Added:
    """Tracks now kept on a device, each with its download grant."""

    device: DownloadDevice
    grants: tuple[DownloadGrant, ...]


class OfflineDownloads:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        entitlements: Entitlements,
        listener: Callable[[int], Listener],
        grants: DownloadGrants,
    ) -> None:
        self.uow, self.clock, self.entitlements = uow, clock, entitlements
        self.listener, self.grants = listener, grants

    # -- devices -------------------------------------------------------------------------
    def register(self, account_id: int, name: str) -> DownloadDevice:
        who = self.listener(account_id)
        now = self.clock.now()
        self._settle(account_id, who)
        with self.uow() as uow:
            uow.offline.lock_account(account_id)
            registered = len(uow.offline.devices(account_id))
            require(
                self.entitlements.download(
                    who,
                    device_has_downloads=False,
                    devices_with_downloads=registered,
                    tracks_on_device=0,
                )
            )
            self._check_swaps(uow, account_id, who.plan.features.offline_devices, now)
            sub = self._subscription_id(uow, account_id)
            device_id = uow.offline.add_device(account_id, name, sub, now, licence_expiry(now))
            device = uow.offline.device(account_id, device_id)
            uow.commit()
        assert device is not None
        return device

    def devices(self, account_id: int) -> list[DownloadDevice]:
        who = self.listener(account_id)
        self._settle(account_id, who)
        with self.uow() as uow:
            devices = uow.offline.devices(account_id)
            uow.commit()
        return devices

    def remove(self, account_id: int, device_id: int) -> None:
        """The device's slot is free again (its registration still counts for 30 days
        against the swaps allowed); its downloads are forgotten."""
        with self.uow() as uow:
            if not uow.offline.remove_device(account_id, device_id):
                raise _no_device()
            uow.commit()

    # -- downloads -----------------------------------------------------------------------
    def downloads(
        self, account_id: int, device_id: int, limit: int, offset: int
    ) -> tuple[DownloadDevice, list[Download]]:
        who = self.listener(account_id)
        self._settle(account_id, who)
        with self.uow() as uow:
            device = self._device(uow, account_id, device_id)
            found = uow.offline.downloads(device.id, limit, offset)
            uow.commit()
        return device, found

    def add(
        self,
        account_id: int,
        device_id: int,
        *,
        release_id: int | None,
        track_ids: list[int],
        quality: Quality | None,
    ) -> Added:
        """Keep a release's tracks, or these tracks, on the device (all or none), each at the
        best quality up to the one asked for (by default the plan's best)."""
        who = self.listener(account_id)
        require(
            self.entitlements.download(
                who, device_has_downloads=True, devices_with_downloads=0, tracks_on_device=0
            )
        )
        wanted = quality or who.plan.features.max_quality
        require(self.entitlements.stream(who, Listening(), wanted))
        viewer = self._viewer(who)
        now = self.clock.now()
        self._settle(account_id, who)
        with self.uow() as uow:
            tracks = self._chosen(uow, viewer, release_id, track_ids)
            uow.offline.lock_account(account_id)
            device = self._licensed(uow, account_id, device_id)
            kept = {d.track_id for d in uow.offline.downloads(device.id)}
            new = [t for t in tracks if t.id not in kept]
            if new:
                require(
                    self.entitlements.download(
                        who,
                        device_has_downloads=True,
                        devices_with_downloads=0,
                        tracks_on_device=device.tracks + len(new) - 1,
                    )
                )
            files = [(t, best_file(t.files, wanted)) for t in tracks]
            uow.offline.add_downloads(
                device.id, [(t.id, f.quality.value) for t, f in files if f], now
            )
            device = self._device(uow, account_id, device.id)
            uow.commit()
        grants = tuple(
            self._sign(account_id, device.id, t, f.quality, f.blob) for t, f in files if f
        )
        return Added(device, grants)

    def remove_download(self, account_id: int, device_id: int, track_id: int) -> None:
        with self.uow() as uow:
            device = self._device(uow, account_id, device_id)
            if not uow.offline.remove_downloads(device.id, [track_id]):
                raise NotFound("this track is not kept on this device", code="download_not_found")
            uow.commit()

    def grant(self, account_id: int, device_id: int, track_id: int) -> DownloadGrant:
        """A new download grant for a track the device keeps (one that expired unfetched)."""
        who = self.listener(account_id)
        self._settle(account_id, who)
        with self.uow() as uow:
            device = self._licensed(uow, account_id, device_id)
            kept = uow.offline.download(device.id, track_id)
            if kept is None:
                raise NotFound("this track is not kept on this device", code="download_not_found")
            available = self._available(uow, [track_id], self._viewer(who))
            uow.commit()
        track = available.get(track_id)
        chosen = best_file(track.files, Quality(kept.quality)) if track else None
        if track is None or chosen is None:
            raise NotFound("this track is no longer available", code="track_unavailable")
        return self._sign(account_id, device.id, track, chosen.quality, chosen.blob)

    def allows(self, grant: DownloadGrant) -> None:
        """At fetch time: the device's licence holds and it still keeps the track."""
        who = self.listener(grant.account_id)
        self._settle(grant.account_id, who)
        with self.uow() as uow:
            device = self._licensed(uow, grant.account_id, grant.device_id)
            kept = uow.offline.download(device.id, grant.track_id)
            uow.commit()
        if kept is None:
            raise NotFound("this track is not kept on this device", code="download_not_found")

    # -- check-in ------------------------------------------------------------------------
    def check_in(self, account_id: int, device_id: int) -> CheckIn:
        """Online again: the plan, the territory and the catalog are asked anew; the licence
        runs 30 days from now, or is revoked and every download must go."""
        who = self.listener(account_id)
        now = self.clock.now()
        with self.uow() as uow:
            held = uow.offline.downloads(self._device(uow, account_id, device_id).id)
        self._settle(account_id, who)
        with self.uow() as uow:
            device = self._device(uow, account_id, device_id)
            ended = tuple((d.track_id, DeleteReason.PLAN_ENDED) for d in held)
            if device.revoked_at is not None or who.plan.features.offline_devices == 0:
                uow.offline.remove_downloads(device.id, [d.track_id for d in held])
                expires_or_none = None
                if who.plan.features.offline_devices:  # a new plan: it starts again, empty
                    expires_or_none = licence_expiry(now)
                    sub = self._subscription_id(uow, account_id)
                    uow.offline.renew(device.id, sub, now, expires_or_none)
                uow.commit()
                return CheckIn((), ended, expires_or_none, delete_all=True)
            expires = licence_expiry(now)
            uow.offline.renew(device.id, self._subscription_id(uow, account_id), now, expires)
            available = self._available(uow, [d.track_id for d in held], self._viewer(who))
            keep = tuple(d for d in held if _still_there(available.get(d.track_id), d))
            gone = [d.track_id for d in held if d not in keep]
            uow.offline.remove_downloads(device.id, gone)
            uow.commit()
        return CheckIn(keep, tuple((t, DeleteReason.UNAVAILABLE) for t in gone), expires)

    # -- helpers -------------------------------------------------------------------------
    def _settle(self, account_id: int, who: Listener) -> None:
        """Revoke the licences whose plan has ended, in a transaction of its own: a refusal
        that follows does not undo it."""
        with self.uow() as uow:
            sub = self._subscription_id(uow, account_id)
            ended = {
                d.id
                for d in uow.offline.devices(account_id)
                if d.revoked_at is None and plan_ended(d, who.plan, sub)
            }
            if ended:
                uow.offline.revoke(ended, self.clock.now())
                uow.commit()

    @staticmethod
    def _check_swaps(uow: UnitOfWork, account_id: int, allowed: int, now: datetime) -> None:
        uow.offline.forget_registrations(account_id, now - DEVICE_SWAP_WINDOW)
        free_at = next_registration_at(
            uow.offline.registrations(account_id, now - DEVICE_SWAP_WINDOW), allowed, now
        )
        if free_at is not None:
            raise DeviceSwapLimit(
                f"at most {allowed + DEVICE_SWAPS} new download devices in 30 days; the next "
                f"can be added on {free_at:%Y-%m-%d %H:%M} UTC",
                retry_after=(free_at - now).total_seconds(),
            )

    @staticmethod
    def _subscription_id(uow: UnitOfWork, account_id: int) -> int | None:
        membership = uow.members.membership(account_id)
        return membership.subscription_id if membership else None

    def _licensed(self, uow: UnitOfWork, account_id: int, device_id: int) -> DownloadDevice:
        device = self._device(uow, account_id, device_id)
        if device.revoked_at is not None:
            raise Forbidden(
                "the plan these downloads came with has ended; check in to start again",
                code="offline_licence_revoked",
            )
        if not device.licence_valid(self.clock.now()):
            raise Forbidden(
                "this device has been offline for 30 days; check in first",
                code="offline_licence_expired",
            )
        return device

    @staticmethod
    def _device(uow: UnitOfWork, account_id: int, device_id: int) -> DownloadDevice:
        device = uow.offline.device(account_id, device_id)
        if device is None:
            raise _no_device()
        return device

    def _viewer(self, who: Listener) -> Viewer:
        return Viewer(country=who.country, now=self.clock.now(), allow_explicit=who.allow_explicit)

    def _chosen(
        self, uow: UnitOfWork, viewer: Viewer, release_id: int | None, track_ids: list[int]
    ) -> list[TrackView]:
        if (release_id is None) == (not track_ids):
            raise InvalidRequest("name a release or some tracks", code="release_or_tracks")
        if release_id is not None:
            release = uow.catalog.release(release_id)
            if release is None or not release.visible_to(viewer):
                raise NotFound(f"no release {release_id}")
            return list(release.as_seen_by(viewer).tracks)
        available = self._available(uow, track_ids, viewer)
        missing = [t for t in dict.fromkeys(track_ids) if t not in available]
        if missing:
            raise NotFound(f"no track {missing[0]}", code="track_not_found")
        return [available[t] for t in dict.fromkeys(track_ids)]

    @staticmethod
    def _available(
        uow: UnitOfWork, track_ids: Iterable[int], viewer: Viewer
    ) -> dict[int, TrackView]:
        """Of these tracks, those the listener may hear now: released, in the territory, not
        taken down, not filtered out."""
        ids = list(track_ids)
        found: dict[int, TrackView] = {}
        for start in range(0, len(ids), LOOKUP_CHUNK):
            tracks = uow.catalog.tracks(ids[start : start + LOOKUP_CHUNK])
            releases = {r.id: r for r in uow.catalog.releases(list({t.release_id for t in tracks}))}
            for track in tracks:
                release = releases.get(track.release_id)
                if release is None or not release.visible_to(viewer):
                    continue
                if track.explicit and not viewer.allow_explicit:
                    continue
                found[track.id] = track
        return found

    def _sign(
        self, account_id: int, device_id: int, track: TrackView, quality: Quality, blob: str
    ) -> DownloadGrant:
        return self.grants.sign(
            account_id,
            device_id,
            track.id,
            quality,
            blob,
            quality.media_type,
            track.duration_ms,
        )


def _still_there(track: TrackView | None, download: Download) -> bool:
    return track is not None and best_file(track.files, Quality(download.quality)) is not None


def _no_device() -> NotFound:
    return NotFound("no such download device", code="download_device_not_found")

"""May this listener do this now? One place answers, from the plan, recent listening and the clock.

Every feature asks here (streaming, the player, radio, downloads, ads) and gets a `Grant` or a
`Refusal` with a stable code, so the rules hold whatever a client sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from cadenza.domain.audio import Quality
from cadenza.domain.errors import CadenzaError
from cadenza.domain.plans import Plan

SKIP_WINDOW = timedelta(hours=1)


class Context(StrEnum):
    """Where a track is picked from."""

    TRACK = "track"  # a single track chosen by itself
    RELEASE = "release"
    PLAYLIST = "playlist"
    ARTIST = "artist"
    LIKED = "liked"
    SEARCH = "search"
    DAILY_MIX = "daily_mix"  # made for the listener: on demand on every plan
    RADIO = "radio"
    PLAN_MIX = "plan_mix"  # the Duo or Family Mix
    TASTE_MIX = "taste_mix"  # a themed mix of Only You (your morning mix, your rare pairings)
    CHART = "chart"  # a Top 50 or Viral 50: shuffled on Free, as a playlist
    RELEASE_RADAR = "release_radar"  # made for the listener: on demand on every plan
    DISCOVER_WEEKLY = "discover_weekly"  # made for the listener: on demand on every plan


_ON_DEMAND_FOR_ALL = frozenset({Context.DAILY_MIX, Context.RELEASE_RADAR, Context.DISCOVER_WEEKLY})


@dataclass(frozen=True)
class AdRules:
    """An ad break comes due after this many songs or this much listening, whichever is first."""

    songs: int = 3
    minutes: float = 15.0


@dataclass(frozen=True)
class Listener:
    plan: Plan
    allow_explicit: bool = True  # a Family manager may turn explicit content off for a member
    country: str | None = None


@dataclass(frozen=True)
class Listening:
    """What the listener did lately, as much as the rules need."""

    skips: tuple[datetime, ...] = ()  # when each recent skip happened, oldest first
    songs_since_ad: int = 0
    seconds_since_ad: float = 0.0
    ad_playing: bool = False  # an ad break has started and not yet finished

    def recent_skips(self, now: datetime) -> tuple[datetime, ...]:
        return tuple(at for at in self.skips if now - at < SKIP_WINDOW)

    def after_song(self, seconds: float) -> Listening:
        return replace(
            self,
            songs_since_ad=self.songs_since_ad + 1,
            seconds_since_ad=self.seconds_since_ad + max(0.0, seconds),
        )

    def after_skip(self, now: datetime) -> Listening:
        return replace(self, skips=(*self.recent_skips(now), now))

    def after_ad_break(self) -> Listening:
        return replace(self, songs_since_ad=0, seconds_since_ad=0.0, ad_playing=False)


@dataclass(frozen=True)
class Grant:
    quality: Quality | None = None
    shuffle: bool = False  # the server, not the client, picks the order


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    retry_at: datetime | None = None
    details: dict[str, str] = field(default_factory=dict)

    def error(self) -> EntitlementError:
        return EntitlementError(self)


class EntitlementError(CadenzaError):
    """A refusal raised as an error (403), with the time it frees up where there is one."""

    status = 403

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message, code=refusal.code)
        self.refusal = refusal


Decision = Grant | Refusal


def require(decision: Decision) -> Grant:
    if isinstance(decision, Refusal):
        raise decision.error()
    return decision


@dataclass(frozen=True)
class Entitlements:
    ad_rules: AdRules = AdRules()

    def ad_break_due(self, who: Listener, listening: Listening) -> bool:
        if not who.plan.features.ads:
            return False
        return (
            listening.ad_playing
            or listening.songs_since_ad >= self.ad_rules.songs
            or listening.seconds_since_ad >= self.ad_rules.minutes * 60
        )

    def stream(
        self,
        who: Listener,
        listening: Listening,
        quality: Quality,
        *,
        explicit: bool = False,
        premium_only: bool = False,
    ) -> Decision:
        """Fetch a track's audio at this quality (`premium_only`: its release streams to
        paying listeners only)."""
        features = who.plan.features
        if premium_only and features.ads:
            return Refusal(
                "premium_only_release",
                "this release streams to paying listeners only for now; upgrade to play it",
            )
        if quality not in features.qualities:
            best = features.max_quality
            return Refusal(
                "quality_not_in_plan",
                f"{quality.value} is not in the {who.plan.value} plan; the best it streams is "
                f"{best.value}",
                details={"max_quality": best.value},
            )
        if explicit and not who.allow_explicit:
            return Refusal(
                "explicit_content_filtered",
                "explicit content is turned off for this account by the plan's manager",
            )
        if self.ad_break_due(who, listening):
            return Refusal("ad_break_due", "an ad break plays before the next track")
        return Grant(quality=quality)

    def pick(self, who: Listener, listening: Listening, context: Context) -> Decision:
        """Start a chosen track (on demand) from a context."""
        if self.ad_break_due(who, listening):
            return Refusal("ad_break_due", "an ad break plays before the next track")
        if who.plan.features.on_demand or context in _ON_DEMAND_FOR_ALL:
            return Grant()
        if context is Context.RADIO:
            return self.radio(who)
        return Refusal(
            "shuffle_only",
            f"on the {who.plan.value} plan, albums and playlists play in shuffle; "
            "Plus or Premium picks any track",
        )

    def play_context(self, who: Listener, context: Context) -> Decision:
        """Start a context (release, playlist, artist...) without choosing the track."""
        if context is Context.RADIO:
            return self.radio(who)
        on_demand = who.plan.features.on_demand or context in _ON_DEMAND_FOR_ALL
        return Grant(shuffle=not on_demand)

    def skip(self, who: Listener, listening: Listening, now: datetime) -> Decision:
        limit = who.plan.features.skips_per_hour
        if listening.ad_playing:
            return Refusal("ad_not_skippable", "ads cannot be skipped")
        if limit is None:
            return Grant()
        recent = listening.recent_skips(now)
        if len(recent) < limit:
            return Grant()
        frees_at = recent[len(recent) - limit] + SKIP_WINDOW
        return Refusal(
            "skip_limit_reached",
            f"{limit} skips an hour on the {who.plan.value} plan; the next one frees up at "
            f"{frees_at.isoformat(timespec='seconds')}",
            retry_at=frees_at,
            details={"next_skip_at": frees_at.isoformat()},
        )

    def radio(self, who: Listener) -> Decision:
        if who.plan.features.radio:
            return Grant()
        return Refusal("premium_required", "Radio is a Premium feature")

    def daily_mix(self, who: Listener) -> Decision:
        return (
            Grant()
            if who.plan.features.daily_mix
            else Refusal("premium_required", "Daily Mix is not in this plan")
        )

    def download(
        self,
        who: Listener,
        *,
        device_has_downloads: bool,
        devices_with_downloads: int,
        tracks_on_device: int,
    ) -> Decision:
        """Keep one more track offline on a device."""
        features = who.plan.features
        if features.offline_devices == 0:
            return Refusal("premium_required", "downloads for offline listening are Premium")
        if not device_has_downloads and devices_with_downloads >= features.offline_devices:
            return Refusal(
                "offline_limit_reached",
                f"downloads are kept on at most {features.offline_devices} devices; remove them "
                "from another device first",
                details={"limit": "devices"},
            )
        if tracks_on_device >= features.offline_tracks_per_device:
            return Refusal(
                "offline_limit_reached",
                f"at most {features.offline_tracks_per_device} downloaded tracks per device",
                details={"limit": "tracks"},
            )
        return Grant()

    def play_ad(self, who: Listener) -> Decision:
        if who.plan.features.ads:
            return Grant()
        return Refusal("no_ads_in_plan", f"the {who.plan.value} plan has no ads")

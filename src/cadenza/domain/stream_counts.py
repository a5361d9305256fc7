"""Stream counts that can be trusted: when a play that was listened to earns a stream.

A client reports its plays; the server believes only what it can check with its own records:

- an online play needs a stream grant the server issued for that track to that account's device
  around the play (`grant_windows`: one row per device and track while the grants are renewed),
  and the time listened must fit within the time since that grant was first issued (server
  clock, a few seconds' slack);
- where Cadenza itself sent the bytes (not nginx through the accel redirect), it must have sent
  at least 30 s of the track's audio (bytes as a fraction of the file, times its duration) to
  that device within the cache's lifetime (24 h, the audio's Cache-Control): a replay from the
  player's cache still asks for a grant and counts on the bytes sent before. A future replay from
  peers asks for a grant as well; its windows are then recorded unmetered (as behind nginx), and
  only the grant and time rules apply;
- an offline play needs the track downloaded to that device (its download device, by id or name)
  before the play, the device's licence not revoked then;
- the track was playable for the listener when the play started (released, in their territory,
  not yet taken down);
- one account's counted plays never overlap in time beyond a crossfade: every plan allows one
  stream per person (Duo and Family members have accounts, so a stream, each; a speaker group
  plays one stream). The excess play is kept, flagged `overlap`.

Everything refused is kept with its reason; the listener's own history shows what they heard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cadenza.domain.listening import COUNTED_AFTER_MS

GRANT_SLACK = timedelta(seconds=5)  # listening may run this far past the time since the grant
CLOCK_SKEW = timedelta(minutes=5)  # a client's clock against the server's, when matching
# Each range's audio is rounded down to the ms (served_ms), so a short track sent whole in
# pieces may add up a few ms short of its length: this much less still counts as all of it.
SERVED_SLACK_MS = 100
CACHE_LIFETIME = timedelta(hours=24)  # a replay from the cache counts on bytes sent this recently
WINDOW_GAP = timedelta(minutes=2)  # a grant renewed within this of the last one extends its window
OVERLAP_SLACK_MS = 15_000  # two plays may overlap this much (a crossfade of up to 12 s)
STREAMS_PER_ACCOUNT = 1  # every plan: one stream per person (a speaker group is one stream)


class NotCounted(StrEnum):
    TOO_SHORT = "too_short"  # under 30 s listened
    NOT_PLAYABLE = "not_playable"  # before release, outside the territory, taken down
    NO_GRANT = "no_grant"  # no grant (nor offline licence) for that track on that device then
    BEYOND_GRANT = "beyond_grant"  # more listened than time passed since the first grant
    NOT_SERVED = "not_served"  # Cadenza sent under 30 s of the track's audio for it
    OVERLAP = "overlap"  # the account was already counted for another play at that time
    FLAGGED_ARTIFICIAL = "flagged_artificial"  # the fraud job's flag (shown in the export)


@dataclass(frozen=True)
class GrantWindow:
    """Grants for one track to one device, renewed without a gap: from the first to the last
    one's expiry, with the audio Cadenza sent for them (ms of the track)."""

    device: str  # "" for a grant asked without a device (the access-token stream route)
    first_at: datetime
    expires_at: datetime
    served_ms: int
    metered: bool  # Cadenza sent the bytes itself (False behind nginx's accel redirect)


@dataclass(frozen=True)
class PlayHeard:
    """A play as the verdict sees it (the client's clock for its times)."""

    device: str
    started_at: datetime
    listened_ms: int

    @property
    def heard_until(self) -> datetime:
        return self.started_at + timedelta(milliseconds=self.listened_ms)


def covering(play: PlayHeard, windows: list[GrantWindow]) -> list[GrantWindow]:
    """The windows of the play's device (or of no device) that were open when it started."""
    return [
        w
        for w in windows
        if w.device in (play.device, "")
        and w.first_at - CLOCK_SKEW <= play.started_at <= w.expires_at + CLOCK_SKEW
    ]


def grant_problem(
    play: PlayHeard,
    windows: list[GrantWindow],
    now: datetime,
    duration_ms: int,
    unflushed_ms: int = 0,
) -> NotCounted | None:
    """Why an online play's grants do not back it, or None. `windows`: the account's windows
    for the track over the cache's lifetime before the play; `unflushed_ms`: audio this process
    sent for the track and has not yet written to a window."""
    open_then = covering(play, windows)
    if not open_then:
        return NotCounted.NO_GRANT
    first = min(w.first_at for w in open_then)
    if timedelta(milliseconds=play.listened_ms) > now - first + GRANT_SLACK:
        return NotCounted.BEYOND_GRANT
    if all(w.metered for w in open_then):
        since = play.started_at - CACHE_LIFETIME
        sent = unflushed_ms + sum(
            w.served_ms
            for w in windows
            if w.device in (play.device, "")
            and w.expires_at >= since
            and w.first_at <= play.heard_until + CLOCK_SKEW
        )
        if sent + SERVED_SLACK_MS < min(COUNTED_AFTER_MS, duration_ms):
            return NotCounted.NOT_SERVED
    return None


def overlaps(play: PlayHeard, counted: list[tuple[datetime, int]]) -> bool:
    """Whether the play was heard while STREAMS_PER_ACCOUNT counted plays (start, ms listened)
    were heard, beyond a crossfade."""
    busy = 0
    for started_at, listened_ms in counted:
        end = started_at + timedelta(milliseconds=listened_ms)
        shared = min(end, play.heard_until) - max(started_at, play.started_at)
        if shared > timedelta(milliseconds=OVERLAP_SLACK_MS):
            busy += 1
    return busy >= STREAMS_PER_ACCOUNT


def served_ms(sent: int, size: int, duration_ms: int) -> int:
    """Audio (ms of the track) in `sent` bytes of its file."""
    if size <= 0 or duration_ms <= 0:
        return 0
    return int(min(sent, size) * duration_ms / size)

"""Scoring a window of counted streams for artificial ones, in arrays (numpy, imported when
scoring) so a month of streams scores in seconds: the signals and the verdict are described
in domain/fraud.py, whose rules (FraudRules) this applies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cadenza.domain.fraud import COUNTS_AT_MS, REASONS, FraudRules

if TYPE_CHECKING:
    import numpy.typing as npt

    Ints = npt.NDArray[Any]
    Floats = npt.NDArray[Any]
    Bools = npt.NDArray[Any]


@dataclass(frozen=True)
class Streams:
    """Counted streams of the window, one array element per stream. `account` indexes the
    accounts (0..n-1); `device` is a device key index (-1 unknown)."""

    account: Ints
    track: Ints
    start_s: Floats  # epoch seconds
    listened_ms: Ints
    finished: Bools
    skipped: Bools
    device: Ints


@dataclass(frozen=True)
class Accounts:
    age_days: Floats  # at the end of the window
    trial: Bools
    address_account: Ints  # (account, address) pairs: where each account signed in or listened
    address: Ints


@dataclass(frozen=True)
class Verdicts:
    score: Floats  # per account
    flagged: Bools  # per account
    signals: dict[str, Floats]  # per account, each in [0, 1]
    raw: dict[str, Floats]  # the measured values behind them, for the reasons
    stream_flagged: Bools  # per stream

    def reasons(self, account: int) -> list[dict[str, object]]:
        """The signals that weighed for this account, strongest first."""
        out: list[dict[str, object]] = []
        for name, values in self.signals.items():
            strength = float(values[account])
            if strength >= 0.3:
                out.append(
                    {
                        "signal": name,
                        "strength": round(strength, 2),
                        "text": REASONS[name].format(
                            v=_shown(name, float(self.raw[name][account]))
                        ),
                    }
                )
        out.sort(key=lambda r: -float(str(r["strength"])))
        return out


def _shown(name: str, value: float) -> str:
    if name in ("cohort", "short", "no_skips", "long_tail"):
        return f"{value:.0%}"
    if name == "crowd":
        return f"{value:.0f} accounts"
    if name == "trial":
        return ""
    return f"{value:.1f}" if name != "new" else f"{value:.0f}"


def score(streams: Streams, accounts: Accounts, rules: FraudRules | None = None) -> Verdicts:
    import numpy as np

    rules = rules or FraudRules()
    n = len(accounts.age_days)
    acc = streams.account.astype(np.int64)
    plays = np.bincount(acc, minlength=n).astype(np.float64)
    judged = np.clip(plays / rules.min_plays, 0.0, 1.0)
    safe = np.maximum(plays, 1.0)
    raw: dict[str, Floats] = {}
    sig: dict[str, Floats] = {}

    short = (
        (streams.listened_ms >= COUNTS_AT_MS)
        & (streams.listened_ms < rules.short_play_ms)
        & ~streams.finished
    )
    raw["short"] = np.bincount(acc, weights=short, minlength=n) / safe
    sig["short"] = _ramp(raw["short"], 0.15, 0.5) * judged
    skips = np.bincount(acc, weights=streams.skipped, minlength=n) / safe
    raw["no_skips"] = skips
    sig["no_skips"] = _ramp(-skips, -0.08, -0.01) * judged

    day = np.floor(streams.start_s / 86_400).astype(np.int64)
    hour = np.floor(streams.start_s / 3_600).astype(np.int64)
    day0 = int(day.min()) if len(day) else 0
    days = int(day.max()) - day0 + 1 if len(day) else 1
    account_day = acc * days + (day - day0)
    active_days = np.bincount(np.unique(account_day) // days, minlength=n).astype(np.float64)
    active_days = np.maximum(active_days, 1.0)
    hours_seen = np.unique(acc * (days * 24) + (hour - day0 * 24)) // (days * 24)
    raw["clock"] = np.bincount(hours_seen, minlength=n) / active_days
    sig["clock"] = _ramp(raw["clock"], 14.0, 20.0) * judged
    listened_h = np.bincount(acc, weights=streams.listened_ms, minlength=n) / 3.6e6
    raw["hours"] = listened_h / active_days
    sig["hours"] = _ramp(raw["hours"], 6.0, 12.0) * judged
    raw["new"] = accounts.age_days.astype(np.float64)
    sig["new"] = np.where(raw["new"] < 30, 1.0, np.where(raw["new"] < 90, 0.5, 0.0))
    raw["trial"] = accounts.trial.astype(np.float64)
    sig["trial"] = raw["trial"]

    behaviour = sum(w * sig[k] for k, w in rules.weights.items())

    track_ids, track = np.unique(streams.track, return_inverse=True)
    t = len(track_ids)
    pairs, pair_plays = np.unique(acc * t + track, return_counts=True)
    pair_account, pair_track = pairs // t, pairs % t
    # Repeaters: accounts replaying a track (at least `repeat_plays` times in the window).
    repeat = pair_plays >= rules.repeat_plays
    listeners = np.bincount(pair_track, minlength=t)[pair_track] - 1  # the others
    repeaters = np.bincount(pair_track, weights=repeat, minlength=t)[pair_track] - repeat
    # Long tail: tracks nobody else plays now and then (the others who play it replay it).
    casual = listeners - repeaters
    long_tail = casual <= rules.casual_listeners
    raw["long_tail"] = np.bincount(pair_account, weights=pair_plays * long_tail, minlength=n) / safe
    sig["long_tail"] = _ramp(raw["long_tail"], 0.3, 0.8) * judged
    # Cohort: tracks that several other accounts replay and that few others play at all.
    cohort = _ramp(repeaters, 2.0, float(rules.cohort_accounts)) * _ramp(
        repeaters / np.maximum(listeners, 1), 0.4, 0.8
    )
    raw["cohort"] = np.bincount(pair_account, weights=pair_plays * cohort, minlength=n) / safe
    sig["cohort"] = _ramp(raw["cohort"], 0.2, 0.6) * judged

    # Tracks few people play now and then: a crowd sharing hits (an office playlist) is not
    # a crowd sharing a farm's playlist.
    all_casual = np.bincount(pair_track, weights=~repeat, minlength=t)
    niche = all_casual <= rules.crowd_casual_listeners
    crowd_size, crowd = _crowds(
        streams, accounts, (pair_account, pair_track, pair_plays), niche, n, rules
    )
    raw["crowd"] = crowd_size
    sig["crowd"] = crowd

    coordination = np.maximum(sig["crowd"], sig["cohort"])
    behaviour = behaviour + 0.1 * sig["long_tail"]
    total = 0.6 * coordination + 0.4 * behaviour / (sum(rules.weights.values()) + 0.1)
    flagged = (coordination >= rules.coordination) & (total >= rules.threshold)
    return Verdicts(
        score=total,
        flagged=flagged,
        signals={k: sig[k] for k in REASONS},
        raw={k: raw[k] for k in REASONS},
        stream_flagged=flagged[acc],
    )


def _ramp(x: Floats, low: float, high: float) -> Floats:
    import numpy as np

    return np.clip((x - low) / (high - low), 0.0, 1.0)


def _crowds(
    streams: Streams,
    accounts: Accounts,
    pairs: tuple[Ints, Ints, Ints],
    niche: Bools,
    n: int,
    rules: FraudRules,
) -> tuple[Floats, Floats]:
    """Per account: the size of its largest crowd (address or device), and how much of its
    listening is on tracks most of a crowd plays (in [0, 1])."""
    import numpy as np

    pair_account, pair_track, pair_plays = pairs
    dev = streams.device >= 0
    device_pairs = np.unique(
        streams.account[dev].astype(np.int64) * (int(streams.device.max(initial=0)) + 1)
        + streams.device[dev]
    )
    width = int(streams.device.max(initial=0)) + 1
    first = int(accounts.address.max(initial=-1)) + 1  # device groups numbered after addresses
    group_account = np.concatenate([accounts.address_account, device_pairs // width])
    group = np.concatenate([accounts.address, first + device_pairs % width])
    members = np.unique(group * n + group_account)
    group_account, group = members % n, members // n
    size = np.bincount(group)[group]
    best_size = np.zeros(n)
    np.maximum.at(best_size, group_account, size)
    strength = np.zeros(n)
    keep = size >= 3
    if not keep.any():
        return best_size, strength
    group_account, group, size = group_account[keep], group[keep], size[keep]
    # Each (group, account) with the account's tracks: the tracks most of the group plays.
    order = np.argsort(pair_account, kind="stable")
    starts = np.searchsorted(pair_account[order], np.arange(n + 1))
    counts = starts[group_account + 1] - starts[group_account]
    row = np.repeat(np.arange(len(group)), counts)
    offsets = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    picked = order[np.repeat(starts[group_account], counts) + offsets]
    g, tr = group[row], pair_track[picked]
    _, inverse, per_track = np.unique(
        g * (int(pair_track.max(initial=0)) + 1) + tr, return_inverse=True, return_counts=True
    )
    shared = per_track[inverse] >= np.maximum(3, np.ceil(rules.crowd_track_share * size[row]))
    shared &= niche[tr]
    on_shared = np.bincount(row, weights=pair_plays[picked] * shared, minlength=len(group))
    total = np.bincount(row, weights=pair_plays[picked], minlength=len(group))
    sameness = on_shared / np.maximum(total, 1.0)
    # The crowd as a whole on the same few tracks: an office shares hits, a farm its playlist.
    crowd_sameness = np.bincount(group, weights=on_shared) / np.maximum(
        np.bincount(group, weights=total), 1.0
    )
    crowdness = _ramp(size.astype(np.float64), 2.0, float(rules.crowd_accounts))
    same = _ramp(sameness, 0.3, 0.7) * _ramp(crowd_sameness[group], 0.3, 0.7)
    np.maximum.at(strength, group_account, crowdness * same)
    return best_size, strength

"""The plan rules under random sequences of plays, skips, ads, plan changes and time passing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cadenza.domain.audio import Quality
from cadenza.domain.entitlements import (
    AdRules,
    Context,
    Entitlements,
    Grant,
    Listener,
    Listening,
    Refusal,
)
from cadenza.domain.plans import Plan

RULES = Entitlements(AdRules(songs=3, minutes=15))
START = datetime(2026, 11, 1, tzinfo=UTC)

steps = st.one_of(
    st.tuples(st.just("play"), st.sampled_from(list(Quality)), st.floats(10, 600)),
    st.tuples(st.just("skip"), st.just(None), st.just(0.0)),
    st.tuples(st.just("ad"), st.just(None), st.just(0.0)),
    st.tuples(st.just("wait"), st.just(None), st.floats(1, 4000)),
    st.tuples(st.just("plan"), st.sampled_from(list(Plan)), st.just(0.0)),
    st.tuples(st.just("pick"), st.sampled_from(list(Context)), st.just(0.0)),
)


@dataclass
class Simulated:
    """A listener who tries everything; only what the rules grant happens."""

    plan: Plan = Plan.FREE
    now: datetime = START
    listening: Listening = field(default_factory=Listening)
    skips_done: list[tuple[datetime, Plan]] = field(default_factory=list)
    streamed: list[tuple[Plan, Quality]] = field(default_factory=list)
    ads_played: list[Plan] = field(default_factory=list)
    songs_since_ad: list[int] = field(default_factory=list)

    @property
    def who(self) -> Listener:
        return Listener(self.plan)

    def step(self, kind: str, arg: object, amount: float) -> None:
        if kind == "play":
            assert isinstance(arg, Quality)
            decision = RULES.stream(self.who, self.listening, arg)
            if isinstance(decision, Grant):
                self.streamed.append((self.plan, arg))
                if self.plan.features.ads:
                    self.songs_since_ad.append(self.listening.songs_since_ad)
                self.listening = self.listening.after_song(amount)
                self.now += timedelta(seconds=amount)
        elif kind == "skip":
            if isinstance(RULES.skip(self.who, self.listening, self.now), Grant):
                self.skips_done.append((self.now, self.plan))
                self.listening = self.listening.after_skip(self.now)
        elif kind == "ad":
            if isinstance(RULES.play_ad(self.who), Grant) and RULES.ad_break_due(
                self.who, self.listening
            ):
                self.ads_played.append(self.plan)
                self.listening = self.listening.after_ad_break()
                self.now += timedelta(seconds=30)
        elif kind == "wait":
            self.now += timedelta(seconds=amount)
        elif kind == "plan":
            assert isinstance(arg, Plan)
            self.plan = arg
        elif kind == "pick":
            assert isinstance(arg, Context)
            decision = RULES.pick(self.who, self.listening, arg)
            made_for_all = (
                Context.DAILY_MIX,
                Context.RELEASE_RADAR,
                Context.DISCOVER_WEEKLY,
                Context.RADIO,
            )
            if isinstance(decision, Grant) and arg not in made_for_all:
                assert self.plan.features.on_demand


@settings(max_examples=300, deadline=None)
@given(st.lists(steps, max_size=120))
def test_no_seventh_skip_within_any_rolling_hour_on_free(sequence: list) -> None:
    sim = Simulated()
    for step in sequence:
        sim.step(*step)
    free_skips = [at for at, plan in sim.skips_done if plan is Plan.FREE]
    for i, at in enumerate(free_skips):
        within = [t for t in free_skips[: i + 1] if at - t < timedelta(hours=1)]
        assert len(within) <= 6


@settings(max_examples=300, deadline=None)
@given(st.lists(steps, max_size=120))
def test_free_and_plus_never_stream_above_160_and_premium_never_hears_an_ad(sequence: list) -> None:
    sim = Simulated()
    for step in sequence:
        sim.step(*step)
    for plan, quality in sim.streamed:
        if plan in (Plan.FREE, Plan.PLUS):
            assert quality in (Quality.LOW, Quality.NORMAL, Quality.HIGH)
    assert all(plan in (Plan.FREE, Plan.PLUS) for plan in sim.ads_played)


@settings(max_examples=300, deadline=None)
@given(st.lists(steps, max_size=120))
def test_ad_supported_listeners_never_hear_a_fourth_song_without_a_break(sequence: list) -> None:
    sim = Simulated()
    for step in sequence:
        sim.step(*step)
    assert all(count < 3 for count in sim.songs_since_ad)


def test_the_seventh_skip_says_when_the_next_one_frees_up() -> None:
    listening = Listening()
    now = START
    for minute in range(6):
        now = START + timedelta(minutes=minute * 5)
        assert isinstance(RULES.skip(Listener(Plan.FREE), listening, now), Grant)
        listening = listening.after_skip(now)
    refused = RULES.skip(Listener(Plan.FREE), listening, now + timedelta(minutes=1))
    assert isinstance(refused, Refusal)
    assert refused.code == "skip_limit_reached"
    assert refused.retry_at == START + timedelta(hours=1)
    later = START + timedelta(hours=1, seconds=1)
    assert isinstance(RULES.skip(Listener(Plan.FREE), listening, later), Grant)
    assert isinstance(RULES.skip(Listener(Plan.PLUS), listening, now), Grant)


def test_fifteen_minutes_of_listening_bring_an_ad_break_before_three_songs() -> None:
    listening = Listening().after_song(8 * 60).after_song(8 * 60)
    refused = RULES.stream(Listener(Plan.PLUS), listening, Quality.HIGH)
    assert isinstance(refused, Refusal) and refused.code == "ad_break_due"
    granted = RULES.stream(Listener(Plan.PREMIUM_FAMILY), listening, Quality.LOSSLESS)
    assert isinstance(granted, Grant)


def test_each_row_of_the_plan_table() -> None:
    empty = Listening()
    for plan in Plan:
        who = Listener(plan)
        very_high = RULES.stream(who, empty, Quality.VERY_HIGH)
        lossless = RULES.stream(who, empty, Quality.LOSSLESS)
        premium = plan.is_premium
        assert isinstance(very_high, Grant) is premium
        assert isinstance(lossless, Grant) is premium
        if not premium:
            assert isinstance(very_high, Refusal) and very_high.code == "quality_not_in_plan"
        assert isinstance(RULES.radio(who), Grant) is premium
        assert isinstance(RULES.daily_mix(who), Grant)
        picked = RULES.pick(who, empty, Context.RELEASE)
        assert isinstance(picked, Grant) is (plan is not Plan.FREE)
        assert isinstance(RULES.play_context(who, Context.PLAYLIST), Grant)
        shuffled = RULES.play_context(who, Context.PLAYLIST)
        assert isinstance(shuffled, Grant) and shuffled.shuffle is (plan is Plan.FREE)
        download = RULES.download(
            who, device_has_downloads=False, devices_with_downloads=0, tracks_on_device=0
        )
        assert isinstance(download, Grant) is premium
    assert Plan.PREMIUM_DUO.features.accounts == 2
    assert Plan.PREMIUM_FAMILY.features.accounts == 6
    assert Plan.PREMIUM_FAMILY.features.group_mix == "Family Mix"


def test_offline_limits_are_five_devices_and_ten_thousand_tracks_each() -> None:
    who = Listener(Plan.PREMIUM_STUDENT)
    sixth = RULES.download(
        who, device_has_downloads=False, devices_with_downloads=5, tracks_on_device=0
    )
    assert isinstance(sixth, Refusal) and sixth.code == "offline_limit_reached"
    same_device = RULES.download(
        who, device_has_downloads=True, devices_with_downloads=5, tracks_on_device=9_999
    )
    assert isinstance(same_device, Grant)
    full = RULES.download(
        who, device_has_downloads=True, devices_with_downloads=5, tracks_on_device=10_000
    )
    assert isinstance(full, Refusal) and full.code == "offline_limit_reached"


def test_explicit_tracks_are_refused_when_the_manager_turned_them_off() -> None:
    kid = Listener(Plan.PREMIUM_FAMILY, allow_explicit=False)
    refused = RULES.stream(kid, Listening(), Quality.HIGH, explicit=True)
    assert isinstance(refused, Refusal) and refused.code == "explicit_content_filtered"
    assert isinstance(RULES.stream(kid, Listening(), Quality.HIGH, explicit=False), Grant)

"""Charts: Top 50 and Viral 50, everywhere and per country, rebuilt daily from counted streams
(`cadenza job run charts`, and the server's clock), read as stored.

A listener sees only the songs they may play: a taken-down song, or one not released in their
country, leaves its place to the next one, so a chart still shows fifty where it can."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cadenza.domain import charts as rules
from cadenza.domain.catalog import ReleaseView, TrackView, Viewer, as_utc
from cadenza.domain.charts import EVERYWHERE, ChartKind, Movement, Placed
from cadenza.domain.errors import NotFound
from cadenza.ports.charts import StoredChart
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.visible_tracks import visible_tracks

READ_AHEAD = 10


@dataclass(frozen=True)
class ChartSummary:
    id: int
    kind: ChartKind
    country: str  # "" everywhere
    name: str
    built_at: datetime


@dataclass(frozen=True)
class ChartLine:
    rank: int  # its place as the listener sees the chart (1 to 50)
    streams: int  # counted streams this week (of the chart's country, or everywhere)
    movement: Movement  # since yesterday's chart
    previous_rank: int | None
    track: TrackView
    release: ReleaseView


@dataclass(frozen=True)
class Chart:
    summary: ChartSummary
    lines: list[ChartLine]


@dataclass(frozen=True)
class ChartsBuilt:
    charts: int
    places: int


class Charts:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def rebuild(self) -> ChartsBuilt:
        """Every chart again from the last two weeks' counted streams, in one transaction. A
        rebuild on a later day than the last one moves today's places to "yesterday"; another
        the same day keeps yesterday's, so movement stays "since yesterday"."""
        now = self.clock.now()
        split = now - rules.WEEK
        with self.uow() as uow:
            counts = rules.by_country(uow.charts.stream_counts(split - rules.WEEK, split, now))
            counts.setdefault(EVERYWHERE, {})
            existing = {(c.kind, c.country) for c in uow.charts.charts()}
            wanted = {(kind, country) for kind in ChartKind for country in counts}
            places = 0
            for kind, country in sorted(existing | wanted):
                stored = uow.charts.chart(kind, country)
                previous = _yesterday(stored, now)
                found = counts.get(country, {})
                made = (
                    rules.top(found, previous)
                    if kind is ChartKind.TOP
                    else rules.viral(found, previous)
                )
                uow.charts.save(kind, country, made, previous, now)
                places += len(made)
            uow.commit()
        return ChartsBuilt(charts=len(existing | wanted), places=places)

    def charts_for(self, viewer: Viewer) -> list[ChartSummary]:
        """The global charts and those of the viewer's country, that have songs."""
        with self.uow() as uow:
            stored = uow.charts.charts()
        mine = {EVERYWHERE, (viewer.country or "").upper()}
        shown = [c for c in stored if c.country in mine and c.size > 0]
        shown.sort(key=lambda c: (c.country == EVERYWHERE, c.kind is not ChartKind.TOP))
        return [_summary(c) for c in shown]

    def chart(self, chart_id: int, viewer: Viewer) -> Chart:
        """A chart's first 50 songs the viewer may play, with their movement since yesterday."""
        with self.uow() as uow:
            found = uow.charts.places(chart_id)
            if found is None:
                raise NotFound(f"no chart {chart_id}", code="chart_not_found")
            stored, placed = found
            lines: list[ChartLine] = []
            # The songs are read a few more than are missing at a time: most listeners may
            # play nearly all of them, so one read of 60 usually fills the 50.
            at = 0
            while len(lines) < rules.SHOWN and at < len(placed):
                batch = placed[at : at + rules.SHOWN - len(lines) + READ_AHEAD]
                at += len(batch)
                playable = visible_tracks(uow, [p.track_id for p in batch], viewer)
                for place in batch:
                    if place.track_id in playable and len(lines) < rules.SHOWN:
                        track, release = playable[place.track_id]
                        lines.append(_line(len(lines) + 1, place, track, release))
        return Chart(_summary(stored), lines)

    def context(self, chart_id: int, viewer: Viewer) -> list[int | None]:
        """The player's chart context: the chart's songs as the listener sees them."""
        return [line.track.id for line in self.chart(chart_id, viewer).lines]


def _line(rank: int, place: Placed, track: TrackView, release: ReleaseView) -> ChartLine:
    return ChartLine(
        rank=rank,
        streams=place.streams,
        movement=place.movement,
        previous_rank=place.previous_rank,
        track=track,
        release=release,
    )


def _yesterday(stored: StoredChart | None, now: datetime) -> dict[int, int]:
    if stored is None:
        return {}
    if stored.built_on < as_utc(now).date():
        return stored.ranks  # the places made on an earlier day are now "yesterday's"
    return stored.previous


def _summary(c: StoredChart) -> ChartSummary:
    return ChartSummary(c.id, c.kind, c.country, rules.chart_name(c.kind, c.country), c.built_at)

"""Recommendation training on Apache Spark (`cadenza recs train --engine spark --master URL`,
`cadenza job run recs-train --engine spark`): the listening (counted plays and early skips
per listener and track) counted by Spark over the Parquet archive, the rest of the signals
(likes, saves, follows, playlist adds, imported history, the catalog) read from the database
as always, the confidences built as the embedded training builds them, and ALS solved by
Spark ML (batch/als.py). The model is written and put in service by the same code
(recs/build.py, recs/store.py): the server loads it as any other."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cadenza.jobs.on_archive import counts_over

if TYPE_CHECKING:
    from cadenza.batch.engines import BatchEngine
    from cadenza.bootstrap import App
    from cadenza.ports.recommendations import TasteSignals, TrackFeatures
    from cadenza.recs.build import Progress, Trained


class ArchiveTaste:
    """The database's taste signals, but the listening as counted over the archive."""

    def __init__(self, database: TasteSignals, listening: list[tuple[int, int, int, int]]):
        self.database, self.listening = database, listening

    def counted_plays(self) -> Iterator[tuple[int, int, int]]:
        return ((u, t, n) for u, t, n, _ in self.listening if n)

    def early_skips(self) -> Iterator[tuple[int, int, int]]:
        return ((u, t, k) for u, t, _, k in self.listening if k)

    def imported_plays(self) -> Iterator[tuple[int, int, int]]:
        return self.database.imported_plays()

    def liked(self) -> Iterator[tuple[int, int]]:
        return self.database.liked()

    def saved_release_tracks(self) -> Iterator[tuple[int, int]]:
        return self.database.saved_release_tracks()

    def followed_artist_tracks(self) -> Iterator[tuple[int, int]]:
        return self.database.followed_artist_tracks()

    def playlist_adds(self) -> Iterator[tuple[int, int]]:
        return self.database.playlist_adds()

    def track_features(self) -> Iterator[TrackFeatures]:
        return self.database.track_features()


def train_on_spark(app: App, engine: BatchEngine, progress: Progress | None = None) -> Trained:
    """A new model trained on the engine's SparkSession and put in service."""
    from cadenza.batch.als import spark_train
    from cadenza.recs.build import build_model
    from cadenza.recs.store import models_dir

    session: Any = getattr(engine, "spark", None)
    if session is None:
        raise ValueError(f"recommendation training runs on Spark, not on {engine.name}")
    now = app.clock.now()
    with counts_over(app, engine, datetime(1970, 1, 1, tzinfo=UTC), now) as counts:
        listening = counts.taste()

    @contextmanager
    def signals() -> Iterator[TasteSignals]:
        with app.uow() as uow:
            yield ArchiveTaste(uow.taste_signals, listening)

    trained = build_model(
        signals,
        models_dir(app.settings.data_dir),
        now,
        progress,
        fit=lambda history, content, steps: spark_train(session, history, content, progress=steps),
    )
    if app.recs_mirror is not None:
        app.recs_mirror.published(trained.version)
    return trained

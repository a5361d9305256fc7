"""The demo: ready-made accounts with listening histories of their own, and a catalog that is
composed and published release by release while the server already answers."""

from __future__ import annotations

import multiprocessing
import os
import random
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cadenza.cli_console import err
from cadenza.domain.accounts import Role
from cadenza.domain.catalog import ReleaseView, TrackView, Viewer
from cadenza.domain.errors import CadenzaError
from cadenza.domain.listening import EventKind, ListeningEvent
from cadenza.domain.plans import Plan
from cadenza.services.admin import OPERATOR
from cadenza.services.collection import SavedKind
from cadenza.services.listening import ListeningService

if TYPE_CHECKING:
    from cadenza.bootstrap import App
    from cadenza.demo import DemoSize, ReleasePlan

DEMO_PASSWORD = "listen to the demo catalog"  # noqa: S105 (a published demo password)
DEMO_LABEL = "Cadenza Demo Records"  # the distributor that delivers the demo catalog
HISTORY_DAYS = 24  # plays spread over the weeks before today (Daily Mixes use plays before today)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    plan: Plan
    role: Role
    tastes: tuple[str, ...] = ()  # the styles this listener plays (none: no history)
    name: str | None = None  # the display name (the e-mail's first part when None)


def _demo(who: str) -> str:
    return f"{who}@demo.cadenza.localhost"


DEMO_ACCOUNTS = (
    DemoAccount(_demo("free"), Plan.FREE, Role.LISTENER, ("hip hop", "reggae")),
    DemoAccount(_demo("plus"), Plan.PLUS, Role.LISTENER, ("techno", "drum and bass")),
    DemoAccount(_demo("premium"), Plan.PREMIUM_INDIVIDUAL, Role.LISTENER, ("jazz", "classical")),
    DemoAccount(_demo("duo"), Plan.PREMIUM_DUO, Role.LISTENER, ("folk", "ambient")),
    DemoAccount(_demo("family"), Plan.PREMIUM_FAMILY, Role.LISTENER, ("disco", "folk")),
    DemoAccount(_demo("student"), Plan.PREMIUM_STUDENT, Role.LISTENER, ("metal", "drum and bass")),
    DemoAccount(_demo("artist"), Plan.FREE, Role.ARTIST),
    DemoAccount(_demo("distributor"), Plan.FREE, Role.DISTRIBUTOR, name=DEMO_LABEL),
    DemoAccount(_demo("admin"), Plan.PREMIUM_INDIVIDUAL, Role.ADMIN, ("ambient", "classical")),
)


def demo_users(app: App) -> dict[str, int]:
    """Make the demo accounts that do not exist yet (linking the distributor login to the demo's
    label), and the editor's pick once there is music. Returns e-mail -> account id."""
    known = {a.email: a.id for a in app.accounts.all_accounts(limit=100_000)}
    for demo in DEMO_ACCOUNTS:
        if demo.email in known:
            continue
        made = app.accounts.create(
            demo.email, DEMO_PASSWORD, roles=[demo.role], display_name=demo.name
        )
        app.subscriptions.grant(made.id, demo.plan)
        known[demo.email] = made.id
        if demo.role is Role.DISTRIBUTOR:
            app.distributors.by_account(made.id)  # delivers as the demo's label from now on
    _editors_pick(app, known[_demo("admin")])
    return known


def print_logins() -> None:
    err.print(f"Demo accounts, each with the password [bold]{DEMO_PASSWORD}[/]:", soft_wrap=True)
    for demo in DEMO_ACCOUNTS:
        err.print(f"  {demo.email}  {_what(demo)}", soft_wrap=True)
    err.print(
        "  advertiser@demo.cadenza.localhost  advertiser with one campaign (`cadenza ads list`)",
        soft_wrap=True,
    )


def _what(demo: DemoAccount) -> str:
    if demo.role is Role.ARTIST:
        return "artist: the dashboard of the first demo artist published"
    if demo.role is Role.DISTRIBUTOR:
        return f"distributor: the releases of {DEMO_LABEL}"
    heard = f", listens to {' and '.join(demo.tastes)}" if demo.tastes else ""
    return f"{demo.role.value}, plan {demo.plan.value}{heard}"


def _editors_pick(app: App, editor_id: int) -> None:
    """An editorial playlist made by the demo admin: the Home page's editorial shelf has
    something, and plays from it are tagged as plays from an editorial playlist."""
    if any(p.name == "Cadenza Picks" for p in app.pitches.editorial_playlists(editor_id)):
        return
    viewer = Viewer(country=None, now=app.clock.now())
    tracks = [
        t.id
        for release in app.catalog.new_releases(viewer, limit=5)
        for t in app.catalog.release(release.id, viewer).tracks[:2]
    ]
    if tracks:
        made = app.pitches.create_playlist(
            editor_id, "Cadenza Picks", "New music we love this week"
        )
        app.pitches.add_tracks(editor_id, made.id, tracks)


# -- listening histories -----------------------------------------------------------------
def listen_to(app: App, accounts: dict[str, int], release: ReleaseView) -> None:
    """Plays, likes, saves and follows of this release by each demo listener whose tastes it
    fits, spread over the weeks before today. Made with fixed ids: a second run adds nothing."""
    # Imported history: no player or ad hooks, no stream grants (these are the past; counted by
    # the rules of playability and overlap alone).
    history = ListeningService(
        app.uow, app.clock, listener=app.subscriptions.listener, imported_history=True
    )
    today = app.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    for demo in DEMO_ACCOUNTS:
        fits = [t for t in release.tracks if _genres(t, release) & set(demo.tastes)]
        if not fits or demo.email not in accounts:
            continue
        account = accounts[demo.email]
        rng = random.Random(f"{demo.email}\x1f{release.upc or release.id}")
        events: list[ListeningEvent] = []
        plays: dict[int, int] = {}
        for track in fits:
            plays[track.id] = rng.choice((0, 1, 1, 2, 3, 5, 8))
            for n in range(plays[track.id]):
                day = today - timedelta(days=rng.randint(1, HISTORY_DAYS))
                at = day + timedelta(minutes=rng.randint(7 * 60, 23 * 60))
                events += _play(f"demo-{track.id}-{n}", track.id, track.duration_ms, at)
        if events:
            history.record(account, events)
        _collect(app, account, release, plays)


def _genres(track: TrackView, release: ReleaseView) -> set[str]:
    return {g.casefold() for g in (*track.genres, *release.genres)}


def _play(play_id: str, track_id: int, duration_ms: int, at: datetime) -> list[ListeningEvent]:
    def event(kind: EventKind, position_ms: int) -> ListeningEvent:
        when = at + timedelta(milliseconds=position_ms)
        return ListeningEvent(
            f"{play_id}-{kind}", play_id, kind, track_id, "demo", position_ms, when
        )

    return [event(EventKind.START, 0), event(EventKind.END, duration_ms)]


def _collect(app: App, account: int, release: ReleaseView, plays: dict[int, int]) -> None:
    """Songs played often are liked; a release mostly played is saved, its artist followed."""
    liked = [t for t, n in plays.items() if n >= 3]
    try:
        if liked:
            app.collection.save(SavedKind.TRACK, account, liked)
        if sum(1 for n in plays.values() if n) * 2 >= len(release.tracks):
            app.collection.save(SavedKind.RELEASE, account, [release.id])
            app.collection.save(SavedKind.ARTIST, account, [a.id for a in release.artists])
    except CadenzaError:  # not visible to this listener (a future date, another territory)
        pass


# -- the catalog, release by release ---------------------------------------------------------
Announce = Callable[[int, int, str | None], None]  # done, total, the release just published


class DemoBuild:
    """Compose the demo's releases in worker processes and publish each as soon as it is ready
    (shortest first: music within seconds); histories and the artist's link follow each one."""

    def __init__(self, app: App, announce: Announce | None = None) -> None:
        self.app = app
        self.announce = announce or _print_progress
        self.stop = threading.Event()
        self.failed: BaseException | None = None

    def run(self) -> None:
        from cadenza.demo import plan_library
        from cadenza.ingest.library import LibraryIngest

        app = self.app
        accounts = demo_users(app)
        root = app.settings.data_dir / "demo-library"
        root.mkdir(parents=True, exist_ok=True)
        plans = sorted(plan_library(_size(app), 7), key=_first_heard)
        library = LibraryIngest(
            app.ingest_tools(app.settings.demo_opus_complexity), app.distributor_id(DEMO_LABEL)
        )
        done = 0
        self._progress(done, len(plans), None)
        for plan in self._composed(plans, root):
            if self.stop.is_set():
                return  # the server is stopping: the build resumes at the next start
            sources, report = library.plan(root / plan.folder)
            library.run(sources, report)
            for path, exc in report.refused:
                err.print(f"[red]demo release refused[/] {path}: {exc.message} ({exc.code})")
            release = self._published(plan)
            if release is not None:
                listen_to(app, accounts, release)
                self._link_artist(accounts, release)
            done += 1
            self._progress(done, len(plans), plan.title)
            if done == 1:
                _demo_ads(app)  # its jingle is composed once music plays
        _editors_pick(app, accounts[_demo("admin")])
        if not self.stop.is_set():  # after the music: the first songs come first
            _demo_podcasts(app, accounts[_demo("admin")])
        if not self.stop.is_set() and app.settings.recs_train_hours > 0:
            app.train_recs_aside()  # Made for you from the demo's histories, in its own process

    def run_in_background(self) -> threading.Thread:
        def work() -> None:
            try:
                self.run()
            except BaseException as exc:  # told on the console; the server keeps serving
                if not self.stop.is_set():
                    self.failed = exc
                    err.print(f"[red]the demo catalog could not be built:[/] {exc!r}")

        self.app.background.append(self.stop)  # App.close() stops it between releases
        thread = threading.Thread(target=work, name="demo-catalog", daemon=True)
        thread.start()
        return thread

    def _composed(self, plans: list[ReleasePlan], root: Path) -> Iterator[ReleasePlan]:
        """The releases in the order they are ready: those composed before first, then each as
        its worker process finishes it."""
        from cadenza.demo.library import is_complete, write_release

        pending = [p for p in plans if not is_complete(root / p.folder)]
        yield from (p for p in plans if p not in pending)
        if not pending:
            return
        # spawn: the composers start clean, without the server's threads and connections.
        context = multiprocessing.get_context("spawn")
        workers = max(1, min(len(pending), os.cpu_count() or 1))
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(write_release, plan, root): plan for plan in pending}
            try:
                for future in as_completed(futures):
                    future.result()
                    yield futures[future]
            finally:
                for future in futures:
                    future.cancel()

    def _published(self, plan: ReleasePlan) -> ReleaseView | None:
        with self.app.uow() as uow:
            release_id = uow.supply.release_id_of_upc(plan.upc)
            return uow.catalog.release(release_id) if release_id is not None else None

    def _link_artist(self, accounts: dict[str, int], release: ReleaseView) -> None:
        """The demo artist speaks for the main artist of the first release published."""
        artist_login = accounts[_demo("artist")]
        with self.app.uow() as uow:
            if uow.artist_links.linked_artists(artist_login) or not release.artists:
                return
        if release.artists[0].name != "Various Artists":
            self.app.admin.link_artist(OPERATOR, artist_login, release.artists[0].id)

    def _progress(self, done: int, total: int, title: str | None) -> None:
        from cadenza.adapters.demo_progress import DemoProgress

        self.app.demo_progress.write(DemoProgress(done, total))
        self.announce(done, total, title)


def _first_heard(plan: ReleasePlan) -> tuple[bool, float]:
    """Releases everyone may play now first (not the future one, nor those of a few countries),
    the shortest first among them: the first songs play within seconds."""
    limited = bool(plan.territories) or plan.release_date > date.today()
    return limited, sum(t.seconds for t in plan.tracks)


def _size(app: App) -> DemoSize:
    import json

    from cadenza.demo import DemoSize

    raw = app.settings.demo_size
    return DemoSize(**json.loads(raw)) if raw else DemoSize()


def _print_progress(done: int, total: int, title: str | None) -> None:
    if title is None:
        err.print(f"Preparing the demo catalog: {total} releases, published one by one")
    elif done == total:
        err.print(f"[bold green]The demo catalog is ready:[/] {total} releases")
    else:
        err.print(f"demo catalog: {done} of {total} releases ready ({title})")


def build_demo(app: App) -> None:
    """`cadenza demo`: the whole demo, built here and now (what exists is reused)."""
    DemoBuild(app).run()
    print_logins()


def start_demo(app: App) -> DemoBuild:
    """`cadenza serve --demo`: the logins now, the accounts and the catalog while the server
    answers (the accounts within a second or two, the first songs within seconds)."""
    print_logins()
    build = DemoBuild(app)
    build.run_in_background()
    return build


def _demo_podcasts(app: App, admin: int) -> None:
    """The demo's hosted shows, spoken or synthesised (cadenza/demo/podcasts.py); made once."""
    from cadenza.demo.podcasts import SHOWS, write_episode
    from cadenza.domain.podcasts import Chapter

    if app.podcast_hosting.shows(admin):
        return
    folder = app.settings.data_dir / "demo-podcasts"
    for s, demo in enumerate(SHOWS):
        show = app.podcast_hosting.create_show(
            admin, demo.title, demo.description, "en", False, "Technology"
        )
        for e, episode in enumerate(demo.episodes):
            audio = write_episode(folder / f"{s}-{e}.wav", episode, seed=s * 10 + e)
            marks = tuple(Chapter(start, title) for start, title in episode.chapters)
            app.podcast_hosting.upload(
                admin, show.id, audio, episode.title, episode.notes, marks, None
            )


def _demo_ads(app: App) -> None:
    from cadenza.cli_ads import demo_ads

    demo_ads(app, DEMO_PASSWORD)

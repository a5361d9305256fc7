"""Bring your history: a listener's Spotify, ListenBrainz or Last.fm history read, matched to the
catalog, and kept as their imported history (recommendations, Your year, Only You and recently
played read it; royalties, artists' statistics and charts never do: these are not streams).

An upload is read and checked while the listener waits (a bad file gets a 4xx and leaves
nothing), then matched in the background, the import's progress and counts readable all along.
The command line runs the same import in the foreground. Importing a file again adds nothing
twice: a play is one per listener, source, start time and track."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from threading import Lock

from cadenza.domain.errors import Conflict, NotFound
from cadenza.domain.history_matching import TOP_UNMATCHED, ImportReport, PastPlay
from cadenza.ports.clock import Clock
from cadenza.ports.history import HistoryImport, ImportedPlay
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.history_files import HistoryFile, read_history
from cadenza.services.history_matching import CatalogIndex, Matcher

log = logging.getLogger(__name__)

CHUNK = 500  # plays matched and written per transaction (and per progress step)
MAX_LISTED = 50
Progress = Callable[[int, int], None]  # (plays done, plays in all)


class HistoryImports:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        *,
        max_expanded_bytes: int,
        max_plays: int,
    ) -> None:
        self.uow, self.clock = uow, clock
        self.max_expanded_bytes, self.max_plays = max_expanded_bytes, max_plays
        self._pool: Executor | None = None
        self._pool_lock = Lock()

    # -- starting --------------------------------------------------------------------------
    def read(self, path: Path, name: str) -> HistoryFile:
        """The file's plays, or a 4xx (unknown format, unreadable, too large, too many plays)."""
        return read_history(path, name, self.max_expanded_bytes, self.max_plays)

    def start(self, account_id: int, path: Path, name: str) -> HistoryImport:
        """Read the file now and match it in the background; the import as it starts."""
        found = self.read(path, name)
        import_id = self._open(account_id, found, name)
        self._background().submit(self._run_logged, import_id, account_id, found)
        return self.status(account_id, import_id)

    def run(
        self, account_id: int, path: Path, name: str, progress: Progress | None = None
    ) -> HistoryImport:
        """The whole import in this thread (the command line), reporting progress."""
        found = self.read(path, name)
        import_id = self._open(account_id, found, name)
        self._run_logged(import_id, account_id, found, progress)
        return self.status(account_id, import_id)

    def _open(self, account_id: int, found: HistoryFile, name: str) -> int:
        with self.uow() as uow:
            import_id = uow.history.start_import(
                account_id,
                found.source.value,
                Path(name).name or "history",
                len(found.plays),
                found.skipped,
                self.clock.now(),
            )
            uow.commit()
        return import_id

    def _background(self) -> Executor:
        with self._pool_lock:
            if self._pool is None:  # one import at a time per process: matching is CPU work
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="history-import")
            return self._pool

    def _run_logged(
        self, import_id: int, account_id: int, found: HistoryFile, progress: Progress | None = None
    ) -> None:
        try:
            self._run(import_id, account_id, found, progress)
        except Exception:
            log.exception("history import %s failed", import_id)
            with self.uow() as uow:
                uow.history.finish(
                    import_id, "failed", [], "the import stopped on an error", self.clock.now()
                )
                uow.commit()

    def _run(
        self, import_id: int, account_id: int, found: HistoryFile, progress: Progress | None
    ) -> None:
        matcher = Matcher(self.index())
        unmatched: Counter[tuple[str, str]] = Counter()
        matched = added = 0
        plays = found.plays
        for first in range(0, len(plays), CHUNK):
            chunk = plays[first : first + CHUNK]
            rows = []
            for play in chunk:
                track = matcher.match(play)
                if track is None:
                    unmatched[play.artist, play.title] += 1
                    continue
                rows.append((track, play.played_at, heard_ms(play, matcher.duration(track))))
            matched += len(rows)
            with self.uow() as uow:
                added += uow.history.add_plays(account_id, import_id, found.source.value, rows)
                done = first + len(chunk)
                uow.history.progress(import_id, done, matched, sum(unmatched.values()), added)
                uow.commit()
            if progress is not None:
                progress(done, len(plays))
        top = [(a, t, n) for (a, t), n in unmatched.most_common(TOP_UNMATCHED)]
        with self.uow() as uow:
            uow.history.remember_spotify_uris(matcher.learned)
            uow.history.finish(import_id, "done", top, None, self.clock.now())
            uow.commit()
        if progress is not None:
            progress(len(plays), len(plays))

    def index(self) -> CatalogIndex:
        with self.uow() as uow:
            return CatalogIndex.build(uow.history.catalog(), uow.history.spotify_uris())

    # -- reading and forgetting --------------------------------------------------------------
    def status(self, account_id: int, import_id: int) -> HistoryImport:
        with self.uow() as uow:
            found = uow.history.get_import(import_id)
        if found is None or found.user_id != account_id:  # another's import: as unknown
            raise NotFound("no such import", code="import_not_found")
        return found

    def imports(self, account_id: int) -> list[HistoryImport]:
        with self.uow() as uow:
            return uow.history.imports(account_id, MAX_LISTED)

    def delete(self, account_id: int, import_id: int) -> int:
        """The import and its plays gone (refused while it still runs); how many plays went."""
        found = self.status(account_id, import_id)
        if found.status == "running":
            raise Conflict("the import is still running", code="import_running")
        with self.uow() as uow:
            gone = uow.history.delete_import(import_id)
            uow.commit()
        return gone

    def plays(self, account_id: int, limit: int, offset: int) -> list[ImportedPlay]:
        with self.uow() as uow:
            return uow.history.plays(account_id, limit, offset)

    def export(self, account_id: int) -> dict[str, object]:
        """For "download my data": the imported and scrobbled plays, and the imports."""
        plays: list[dict[str, object]] = []
        while page := self.plays(account_id, 5000, len(plays)):
            plays += [
                {
                    "track_id": p.track_id,
                    "played_at": p.played_at.isoformat(),
                    "ms_played": p.listened_ms,
                    "source": p.source,
                    "import_id": p.import_id,
                }
                for p in page
            ]
        imports = [
            {
                "id": i.id,
                "source": i.source,
                "file_name": i.file_name,
                "status": i.status,
                "created_at": i.created_at.isoformat(),
                "matched": i.matched,
                "unmatched": i.unmatched,
            }
            for i in self.imports(account_id)
        ]
        return {"imported_history": plays, "history_imports": imports}

    def fail_unfinished(self, server_started: datetime) -> int:
        """At a server's start: imports a stopped process left running are failed (the file was
        read into that process's memory only; importing it again adds only what is missing).
        Never one begun since this server started: it answers imports while its background
        work is starting, and its other processes may have begun one."""
        with self.uow() as uow:
            failed = uow.history.fail_unfinished(
                "the server stopped during the import: import the file again",
                self.clock.now(),
                server_started,
            )
            uow.commit()
        return failed


def report(found: HistoryImport) -> ImportReport:
    return ImportReport(
        total=found.total,
        matched=found.matched,
        unmatched=found.unmatched,
        skipped=found.skipped,
        added=found.added,
        top_unmatched=found.top_unmatched,
    )


def heard_ms(play: PastPlay, duration_ms: int) -> int:
    """How long the play was heard: as the file says, else the track's length (a scrobble is
    a play heard through, or most of the way)."""
    return play.ms_played if play.ms_played is not None else duration_ms

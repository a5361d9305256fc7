"""`cadenza ingest ~/Music`: a whole library, grouped into releases, taking only what changed."""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cadenza.domain.catalog import name_key
from cadenza.domain.errors import CadenzaError, InvalidDelivery
from cadenza.ingest.encode import file_sha256
from cadenza.ingest.pipeline import (
    IngestedRelease,
    IngestTools,
    Progress,
    ReleaseIngest,
    ReleaseSource,
    StartedRelease,
)
from cadenza.ingest.source import MANIFEST, find_cover, is_audio
from cadenza.ports.audio import Tags
from cadenza.ports.catalog import TrackSource
from cadenza.ports.library import KnownFile

log = logging.getLogger(__name__)
Stat = tuple[int, int]  # size, mtime_ns


@dataclass
class LibraryReport:
    added: list[IngestedRelease] = field(default_factory=list)
    changed: list[IngestedRelease] = field(default_factory=list)
    refused: list[tuple[str, CadenzaError]] = field(default_factory=list)
    unchanged_files: int = 0
    missing_files: list[str] = field(default_factory=list)
    unchanged_track_ids: list[int] = field(default_factory=list)
    # files with a new modification time whose bytes are those of their published track:
    # recognised by their hash, nothing about them is read or described again
    same_content: int = 0
    # files seen before whose bytes changed: each re-describes its track (and its album's
    # figures from the stored ones of the others, which are not decoded again)
    changed_files: int = 0
    decoded_files: int = 0  # files decoded and encoded by this scan

    @property
    def releases(self) -> list[IngestedRelease]:
        return self.added + self.changed


@dataclass
class _Scan:
    audio: dict[Path, Stat] = field(default_factory=dict)
    # release folder -> its release.json (as spelt on disk) and that file's stat
    manifests: dict[Path, tuple[Path, Stat]] = field(default_factory=dict)


def scan(root: Path) -> _Scan:
    """Every audio file and release.json under root, with size and mtime: no file is opened."""
    if not root.is_dir():
        raise InvalidDelivery(f"no folder {root}", code="not_found", file=str(root))
    found = _Scan()
    for path, st in _walk(root):
        if path.name.lower() == MANIFEST:
            found.manifests[path.parent] = (path, (st.st_size, st.st_mtime_ns))
        elif is_audio(path):
            found.audio[path] = (st.st_size, st.st_mtime_ns)
    return found


def _walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:  # an unreadable folder is skipped, not fatal
            log.warning("cannot read %s: %s", folder, exc.strerror)
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_file():
                yield Path(entry.path), entry.stat()


def album_key(tags: Tags, path: Path) -> str:
    """Which album a loose file belongs to: album artist (or artist) and album (or folder)."""
    artist = (tags.album_artists or tags.artists or ["Unknown Artist"])[0]
    return name_key(f"{artist}\x1f{tags.album or path.parent.name}")


def _changed(known: KnownFile | None, stat: Stat) -> bool:
    return known is None or (known.size, known.mtime_ns) != stat


class LibraryIngest:
    def __init__(self, tools: IngestTools, distributor_id: int) -> None:
        self.tools = tools
        self.distributor_id = distributor_id
        self.release_ingest = ReleaseIngest(tools)

    def plan(self, root: Path) -> tuple[list[ReleaseSource], LibraryReport]:
        """What must be (re)ingested: folders with a release.json, then albums grouped by tags.
        An album with one changed file is planned whole, so the release is described from all
        its tracks; unchanged ones are recognised by content and not encoded again."""
        root = root.resolve()
        found = scan(root)
        with self.tools.uow() as uow:
            known = uow.library.known_files(str(root))
        report = LibraryReport()
        changed = {p: s for p, s in found.audio.items() if _changed(known.get(str(p)), s)}
        for path in self._same_content(changed, known):
            del changed[path]
            report.same_content += 1
        report.unchanged_files = len(found.audio) - len(changed)
        report.changed_files = sum(1 for p in changed if str(p) in known)
        report.unchanged_track_ids = [
            k.track_id
            for p, k in known.items()
            if k.track_id and Path(p) in found.audio and Path(p) not in changed
        ]
        seen_manifests = {str(m) for m, _ in found.manifests.values()}
        report.missing_files = sorted(
            p for p in known if Path(p) not in found.audio and p not in seen_manifests
        )
        sources = self._release_folders(found, known, changed)
        loose = {p: s for p, s in found.audio.items() if p.parent not in found.manifests}
        sources += self._albums(loose, known, set(changed), report)
        return sources, report

    def _same_content(self, changed: dict[Path, Stat], known: dict[str, KnownFile]) -> list[Path]:
        """Touched files (a new modification time, the same size) whose sha256 is still their
        published track's: their new time is recorded, and they are not ingested again."""
        candidates = {
            path: entry
            for path, (size, _) in changed.items()
            if (entry := known.get(str(path))) and entry.track_id and entry.size == size
        }
        if not candidates:
            return []
        same: list[Path] = []
        sources: dict[int, TrackSource] = {}
        with self.tools.uow() as uow:
            for path, entry in candidates.items():
                assert entry.track_id is not None
                if entry.track_id not in sources:
                    track = uow.catalog.track(entry.track_id)
                    if track is not None:
                        sources |= uow.supply.track_sources(track.release_id)
                known_source = sources.get(entry.track_id)
                if known_source and known_source.sha256 == file_sha256(path):
                    size, mtime = changed[path]
                    uow.library.record_file(
                        str(path), size, mtime, entry.track_id, None, entry.album_key
                    )
                    same.append(path)
            uow.commit()
        return same

    def run(
        self, sources: list[ReleaseSource], report: LibraryReport, progress: Progress | None = None
    ) -> LibraryReport:
        """Ingest the planned releases, starting each next one before finishing the last."""
        pending: StartedRelease | None = None
        for source in [*sources, None]:
            started = self._start(source, report) if source is not None else None
            if pending is not None:
                self._finish(pending, report, progress)
            pending = started
        return report

    def _start(self, source: ReleaseSource, report: LibraryReport) -> StartedRelease | None:
        try:
            return self.release_ingest.start(source)
        except Exception as exc:  # one bad release must not stop the scan
            self._refuse(source, _as_refusal(exc, source), report)
            return None

    def _finish(
        self, pending: StartedRelease, report: LibraryReport, progress: Progress | None
    ) -> None:
        try:
            done = self.release_ingest.finish(pending, progress)
        except Exception as exc:
            self._refuse(pending.source, _as_refusal(exc, pending.source), report)
            return
        report.refused += done.refused
        report.decoded_files += done.decoded
        (report.changed if pending.reusable else report.added).append(done)

    def _refuse(self, source: ReleaseSource, exc: CadenzaError, report: LibraryReport) -> None:
        """Remember the refusal, so an unchanged bad file is not retried on every scan."""
        report.refused.append((exc.file or source.name, exc))
        with self.tools.uow() as uow:
            for path, (size, mtime) in source.records.items():
                uow.library.record_file(str(path), size, mtime, None, exc, source.album_key)
            uow.commit()

    def _release_folders(
        self, found: _Scan, known: dict[str, KnownFile], changed: dict[Path, Stat]
    ) -> list[ReleaseSource]:
        by_folder: dict[Path, list[Path]] = defaultdict(list)
        for path in found.audio:
            if path.parent in found.manifests:
                by_folder[path.parent].append(path)
        sources = []
        for folder, (manifest, manifest_stat) in sorted(found.manifests.items()):
            audio = sorted(by_folder[folder])
            untouched = not any(p in changed for p in audio)
            if untouched and not _changed(known.get(str(manifest)), manifest_stat):
                continue
            sources.append(
                ReleaseSource(
                    name=folder.name,
                    files=audio,
                    manifest=manifest,
                    cover=find_cover(list(folder.iterdir())),
                    atomic=True,
                    distributor_id=self.distributor_id,
                    records={p: found.audio[p] for p in audio} | {manifest: manifest_stat},
                )
            )
        return sources

    def _albums(
        self,
        loose: dict[Path, Stat],
        known: dict[str, KnownFile],
        changed: set[Path],
        report: LibraryReport,
    ) -> list[ReleaseSource]:
        tags: dict[Path, Tags] = {}
        keys: dict[Path, str] = {}
        for path in sorted(p for p in loose if p in changed):
            try:
                tags[path] = self.tools.tags.read(path)
            except InvalidDelivery as exc:
                exc.file = str(path)
                single = ReleaseSource(path.name, [path], records={path: loose[path]})
                self._refuse(single, exc, report)
                continue
            keys[path] = album_key(tags[path], path)
        touched = set(keys.values())
        for path in loose:  # unchanged members of a touched album come along
            entry = known.get(str(path))
            if path not in keys and entry and entry.album_key in touched and not entry.error_code:
                keys[path] = entry.album_key
        groups: dict[str, list[Path]] = defaultdict(list)
        for path, key in keys.items():
            groups[key].append(path)
        return [self._album(key, sorted(files), tags, loose) for key, files in groups.items()]

    def _album(
        self, key: str, files: list[Path], tags: dict[Path, Tags], loose: dict[Path, Stat]
    ) -> ReleaseSource:
        return ReleaseSource(
            name=files[0].parent.name,
            files=files,
            cover=find_cover(list(files[0].parent.iterdir())),
            atomic=False,
            distributor_id=self.distributor_id,
            records={p: loose[p] for p in files},
            tags={p: tags[p] for p in files if p in tags},
            album_key=key,
        )


def _as_refusal(exc: Exception, source: ReleaseSource) -> CadenzaError:
    if isinstance(exc, CadenzaError):
        return exc
    log.exception("ingesting %s failed", source.name)
    return CadenzaError(
        f"could not be ingested ({type(exc).__name__}); see the server log",
        code="internal",
        file=source.name,
    )

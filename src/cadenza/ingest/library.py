"""`cadenza ingest ~/Music`: a whole library, grouped into releases, taking only what changed."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cadenza.domain.catalog import name_key
from cadenza.domain.errors import CadenzaError, InvalidDelivery
from cadenza.ingest.pipeline import (
    IngestedRelease,
    IngestTools,
    Progress,
    ReleaseIngest,
    ReleaseSource,
    StartedRelease,
)
from cadenza.ingest.source import MANIFEST, find_cover, is_audio
from cadenza.ports import KnownFile, Tags

Stat = tuple[int, int]  # size, mtime_ns


@dataclass
class LibraryReport:
    added: list[IngestedRelease] = field(default_factory=list)
    changed: list[IngestedRelease] = field(default_factory=list)
    refused: list[tuple[str, CadenzaError]] = field(default_factory=list)
    unchanged_files: int = 0
    missing_files: list[str] = field(default_factory=list)
    unchanged_track_ids: list[int] = field(default_factory=list)

    @property
    def releases(self) -> list[IngestedRelease]:
        return self.added + self.changed


@dataclass
class _Scan:
    audio: dict[Path, Stat] = field(default_factory=dict)
    manifests: dict[Path, Stat] = field(default_factory=dict)  # release folder -> its release.json


def scan(root: Path) -> _Scan:
    """Every audio file and release.json under root, with size and mtime: no file is opened."""
    found = _Scan()
    for path, st in _walk(root):
        if path.name.lower() == MANIFEST:
            found.manifests[path.parent] = (st.st_size, st.st_mtime_ns)
        elif is_audio(path):
            found.audio[path] = (st.st_size, st.st_mtime_ns)
    return found


def _walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file():
                    yield Path(entry.path), entry.stat()


class LibraryIngest:
    def __init__(self, tools: IngestTools, distributor_id: int) -> None:
        self.tools = tools
        self.distributor_id = distributor_id
        self.release_ingest = ReleaseIngest(tools)

    def plan(self, root: Path) -> tuple[list[ReleaseSource], LibraryReport]:
        """What must be (re)ingested: folders with a release.json, then albums grouped by tags."""
        root = root.resolve()
        found = scan(root)
        with self.tools.uow() as uow:
            known = uow.library.known_files(str(root))
        report = LibraryReport()
        changed = {p: s for p, s in found.audio.items() if _changed(known.get(str(p)), s)}
        report.unchanged_files = len(found.audio) - len(changed)
        report.unchanged_track_ids = [
            k.track_id
            for p, k in known.items()
            if k.track_id and Path(p) in found.audio and Path(p) not in changed
        ]
        report.missing_files = sorted(
            p for p in known if Path(p) not in found.audio and not p.endswith(MANIFEST)
        )
        sources = self._release_folders(found, known, changed)
        loose = {p: s for p, s in changed.items() if p.parent not in found.manifests}
        sources += self._albums(loose, report)
        return sources, report

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
        except CadenzaError as exc:
            self._refuse(source, exc, report)
            return None

    def _finish(
        self, pending: StartedRelease, report: LibraryReport, progress: Progress | None
    ) -> None:
        try:
            done = self.release_ingest.finish(pending, progress)
        except CadenzaError as exc:
            self._refuse(pending.source, exc, report)
            return
        report.refused += done.refused
        (report.changed if pending.reusable else report.added).append(done)

    def _refuse(self, source: ReleaseSource, exc: CadenzaError, report: LibraryReport) -> None:
        """Remember the refusal, so an unchanged bad file is not retried on every scan."""
        report.refused.append((exc.file or source.name, exc))
        with self.tools.uow() as uow:
            for path, (size, mtime) in source.records.items():
                uow.library.record_file(str(path), size, mtime, None, exc)
            uow.commit()

    def _release_folders(
        self, found: _Scan, known: dict[str, KnownFile], changed: dict[Path, Stat]
    ) -> list[ReleaseSource]:
        sources = []
        for folder, manifest_stat in sorted(found.manifests.items()):
            audio = sorted(p for p in found.audio if p.parent == folder)
            manifest = folder / MANIFEST
            if not any(p in changed for p in audio) and not _changed(
                known.get(str(manifest)), manifest_stat
            ):
                continue
            records = {p: found.audio[p] for p in audio} | {manifest: manifest_stat}
            sources.append(
                ReleaseSource(
                    name=folder.name,
                    files=audio,
                    manifest=manifest,
                    cover=find_cover(list(folder.iterdir())),
                    atomic=True,
                    distributor_id=self.distributor_id,
                    records=records,
                )
            )
        return sources

    def _albums(self, loose: dict[Path, Stat], report: LibraryReport) -> list[ReleaseSource]:
        groups: dict[tuple[str, str], list[Path]] = defaultdict(list)
        read: dict[Path, Tags] = {}
        for path in sorted(loose):
            try:
                tags = read[path] = self.tools.tags.read(path)
            except InvalidDelivery as exc:
                exc.file = str(path)
                self._refuse(
                    ReleaseSource(path.name, [path], records={path: loose[path]}), exc, report
                )
                continue
            artist = (tags.album_artists or tags.artists or ["Unknown Artist"])[0]
            album = tags.album or path.parent.name
            groups[(name_key(artist), name_key(album))].append(path)
        return [
            ReleaseSource(
                name=files[0].parent.name,
                files=files,
                cover=find_cover(list(files[0].parent.iterdir())),
                atomic=False,
                distributor_id=self.distributor_id,
                records={p: loose[p] for p in files},
                tags={p: read[p] for p in files},
            )
            for files in groups.values()
        ]


def _changed(known: KnownFile | None, stat: Stat) -> bool:
    return known is None or (known.size, known.mtime_ns) != stat

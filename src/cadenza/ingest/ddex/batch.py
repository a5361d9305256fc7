"""A DDEX batch: its messages found, checked and ingested one by one, each all or nothing.

A batch is a folder or a .zip holding NewReleaseMessage / PurgeReleaseMessage XML files and the
resources they name (paths relative to each message). A `BatchComplete*.xml` manifest (ERN-C),
when present, says which messages the batch holds and in what order; without one, every ERN
message found is read, in the order of its MessageCreatedDateTime.

Each message is answered: an acknowledgement (what was published, updated or taken down) or the
list of its errors (file, XPath, message). A broken message changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any

from cadenza.domain.catalog import MIN_DELIVERY_COVER_PX, ReleaseType
from cadenza.domain.deal_windows import DealWindow, covered, offered_in, window
from cadenza.domain.errors import CadenzaError, InvalidDelivery
from cadenza.ingest.ddex.ern import read_message, root_kind
from cadenza.ingest.ddex.model import Deal, Message, MessageError, MessageRefused, ResourceFile
from cadenza.ingest.ddex.safexml import MAX_MESSAGE_BYTES, parse_xml
from cadenza.ingest.manifest import Manifest, TrackEntry
from cadenza.ingest.pipeline import IngestTools, Progress, ReleaseIngest, ReleaseSource
from cadenza.ingest.source import ZipLimits, extract_zip

# The uses that put a release in front of listeners, and the models Cadenza offers them under.
STREAM_USES = frozenset({"OnDemandStream", "Stream", "NonInteractiveStream"})
SUBSCRIPTION = "SubscriptionModel"
AD_SUPPORTED = frozenset({"AdvertisementSupportedModel", "FreeOfChargeModel"})
STREAM_MODELS = AD_SUPPORTED | {SUBSCRIPTION}
TAKEDOWN_REASON = "DDEX"  # prefix of the reason recorded with a takedown this module makes
MAX_MESSAGES = 200
_HASHES = {
    "MD5": "md5",
    "SHA1": "sha1",
    "SHA224": "sha224",
    "SHA256": "sha256",
    "SHA384": "sha384",
    "SHA512": "sha512",
}
_TYPES = {"Single": ReleaseType.SINGLE, "EP": ReleaseType.EP, "Album": ReleaseType.ALBUM}
_SNIFF = ("NewReleaseMessage", "PurgeReleaseMessage", "ManifestMessage")

# (release id, distributor id, reason): the existing takedown path, handed in by the caller.
SetAvailability = Callable[[int, int, str], None]


def _no_schedule(release_id: int, distributor_id: int, windows: list[DealWindow]) -> None:
    return None


@dataclass
class Availability:
    take_down: SetAvailability
    restore: SetAvailability
    # (release, distributor, deal windows): the deal clock opens and closes the territories
    # on their own dates; an empty list forgets a release's schedule.
    schedule: Callable[[int, int, list[DealWindow]], None] = _no_schedule


@dataclass
class MessageResult:
    file: str
    message_id: str | None = None
    status: str = "error"  # published | taken_down | not_published | error
    release_id: int | None = None
    track_ids: list[int] = field(default_factory=list)
    errors: list[MessageError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "message_id": self.message_id}
        out["status"] = self.status
        out["acknowledged"] = self.status != "error"
        if self.release_id is not None:
            out |= {"release_id": self.release_id, "track_ids": self.track_ids}
        if self.errors:
            out["errors"] = [e.as_json() for e in self.errors]
        if self.warnings:
            out["warnings"] = self.warnings
        return out


@dataclass
class BatchReport:
    messages: list[MessageResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(m.status == "error" for m in self.messages)

    def as_json(self) -> dict[str, Any]:
        releases = [
            {"release_id": m.release_id, "track_ids": m.track_ids, "status": m.status}
            for m in self.messages
            if m.release_id is not None
        ]
        out: dict[str, Any] = {
            "format": "ddex",
            "releases": releases,
            "messages": [m.as_json() for m in self.messages],
            "refused": [
                {"file": e.file, "xpath": e.xpath, "message": e.message}
                for m in self.messages
                for e in m.errors
            ],
        }
        if len(releases) == 1:
            out |= {"release_id": releases[0]["release_id"], "track_ids": releases[0]["track_ids"]}
        return out


# -- recognising a batch ------------------------------------------------------------------
def is_ddex_batch(path: Path) -> bool:
    """A folder or zip holding an ERN message or a BatchComplete manifest (sniffed, not parsed)."""
    try:
        if path.is_file() and path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".xml")][:50]
                return any(_sniff(zf.open(n).read(4096)) for n in names)
        if path.is_file() and path.suffix.lower() == ".xml":
            return _sniff(_head(path))
        if path.is_dir():
            return any(_sniff(_head(p)) for p in _xml_files(path, limit=50))
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return False
    return False


def _sniff(head: bytes) -> bool:
    return any(name.encode() in head for name in _SNIFF)


def _head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(4096)


def _xml_files(root: Path, max_depth: int = 4, limit: int | None = None) -> list[Path]:
    """The .xml files at most `max_depth` folders down (a batch is BATCH/RELEASE/MESSAGE.xml),
    in path order; the walk stops early once `limit` are found (recognising a batch in a big
    music library must not read the whole library)."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        depth = len(here.relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__MACOSX")))
        if depth >= max_depth - 1:
            dirs.clear()
        for name in sorted(files):
            if name.lower().endswith(".xml") and not name.startswith("."):
                found.append(here / name)
                if limit is not None and len(found) >= limit:
                    return found
    return sorted(found)


# -- the batch ----------------------------------------------------------------------------
class DdexBatch:
    def __init__(
        self,
        tools: IngestTools,
        distributor_id: int,
        availability: Availability,
        *,
        limits: ZipLimits,
        strict_cover: bool,
        now: datetime | None = None,
    ) -> None:
        self.t = tools
        self.distributor_id = distributor_id
        self.availability = availability
        self.limits = limits
        self.strict_cover = strict_cover
        self.now = now or datetime.now(UTC)

    def run(self, path: Path, progress: Progress | None = None) -> BatchReport:
        work = self.t.work_dir / f"ddex-{uuid.uuid4().hex}"
        try:
            root, only = path, None
            if path.is_file() and path.suffix.lower() == ".zip":
                work.mkdir(parents=True)
                root = extract_zip(path, work, self.limits)
            elif path.is_file() and path.suffix.lower() == ".xml":
                root, only = path.parent, path  # one message, its files beside it
            elif not path.is_dir():
                raise InvalidDelivery(
                    f"{path} is not a folder, a .zip or an ERN message", code="not_found"
                )
            return self._run(root, only, progress)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _run(self, root: Path, only: Path | None, progress: Progress | None) -> BatchReport:
        report = BatchReport()
        files, refused = ([only], []) if only else self._message_files(root)
        report.messages += refused
        read: list[tuple[Message | None, MessageResult, Path]] = []
        for file in files:
            name = file.relative_to(root).as_posix()
            result = MessageResult(name)
            try:
                message = self._read(file, name)
                result.message_id = message.message_id
                self._check_files(message, file.parent, root)
                read.append((message, result, file))
            except MessageRefused as exc:
                result.errors = exc.errors
                read.append((None, result, file))
        # Messages are applied in the order they were made (an update after its original).
        read.sort(key=lambda r: _created(r[0]))
        for found, result, file in read:
            if found is not None:
                self._apply(found, result, file.parent, progress)
            report.messages.append(result)
        return report

    # -- finding and reading messages -----------------------------------------------------
    def _message_files(self, root: Path) -> tuple[list[Path], list[MessageResult]]:
        """The messages to read, and the answers for manifests that cannot be honoured. Each
        BatchComplete covers its own folder: the messages it lists are read (a message it lists
        but the batch lacks refuses that batch; one it does not list is not read); messages
        outside every manifest's folder are read as they are."""
        xml = _xml_files(root)
        manifests = [p for p in xml if p.name.lower().startswith("batchcomplete")]
        files: list[Path] = []
        refused: list[MessageResult] = []
        failed: list[Path] = []  # the folders of batches whose manifest is refused
        for manifest in manifests:
            listed, errors = self._from_manifest(root, manifest)
            if errors:
                refused.append(MessageResult(errors[0].file, errors=errors))
                failed.append(manifest.parent)
            else:
                files += listed
        covered = [m.parent for m in manifests]
        for path in xml:
            if path in files or path in manifests or not _sniff(_head(path)):
                continue
            if b"ManifestMessage" in _head(path):
                continue
            batch = next((c for c in covered if path.is_relative_to(c)), None)
            if batch is None:
                files.append(path)
            elif batch not in failed:
                name = path.relative_to(root).as_posix()
                refused.append(
                    MessageResult(
                        name,
                        errors=[
                            MessageError(name, "/", "not listed in its BatchComplete; not read")
                        ],
                    )
                )
        if not files and not refused:
            raise InvalidDelivery(
                "the batch holds no ERN NewReleaseMessage or PurgeReleaseMessage",
                code="no_ddex_message",
            )
        if len(files) > MAX_MESSAGES:
            raise InvalidDelivery(
                f"{len(files)} messages; at most {MAX_MESSAGES} per batch", code="too_many_files"
            )
        return files, refused

    def _from_manifest(self, root: Path, manifest: Path) -> tuple[list[Path], list[MessageError]]:
        """The messages a BatchComplete manifest lists, each of which must be there."""
        name = manifest.relative_to(root).as_posix()
        try:
            tree = parse_xml(_bounded_read(manifest, name), name)
        except MessageRefused as exc:
            return [], exc.errors
        files: list[Path] = []
        errors: list[MessageError] = []
        entries = tree.findall("MessageInBatch")
        for entry in entries[:MAX_MESSAGES]:
            url = (entry.findtext("URL") or "").strip()
            found = _locate(root, manifest.parent, url)
            if found is None:
                where = entry.getroottree().getpath(entry)
                errors.append(MessageError(name, where, f"the message {url!r} is not in the batch"))
            else:
                files.append(found)
        count = (tree.findtext("NumberOfMessages") or "").strip()
        if count.isdigit() and int(count) != len(entries):
            errors.append(
                MessageError(name, "/*/NumberOfMessages", f"says {count}, lists {len(entries)}")
            )
        if not entries:
            errors.append(MessageError(name, "/*", "the manifest lists no MessageInBatch"))
        return files, errors

    def _read(self, file: Path, name: str) -> Message:
        root = parse_xml(_bounded_read(file, name), name)
        version, _ = root_kind(root)
        if version == "4.3":
            from cadenza.ingest.ddex.schema import validate_ern43

            errors = validate_ern43(root, name)
            if errors:
                raise MessageRefused(errors)
        return read_message(root, name)

    def _check_files(self, message: Message, folder: Path, root: Path) -> None:
        """Every file the message names is in the batch, and has the hash the message states."""
        errors: list[MessageError] = []
        named = [r.file for r in message.recordings.values() if r.file]
        if message.release and message.release.image:
            named.append(message.images[message.release.image])
        for resource in named:
            path = _resource_path(folder, root, resource.path)
            if path is None or not path.is_file():
                errors.append(
                    MessageError(message.file, resource.xpath, f"{resource.path}: not in the batch")
                )
                continue
            problem = _hash_problem(path, resource)
            if problem:
                errors.append(MessageError(message.file, resource.xpath, problem))
        if errors:
            raise MessageRefused(errors)

    # -- applying a message ---------------------------------------------------------------
    def _apply(
        self, message: Message, result: MessageResult, folder: Path, progress: Progress | None
    ) -> None:
        existing = self._existing(message.release_keys)
        if message.kind == "purge":
            self._take_down(message, result, existing, "purge message")
            return
        assert message.release is not None
        deals = [d for d in message.deals if _streams(d)]
        current = [d for d in deals if d.end is None or d.end >= self.now.date()]
        if not current:
            why = "its deals have ended" if deals else "no streaming deal"
            self._take_down(message, result, existing, why)
            return
        windows = [window(d.territories, d.excluded, d.start, d.end) for d in current]
        try:
            key = existing[2] if existing else message.release_keys[0]
            source = self._source(message, folder, current, key)
            done = ReleaseIngest(self.t).run(source, progress)
        except (CadenzaError, MessageRefused) as exc:
            result.errors = _errors_of(exc, message)
            return
        result.status, result.release_id, result.track_ids = "published", *done_ids(done)
        self.availability.schedule(done.release_id, self.distributor_id, windows)
        if existing is not None and existing[1]:
            self.availability.restore(done.release_id, self.distributor_id, _why(message, "deal"))

    def _existing(self, keys: list[str]) -> tuple[int, bool, str] | None:
        """(release id, taken down by DDEX, its key) of the release the keys name, for this
        distributor: an update that adds an ICPN still finds the release its GRid named."""
        with self.t.uow() as uow:
            for key in keys:
                release = uow.catalog.release_by_source(self.distributor_id, key)
                if release is None:
                    continue
                history = (
                    uow.takedowns.takedown_history(release.id) if release.taken_down_at else []
                )
                by_ddex = bool(history) and (history[0].reason or "").startswith(TAKEDOWN_REASON)
                return release.id, release.taken_down_at is not None and by_ddex, key
        return None

    def _take_down(
        self,
        message: Message,
        result: MessageResult,
        existing: tuple[int, bool, str] | None,
        why: str,
    ) -> None:
        if existing is None:
            result.status = "not_published"
            result.warnings.append(f"{why}: the release is not published (nothing to take down)")
            return
        self.availability.take_down(existing[0], self.distributor_id, _why(message, why))
        self.availability.schedule(existing[0], self.distributor_id, [])
        result.status, result.release_id = "taken_down", existing[0]

    def _source(
        self, message: Message, folder: Path, deals: list[Deal], source_key: str
    ) -> ReleaseSource:
        release = message.release
        assert release is not None
        root = folder
        tracks: list[TrackEntry] = []
        files: list[Path] = []
        for ref in release.tracks:
            recording = message.recordings[ref.reference]
            assert recording.file is not None
            path = _resource_path(root, None, recording.file.path)
            assert path is not None
            files.append(path)
            fields: dict[str, Any] = {
                "title": recording.title,
                "artists": recording.artists or release.artists,
                "featured_artists": recording.featured,
                "disc": ref.disc,
                "number": ref.number,
                "explicit": recording.explicit,
            }
            fields |= {"isrc": recording.isrc} if recording.isrc else {}
            fields |= {"genres": recording.genres} if recording.genres else {}
            tracks.append(TrackEntry(path.name, fields))
        if len({p.name for p in files}) != len(files):
            raise InvalidDelivery("two sound recordings share a file name", code="duplicate_file")
        p_lines = [f"℗ {r.p_line}" for r in message.recordings.values() if r.p_line]
        stated: dict[str, Any] = {
            "title": release.title,
            "artists": release.artists or _first_artists(message),
            # Where a deal holds now (or, before any starts, where the first ones start); the
            # deal clock opens the others on their own dates and closes each at its end.
            "territories": offered_in(
                [window(d.territories, d.excluded, d.start, d.end) for d in deals], self.now
            ),
            "release_date": _release_at(release.release_date, deals),
            "explicit": release.explicit,
            # Deals for subscription streaming alone: paying listeners only (Free sees it)
            "premium_only": {m for d in deals for m in d.models} & STREAM_MODELS == {SUBSCRIPTION},
            "copyright": release.lines or list(dict.fromkeys(p_lines)),
            "type": _TYPES.get(release.release_type or "") or _by_count(len(tracks)),
        }
        stated |= {"upc": release.icpn} if release.icpn else {}
        stated |= {"label": release.label} if release.label else {}
        stated |= {"genres": release.genres} if release.genres else {}
        cover = None
        if release.image:
            cover = _resource_path(root, None, message.images[release.image].path)
        return ReleaseSource(
            name=release.title,
            files=files,
            cover=cover,
            atomic=True,
            min_cover_px=MIN_DELIVERY_COVER_PX if self.strict_cover else 1,
            cover_required=self.strict_cover and cover is not None,
            distributor_id=self.distributor_id,
            delivered_at=self.now,
            stated=Manifest(release=stated, tracks=tracks),
            source_key=source_key,
        )


def done_ids(done: Any) -> tuple[int, list[int]]:
    return done.release_id, list(done.track_ids)


def _created(message: Message | None) -> datetime:
    moment = message.created if message and message.created else datetime(1970, 1, 1)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _bounded_read(path: Path, name: str) -> bytes:
    """A message's bytes, refused by its size before anything is read into memory."""
    size = path.stat().st_size
    if size > MAX_MESSAGE_BYTES:
        raise MessageRefused(
            [MessageError(name, "/", f"the message is {size} bytes; at most {MAX_MESSAGE_BYTES}")]
        )
    return path.read_bytes()


def _why(message: Message, what: str) -> str:
    return f"{TAKEDOWN_REASON} {message.message_id or message.file}: {what}"[:500]


def _streams(deal: Deal) -> bool:
    """A deal that lets listeners stream (ERN 4.3's sample puts Stream under ConditionalDownload
    deals too: the use type decides)."""
    if deal.takedown:
        return False
    return bool(deal.uses & STREAM_USES) and bool(deal.models & STREAM_MODELS or not deal.models)


def _territories(deals: list[Deal]) -> tuple[str, ...]:
    """Where the deals allow streaming: their territories less the excluded ones."""
    return covered(window(d.territories, d.excluded, None, None) for d in deals)


def _release_at(stated: date | None, deals: list[Deal]) -> datetime:
    """Not before the release date, nor before the first deal starts."""
    starts = [d.start for d in deals if d.start is not None]
    first_deal = min(starts) if starts else None
    candidates = [d for d in (stated, first_deal) if d is not None]
    day = max(candidates) if candidates else date(1970, 1, 1)
    return datetime.combine(day, time(0), tzinfo=UTC)


def _by_count(count: int) -> ReleaseType:
    return ReleaseType.SINGLE if count <= 3 else ReleaseType.EP if count <= 6 else ReleaseType.ALBUM


def _first_artists(message: Message) -> list[str]:
    for recording in message.recordings.values():
        if recording.artists:
            return recording.artists
    return []


def _locate(root: Path, beside: Path, url: str) -> Path | None:
    """A manifest's URL: relative to the batch root, to the manifest, or to the batch folder it
    names first (/BATCH_ID/REL/REL.xml delivered as BATCH_ID/ or as its contents)."""
    parts = PurePosixPath(url.replace("\\", "/").lstrip("/")).parts
    if not parts or ".." in parts:
        return None
    for base in (root, beside):
        for skip in range(len(parts)):
            candidate = base.joinpath(*parts[skip:])
            if _inside(candidate, root) and candidate.is_file():
                return candidate
    return None


def _resource_path(folder: Path, root: Path | None, name: str) -> Path | None:
    """A file a message names, relative to the message's folder and never outside the batch."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or ".." in parts or PurePosixPath(name).is_absolute():
        return None
    path = folder.joinpath(*parts)
    return path if _inside(path, root or folder) else None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _hash_problem(path: Path, resource: ResourceFile) -> str | None:
    if resource.hash_algorithm is None or resource.hash_value is None:
        return None
    name = _HASHES.get(resource.hash_algorithm.upper().replace("-", "").replace("_", ""))
    if name is None:
        return f"unknown HashSum algorithm {resource.hash_algorithm!r}"
    digest = hashlib.new(name)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest().lower() != resource.hash_value.strip().lower():
        return (
            f"{resource.path}: {resource.hash_algorithm} is {digest.hexdigest()}, "
            f"the message says {resource.hash_value}"
        )
    return None


def _errors_of(exc: CadenzaError | MessageRefused, message: Message) -> list[MessageError]:
    """A pipeline refusal (bad audio, a UPC owned elsewhere), placed where the message names the
    file it concerns."""
    if isinstance(exc, MessageRefused):
        return exc.errors
    xpath = "/"
    for recording in message.recordings.values():
        if recording.file and exc.file and PurePosixPath(recording.file.path).name == exc.file:
            xpath = recording.file.xpath
    return [MessageError(message.file, xpath, f"{exc.message} ({exc.code})")]

"""Read an ERN NewReleaseMessage or PurgeReleaseMessage (4.3 or 3.8.2) into `model`.

ERN 4.3 is validated against its schema first (`schema.py`); both versions are then checked by
the rules Cadenza relies on: required elements present, every reference resolves, dates,
durations and codes well formed. Every problem is collected with its XPath before answering.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from cadenza.domain.catalog import normalise_isrc, normalise_upc
from cadenza.domain.errors import InvalidDelivery
from cadenza.domain.territories import ISO_COUNTRIES, WORLDWIDE
from cadenza.ingest.ddex.model import (
    Deal,
    Message,
    MessageError,
    MessageRefused,
    Recording,
    Release,
    ResourceFile,
    TrackRef,
)

if TYPE_CHECKING:
    from lxml import etree

NAMESPACES = {"http://ddex.net/xml/ern/43": "4.3", "http://ddex.net/xml/ern/382": "3.8.2"}
MESSAGE_KINDS = {"NewReleaseMessage": "new", "PurgeReleaseMessage": "purge"}
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
MAX_TEXT = 1000


def root_kind(root: etree._Element) -> tuple[str | None, str | None]:
    """(ERN version, message kind) of a root element, None where it is not one we read."""
    from lxml import etree

    qname = etree.QName(root)
    return NAMESPACES.get(qname.namespace or ""), MESSAGE_KINDS.get(qname.localname)


def read_message(root: etree._Element, file: str) -> Message:
    """The message, or MessageRefused with every problem found."""
    version, kind = root_kind(root)
    if version is None or kind is None:
        raise MessageRefused(
            [
                MessageError(
                    file, "/", "not an ERN 4.3 or 3.8.2 NewReleaseMessage/PurgeReleaseMessage"
                )
            ]
        )
    reader = _Reader(root, file, version)
    message = reader.read(kind)
    if reader.errors:
        raise MessageRefused(reader.errors)
    return message


class _Reader:
    def __init__(self, root: etree._Element, file: str, version: str) -> None:
        self.root = root
        self.tree = root.getroottree()
        self.file = file
        self.version = version
        self.errors: list[MessageError] = []
        self.parties: dict[str, str] = {}
        self.track_release_refs: set[str] = set()

    # -- helpers -----------------------------------------------------------------------
    def error(self, where: etree._Element | str, message: str) -> None:
        xpath = where if isinstance(where, str) else self.tree.getpath(where)
        self.errors.append(MessageError(self.file, xpath, message))

    def need(self, parent: etree._Element, path: str) -> etree._Element | None:
        found = parent.find(path)
        if found is None:
            self.error(parent, f"required element {path} is missing")
        return found

    def text(self, parent: etree._Element | None, path: str) -> str | None:
        if parent is None:
            return None
        found = parent.find(path)
        if found is None or found.text is None or not found.text.strip():
            return None
        value = found.text.strip()
        if len(value) > MAX_TEXT:
            self.error(found, f"{len(value)} characters; at most {MAX_TEXT} are accepted")
            return value[:MAX_TEXT]
        return value

    def need_text(self, parent: etree._Element, path: str) -> str:
        value = self.text(parent, path)
        if value is None:
            self.error(parent, f"required element {path} is missing or empty")
        return value or ""

    def date_of(self, parent: etree._Element | None, path: str) -> date | None:
        raw = self.text(parent, path)
        if raw is None or parent is None:
            return None
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            self.error(parent.find(path), f"{raw!r} is not a date (YYYY-MM-DD)")  # type: ignore[arg-type]
            return None

    def by_territory(self, parent: etree._Element, tag: str) -> etree._Element | None:
        """ERN 3.8.2's *DetailsByTerritory block: the Worldwide one, else the first."""
        blocks = parent.findall(tag)
        for block in blocks:
            if (self.text(block, "TerritoryCode") or "").lower() == "worldwide":
                return block
        return blocks[0] if blocks else None

    # -- the message ---------------------------------------------------------------------
    def read(self, kind: str) -> Message:
        header = self.need(self.root, "MessageHeader")
        message_id = self.need_text(header, "MessageId") if header is not None else ""
        created = None
        if header is not None:
            self.need(header, "MessageSender")
            raw = self.need_text(header, "MessageCreatedDateTime")
            try:
                created = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
            except ValueError:
                self.error(header, f"MessageCreatedDateTime {raw!r} is not a date-time")
        message = Message(self.file, self.version, kind, message_id, created)
        if kind == "purge":
            purged = self.need(self.root, "PurgedRelease")
            if purged is not None:
                release_id = self.need(purged, "ReleaseId")
                message.release_keys = self.release_keys(release_id)
                if release_id is not None and not message.release_keys:
                    self.error(release_id, "ReleaseId names no ICPN, GRid or ProprietaryId")
            return message
        self.read_parties()
        resources = self.need(self.root, "ResourceList")
        if resources is not None:
            for el in resources.findall("SoundRecording"):
                recording = self.recording(el)
                if recording.reference in message.recordings:
                    self.error(el, f"ResourceReference {recording.reference} is used twice")
                message.recordings[recording.reference] = recording
            for el in resources.findall("Image"):
                self.image(el, message)
            if not message.recordings:
                self.error(resources, "the message holds no SoundRecording")
        releases = self.need(self.root, "ReleaseList")
        if releases is not None:
            self.releases(releases, message)
        deals = self.root.find("DealList")
        if deals is not None and message.release is not None:
            message.deals = self.deals(deals, message)
        return message

    def read_parties(self) -> None:
        """ERN 4.3 names parties once, in PartyList, and refers to them by reference."""
        for party in self.root.findall("PartyList/Party"):
            reference = self.need_text(party, "PartyReference")
            names = party.findall("PartyName")
            plain = [n for n in names if n.get("LanguageAndScriptCode") is None] or names
            name = self.text(plain[0], "FullName") if plain else None
            if name is None:
                name = self.text(party, "PartyId/ProprietaryId") or reference
            self.parties[reference] = name

    def party(self, el: etree._Element, path: str) -> str | None:
        ref = self.text(el, path)
        if ref is None:
            return None
        if ref not in self.parties:
            self.error(el.find(path), f"party reference {ref} is not in the PartyList")  # type: ignore[arg-type]
            return None
        return self.parties[ref]

    def display_artists(self, el: etree._Element | None) -> tuple[list[str], list[str]]:
        """(main artists, featured artists) in sequence order, else DisplayArtistName."""
        if el is None:
            return [], []
        main: list[tuple[int, str]] = []
        featured: list[tuple[int, str]] = []
        for n, artist in enumerate(el.findall("DisplayArtist")):
            if self.version == "4.3":
                name = self.party(artist, "ArtistPartyReference")
                role = self.text(artist, "DisplayArtistRole") or "MainArtist"
            else:
                name = self.text(artist, "PartyName/FullName")
                role = self.text(artist, "ArtistRole") or "MainArtist"
            if not name:
                continue
            order = (
                int(artist.get("SequenceNumber") or 0)
                if _digits(artist.get("SequenceNumber"))
                else n
            )
            (featured if role == "FeaturedArtist" else main).append((order, name))
        names = [name for _, name in sorted(main)]
        if not names:
            defaults = [d for d in el.findall("DisplayArtistName") if d.get("IsDefault") == "true"]
            chosen = defaults or el.findall("DisplayArtistName")
            names = [chosen[0].text.strip()] if chosen and chosen[0].text else []
        return names, [name for _, name in sorted(featured)]

    def title(self, el: etree._Element, where: etree._Element | None) -> str:
        if self.version == "4.3":
            return self.text(el, "DisplayTitleText") or self.need_text(el, "DisplayTitle/TitleText")
        for block in (where, el):
            if block is None:
                continue
            for path in ("Title[@TitleType='DisplayTitle']", "Title[@TitleType='FormalTitle']"):
                title = block.find(path)
                if title is not None and self.text(title, "TitleText"):
                    return _with_subtitle(
                        self.text(title, "TitleText"), self.text(title, "SubTitle")
                    )
        return self.need_text(el, "ReferenceTitle/TitleText")

    def duration(self, el: etree._Element, path: str) -> int | None:
        raw = self.text(el, path)
        if raw is None:
            return None
        match = _DURATION.match(raw)
        if not match or raw in {"P", "PT"}:
            self.error(el.find(path), f"{raw!r} is not an ISO 8601 duration (PT3M45S)")  # type: ignore[arg-type]
            return None
        parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
        seconds = parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]
        return round(seconds * 1000)

    def isrc(self, el: etree._Element | None, path: str) -> str | None:
        raw = self.text(el, path)
        if raw is None or el is None:
            return None
        try:
            return normalise_isrc(raw)
        except InvalidDelivery as exc:
            self.error(el.find(path), exc.message)  # type: ignore[arg-type]
            return None

    def resource_file(self, el: etree._Element | None) -> ResourceFile | None:
        """The File element: URI (4.3) or FilePath + FileName (3.8.2), with its HashSum."""
        if el is None:
            return None
        if self.version == "4.3":
            path = self.text(el, "URI")
            algorithm = self.text(el, "HashSum/Algorithm")
            value = self.text(el, "HashSum/HashSumValue")
        else:
            name = self.text(el, "FileName")
            path = (
                f"{(self.text(el, 'FilePath') or '').rstrip('/')}/{name}".lstrip("/")
                if name
                else None
            )
            algorithm = self.text(el, "HashSum/HashSumAlgorithmType")
            value = self.text(el, "HashSum/HashSum")
        if path is None:
            self.error(el, "File names no file (URI, or FileName)")
            return None
        if (algorithm is None) != (value is None):
            self.error(el, "HashSum needs both its algorithm and its value")
        return ResourceFile(path, self.tree.getpath(el), algorithm, value)

    # -- resources -------------------------------------------------------------------------
    def recording(self, el: etree._Element) -> Recording:
        reference = self.need_text(el, "ResourceReference")
        if self.version == "4.3":
            edition = el.find("SoundRecordingEdition")
            isrc = self.isrc(edition, "ResourceId/ISRC")
            p_line = self.text(edition, "PLine/PLineText")
            files = el.findall("SoundRecordingEdition/TechnicalDetails/DeliveryFile/File")
            genre_block: etree._Element | None = el
            details: etree._Element | None = el
        else:
            isrc = self.isrc(el, "SoundRecordingId/ISRC")
            details = self.by_territory(el, "SoundRecordingDetailsByTerritory")
            p_line = self.text(details, "PLine/PLineText")
            files = (
                details.findall("TechnicalSoundRecordingDetails/File")
                if details is not None
                else []
            )
            genre_block = details
        artists, featured = self.display_artists(details)
        recording = Recording(
            reference=reference,
            title=self.title(el, details),
            isrc=isrc,
            artists=artists,
            featured=featured,
            duration_ms=self.duration(el, "Duration"),
            p_line=p_line,
            genres=_genres(genre_block),
            explicit=(
                self.text(el, "ParentalWarningType") or self.text(details, "ParentalWarningType")
            )
            == "Explicit",
            file=self.resource_file(files[0]) if files else None,
        )
        if recording.file is None:
            self.error(el, f"SoundRecording {reference} names no audio file")
        return recording

    def image(self, el: etree._Element, message: Message) -> None:
        reference = self.need_text(el, "ResourceReference")
        kind = self.text(el, "Type" if self.version == "4.3" else "ImageType")
        if self.version == "4.3":
            file_el = el.find("TechnicalDetails/File")
        else:
            details = self.by_territory(el, "ImageDetailsByTerritory")
            file_el = details.find("TechnicalImageDetails/File") if details is not None else None
        found = self.resource_file(file_el)
        if found is not None and kind in {"FrontCoverImage", "VideoScreenCapture", None}:
            message.images[reference] = found

    # -- releases ----------------------------------------------------------------------------
    def release_keys(self, release_id: etree._Element | None) -> list[str]:
        """The ids naming a release, as Cadenza keys them: UPC first, then GRid, then proprietary."""
        if release_id is None:
            return []
        keys: list[str] = []
        icpn = self.text(release_id, "ICPN")
        if icpn:
            try:
                keys.append(f"upc:{normalise_upc(icpn)}")
            except InvalidDelivery as exc:
                self.error(release_id.find("ICPN"), exc.message)  # type: ignore[arg-type]
        grid = self.text(release_id, "GRid")
        if grid:
            keys.append(f"ddex:grid:{grid.upper()}"[:255])
        for prop in release_id.findall("ProprietaryId"):
            if prop.text and prop.text.strip():
                keys.append(f"ddex:id:{prop.get('Namespace', '')}:{prop.text.strip()}"[:255])
        return keys

    def releases(self, releases: etree._Element, message: Message) -> None:
        all_releases = releases.findall("Release")
        if not all_releases:
            self.error(releases, "the ReleaseList holds no Release")
            return
        mains = [r for r in all_releases if r.get("IsMainRelease") == "true"]
        others = [r for r in all_releases if self.text(r, "ReleaseType") != "TrackRelease"]
        el = (mains or others or all_releases)[0]
        reference = self.need_text(el, "ReleaseReference")
        details = (
            self.by_territory(el, "ReleaseDetailsByTerritory") if self.version == "3.8.2" else el
        )
        release_id = self.need(el, "ReleaseId")
        keys = self.release_keys(release_id)
        if release_id is not None and not keys:
            self.error(release_id, "ReleaseId names no ICPN, GRid or ProprietaryId")
        message.release_keys = keys
        icpn = next((k[4:] for k in keys if k.startswith("upc:")), None)
        artists, _ = self.display_artists(details)
        if self.version == "4.3":
            label = self.party(el, "ReleaseLabelReference")
            released = self.date_of(el, "ReleaseDate") or self.date_of(el, "OriginalReleaseDate")
        else:
            label = self.text(details, "LabelName")
            released = self.date_of(details, "ReleaseDate") or self.date_of(
                details, "OriginalReleaseDate"
            )
        lines = [
            f"℗ {t}" if not t.startswith(("℗", "(P)")) else t for t in _all(el, "PLine/PLineText")
        ]
        lines += [
            f"© {t}" if not t.startswith(("©", "(C)")) else t for t in _all(el, "CLine/CLineText")
        ]
        release = Release(
            reference=reference,
            title=self.title(el, details),
            icpn=icpn,
            release_type=self.text(el, "ReleaseType"),
            artists=artists,
            label=label,
            release_date=released,
            genres=_genres(details),
            lines=lines,
            explicit=self.text(details, "ParentalWarningType") == "Explicit",
        )
        release.tracks = self.track_order(el, details, message)
        release.image = next(
            (r for r in self.resource_refs(el, details) if r in message.images), None
        )
        if not release.tracks:
            self.error(el, "the release lists no SoundRecording")
        message.release = release
        track_releases = [r for r in all_releases if r is not el]
        track_releases += releases.findall("TrackRelease")
        self.track_release_refs = {
            ref for r in track_releases if (ref := self.text(r, "ReleaseReference"))
        }

    def resource_refs(self, el: etree._Element, details: etree._Element | None) -> list[str]:
        refs = [
            (r.text or "").strip()
            for r in el.findall("ReleaseResourceReferenceList/ReleaseResourceReference")
        ]
        for block in {id(b): b for b in (el, details) if b is not None}.values():
            refs += [
                (r.text or "").strip()
                for r in block.iterfind(".//ResourceGroupContentItem/ReleaseResourceReference")
            ]
            refs += [
                (r.text or "").strip()
                for r in block.iterfind(".//ResourceGroup/LinkedReleaseResourceReference")
            ]
        return list(dict.fromkeys(refs))

    def track_order(
        self, el: etree._Element, details: etree._Element | None, message: Message
    ) -> list[TrackRef]:
        """Discs and track numbers from the ResourceGroups; else the resource list's order."""
        for ref in self.resource_refs(el, details):
            if ref not in message.recordings and ref not in message.images:
                listed = el.find("ReleaseResourceReferenceList")
                where = listed if listed is not None else el
                self.error(
                    where, f"ReleaseResourceReference {ref} names no resource in the message"
                )
        group_holder = details if self.version == "3.8.2" and details is not None else el
        top = group_holder.find("ResourceGroup")
        ordered: list[TrackRef] = []
        if top is not None:
            discs = top.findall("ResourceGroup") or [top]
            for disc_number, disc in enumerate(_by_sequence(discs), start=1):
                items = disc.findall("ResourceGroupContentItem")
                refs = [
                    (self.text(i, "ReleaseResourceReference") or "") for i in _by_sequence(items)
                ]
                refs = [r for r in refs if r in message.recordings]
                ordered += [TrackRef(r, disc_number, n) for n, r in enumerate(refs, start=1)]
        if not ordered:
            refs = [r for r in self.resource_refs(el, details) if r in message.recordings]
            ordered = [TrackRef(r, 1, n) for n, r in enumerate(refs, start=1)]
        return ordered

    # -- deals -------------------------------------------------------------------------------
    def deals(self, deal_list: etree._Element, message: Message) -> list[Deal]:
        """The deals of the main release and of its tracks' TrackReleases."""
        assert message.release is not None
        known = {message.release.reference} | self.track_release_refs
        found: list[Deal] = []
        for release_deal in deal_list.findall("ReleaseDeal"):
            refs = [(r.text or "").strip() for r in release_deal.findall("DealReleaseReference")]
            for ref, ref_el in zip(refs, release_deal.findall("DealReleaseReference"), strict=True):
                if ref not in known:
                    self.error(
                        ref_el, f"DealReleaseReference {ref} names no release in the message"
                    )
            for terms in release_deal.findall("Deal/DealTerms"):
                found.append(self.deal(terms))
        return found

    def deal(self, terms: etree._Element) -> Deal:
        territories = self.territories(terms, "TerritoryCode")
        excluded = self.territories(terms, "ExcludedTerritoryCode")
        if not territories:
            territories = (WORLDWIDE,) if excluded else ()
            if not excluded and (self.text(terms, "TakeDown") or "").lower() != "true":
                self.error(terms, "DealTerms names no TerritoryCode")
        models = {(m.text or "").strip() for m in terms.iter("CommercialModelType")}
        uses = {(u.text or "").strip() for u in terms.iter("UseType")}
        period = terms.find("ValidityPeriod")
        start = self.date_of(period, "StartDate") or self.date_of(period, "StartDateTime")
        end = self.date_of(period, "EndDate") or self.date_of(period, "EndDateTime")
        if start and end and end < start:
            self.error(period, "the deal ends before it starts")  # type: ignore[arg-type]
        takedown = (self.text(terms, "TakeDown") or "").lower() == "true"
        return Deal(territories, excluded, start, end, frozenset(models), frozenset(uses), takedown)

    def territories(self, terms: etree._Element, tag: str) -> tuple[str, ...]:
        codes: list[str] = []
        for el in terms.findall(tag):
            code = (el.text or "").strip()
            if code.lower() == "worldwide":
                codes.append(WORLDWIDE)
            elif code.upper() in ISO_COUNTRIES:
                codes.append(code.upper())
            else:
                self.error(el, f"unknown territory code {code!r} (ISO 3166-1 alpha-2 or Worldwide)")
        return tuple(dict.fromkeys(codes))


def _digits(text: str | None) -> bool:
    return bool(text) and text.isdigit()  # type: ignore[union-attr]


def _by_sequence(elements: list[etree._Element]) -> list[etree._Element]:
    """In SequenceNumber order (element or attribute), document order where none is given."""

    def key(pair: tuple[int, etree._Element]) -> tuple[int, int]:
        n, el = pair
        seq = el.findtext("SequenceNumber") or el.get("SequenceNumber") or ""
        return (int(seq) if seq.strip().isdigit() else 10**6, n)

    return [el for _, el in sorted(enumerate(elements), key=key)]


def _with_subtitle(title: str | None, subtitle: str | None) -> str:
    title = title or ""
    if not subtitle or subtitle.lower() in title.lower() or subtitle.lower() in _TYPE_WORDS:
        return title
    return f"{title} ({subtitle})"


_TYPE_WORDS = frozenset({"single", "ep", "album"})


def _genres(el: etree._Element | None) -> list[str]:
    if el is None:
        return []
    return list(dict.fromkeys(t for t in _all(el, "Genre/GenreText")))


def _all(el: etree._Element, path: str) -> list[str]:
    return [t.text.strip() for t in el.findall(path) if t.text and t.text.strip()]

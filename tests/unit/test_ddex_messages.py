"""Reading DDEX messages: the real ones, malformed ones and hostile ones (no database)."""

from __future__ import annotations

import hashlib
import time
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from cadenza.domain.territories import ISO_COUNTRIES, WORLDWIDE
from cadenza.ingest.ddex.batch import (
    _bounded_read,
    _hash_problem,
    _streams,
    _territories,
    is_ddex_batch,
)
from cadenza.ingest.ddex.ern import read_message
from cadenza.ingest.ddex.model import Deal, Message, MessageError, MessageRefused
from cadenza.ingest.ddex.safexml import MAX_MESSAGE_BYTES, parse_xml
from cadenza.ingest.ddex.schema import validate_ern43
from tests.fixtures.ddex import HERE

ERN43 = (HERE / "ern43" / "1_Audio.xml").read_text(encoding="utf-8")
SINGLE = (HERE / "01_delivery.xml").read_text(encoding="utf-8")


def read(text: str, name: str = "m.xml") -> Message:
    return read_message(parse_xml(text.encode(), name), name)


def check(text: str, name: str) -> None:
    """As a batch reads a message: parsed safely, ERN 4.3 against its schema, then our rules."""
    root = parse_xml(text.encode(), name)
    errors = validate_ern43(root, name) if "ddex.net/xml/ern/43" in text else []
    if errors:
        raise MessageRefused(errors)
    read_message(root, name)


def refusal(text: str, name: str = "m.xml") -> list[MessageError]:
    with pytest.raises(MessageRefused) as caught:
        check(text, name)
    return caught.value.errors


def test_the_real_messages_are_read() -> None:
    single = read(SINGLE)
    assert (single.version, single.kind, single.message_id) == ("3.8.2", "new", "MessageID5678")
    assert single.release is not None and single.release.title == "Example Album"
    assert single.recordings["A1"].duration_ms == 225_000
    assert single.recordings["A1"].p_line == "Label Name"
    purge = read((HERE / "03_delete.xml").read_text())
    assert purge.kind == "purge" and purge.release_keys == [
        "ddex:grid:A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6Q7R8S9T0"
    ]
    album = read(ERN43)
    assert album.version == "4.3" and album.release is not None
    assert len(album.release.tracks) == 21 and album.release.image == "A22"
    assert album.recordings["A1"].artists == ["Saeko Shu"]  # through the PartyList
    streaming = [d for d in album.deals if "Stream" in d.uses]
    assert streaming and streaming[0].models == {"SubscriptionModel", "AdvertisementSupportedModel"}
    assert streaming[0].start == date(2004, 4, 1)


def test_ern43_is_valid_against_the_shipped_schema_and_schema_errors_are_listed() -> None:
    assert validate_ern43(parse_xml(ERN43.encode(), "a.xml"), "a.xml") == []
    broken = ERN43.replace("<MessageId>Test1.1</MessageId>", "").replace(
        "<ReleaseType>Album</ReleaseType>", "<ReleaseType>Mixtape</ReleaseType>"
    )
    errors = refusal(broken, "a.xml")
    assert len(errors) >= 2 and all(e.file == "a.xml" for e in errors)
    assert any("MessageId" in e.message for e in errors)
    assert any(e.xpath.endswith("ReleaseType") and "Mixtape" in e.message for e in errors)


def test_dangling_references_are_errors_with_their_xpath() -> None:
    broken = ERN43.replace(
        "<ArtistPartyReference>PSaekoShu</ArtistPartyReference>",
        "<ArtistPartyReference>PNobody</ArtistPartyReference>",
        1,
    )
    (error,) = refusal(broken)
    assert (
        error.xpath
        == "/ern:NewReleaseMessage/ResourceList/SoundRecording[1]/DisplayArtist/ArtistPartyReference"
    )
    assert "PNobody" in error.message
    dangling = SINGLE.replace(
        "<ReleaseResourceReference>A1</ReleaseResourceReference>",
        "<ReleaseResourceReference>A7</ReleaseResourceReference>",
    )
    messages = [e.message for e in refusal(dangling)]
    assert any("A7 names no resource" in m for m in messages)


def test_ern382_rules_required_elements_codes_and_durations() -> None:
    broken = (
        SINGLE.replace("<MessageId>MessageID5678</MessageId>", "")
        .replace("<Duration>PT3M45S</Duration>", "<Duration>3:45</Duration>")
        .replace(
            "<TerritoryCode>Worldwide</TerritoryCode>\n          <ValidityPeriod>",
            "<TerritoryCode>XX</TerritoryCode>\n          <ValidityPeriod>",
        )
        .replace("<ISRC>USRC12345678</ISRC>", "<ISRC>nope</ISRC>")
    )
    errors = refusal(broken)
    by_path = {e.xpath: e.message for e in errors}
    assert "MessageId" in by_path["/ern:NewReleaseMessage/MessageHeader"]
    assert "ISO 8601" in by_path["/ern:NewReleaseMessage/ResourceList/SoundRecording/Duration"]
    assert (
        "'XX'"
        in by_path["/ern:NewReleaseMessage/DealList/ReleaseDeal/Deal/DealTerms/TerritoryCode"]
    )
    assert any("ISRC" in m for m in by_path.values())
    (other,) = refusal(SINGLE.replace("NewReleaseMessage", "CatalogListMessage"))
    assert "not an ERN" in other.message


def test_territories_worldwide_less_the_excluded() -> None:
    deals = [
        Deal(("FR", "DE"), models=frozenset({"SubscriptionModel"})),
        Deal((WORLDWIDE,), excluded=("FR", "DE", "US")),
    ]
    assert _territories(deals) == tuple(sorted(ISO_COUNTRIES - {"US"}))
    assert _territories([Deal((WORLDWIDE,))]) == (WORLDWIDE,)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/382"><MessageHeader>
<MessageId>&lol9;</MessageId></MessageHeader></ern:NewReleaseMessage>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE m [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/382"><MessageHeader>
<MessageId>&secret;</MessageId></MessageHeader></ern:NewReleaseMessage>"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE m SYSTEM "http://127.0.0.1:9/evil.dtd">
<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/382"/>"""


@pytest.mark.parametrize(
    "text", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["laughs", "xxe", "dtd"]
)
def test_hostile_xml_is_refused_quickly_and_reads_nothing(text: str) -> None:
    started = time.monotonic()
    errors = refusal(text, "evil.xml")
    assert time.monotonic() - started < 1.0
    assert errors[0].file == "evil.xml" and "forbidden" in errors[0].message
    assert "root:" not in errors[0].message  # /etc/passwd was never read


def test_a_huge_message_is_refused_before_parsing() -> None:
    huge = SINGLE.replace("</MessageHeader>", "<!--" + "x" * 2_000_000 + "--></MessageHeader>")
    with pytest.raises(MessageRefused) as caught:
        parse_xml(huge.encode(), "big.xml", max_bytes=1_000_000)
    assert "at most 1000000" in caught.value.errors[0].message


def test_malformed_xml_is_an_error_not_a_crash() -> None:
    errors = refusal(SINGLE[: len(SINGLE) // 2])
    assert "not well-formed" in errors[0].message


def test_a_take_down_deal_allows_no_streaming() -> None:
    withdrawn = SINGLE.replace(
        "<CommercialModelType>FreeOfChargeModel</CommercialModelType>",
        "<TakeDown>true</TakeDown><CommercialModelType>FreeOfChargeModel</CommercialModelType>",
    )
    (deal,) = read(withdrawn).deals
    assert deal.takedown and not _streams(deal)
    assert _streams(read(SINGLE).deals[0])


def test_a_batch_is_recognised_by_its_messages(tmp_path: Path) -> None:
    library = tmp_path / "Music"
    (library / "Artist" / "Album").mkdir(parents=True)
    (library / "iTunes Library.xml").write_text("<plist><dict/></plist>")
    assert not is_ddex_batch(library)
    (library / "Artist" / "Album" / "m.xml").write_text(SINGLE)
    assert is_ddex_batch(library) and is_ddex_batch(library / "Artist" / "Album" / "m.xml")
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("batch/R1/R1.xml", SINGLE)
    assert is_ddex_batch(archive)


def test_an_ern43_hashsum_is_read_and_checked(tmp_path: Path) -> None:
    audio = tmp_path / "0094631432057_01_001.wav"
    audio.write_bytes(b"RIFF tiny")
    right = hashlib.sha256(audio.read_bytes()).hexdigest()
    hashed = ERN43.replace(
        "<URI>0094631432057_01_001.wav</URI>",
        "<URI>0094631432057_01_001.wav</URI><HashSum><Algorithm>SHA-256</Algorithm>"
        f"<HashSumValue>{right}</HashSumValue></HashSum>",
    )
    assert validate_ern43(parse_xml(hashed.encode(), "a.xml"), "a.xml") == []
    resource = read(hashed).recordings["A1"].file
    assert resource is not None and (resource.hash_algorithm, resource.hash_value) == (
        "SHA-256",
        right,
    )
    assert _hash_problem(audio, resource) is None
    wrong = replace(resource, hash_value="0" * 64)
    assert "SHA-256 is " + right in (_hash_problem(audio, wrong) or "")
    assert "unknown HashSum" in (
        _hash_problem(audio, replace(resource, hash_algorithm="CRC")) or ""
    )


def test_a_huge_message_file_is_refused_by_its_size_without_being_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as f:
        f.truncate(MAX_MESSAGE_BYTES + 1)  # sparse: nothing to read, only its size
    with pytest.raises(MessageRefused) as caught:
        _bounded_read(huge, "huge.xml")
    assert "at most" in caught.value.errors[0].message

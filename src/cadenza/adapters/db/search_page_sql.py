"""A search page's rows read back from the catalog in one statement, per engine: tracks, their
artists and files, releases (the hits' and the tracks'), their artists and covers, as six parts
of one UNION ALL over a shared column layout, built once per engine."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    Integer,
    Select,
    Text,
    bindparam,
    cast,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import CompoundSelect

from cadenza.adapters.db.models import (
    ArtistRow,
    AudioFileRow,
    CoverImageRow,
    ReleaseArtistRow,
    ReleaseRow,
    TrackArtistRow,
    TrackRow,
)

TRACK, TRACK_ARTIST, FILE, RELEASE, RELEASE_ARTIST, COVER = range(6)
_SLOTS: dict[str, Any] = {
    "n1": BigInteger(),
    "n2": BigInteger(),
    "n3": BigInteger(),
    "n4": BigInteger(),
    "t1": Text(),
    "t2": Text(),
    "t3": Text(),
    "t4": Text(),
    "t5": Text(),
    "f1": Float(),
    "f2": Float(),
    "j1": JSON(),
    "j2": JSON(),
    "d1": DateTime(timezone=True),
    "d2": DateTime(timezone=True),
    "b1": Boolean(),
}


@lru_cache(maxsize=2)
def page_statement(postgres: bool) -> CompoundSelect[Any]:
    """The page's rows, (part, owner, slots...), for :track_ids and :release_ids (expanding)."""
    track_ids: BindParameter[int] = bindparam("track_ids", expanding=True)
    release_ids: BindParameter[int] = bindparam("release_ids", expanding=True)
    # The hits' releases and the tracks' own, as one small set: an OR of the two made both
    # engines read every release (PostgreSQL planned a sequential scan).
    wanted = union_all(
        select(TrackRow.release_id).where(TrackRow.id.in_(track_ids)),
        select(ReleaseRow.id).where(ReleaseRow.id.in_(release_ids)),
    )

    def part(number: int, owner: Any, **slots: Any) -> Select[Any]:
        columns = [literal(number, Integer).label("part"), owner.label("owner")]
        for name, type_ in _SLOTS.items():
            value = slots.get(name)
            if value is None:  # PostgreSQL types a union's NULLs by its first branch otherwise
                value = cast(null(), type_) if postgres else type_coerce(null(), type_)
            columns.append(value.label(name))
        return select(*columns)

    tracks = part(
        TRACK,
        TrackRow.id,
        n1=TrackRow.release_id,
        n2=TrackRow.disc_number,
        n3=TrackRow.track_number,
        n4=TrackRow.duration_ms,
        t1=TrackRow.title,
        t2=TrackRow.isrc,
        f1=TrackRow.loudness_lufs,
        f2=TrackRow.true_peak_dbtp,
        j1=TrackRow.genres,
        b1=TrackRow.explicit,
    ).where(TrackRow.id.in_(track_ids))
    track_artists = (
        part(
            TRACK_ARTIST,
            TrackArtistRow.track_id,
            n1=ArtistRow.id,
            n2=TrackArtistRow.position,
            t1=TrackArtistRow.role,
            t2=ArtistRow.name,
        )
        .join(ArtistRow, ArtistRow.id == TrackArtistRow.artist_id)
        .where(TrackArtistRow.track_id.in_(track_ids))
    )
    files = part(
        FILE,
        AudioFileRow.track_id,
        n1=AudioFileRow.size,
        n2=AudioFileRow.bitrate_kbps,
        t1=AudioFileRow.quality,
        t2=AudioFileRow.blob,
    ).where(AudioFileRow.track_id.in_(track_ids))
    release_rows = part(
        RELEASE,
        ReleaseRow.id,
        n1=ReleaseRow.distributor_id,
        t1=ReleaseRow.title,
        t2=ReleaseRow.release_type,
        t3=ReleaseRow.upc,
        t4=ReleaseRow.label,
        t5=ReleaseRow.territories,
        f1=ReleaseRow.loudness_lufs,
        f2=ReleaseRow.true_peak_dbtp,
        j1=ReleaseRow.genres,
        j2=ReleaseRow.copyright_lines,
        d1=ReleaseRow.release_at,
        d2=ReleaseRow.taken_down_at,
        b1=ReleaseRow.explicit,
    ).where(ReleaseRow.id.in_(wanted))
    release_artists = (
        part(
            RELEASE_ARTIST,
            ReleaseArtistRow.release_id,
            n1=ArtistRow.id,
            n2=ReleaseArtistRow.position,
            t2=ArtistRow.name,
        )
        .join(ArtistRow, ArtistRow.id == ReleaseArtistRow.artist_id)
        .where(ReleaseArtistRow.release_id.in_(wanted))
    )
    covers = part(
        COVER, CoverImageRow.release_id, n1=CoverImageRow.size_px, t2=CoverImageRow.blob
    ).where(CoverImageRow.release_id.in_(wanted))
    return union_all(tracks, track_artists, files, release_rows, release_artists, covers)

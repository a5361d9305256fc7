"""Browsing: folders, indexes, artists, albums, songs, genres, album lists, random songs,
artist and album info, similar and top songs (the recommendation engine), lyrics."""

from __future__ import annotations

from collections import Counter

from cadenza.api.subsonic import shapes
from cadenza.api.subsonic.call import Call
from cadenza.api.subsonic.params import item_id
from cadenza.api.subsonic.render import Node, SubsonicError
from cadenza.domain.errors import NotFound

FOLDER_ID = 1
IGNORED_ARTICLES = "The El La Los Las Le Les"
MAX_LIST = 500


def music_folders(call: Call) -> Node:
    return {"musicFolders": {"musicFolder": [{"id": FOLDER_ID, "name": "Cadenza"}]}}


def _index(call: Call) -> list[Node]:
    artists = call.app.shelf.artists(call.viewer)
    marks = call.marks(artists=[a.id for a in artists])
    groups: dict[str, list[Node]] = {}
    articles = tuple(f"{a.casefold()} " for a in IGNORED_ARTICLES.split())
    for a in artists:
        name = a.name
        for article in articles:
            if name.casefold().startswith(article):
                name = name[len(article) :]
        letter = name[:1].upper()
        key = letter if letter.isalpha() else "#"
        groups.setdefault(key, []).append(shapes.artist(a.id, a.name, a.album_count, marks))
    return [{"name": k, "artist": groups[k]} for k in sorted(groups)]


def artists(call: Call) -> Node:
    return {"artists": {"ignoredArticles": IGNORED_ARTICLES, "index": _index(call)}}


def indexes(call: Call) -> Node:
    modified = int(call.app.clock.now().timestamp() * 1000)
    return {
        "indexes": {
            "ignoredArticles": IGNORED_ARTICLES,
            "lastModified": modified,
            "index": _index(call),
        }
    }


def artist(call: Call) -> Node:
    artist_id = item_id(call.params.required("id"), shapes.ARTIST)
    found = call.app.catalog.artist(artist_id, call.viewer)
    releases = list(found.all_releases)
    marks = call.marks(artists=[artist_id])
    node = shapes.artist(found.id, found.name, len(releases), marks)
    return {"artist": node | {"album": call.albums(releases)}}


def album(call: Call) -> Node:
    release_id = item_id(call.params.required("id"), shapes.ALBUM)
    release = call.app.catalog.release(release_id, call.viewer)
    songs = call.songs([(t, release) for t in release.tracks])
    node = call.albums([release])[0]
    return {"album": node | {"song": songs}}


def song(call: Call) -> Node:
    track_id = item_id(call.params.required("id"), shapes.SONG)
    track, release = call.app.catalog.track(track_id, call.viewer)
    return {"song": call.songs([(track, release)])[0]}


def genres(call: Call) -> Node:
    found = call.app.shelf.genres(call.viewer)
    return {
        "genres": {
            "genre": [
                {"songCount": g.songs, "albumCount": g.albums, "value": g.name} for g in found
            ]
        }
    }


def album_list2(call: Call) -> Node:
    kind = call.params.required("type")
    size = call.params.int("size", 10, 1, MAX_LIST)
    offset = call.params.int("offset", 0, 0, 1_000_000)
    if kind == "newest":  # the web player's new releases, in one read
        releases = call.app.catalog.new_releases(call.viewer, size, offset)
        return {"albumList2": {"album": call.albums(releases)}}
    return {"albumList2": {"album": call.album_ids(_album_ids(call, kind, size, offset))}}


def _album_ids(call: Call, kind: str, size: int, offset: int) -> list[int]:
    shelf, viewer = call.app.shelf, call.viewer
    if kind == "starred":
        saved, _ = call.app.collection.releases(call.account_id, size, offset)
        return [s.release_id for s in saved if s.release is not None]
    if kind == "highest":
        return shelf.best_rated(call.account_id, "release", offset + size)[offset:]
    if kind in ("recent", "frequent"):
        plays = call.app.listening.recently_played(call.account_id, 1000, 0)
        picked = shelf.songs(list(dict.fromkeys(p.track_id for p in plays)), viewer)
        release_of = {t.id: r.id for t, r in picked}
        heard = [release_of[p.track_id] for p in plays if p.track_id in release_of]
        if kind == "recent":
            ordered = list(dict.fromkeys(heard))
        else:
            ordered = [r for r, _ in Counter(heard).most_common()]
        return ordered[offset : offset + size]
    years = None
    if kind == "byYear":
        years = (call.params.int("fromYear"), call.params.int("toYear"))
    genre = call.params.get("genre") if kind == "byGenre" else None
    if kind == "byGenre" and not genre:
        raise SubsonicError(10, "required parameter is missing: genre")
    return shelf.albums(viewer, kind, size, offset, genre=genre, years=years)


def random_songs(call: Call) -> Node:
    size = call.params.int("size", 10, 1, MAX_LIST)
    years = (call.params.optional_int("fromYear"), call.params.optional_int("toYear"))
    ids = call.app.shelf.random_songs(call.viewer, size, call.params.get("genre"), years)
    return {"randomSongs": {"song": call.song_ids(ids)}}


def songs_by_genre(call: Call) -> Node:
    genre = call.params.required("genre")
    count = call.params.int("count", 10, 1, MAX_LIST)
    offset = call.params.int("offset", 0, 0, 1_000_000)
    ids = call.app.shelf.songs_by_genre(call.viewer, genre, count, offset)
    return {"songsByGenre": {"song": call.song_ids(ids)}}


def artist_info2(call: Call) -> Node:
    artist_id = item_id(call.params.required("id"), shapes.ARTIST)
    count = call.params.int("count", 20, 1, 50)
    page = call.app.artist_pages.public(artist_id, call.viewer)  # 404 when not seen
    related = call.app.recommendations.related_artists(artist_id, call.viewer, count)
    avatar = page.page.avatar
    image = f"{call.app.settings.public_url}/api/v1/images/{avatar}" if avatar else None
    similar = [shapes.artist(a, name, 0, shapes.Marks()) for a, name in related.artists]
    return {
        "artistInfo2": {
            "biography": page.page.bio or None,
            "smallImageUrl": image,
            "mediumImageUrl": image,
            "largeImageUrl": image,
            "similarArtist": similar,
        }
    }


def album_info2(call: Call) -> Node:
    release_id = item_id(call.params.required("id"), shapes.ALBUM)
    release = call.app.catalog.release(release_id, call.viewer)
    base = call.app.settings.public_url
    covers = {size: f"{base}/api/v1/images/{blob}" for size, blob in release.covers.items()}
    notes = " ".join(release.copyright_lines) or None
    return {
        "albumInfo": {
            "notes": notes,
            "smallImageUrl": covers.get(64),
            "mediumImageUrl": covers.get(300),
            "largeImageUrl": covers.get(640),
        }
    }


def similar_songs2(call: Call) -> Node:
    raw = call.params.required("id")
    count = call.params.int("count", 50, 1, 100)
    if raw.startswith(shapes.ARTIST):  # similar to an artist: their neighbours' songs
        top = call.app.recommendations.top_tracks(item_id(raw, shapes.ARTIST), call.viewer, 1)
        if not top.tracks:
            return {"similarSongs2": {"song": []}}
        track_id = top.tracks[0][0].id
    else:
        track_id = item_id(raw, shapes.SONG)
    found = call.app.recommendations.similar_tracks(track_id, call.viewer, count)
    return {"similarSongs2": {"song": call.songs(found.tracks)}}


def top_songs(call: Call) -> Node:
    name = call.params.required("artist")
    count = call.params.int("count", 50, 1, 100)
    try:
        artist_id = call.app.shelf.artist_named(name)
        found = call.app.recommendations.top_tracks(artist_id, call.viewer, count)
    except NotFound:
        return {"topSongs": {"song": []}}
    return {"topSongs": {"song": call.songs(found.tracks)}}


def lyrics_by_song_id(call: Call) -> Node:
    track_id = item_id(call.params.required("id"), shapes.SONG)
    track, _ = call.app.catalog.track(track_id, call.viewer)
    try:
        found = call.app.catalog.lyrics(track_id, call.viewer)
    except NotFound:
        return {"lyricsList": {"structuredLyrics": []}}
    lines = [
        {"start": line.start_ms, "value": line.text} if found.synced else {"value": line.text}
        for line in found.lines
    ]
    artist_names = ", ".join(a.name for a in track.artists)
    return {
        "lyricsList": {
            "structuredLyrics": [
                {
                    "displayArtist": artist_names,
                    "displayTitle": track.title,
                    "lang": "xxx",
                    "synced": found.synced,
                    "line": lines,
                }
            ]
        }
    }


def search3(call: Call) -> Node:
    from cadenza.domain.search import Kind
    from cadenza.services.search import Hit

    query = (call.params.get("query") or "").strip().strip('"')
    counts = {k: call.params.int(f"{k}Count", 20, 0, MAX_LIST) for k in ("artist", "album", "song")}
    offsets = {k: call.params.int(f"{k}Offset", 0, 0, 1_000_000) for k in counts}
    viewer, shelf = call.viewer, call.app.shelf
    if not query:  # the whole library, page by page: how apps sync it
        every = shelf.artists(viewer)[offsets["artist"] : offsets["artist"] + counts["artist"]]
        marks = call.marks(artists=[a.id for a in every])
        return {
            "searchResult3": {
                "artist": [shapes.artist(a.id, a.name, a.album_count, marks) for a in every],
                "album": call.album_ids(
                    shelf.every_album(viewer, counts["album"], offsets["album"])
                ),
                "song": call.song_ids(shelf.every_song(viewer, counts["song"], offsets["song"])),
            }
        }
    # One search per distinct page asked (apps ask the same for all three: one search).
    kinds = {"artist": Kind.ARTIST, "album": Kind.RELEASE, "song": Kind.TRACK}
    pages: dict[tuple[int, int], list[str]] = {}
    for name in kinds:
        if counts[name]:
            pages.setdefault((counts[name], offsets[name]), []).append(name)
    found: dict[str, list[Hit]] = {name: [] for name in kinds}
    for (count, offset), names in pages.items():
        asked = [kinds[n] for n in names]
        results = call.app.search.search(query, viewer, asked, count, offset)
        for n in names:
            found[n] = list(results.groups[kinds[n]].hits)
    artist_hits = [h.artist for h in found["artist"] if h.artist is not None]
    marks = call.marks(artists=[a.id for a in artist_hits])
    releases = [h.release for h in found["album"] if h.release is not None]
    songs = [
        (h.track, h.release) for h in found["song"] if h.track is not None and h.release is not None
    ]
    return {
        "searchResult3": {
            "artist": [shapes.artist(a.id, a.name, 0, marks) for a in artist_hits],
            "album": call.album_ids([r.id for r in releases]),
            "song": call.songs(songs),
        }
    }

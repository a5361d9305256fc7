"""The folder-shaped forms older apps browse by (DSub, Subsonic's own): an artist is a folder of
album folders, an album a folder of songs (getMusicDirectory), and album lists, stars and
search answered as such folders (getAlbumList, getStarred, search2)."""

from __future__ import annotations

from cadenza.api.subsonic import browse, library, shapes
from cadenza.api.subsonic.call import Call
from cadenza.api.subsonic.render import Node


def _as_folder(album: Node) -> Node:
    return {
        "id": album["id"],
        "parent": album.get("artistId"),
        "isDir": True,
        "title": album["name"],
        "album": album["name"],
        "artist": album.get("artist"),
        "year": album.get("year"),
        "genre": album.get("genre"),
        "coverArt": album.get("coverArt"),
        "created": album.get("created"),
        "starred": album.get("starred"),
        "userRating": album.get("userRating"),
    }


def music_directory(call: Call) -> Node:
    raw = call.params.required("id")
    if raw.startswith(shapes.ARTIST):
        found = browse.artist(call)["artist"]
        folder = {"id": found["id"], "name": found["name"], "starred": found.get("starred")}
        return {"directory": folder | {"child": [_as_folder(a) for a in found["album"]]}}
    album = browse.album(call)["album"]
    folder = {"id": album["id"], "parent": album.get("artistId"), "name": album["name"]}
    return {"directory": folder | {"starred": album.get("starred"), "child": album["song"]}}


def album_list(call: Call) -> Node:
    albums = browse.album_list2(call)["albumList2"]["album"]
    return {"albumList": {"album": [_as_folder(a) for a in albums]}}


def starred(call: Call) -> Node:
    found = library.starred2(call)["starred2"]
    folders = [_as_folder(a) for a in found["album"]]
    return {"starred": {"artist": found["artist"], "album": folders, "song": found["song"]}}


def search2(call: Call) -> Node:
    found = browse.search3(call)["searchResult3"]
    folders = [_as_folder(a) for a in found["album"]]
    return {"searchResult2": {"artist": found["artist"], "album": folders, "song": found["song"]}}


def artist_info(call: Call) -> Node:
    return {"artistInfo": browse.artist_info2(call)["artistInfo2"]}


def album_info(call: Call) -> Node:
    return browse.album_info2(call)


def similar_songs(call: Call) -> Node:
    return {"similarSongs": browse.similar_songs2(call)["similarSongs2"]}

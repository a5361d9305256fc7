"""Your Library: the listener's playlists (own and followed), saved releases and followed
artists in one list, sorted and filtered as asked."""

from __future__ import annotations

from cadenza.domain.collection import ItemKind, LibraryItem, LibrarySort, arrange
from cadenza.services.collection import Collection
from cadenza.services.playlists import Playlists


def your_library(
    collection: Collection,
    playlists: Playlists,
    account_id: int,
    sort: LibrarySort = LibrarySort.RECENT,
    kind: ItemKind | None = None,
    text: str | None = None,
) -> list[LibraryItem]:
    items = [
        LibraryItem(ItemKind.PLAYLIST, p.id, p.name, p.owner_name, added_at)
        for p, added_at in playlists.of_listener(account_id)
    ]
    if kind is not ItemKind.PLAYLIST:
        items += collection.library_items(account_id)
    return arrange(items, sort, kind, text)

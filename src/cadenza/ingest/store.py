"""Stage `store`: encoded files and covers into the content-addressed blob store."""

from __future__ import annotations

from dataclasses import dataclass, field

from cadenza.domain.catalog import COVER_SIZES, EncodedAudio
from cadenza.ports import BlobStore, CoverArt, TranscodeResult


@dataclass
class StoredBlobs:
    """Blobs this ingest created, so a failed publish can take them back."""

    blobs: BlobStore
    created: list[str] = field(default_factory=list)

    def store_ladder(self, result: TranscodeResult) -> tuple[EncodedAudio, ...]:
        stored = []
        for encoded in result.files:
            blob = self.blobs.put_file(encoded.path)
            if blob.created:
                self.created.append(blob.digest)
            stored.append(
                EncodedAudio(encoded.quality, blob.digest, blob.size, encoded.bitrate_kbps)
            )
        return tuple(stored)

    def store_cover(self, covers: CoverArt, image: bytes, *, min_px: int) -> dict[int, str]:
        prepared = covers.prepare(image, min_px=min_px)
        digests: dict[int, str] = {}
        for size in COVER_SIZES:
            blob = self.blobs.put_bytes(prepared.sizes[size])
            if blob.created:
                self.created.append(blob.digest)
            digests[size] = blob.digest
        return digests

    def take_back(self) -> None:
        for digest in self.created:
            self.blobs.delete(digest)
        self.created.clear()

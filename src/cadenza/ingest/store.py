"""Stage `store`: encoded files and covers into the content-addressed blob store."""

from __future__ import annotations

from dataclasses import dataclass, field

from cadenza.domain.catalog import COVER_SIZES, EncodedAudio
from cadenza.ports.audio import CoverImages, TranscodeResult
from cadenza.ports.blobs import BlobStore


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

    def store_cover(self, prepared: CoverImages) -> dict[int, str]:
        digests: dict[int, str] = {}
        for size in COVER_SIZES:
            blob = self.blobs.put_bytes(prepared.sizes[size])
            if blob.created:
                self.created.append(blob.digest)
            digests[size] = blob.digest
        return digests

    def take_back(self, in_use: set[str]) -> None:
        """Delete what this ingest created, except what a concurrent one has published since."""
        for digest in self.created:
            if digest not in in_use:
                self.blobs.delete(digest)
        self.created.clear()

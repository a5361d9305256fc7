"""Folders of files mirrored through the bucket: what one node writes (the recommendation
model's version folder) the others fetch onto their own disks, where they are memory-mapped.

A folder goes up file by file (multipart above the part size), and only then the pointer that
names it, so a node that reads the pointer finds every file there; a folder comes down into a
temporary folder that the caller renames into place. boto3 streams both ways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cadenza.adapters.blobs.s3 import S3BlobStore


class S3Folders:
    def __init__(self, blobs: S3BlobStore, under: str) -> None:
        self.client, self.bucket = blobs.client, blobs.bucket
        self.transfer = blobs.transfer
        self.prefix = f"{blobs.prefix}{under.strip('/')}/"

    def push(self, folder: Path, name: str) -> None:
        """Every file of `folder` under `<under>/<name>/`."""
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            self.client.upload_file(
                str(path), self.bucket, f"{self.prefix}{name}/{path.name}", Config=self.transfer
            )

    def pull(self, name: str, into: Path) -> int:
        """The files of `<under>/<name>/` into the folder `into` (made); how many."""
        into.mkdir(parents=True, exist_ok=True)
        fetched = 0
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}{name}/"
        )
        for page in pages:
            for item in page.get("Contents", ()):
                file_name = item["Key"].rsplit("/", 1)[-1]
                if not file_name or file_name.startswith("."):
                    continue
                self.client.download_file(
                    self.bucket, item["Key"], str(into / file_name), Config=self.transfer
                )
                fetched += 1
        return fetched

    def write_pointer(self, pointer: str, text: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=f"{self.prefix}{pointer}", Body=text.encode()
        )

    def read_pointer(self, pointer: str) -> str | None:
        from botocore.exceptions import ClientError

        try:
            found: Any = self.client.get_object(Bucket=self.bucket, Key=f"{self.prefix}{pointer}")
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code", "")) in ("404", "NoSuchKey"):
                return None
            raise
        text: str = found["Body"].read(256).decode().strip()
        return text

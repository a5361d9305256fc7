"""What the data dir holds that is not public is the server's user's alone: the database and its
WAL files (password hashes, e-mail addresses) 0600, uploads, work folders and the outbox 0700."""

from __future__ import annotations

import stat
from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.conftest import KEY, sign_in


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_files_of_the_data_dir_are_owner_only_after_a_start_and_a_write(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    sign_in(client, app, "ada@example.org")  # writes accounts, sessions, mail
    assert client.get("/api/v1/distributor/releases", headers=KEY).status_code == 200
    data = app.settings.data_dir
    if app.engine.dialect.name == "sqlite":
        database = data / "cadenza.db"
        for path in (database, data / "cadenza.db-wal", data / "cadenza.db-shm"):
            assert path.exists(), path
            assert mode(path) == 0o600, (path, oct(mode(path)))
    for folder in ("work", "uploads", "outbox"):
        assert mode(data / folder) == 0o700, folder
    assert list((data / "outbox").iterdir())  # the sign-in code went there, out of reach
    for secret in data.glob("*.key"):
        assert mode(secret) == 0o600, secret

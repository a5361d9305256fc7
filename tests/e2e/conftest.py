from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cadenza.api.app import create_app
from cadenza.bootstrap import App
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

KEY = {"X-Distributor-Key": "test-distributor-key"}


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as test_client:
        yield test_client


@pytest.fixture
def published(app: App, tmp_path: Path) -> int:
    """A released, worldwide release of three tracks (FLAC, MP3, FLAC); returns its id."""
    return deliver(app, make_release(tmp_path / "published")).release_id


@pytest.fixture
def accounts(app: App) -> Iterator[TestClient]:
    """A client from one ordinary address (a documentation range IP)."""
    with TestClient(create_app(app), client=("198.51.100.7", 40000)) as test_client:
        yield test_client

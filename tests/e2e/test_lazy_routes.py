"""A server imports a route module when a request first needs it, and answers as if every
module had been there from the start."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import delete

from cadenza.adapters.db.engine import search_index_missing
from cadenza.adapters.db.models_search import SearchEntryRow
from cadenza.api.app import CadenzaApi, create_app
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from tests.fixtures.catalog import put_release


def test_route_modules_arrive_with_their_first_request_and_answer_as_always(app: App) -> None:
    api = create_app(app)
    assert isinstance(api, CadenzaApi) and api.lazy_routes is not None
    lazy = api.lazy_routes
    with TestClient(api) as client:
        assert client.get("/healthz").status_code == 200
        assert {"catalog", "admin", "auth"} <= set(lazy.pending)  # nothing asked for yet
        for _ in range(2):  # the second time too: nothing more is imported
            answer = client.get("/api/v1/browse/new-releases")
            assert answer.status_code == 200 and answer.json()["items"] == []
            assert "catalog" not in lazy.pending and "admin" in lazy.pending
        refused = client.get("/api/v1/admin/users")  # a module not imported: still guarded
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "authentication_required"
        assert "admin" not in lazy.pending and "royalties" in lazy.pending
        # An API path no route lists: every module is imported before the answer, which is
        # then the 404 any server gives.
        unknown = client.get("/api/v1/no-such-thing")
        assert unknown.status_code == 404
        assert lazy.pending == []
        assert "/api/v1/admin/users" in client.get("/openapi.json").json()["paths"]


def test_a_server_indexes_a_catalog_its_search_has_never_seen(app: App) -> None:
    """The start asks the database (no search tables loaded) and indexes only when needed."""
    assert not search_index_missing(app.engine)  # an empty catalog: nothing to index
    put_release(app, "Old Catalog", ["Archive Band"], ["Dusty Song"])
    assert not search_index_missing(app.engine)  # indexed as it was published
    with app.uow() as uow:  # as a catalog published before search existed looks
        uow.session.execute(delete(SearchEntryRow))
        uow.commit()
    assert search_index_missing(app.engine)
    server = bootstrap(app.settings, serving=True)
    try:
        with TestClient(create_app(server)) as client:
            found = client.get("/api/v1/search", params={"q": "dusty"}).json()
        assert found["top"]["track"]["title"] == "Dusty Song"
    finally:
        server.close()


def test_a_server_opens_sqlalchemy_with_its_first_reading_request_and_still_answers_503(
    tmp_path: Path,
) -> None:
    """A server's start and its first /healthz read through SQLite's own driver; SQLAlchemy's
    engine is made by the first request that reads through it, after the app's middleware was
    built, and a database that goes away is still answered 503 `database_unavailable`."""
    settings = Settings(data_dir=tmp_path / "var", background=False)
    server = bootstrap(settings, serving=True)
    try:
        with TestClient(create_app(server), raise_server_exceptions=False) as client:
            assert client.get("/healthz").json()["status"] == "ok"
            assert not server.engine_made  # SQLAlchemy not needed yet
            assert client.get("/api/v1/browse/new-releases").status_code == 200
            assert server.engine_made
            database = settings.data_dir / "cadenza.db"
            for each in settings.data_dir.glob("cadenza.db*"):
                each.unlink()
            database.mkdir()  # SQLite can no longer open it
            server.engine.dispose()
            for path in ("/api/v1/browse/new-releases", "/healthz"):
                answer = client.get(path)
                assert answer.status_code == 503, path
                assert answer.json()["error"]["code"] == "database_unavailable"
    finally:
        server.close()

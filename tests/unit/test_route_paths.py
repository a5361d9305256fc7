"""A server imports a route module when a request first matches one of its paths: the list of
paths it reads (api/route_paths.py) must be the route modules' own, or a new route of a module
not yet imported would be answered by the web player's shell."""

from __future__ import annotations

from cadenza.api.lazy_routes import HERE, write_paths


def test_the_list_of_route_paths_is_current() -> None:
    written = (HERE / "route_paths.py").read_text()
    assert written == write_paths(), "run `python -m cadenza.api.lazy_routes` and commit"

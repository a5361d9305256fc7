"""Route modules imported when a request first needs them.

Forty route modules with their request and response models cost a server about 20 MB and a
second at start; a home server whose listeners never open the advertiser, distributor or
royalty pages never needs theirs. Each module gets an empty router, included in its place in
ROUTE_MODULES order at start; the first request whose path one of its routes matches
(`route_paths.PATHS`, generated from the modules) imports it into that router. Routing then
answers exactly as if every module had been there from the start: every module with a route
for the path is in place before the router looks, in its original order.

`python -m cadenza.api.lazy_routes` writes `route_paths.py` again after a route is added
(tests/unit/test_route_paths.py says when it is due). A module missing from it is imported at
start; an API path no listed route matches imports them all, so a stale list costs memory,
never an answer.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import Mount, compile_path

if TYPE_CHECKING:
    from fastapi import FastAPI

# (module under cadenza.api.routes, its router's name), in routing order.
ROUTE_MODULES: tuple[tuple[str, str], ...] = (
    ("catalog", "router"),
    ("stream", "router"),
    ("distributor", "router"),
    ("auth", "router"),
    ("me", "router"),
    ("plans", "router"),
    ("plans", "pages"),
    ("members", "router"),
    ("students", "router"),
    ("listening", "router"),
    ("player", "router"),
    ("player_stream", "router"),
    ("devices", "router"),
    ("spoken", "router"),
    ("ads", "router"),
    ("admin", "router"),
    ("search", "router"),
    ("mixes", "router"),
    ("taste", "router"),
    ("charts", "router"),
    ("discovery", "router"),
    ("recommendations", "router"),
    ("library", "router"),
    ("playlists", "router"),
    ("social", "router"),
    ("blends", "router"),
    ("rooms", "router"),
    ("offline", "router"),
    ("offline_licence", "router"),
    ("peers", "router"),
    ("rip_flags", "router"),
    ("fraud", "router"),
    ("takedowns", "router"),
    ("royalties", "router"),
    ("artists", "router"),
    ("editorial", "router"),
    ("artist_stats", "router"),
    ("history", "router"),
    ("podcasts", "router"),
    ("podcaster", "router"),
    ("episode_remote", "router"),
    ("listenbrainz", "router"),  # ListenBrainz's /1 API for scrobbling apps
    # the Spotify-shaped API under /v1 (api/webapi/): `me` before `player`, since
    # /v1/me/player/recently-played is the listener's history; `fallback` last of them
    ("webapi.catalog", "router"),
    ("webapi.discovery", "router"),
    ("webapi.me", "router"),
    ("webapi.player", "router"),
    ("webapi.playlists", "router"),
    ("webapi.fallback", "router"),
    ("subsonic.routes", "router"),  # OpenSubsonic under /rest (api/subsonic/)
    ("app_access", "router"),
    ("oauth", "router"),
    ("oauth_apps", "router"),
    ("external_auth", "router"),
    ("share", "router"),  # shared links' pages, before the shell answers the rest
)
API_PREFIXES = ("/api/", "/v1/", "/rest/", "/1/", "/oauth/")
_NAMED = re.compile(r"\(\?P<\w+>")  # one pattern for a module's paths: its groups unnamed


class ModulePaths:
    """A route module's path templates, asked whether one matches a request's path. The
    regular expression (one for all of them, as Starlette would compile each) is compiled by
    the first path that starts like one of them: a server's start compiles none of the
    modules' 400 patterns, and a request compiles only those of the modules it could be for."""

    def __init__(self, templates: tuple[str, ...]) -> None:
        self._templates = templates
        self._starts = tuple(t.split("{", 1)[0] for t in templates)  # the literal beginnings
        self._pattern: re.Pattern[str] | None = None

    def match(self, path: str) -> bool:
        if not path.startswith(self._starts):
            return False
        if self._pattern is None:  # two threads may both compile it: the same pattern
            each = (_NAMED.sub("(?:", compile_path(t)[0].pattern) for t in self._templates)
            self._pattern = re.compile("|".join(f"(?:{pattern})" for pattern in each))
        return self._pattern.match(path) is not None


def router_of(module: str, name: str) -> APIRouter:
    # __import__, not importlib.import_module: `python -X importtime` then records the module.
    # A plain name is under cadenza.api.routes; a dotted one under cadenza.api (webapi.me).
    where = f"cadenza.api.{module}" if "." in module else f"cadenza.api.routes.{module}"
    imported = __import__(where, fromlist=[name])
    router: APIRouter = getattr(imported, name)
    return router


def all_routers() -> list[APIRouter]:
    """Every route module's router, imported now (tools and tests that look at all routes)."""
    return [router_of(module, name) for module, name in ROUTE_MODULES]


def paths_of(router: APIRouter) -> list[str]:
    """The path templates a router answers (a mount: everything under it)."""
    found = []
    for route in router.routes:
        if isinstance(route, Mount):
            found.append(route.path.rstrip("/") + "/{path:path}")
        elif (path := getattr(route, "path", None)) is not None:
            found.append(path)
    return found


class LazyRoutes:
    """The route modules of one app: included where they belong, imported on first need."""

    def __init__(
        self, api: FastAPI, routes: list[APIRoute], uploads: list[APIRoute], *, lazy: bool = True
    ) -> None:
        from cadenza.api.limits import takes_files
        from cadenza.api.route_paths import PATHS

        self._takes_files = takes_files
        self._api = api
        self.routes, self.uploads = routes, uploads  # shared with the body limit and the schema
        self._lock = threading.Lock()
        self._places: dict[str, list[tuple[APIRouter, str]]] = {}
        self._pending: dict[str, ModulePaths] = {}
        self._patterns: list[ModulePaths] = []  # every listed module's, imported or not
        for module, name in ROUTE_MODULES:
            place = APIRouter()
            api.include_router(place)
            self._places.setdefault(module, []).append((place, name))
        for module in self._places:
            paths = PATHS.get(module)
            if lazy and paths:
                self._pending[module] = ModulePaths(paths)
                self._patterns.append(self._pending[module])
            else:
                self._load(module)

    @property
    def pending(self) -> list[str]:
        return list(self._pending)

    def ensure(self, path: str) -> None:
        """Import the modules that have a route for `path`, before the router looks for it."""
        if not self._pending:
            return
        pending = list(self._pending.items())  # another thread may be importing one
        wanted = [m for m, pattern in pending if pattern.match(path)]
        if not wanted and path.startswith(API_PREFIXES) and not self._listed(path):
            wanted = list(self._pending)  # a route missing from route_paths.py: all, to be sure
        for module in wanted:
            self._load(module)

    def load_all(self) -> None:
        for module in list(self._pending):
            self._load(module)

    def _load(self, module: str) -> None:
        with self._lock:
            if module in self._places and (module in self._pending or not self._loaded(module)):
                for place, name in self._places[module]:
                    router = router_of(module, name)
                    new = [r for r in router.routes if isinstance(r, APIRoute)]
                    self.routes.extend(new)
                    self.uploads.extend(r for r in new if self._takes_files(r))
                    place.include_router(router)
            self._pending.pop(module, None)

    def _listed(self, path: str) -> bool:
        """A path of route_paths.py or of the app's own routes (/healthz...)."""
        if any(pattern.match(path) for pattern in self._patterns):
            return True
        own = (r for r in self._api.router.routes if isinstance(r, APIRoute))
        return any(route.path_regex.match(path) for route in own)

    def _loaded(self, module: str) -> bool:
        return all(place.routes for place, _ in self._places[module])


def write_paths(target: Path | None = None) -> str:
    """route_paths.py as the route modules are now."""
    paths: dict[str, list[str]] = {}
    for module, name in ROUTE_MODULES:
        paths.setdefault(module, []).extend(paths_of(router_of(module, name)))
    lines = [
        '"""Each route module\'s paths (generated by `python -m cadenza.api.lazy_routes`: do not',
        'edit). A server imports a module when a request first matches one of them."""',
        "",
        "PATHS: dict[str, tuple[str, ...]] = {",
    ]
    for module, found in paths.items():
        unique = list(dict.fromkeys(found))
        if len(unique) == 1:
            lines.append(f'    "{module}": ("{unique[0]}",),')
            continue
        lines.append(f'    "{module}": (')
        lines.extend(f'        "{p}",' for p in unique)
        lines.append("    ),")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    if target is not None:
        target.write_text(text)
    return text


HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    write_paths(HERE / "route_paths.py")
    print(f"wrote {HERE / 'route_paths.py'}")

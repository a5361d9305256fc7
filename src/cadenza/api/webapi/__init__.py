"""A Spotify-Web-API-shaped API under /v1, for apps and devices written for Spotify's: the
same paths, parameters, JSON objects, paging and errors, over Cadenza's own services (so the
catalog's visibility, the plan's rules and every per-object check hold), with each route
asking for the scopes Spotify names (`api/app_caller.py`).

Its route modules (catalog, discovery, me, player, playlists, and fallback last) are listed
in their routing order in `api/lazy_routes.py`; this package imports none of them, so its
error shape (`errors.py`) costs a server nothing until a /v1 request comes."""

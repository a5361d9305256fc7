"""A Spotify-Web-API-shaped API under /v1, for apps and devices written for Spotify's: the
same paths, parameters, JSON objects, paging and errors, over Cadenza's own services (so the
catalog's visibility, the plan's rules and every per-object check hold), with each route
asking for the scopes Spotify names (`api/app_caller.py`)."""

from __future__ import annotations

from fastapi import APIRouter

from cadenza.api.webapi import catalog, discovery, fallback, me, player, playlists

# `me` before `player`: /v1/me/player/recently-played is the listener's history
ROUTERS: tuple[APIRouter, ...] = (
    catalog.router,
    discovery.router,
    me.router,
    player.router,
    playlists.router,
    fallback.router,  # last: every other /v1 path
)

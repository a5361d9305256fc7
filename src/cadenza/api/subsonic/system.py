"""The server and the listener: ping, licence, OpenSubsonic extensions, user, tokenInfo."""

from __future__ import annotations

from datetime import timedelta

from cadenza.api.subsonic.call import Call
from cadenza.api.subsonic.render import Node, SubsonicError

EXTENSIONS = (
    ("apiKeyAuthentication", [1]),
    ("formPost", [1]),
    ("playbackReport", [1]),
    ("songLyrics", [1]),
    ("transcodeOffset", [1]),
)


def ping(call: Call) -> Node:
    return {}


def license_info(call: Call) -> Node:
    expires = call.app.clock.now() + timedelta(days=3650)
    return {"license": {"valid": True, "email": call.who.username, "licenseExpires": expires}}


def extensions(_: Call | None = None) -> Node:
    return {
        "openSubsonicExtensions": [
            {"name": name, "versions": versions} for name, versions in EXTENSIONS
        ]
    }


def user(call: Call) -> Node:
    name = call.params.required("username")
    if name.strip().lower() != call.who.username:  # only one's own: no user directory
        raise SubsonicError(50, "You may see only your own user.")
    features = call.listener.plan.features
    best = features.max_quality.bitrate_kbps or 0
    downloads = call.app.settings.subsonic_downloads and features.offline_devices > 0
    return {
        "user": {
            "username": call.who.username,
            "email": call.who.username,
            "scrobblingEnabled": True,
            "maxBitRate": best,
            "adminRole": False,
            "settingsRole": False,
            "downloadRole": downloads,
            "uploadRole": False,
            "playlistRole": True,
            "coverArtRole": True,
            "commentRole": False,
            "podcastRole": False,
            "streamRole": True,
            "jukeboxRole": False,
            "shareRole": False,
            "videoConversionRole": False,
            "folder": [1],
        }
    }


def token_info(call: Call) -> Node:
    if call.params.get("apiKey") is None:
        raise SubsonicError(42, "tokenInfo answers for API keys only.")
    return {"tokenInfo": {"username": call.who.username}}

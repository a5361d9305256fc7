"""Where a listener's plays are forwarded (ListenBrainz, Last.fm) and how their remote secret
is kept (sealed with the server's key)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from cadenza.ports.history import OutgoingPlay


class RemoteRefused(Exception):
    """The remote service refused for good (a bad token or session, a bad play): no retry."""


class RemoteUnavailable(Exception):
    """The remote service could not be reached or asked to wait: try again later."""


class RemoteScrobblers(Protocol):
    def listenbrainz_user(self, token: str) -> str:
        """The ListenBrainz user the token belongs to (RemoteRefused: not a valid token)."""
        ...

    def send_listenbrainz(self, token: str, plays: Sequence[OutgoingPlay]) -> None: ...

    def lastfm_ready(self) -> bool:
        """Whether the operator set a Last.fm API key and secret."""
        ...

    def send_lastfm(self, session_key: str, plays: Sequence[OutgoingPlay]) -> None: ...

    def lastfm_authorize_url(self, callback: str) -> str:
        """Last.fm's page where a listener allows this server; it comes back to `callback`
        with `token=...`."""
        ...

    def lastfm_session(self, token: str) -> tuple[str, str]:
        """(session key, Last.fm user name) for a token the listener allowed (RemoteRefused:
        not allowed, or expired)."""
        ...


class SecretBox(Protocol):
    """Secrets encrypted with a key only the server holds (authenticated encryption)."""

    def seal(self, secret: str) -> str: ...

    def open(self, sealed: str) -> str: ...

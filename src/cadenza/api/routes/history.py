"""Bring your history (`/api/v1/me/history`): upload a Spotify, ListenBrainz or Last.fm export,
follow its import (progress, matched, unmatched), read the imported plays, delete an import with
its plays; the scrobbling token for ListenBrainz-compatible apps; forwarding your plays to
ListenBrainz or Last.fm. Each answers about the signed-in listener only."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from pydantic import BaseModel, Field

from cadenza.api.deps import (
    CurrentSession,
    HistoryImportsDep,
    Id,
    ScrobbleForwardingDep,
    ScrobblingDep,
    SettingsDep,
)
from cadenza.api.request_body import RequestBody
from cadenza.api.uploads import plain_file_name
from cadenza.domain.history_matching import HistoryTooLarge
from cadenza.ports.history import HistoryImport
from cadenza.services.scrobble_forwarding import ForwardingSetting

router = APIRouter(prefix="/api/v1/me/history", tags=["history"])
CHUNK = 1024 * 1024


class UnmatchedOut(BaseModel):
    artist: str
    title: str
    plays: int


class ImportOut(BaseModel):
    id: int
    source: str  # spotify | listenbrainz | lastfm
    file_name: str
    status: str  # running | done | failed
    progress: int  # percent of the plays matched so far
    total: int  # plays read from the file
    matched: int
    unmatched: int
    skipped: int  # podcasts, plays under 30 s, rows without artist, title or time
    added: int  # matched plays new to your history (0 for a file imported before)
    top_unmatched: list[UnmatchedOut]
    error: str | None
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, found: HistoryImport) -> ImportOut:
        done = found.status != "running"
        percent = 100 if done or not found.total else found.processed * 100 // found.total
        return cls(
            id=found.id,
            source=found.source,
            file_name=found.file_name,
            status=found.status,
            progress=percent,
            total=found.total,
            matched=found.matched,
            unmatched=found.unmatched,
            skipped=found.skipped,
            added=found.added,
            top_unmatched=[
                UnmatchedOut(artist=a, title=t, plays=n) for a, t, n in found.top_unmatched
            ],
            error=found.error,
            created_at=found.created_at,
            finished_at=found.finished_at,
        )


class ImportedPlayOut(BaseModel):
    track_id: int
    played_at: datetime
    listened_ms: int
    source: str  # spotify | listenbrainz | lastfm | scrobble
    import_id: int | None


class TokenOut(BaseModel):
    exists: bool
    created_at: datetime | None
    token: str | None = None  # only in the answer that makes it: copy it then


class ForwardingOut(BaseModel):
    service: str
    remote_user: str | None
    since: datetime
    waiting: int

    @classmethod
    def of(cls, setting: ForwardingSetting) -> ForwardingOut:
        return cls(
            service=setting.service,
            remote_user=setting.remote_user,
            since=setting.since,
            waiting=setting.waiting,
        )


class ForwardingIn(RequestBody):
    # a ListenBrainz user token or a Last.fm session key: printable ASCII, no spaces
    secret: str = Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")


Service = Literal["listenbrainz", "lastfm"]


class LastfmTokenIn(RequestBody):
    token: str = Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")


class AuthorizeOut(BaseModel):
    url: str


# -- imports -------------------------------------------------------------------------------
@router.post("/imports", response_model=ImportOut, status_code=status.HTTP_202_ACCEPTED)
def start_import(
    session: CurrentSession,
    settings: SettingsDep,
    imports: HistoryImportsDep,
    file: Annotated[
        UploadFile,
        File(
            description="A Spotify export (zip or Streaming_History_Audio_*.json), a "
            "ListenBrainz export (zip or JSON lines) or a Last.fm scrobble CSV"
        ),
    ],
) -> ImportOut:
    """Read the file now (a file that is none of these, or too large, is refused and nothing
    is made) and match its plays in the background: poll the import for its progress."""
    name = plain_file_name(file.filename) or "history"
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.work_dir, prefix="history-") as folder:
        path = Path(folder) / "upload"
        _save(file, path, settings.history_upload_max_bytes)
        return ImportOut.of(imports.start(session.account_id, path, name))


def _save(file: UploadFile, path: Path, max_bytes: int) -> None:
    written = 0
    with path.open("wb") as out:
        while chunk := file.file.read(CHUNK):
            written += len(chunk)
            if written > max_bytes:
                raise HistoryTooLarge(f"the upload is over {max_bytes} bytes")
            out.write(chunk)
    file.file.close()


@router.get("/imports", response_model=list[ImportOut])
def list_imports(session: CurrentSession, imports: HistoryImportsDep) -> list[ImportOut]:
    """Your imports, newest first."""
    return [ImportOut.of(i) for i in imports.imports(session.account_id)]


@router.get("/imports/{import_id}", response_model=ImportOut)
def import_status(import_id: Id, session: CurrentSession, imports: HistoryImportsDep) -> ImportOut:
    """One import: its progress while it runs, its report when done."""
    return ImportOut.of(imports.status(session.account_id, import_id))


@router.delete("/imports/{import_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_import(import_id: Id, session: CurrentSession, imports: HistoryImportsDep) -> Response:
    """The import gone with every play it added (409 while it still runs)."""
    imports.delete(session.account_id, import_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/plays", response_model=list[ImportedPlayOut])
def imported_plays(
    session: CurrentSession,
    imports: HistoryImportsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[ImportedPlayOut]:
    """Your imported and scrobbled plays, newest first (history, never counted streams)."""
    return [
        ImportedPlayOut(
            track_id=p.track_id,
            played_at=p.played_at,
            listened_ms=p.listened_ms,
            source=p.source,
            import_id=p.import_id,
        )
        for p in imports.plays(session.account_id, limit, offset)
    ]


# -- the scrobbling token --------------------------------------------------------------------
@router.get("/scrobble-token", response_model=TokenOut)
def scrobble_token(session: CurrentSession, scrobbling: ScrobblingDep) -> TokenOut:
    """Whether you have a scrobbling token (never the token itself: it is kept hashed)."""
    made = scrobbling.token_made(session.account_id)
    return TokenOut(exists=made is not None, created_at=made)


@router.post("/scrobble-token", response_model=TokenOut)
def new_scrobble_token(session: CurrentSession, scrobbling: ScrobblingDep) -> TokenOut:
    """A new token for scrobbling apps (the old one stops working): shown this once."""
    token = scrobbling.new_token(session.account_id)
    return TokenOut(exists=True, created_at=scrobbling.token_made(session.account_id), token=token)


@router.delete("/scrobble-token", status_code=status.HTTP_204_NO_CONTENT)
def revoke_scrobble_token(session: CurrentSession, scrobbling: ScrobblingDep) -> Response:
    scrobbling.revoke(session.account_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- forwarding ----------------------------------------------------------------------------------
@router.get("/forwarding", response_model=list[ForwardingOut])
def forwarding(session: CurrentSession, forwarding: ScrobbleForwardingDep) -> list[ForwardingOut]:
    """Where your plays are forwarded (never the token or session key)."""
    return [ForwardingOut.of(s) for s in forwarding.settings(session.account_id)]


@router.get("/forwarding/lastfm/authorize", response_model=AuthorizeOut)
def lastfm_authorize(
    session: CurrentSession, settings: SettingsDep, forwarding: ScrobbleForwardingDep
) -> AuthorizeOut:
    """Last.fm's page where you allow Cadenza; it brings you back to the account page with a
    token for `POST /forwarding/lastfm/session` (409 `lastfm_not_configured` without the
    operator's Last.fm API key)."""
    callback = f"{settings.public_url.rstrip('/')}/account?connect=lastfm"
    return AuthorizeOut(url=forwarding.lastfm_authorize_url(callback))


@router.post("/forwarding/lastfm/session", response_model=ForwardingOut)
def lastfm_session(
    body: LastfmTokenIn, session: CurrentSession, forwarding: ScrobbleForwardingDep
) -> ForwardingOut:
    """Forward to Last.fm with the token Last.fm gave back (422 `remote_token_invalid` if Last.fm
    did not allow it)."""
    return ForwardingOut.of(forwarding.connect_lastfm(session.account_id, body.token))


@router.put("/forwarding/{service}", response_model=ForwardingOut)
def connect_forwarding(
    service: Service, body: ForwardingIn, session: CurrentSession, forwarding: ScrobbleForwardingDep
) -> ForwardingOut:
    """Forward your plays to ListenBrainz (your user token, checked with ListenBrainz now) or
    Last.fm (your session key; the server needs the operator's Last.fm API key)."""
    return ForwardingOut.of(forwarding.connect(session.account_id, service, body.secret))


@router.delete("/forwarding/{service}", status_code=status.HTTP_204_NO_CONTENT)
def stop_forwarding(
    service: Service, session: CurrentSession, forwarding: ScrobbleForwardingDep
) -> Response:
    """Stop forwarding there; plays not sent yet are dropped."""
    forwarding.disconnect(session.account_id, service)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

"""Cadenza's client library: the API (`CadenzaClient`), a playback device that obeys remote
commands (`PlayingDevice`), the listening-event journal, the sealed disk cache, offline
downloads, and the `AudioSource` interface that fetches a track's bytes."""

from cadenza.client.api import CadenzaClient, Tokens
from cadenza.client.audio_source import AudioGrant, AudioSource, CachedAudio, ServerAudio
from cadenza.client.cache import DiskCache
from cadenza.client.errors import CadenzaClientError, Offline, SecondFactorRequired
from cadenza.client.journal import EventJournal
from cadenza.client.offline import DownloadedAudio, LicenceExpired, OfflineLibrary
from cadenza.client.vault import Vault

__all__ = [
    "AudioGrant",
    "AudioSource",
    "CachedAudio",
    "CadenzaClient",
    "CadenzaClientError",
    "DiskCache",
    "DownloadedAudio",
    "EventJournal",
    "LicenceExpired",
    "Offline",
    "OfflineLibrary",
    "SecondFactorRequired",
    "ServerAudio",
    "Tokens",
    "Vault",
]
